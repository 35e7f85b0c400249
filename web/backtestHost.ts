/**
 * The web worker's backtest (moved from web/engineHost.ts): the engine's backtest on the loaded
 * data, and, when asked, the feedback-loop stress test (engine discoveryStudy) on the same input
 * right after it, its report added as the `discovery` block as the CLI's report.json has it.
 * Cancelling terminates the worker (web/client.ts), which stops either run.
 */
import {
  backtest,
  discoveryStudy,
  ETAS_DEFAULTS,
  parseLocalDateTime,
  type BacktestInput,
  type EtasConfig,
  type H3Cell,
  type Incident,
} from '../engine/index.ts';
import type { Loaded } from './dataset.ts';
import type { BacktestRequest, Progress } from './protocol.ts';

/** What the run needs from the worker's state: the data, the crime-type filter and the district labels at the request's resolution. */
export interface BacktestData {
  readonly data: Loaded;
  readonly include: (incident: Incident) => boolean;
  readonly districtOf: ReadonlyMap<H3Cell, string>;
}

/** The default etas configuration with the unticked ingredients switched off. */
function etasConfigWith(on: { readonly recency: boolean; readonly profile: boolean; readonly triggering: boolean }): EtasConfig {
  return {
    ...ETAS_DEFAULTS,
    ...(on.recency ? {} : { recency: null }),
    ...(on.profile ? {} : { profile: null }),
    ...(on.triggering ? {} : { triggering: null }),
  };
}

/** The engine's backtest input for a request: the one input both the backtest and the stress test run on. */
export function backtestInput(request: BacktestRequest, { data, include, districtOf }: BacktestData): BacktestInput {
  return {
    incidents: data.incidents,
    include,
    tz: data.tz,
    fromMs: parseLocalDateTime(`${request.fromDate}T00:00`, data.tz),
    toMs: parseLocalDateTime(`${request.toDate}T00:00`, data.tz),
    res: request.model.res,
    shiftHours: request.hours,
    shiftStarts: request.shiftStarts,
    refitEveryDays: request.refitEveryDays,
    models: request.models,
    flaggedKm2: request.flaggedKm2,
    top: request.model.top,
    fitOptions: request.model.fitOptions,
    districtOf,
    ...(request.etasIngredients ? { etasConfig: etasConfigWith(request.etasIngredients) } : {}),
  };
}

const fraction = (done: number, total: number): number | null => (total > 0 ? done / total : null);

/** The backtest report, with the stress test's as its `discovery` block when the request asks for it. */
export function runBacktest(request: BacktestRequest, state: BacktestData, progress: (p: Progress) => void): unknown {
  const input = backtestInput(request, state);
  const report = backtest(input, {
    onProgress: (done: number, total: number) =>
      progress({ phase: 'Backtesting', detail: `shift ${done} of ${total}`, fraction: fraction(done, total) }),
    now: () => performance.now(),
  });
  if (request.discovery === undefined) return report;
  const discovery = discoveryStudy(
    { ...input, discovery: request.discovery.p, rotateAfter: request.discovery.rotateAfter },
    {
      onProgress: (done, total) =>
        progress({ phase: 'Feedback-loop stress test', detail: `replayed shift ${done} of ${total}`, fraction: fraction(done, total) }),
      now: () => performance.now(),
    },
  );
  return { ...report, discovery };
}
