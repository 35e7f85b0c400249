/**
 * Shared state of the page: the engine client, the loaded data set, the model settings used by
 * every view, the busy bar (progress + cancel) and the error banner.
 */
import { EngineClient, EngineError } from './client.ts';
import { byId } from './dom.ts';
import type { DatasetInfo, ErrorKind, ModelSettings, Progress } from './protocol.ts';
import { loadSettings } from './settings.ts';

export const DEFAULT_MODEL: ModelSettings = {
  model: 'etas',
  res: 10,
  categories: null,
  // All history known before the shift: the CLI's and the backtest's training window.
  trainingDays: null,
  fitOptions: {},
  top: 20,
  placement: 'fine',
};

type DatasetListener = (info: DatasetInfo) => void;

export class App {
  readonly client = new EngineClient();
  /** The settings every view forecasts with; the placement as the user last chose it (web/settings.ts). */
  model: ModelSettings = { ...DEFAULT_MODEL, placement: loadSettings().placement };
  private readonly datasetListeners: DatasetListener[] = [];
  private readonly busy = byId('busy');
  private readonly busyText = byId('busy-text');
  private readonly busyProgress = byId<HTMLProgressElement>('busy-progress');
  private readonly errorBanner = byId('error-banner');
  private readonly status = byId('dataset-status');
  private jobs = 0;

  constructor() {
    byId('busy-cancel').addEventListener('click', () => {
      this.setBusy(null);
      this.jobs = 0;
      void this.client.cancel().catch((error: unknown) => this.showError(error));
    });
  }

  get dataset(): DatasetInfo | null {
    return this.client.current;
  }

  onDataset(listener: DatasetListener): void {
    this.datasetListeners.push(listener);
  }

  /** Tell every view the data set changed. */
  announceDataset(info: DatasetInfo): void {
    const s = info.summary;
    this.status.textContent = `${info.name}: ${s.accepted.toLocaleString('en')} incidents, ${info.firstDate ?? '?'} to ${info.lastDate ?? '?'}`;
    for (const listener of this.datasetListeners) listener(info);
  }

  /**
   * Run a job with the busy bar showing its progress. Rejections other than a cancel go to the
   * error banner and resolve to null; a cancel resolves to null quietly.
   */
  async run<T>(label: string, job: (onProgress: (progress: Progress) => void) => Promise<T>): Promise<T | null> {
    this.jobs++;
    this.setBusy({ phase: label, fraction: null });
    this.clearError();
    try {
      return await job((progress) => this.setBusy(progress));
    } catch (error) {
      this.showError(error);
      return null;
    } finally {
      this.jobs = Math.max(0, this.jobs - 1);
      if (this.jobs === 0) this.setBusy(null);
    }
  }

  private setBusy(progress: Progress | null): void {
    if (!progress) {
      this.busy.hidden = true;
      document.body.removeAttribute('data-busy');
      return;
    }
    this.busy.hidden = false;
    document.body.setAttribute('data-busy', 'true');
    const detail = progress.detail ? `: ${progress.detail}` : '';
    this.busyText.textContent = `${progress.phase}${detail}`;
    if (progress.fraction === null) this.busyProgress.removeAttribute('value');
    else this.busyProgress.value = progress.fraction;
  }

  /** Shows an error in the banner as errorBanner() words it; a cancel shows nothing. */
  showError(error: unknown): void {
    const banner = errorBanner(error);
    if (banner === null) return;
    this.errorBanner.textContent = banner.text;
    this.errorBanner.dataset['kind'] = banner.kind;
    this.errorBanner.hidden = false;
  }

  clearError(): void {
    this.errorBanner.hidden = true;
    this.errorBanner.textContent = '';
    delete this.errorBanner.dataset['kind'];
  }
}

/**
 * The banner for an error, by its kind: a cancel is quiet (null); bad input shows the message
 * as it is (it names the file, field or setting at fault); a bug says it is one and shows the
 * message. A string is the page's own input message; any other error that did not come from
 * the worker as an EngineError is a bug in the page.
 */
export function errorBanner(error: unknown): { readonly kind: Exclude<ErrorKind, 'cancelled'>; readonly text: string } | null {
  if (typeof error === 'string') return { kind: 'input', text: error };
  const kind: ErrorKind = error instanceof EngineError ? error.kind : 'bug';
  if (kind === 'cancelled') return null;
  const message = error instanceof Error ? error.message : String(error);
  if (kind === 'input') return { kind, text: message };
  return { kind, text: `Something went wrong inside patrolcast (a bug, not a problem with your data or settings): ${message}` };
}

/** Local wall-clock "made at" stamp for printed sheets (the page may read the clock; the engine never does). */
export function madeAtStamp(now = new Date()): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  const offsetMin = -now.getTimezoneOffset();
  const sign = offsetMin >= 0 ? '+' : '-';
  const abs = Math.abs(offsetMin);
  return (
    `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())} ` +
    `${pad(now.getHours())}:${pad(now.getMinutes())} (UTC${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)})`
  );
}

/** Local date YYYY-MM-DD ± days (calendar arithmetic on the date string, no zone involved). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return t.toISOString().slice(0, 10);
}

/** Format an epoch-ms instant as local wall-clock time in a zone (display only). */
export function localDateTime(ms: number, tz: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(ms));
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}
