/**
 * Reading a backtest report (engine backtest() result or the CLI's report.json) into the shape
 * the evaluation view draws. Checked at run time: a file that is not a report says so.
 */
import { backtestHeadline, type BacktestReport as EngineReport } from '../../engine/index.ts';

export interface ModelReport {
  readonly hitRate: Readonly<Record<string, number>>;
  readonly pai: Readonly<Record<string, number>>;
  readonly logScore: number | null;
  readonly distinctCellsFlagged: number | null;
  /** 95% bootstrap interval of the hit rate, per area key. */
  readonly hitRateCi: Readonly<Record<string, { readonly lo: number; readonly hi: number }>>;
  /** Hit rate of the patrol boxes (top K per district). */
  readonly topKHitRate: number | null;
}

export interface ShiftPoint {
  readonly startMs: number;
  /** Per model: caught events per flagged-area key. */
  readonly hits: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly events: number;
}

export interface BacktestReport {
  readonly shifts: number;
  /** Patrol boxes per district in the run. */
  readonly top: number;
  readonly events: number;
  readonly models: Readonly<Record<string, ModelReport>>;
  readonly areaKeys: readonly string[];
  readonly perShift: readonly ShiftPoint[];
  readonly words: string;
  readonly raw: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function numberRecord(value: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (!isRecord(value)) return out;
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === 'number') out[key] = v;
    else if (isRecord(v) && typeof v['mean'] === 'number') out[key] = v['mean'];
  }
  return out;
}

function readIntervals(value: unknown): Record<string, { lo: number; hi: number }> {
  const out: Record<string, { lo: number; hi: number }> = {};
  if (!isRecord(value)) return out;
  for (const [key, v] of Object.entries(value)) {
    if (isRecord(v) && typeof v['lo'] === 'number' && typeof v['hi'] === 'number') out[key] = { lo: v['lo'], hi: v['hi'] };
  }
  return out;
}

/** Models in a fixed, readable order (ETAS first, oracle last), then any others. */
export function modelNames(report: BacktestReport): string[] {
  const order = ['etas', 'etas-2015', 'naive-28', 'naive-365', 'naive-all', 'retro', 'prospective', 'random', 'oracle'];
  const names = Object.keys(report.models);
  return [...order.filter((n) => names.includes(n)), ...names.filter((n) => !order.includes(n)).sort()];
}

/**
 * @throws {Error} when `raw` has no `models` object with hit rates
 */
export function readReport(raw: unknown, fileName = 'the report'): BacktestReport {
  if (!isRecord(raw) || !isRecord(raw['models'])) {
    throw new Error(
      `${fileName} is not a backtest report: it has no "models" object (write one with patrolcast backtest --out report.json)`,
    );
  }
  const models: Record<string, ModelReport> = {};
  for (const [name, value] of Object.entries(raw['models'])) {
    if (!isRecord(value)) continue;
    models[name] = {
      hitRate: numberRecord(value['hitRate']),
      pai: numberRecord(value['pai']),
      logScore:
        typeof value['logScore'] === 'number'
          ? value['logScore']
          : isRecord(value['logScore']) && typeof value['logScore']['mean'] === 'number'
            ? value['logScore']['mean']
            : null,
      distinctCellsFlagged: typeof value['distinctCellsFlagged'] === 'number' ? value['distinctCellsFlagged'] : null,
      hitRateCi: readIntervals(isRecord(value['ci']) ? value['ci']['hitRate'] : undefined),
      topKHitRate: typeof value['topKHitRate'] === 'number' ? value['topKHitRate'] : null,
    };
  }
  if (Object.keys(models).length === 0) throw new Error(`${fileName} has no models with results`);
  const keySet = new Set<string>();
  for (const model of Object.values(models)) for (const key of Object.keys(model.hitRate)) keySet.add(key);
  const areaKeys = [...keySet].sort((a, b) => Number(a) - Number(b));
  const perShift = readPerShift(raw['perShift']);
  const shifts = typeof raw['shifts'] === 'number' ? raw['shifts'] : Array.isArray(raw['shifts']) ? raw['shifts'].length : perShift.length;
  const events = typeof raw['events'] === 'number' ? raw['events'] : 0;
  const top = typeof raw['top'] === 'number' ? raw['top'] : 20;
  return { shifts, top, events, models, areaKeys, perShift, words: wordsFor(raw, models, areaKeys, shifts, events), raw };
}

