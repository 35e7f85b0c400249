/**
 * The feedback-loop stress test as the backtest's `--discovery p` runs it: the run prepared once
 * (prepare.ts, as the backtest prepares it), then one replay (discovery.ts) at p = 0 and one at p,
 * and, with rotation, the same two with places rested after k days: what discovery does to the
 * spread of the boxes and to their catch of real crime, and what rotation costs and buys.
 *
 * Cost: prepareEvaluation, then per replay about the backtest's `etas` alone (discovery.ts).
 */
import { BACKTEST_DEFAULTS, type BacktestInput } from './backtest.ts';
import { runDiscovery, type DiscoveryScenario } from './discovery.ts';
import type { DiscoveryWeek } from './discoveryMetrics.ts';
import { prepareEvaluation } from './prepare.ts';

/** What the stress test runs on: a backtest's input, the discovery rate and the rotation. */
export interface DiscoveryStudyInput extends Pick<
  BacktestInput,
  Exclude<keyof BacktestInput, 'models' | 'plugins' | 'reference' | 'bootstrapResamples' | 'fitOptions'>
> {
  /** Found incidents per expected real one in a box (0..5); p = 0 is always run beside it. */
  readonly discovery: number;
  /** Rest a place after this many days boxed in the same shift type (null or absent: no rotation run). */
  readonly rotateAfter?: number | null;
}

/** One replay in the report (discovery.ts DiscoveryRun without the per-shift detail). */
export interface DiscoveryRunReport extends DiscoveryScenario {
  /** Over the whole period (week 0), then week by week. */
  readonly total: DiscoveryWeek;
  readonly weeks: readonly DiscoveryWeek[];
  /** Mean per-shift hit rate of the patrol boxes (the backtest's `top K/district` figure). */
  readonly topKHitRate: number;
  /** Mean per-shift hit rate of the city-wide placed boxes at each flagged area (km² as key), the backtest's figures. */
  readonly hitRate: Readonly<Record<string, number>>;
  /** Place-shifts rested by rotation. */
  readonly rested: number;
  readonly wallSeconds: number | null;
}

/** The `discovery` block of the backtest report. */
export interface DiscoveryReport {
  readonly p: number;
  readonly rotateAfter: number | null;
  readonly seed: number;
  readonly refitEveryDays: number;
  /** Patrol boxes per district, and shifts per week (7 × shift starts). */
  readonly top: number;
  readonly shiftsPerWeek: number;
  readonly flaggedKm2: readonly number[];
  /** p = 0, then p; with rotation, the same two rotated. */
  readonly runs: readonly DiscoveryRunReport[];
  readonly wallSeconds: number | null;
}

/** Hooks of {@link discoveryStudy}. */
export interface DiscoveryStudyHooks {
  /** Shifts replayed so far, over all replays, and the total. */
  onProgress?(done: number, total: number): void;
  shouldCancel?(): boolean;
  /** A clock in milliseconds, only for the run times. */
  now?(): number;
}

/**
 * Runs the stress test (module comment).
 * @throws {EvaluateError} as prepareEvaluation, and E_ARGUMENT (bad rate or rotation, month
 *   mode, no patrol boxes), E_FIT, E_CANCELLED as runDiscovery
 */
export function discoveryStudy(input: DiscoveryStudyInput, hooks: DiscoveryStudyHooks = {}): DiscoveryReport {
  const t0 = hooks.now?.();
  const run = prepareEvaluation(input);
  const rotate = input.rotateAfter ?? null;
  const rates = input.discovery > 0 ? [0, input.discovery] : [0];
  const scenarios: DiscoveryScenario[] = [
    ...rates.map((p) => ({ p, rotateAfter: null })),
    ...(rotate === null ? [] : rates.map((p) => ({ p, rotateAfter: rotate }))),
  ];
  const seed = input.seed ?? BACKTEST_DEFAULTS.seed;
  const refitEveryDays = input.refitEveryDays ?? BACKTEST_DEFAULTS.refitEveryDays;
  const W = run.windows.length;
  const total = W * scenarios.length;
  hooks.onProgress?.(0, total);
  const runs = scenarios.map((scenario, i): DiscoveryRunReport => {
    const t = hooks.now?.();
    const r = runDiscovery(run, scenario, {
      seed,
      refitEveryDays,
      ...(input.etasConfig ? { etasConfig: input.etasConfig } : {}),
      ...(hooks.shouldCancel ? { shouldCancel: () => hooks.shouldCancel!() } : {}),
      onShift: (done) => hooks.onProgress?.(i * W + done, total),
    });
    const t1 = hooks.now?.();
    return {
      p: r.p,
      rotateAfter: r.rotateAfter,
      total: r.total,
      weeks: r.weeks,
      topKHitRate: r.meanShiftHitRate,
      hitRate: Object.fromEntries(run.measures.flaggedKm2.map((a, k) => [String(a), r.meanFlaggedHitRate[k]!])),
      rested: r.rested,
      wallSeconds: t !== undefined && t1 !== undefined ? (t1 - t) / 1000 : null,
    };
  });
  const t1 = hooks.now?.();
  return {
    p: input.discovery,
    rotateAfter: rotate,
    seed,
    refitEveryDays,
    top: run.measures.top,
    shiftsPerWeek: 7 * run.shiftStarts.length,
    flaggedKm2: run.measures.flaggedKm2,
    runs,
    wallSeconds: t0 !== undefined && t1 !== undefined ? (t1 - t0) / 1000 : null,
  };
}
