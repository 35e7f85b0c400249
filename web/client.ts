/**
 * The page's handle on the engine worker: promise-returning calls with progress callbacks, and
 * a cancel that terminates the worker, starts a fresh one and reloads the active data set.
 */
import type {
  BacktestRequest,
  DataSource,
  DatasetInfo,
  DistrictsRequest,
  ErrorKind,
  FitRequest,
  FitResult,
  ForecastRequest,
  ForecastResult,
  Progress,
  Request,
  Response,
} from './protocol.ts';

/**
 * A failed engine job, as the worker reported it: the message, the error's stable code (null
 * for an uncoded error) and what it means to the page (web/protocol.ts ErrorKind).
 */
export class EngineError extends Error {
  readonly code: string | null;
  readonly kind: ErrorKind;
  constructor(message: string, code: string | null, kind: ErrorKind) {
    super(message);
    this.name = 'EngineError';
    this.code = code;
    this.kind = kind;
  }
}

/** Thrown (rejected) when a job was cancelled by the user or superseded. */
export class CancelledError extends EngineError {
  constructor() {
    super('cancelled', 'E_CANCELLED', 'cancelled');
    this.name = 'CancelledError';
  }
}

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly onProgress: ((progress: Progress) => void) | undefined;
}

type RequestBody = Request extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export class EngineClient {
  private worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private source: DataSource | null = null;
  private dataset: DatasetInfo | null = null;
  /** District polygons in use (sent again to a restarted worker); forgotten with the data. */
  private districts: DistrictsRequest | null = null;
  private reloading: Promise<DatasetInfo> | null = null;
  /** Called whenever a job starts or ends (busy = true while any job runs). */
  onBusyChange: (busy: boolean) => void = () => {};

  constructor() {
    this.worker = this.spawn();
  }

  private spawn(): Worker {
    const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'patrolcast-engine' });
    worker.addEventListener('message', (event: MessageEvent<Response>) => this.receive(event.data));
    worker.addEventListener('error', (event) => {
      const message = event.message || 'the engine worker failed to start';
      for (const [id, job] of this.pending) {
        this.pending.delete(id);
        job.reject(new EngineError(message, null, 'bug'));
      }
      this.onBusyChange(false);
    });
    return worker;
  }

  private receive(message: Response): void {
    const job = this.pending.get(message.id);
    if (!job) return;
    if (message.type === 'progress') {
      job.onProgress?.(message.progress);
      return;
    }
    this.pending.delete(message.id);
    if (this.pending.size === 0) this.onBusyChange(false);
    if (message.type === 'result') job.resolve(message.value);
    else job.reject(new EngineError(message.message, message.code, message.kind));
  }

  private call<T>(body: RequestBody, onProgress?: (progress: Progress) => void, transfer: Transferable[] = []): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, onProgress });
      this.onBusyChange(true);
      this.worker.postMessage({ ...body, id } as Request, transfer);
    });
  }

  /** The data set currently loaded, if any. */
  get current(): DatasetInfo | null {
    return this.dataset;
  }

  /**
   * Load a data set (replacing the current one once it succeeds). File bytes are copied, so the
   * caller's buffers stay usable and the worker can be restarted with the same data.
   */
  async load(source: DataSource, onProgress?: (progress: Progress) => void): Promise<DatasetInfo> {
    if (this.reloading) await this.reloading.catch(() => null);
    const info = await this.call<DatasetInfo>({ type: 'load', source: copySource(source) }, onProgress);
    this.source = source;
    this.dataset = info;
    this.districts = null;
    return info;
  }

  /** Use district polygons for the loaded data (null: its own labels again); resolves to the data set's new description. */
  async setDistricts(request: DistrictsRequest | null): Promise<DatasetInfo> {
    const info = await this.afterReload(() => this.call<DatasetInfo>({ type: 'districts', request }));
    this.districts = request;
    this.dataset = info;
    return info;
  }

  forecast(request: ForecastRequest, onProgress?: (progress: Progress) => void): Promise<ForecastResult> {
    return this.afterReload(() => this.call<ForecastResult>({ type: 'forecast', request }, onProgress));
  }

  fit(request: FitRequest, onProgress?: (progress: Progress) => void): Promise<FitResult> {
    return this.afterReload(() => this.call<FitResult>({ type: 'fit', request }, onProgress));
  }

  backtest(request: BacktestRequest, onProgress?: (progress: Progress) => void): Promise<unknown> {
    return this.afterReload(() => this.call<unknown>({ type: 'backtest', request }, onProgress));
  }

  private async afterReload<T>(job: () => Promise<T>): Promise<T> {
    if (this.reloading) await this.reloading;
    return job();
  }

  /**
   * Stop whatever is running: every pending call rejects with CancelledError, the worker is
   * replaced, and the last successfully loaded data set is loaded into the new worker.
   */
  cancel(): Promise<DatasetInfo | null> {
    this.worker.terminate();
    for (const [id, job] of this.pending) {
      this.pending.delete(id);
      job.reject(new CancelledError());
    }
    this.onBusyChange(false);
    this.worker = this.spawn();
    const source = this.source;
    if (!source) return Promise.resolve(null);
    const districts = this.districts;
    const reload = this.call<DatasetInfo>({ type: 'load', source: copySource(source) })
      .then((info) => (districts ? this.call<DatasetInfo>({ type: 'districts', request: districts }) : info))
      .then((info) => {
        this.dataset = info;
        return info;
      });
    this.reloading = reload.finally(() => {
      this.reloading = null;
    });
    return reload;
  }
}

function copySource(source: DataSource): DataSource {
  if (source.kind === 'bundled') return source;
  return { ...source, files: source.files.map((file) => ({ name: file.name, bytes: file.bytes.slice(0) })) };
}