/**
 * The report's columnar `perShift` (startMs[], events[], models.<name>.hitRate.<km²>[]) as one
 * row per shift with caught counts (hit rate × events; a null hit rate means no events).
 */
function readPerShift(value: unknown): ShiftPoint[] {
  if (!isRecord(value) || !Array.isArray(value['startMs'])) return [];
  const starts = value['startMs'] as unknown[];
  const events = Array.isArray(value['events']) ? (value['events'] as unknown[]) : [];
  const models = isRecord(value['models']) ? value['models'] : {};
  const out: ShiftPoint[] = [];
  for (let i = 0; i < starts.length; i++) {
    const startMs = starts[i];
    if (typeof startMs !== 'number' || !Number.isFinite(startMs)) continue;
    const n = typeof events[i] === 'number' ? (events[i] as number) : 0;
    const hits: Record<string, Record<string, number>> = {};
    for (const [name, model] of Object.entries(models)) {
      if (!isRecord(model) || !isRecord(model['hitRate'])) continue;
      const byArea: Record<string, number> = {};
      for (const [key, column] of Object.entries(model['hitRate'])) {
        if (!Array.isArray(column)) continue;
        const rate = column[i];
        byArea[key] = typeof rate === 'number' ? rate * n : 0;
      }
      hits[name] = byArea;
    }
    out.push({ startMs, hits, events: n });
  }
  return out.sort((a, b) => a.startMs - b.startMs);
}

/**
 * Hit rate over time for one model at one area: caught / occurred, pooled over the last
 * `windowShifts` shifts (default 21, a week of 8-hour shifts; fewer at the start of the run), so
 * single quiet shifts do not dominate the line. One point per shift, at its start.
 */
export function perShiftSeries(report: BacktestReport, model: string, areaKey: string, windowShifts = 21): [number, number][] {
  const points: [number, number][] = [];
  const rows = report.perShift;
  let caught = 0;
  let occurred = 0;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    caught += row.hits[model]?.[areaKey] ?? 0;
    occurred += row.events;
    const old = rows[i - windowShifts];
    if (old) {
      caught -= old.hits[model]?.[areaKey] ?? 0;
      occurred -= old.events;
    }
    if (row.hits[model]?.[areaKey] !== undefined && occurred > 0) points.push([row.startMs, caught / occurred]);
  }
  return points;
}

/**
 * The run in words. For an engine report (what the worker returns and `backtest --out` writes)
 * the verdict is the engine's headline, so "beat" always comes with its paired 95% interval and
 * a difference within noise is called level; any other file gets the rates without a verdict.
 */
function wordsFor(
  raw: Record<string, unknown>,
  models: Record<string, ModelReport>,
  areaKeys: readonly string[],
  shifts: number,
  events: number,
): string {
  if (typeof raw['summary'] === 'string') return raw['summary'];
  const head = `${shifts} shifts, ${events.toLocaleString('en')} crimes scored.`;
  if (isEngineReport(raw)) {
    try {
      const headline = backtestHeadline(raw);
      return headline ? `${head} ${headline.sentence}` : head;
    } catch {
      // A hand-edited file with an area missing from a paired difference: the rates alone below.
    }
  }
  const key = areaKeys.includes('1') ? '1' : areaKeys[0];
  const etas = key ? models['etas']?.hitRate[key] : undefined;
  if (etas === undefined || !key) return head;
  return `${head} With ${key} km² flagged, the ETAS model caught ${(etas * 100).toFixed(1)}% of crime (the file has no paired intervals, so no verdict against the baselines).`;
}

/** Has what backtestHeadline reads: the reference, the areas, the models with paired differences. */
function isEngineReport(raw: Record<string, unknown>): raw is Record<string, unknown> & EngineReport {
  if (!(typeof raw['reference'] === 'string' || raw['reference'] === null)) return false;
  if (!Array.isArray(raw['flaggedKm2']) || !Array.isArray(raw['modelNames']) || !isRecord(raw['models'])) return false;
  const models = raw['models'];
  return raw['modelNames'].every((name) => {
    const model = typeof name === 'string' ? models[name] : undefined;
    if (!isRecord(model) || !isRecord(model['hitRate'])) return false;
    if (name === raw['reference'] || raw['reference'] === null) return true;
    const paired = model['pairedDiff'];
    return isRecord(paired) && isRecord(paired['hitRate']);
  });
}
