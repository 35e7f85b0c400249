/**
 * The backtest report: plain JSON (NaN is written by JSON.stringify as null), so the CLI can
 * save it and the HTML report and the web app can read it.
 *
 * Keys of the per-area objects are the flagged areas in km² written as `String(number)`
 * ("0.5", "1", "2", "5"); coverage keys likewise ("0.01", "0.05", "0.1").
 */
import type { AdaptRecord } from '../model/index.ts';
import type { Interval, PairedDifference } from './bootstrap.ts';

/** Which ETAS fit served which shifts. */
export interface FitRecord {
  /** Training used incidents known at or before this instant (the first shift it serves starts here). */
  readonly trainedUntilMs: number;
  readonly trainedUntil: string;
  readonly events: number;
  readonly theta: number;
  readonly omegaPerHour: number;
  /** 1/ω in hours. */
  readonly meanDelayHours: number;
  readonly iterations: number;
  readonly stopReason: string;
  readonly warnings: readonly string[];
  /** Index of the first and last shift this fit served (inclusive). */
  readonly firstShift: number;
  readonly lastShift: number;
  /** The adaptive selection made at this refit (docs/model.md#adaptive-default); absent between selections and without `adapt`. */
  readonly adapt?: AdaptRecord;
}

/** The record of a fit trained on incidents known by `trainedUntilMs`, first serving shift `shift`. */
export function fitRecord(
  trainedUntilMs: number,
  shift: number,
  events: number,
  fit: {
    readonly theta: number;
    readonly omegaPerHour: number;
    readonly iterations: number;
    readonly stopReason: string;
    readonly warnings: readonly string[];
  },
): FitRecord {
  return {
    trainedUntilMs,
    trainedUntil: new Date(trainedUntilMs).toISOString(),
    events,
    theta: fit.theta,
    omegaPerHour: fit.omegaPerHour,
    meanDelayHours: 1 / fit.omegaPerHour,
    iterations: fit.iterations,
    stopReason: fit.stopReason,
    warnings: [...fit.warnings],
    firstShift: shift,
    lastShift: shift,
  };
}

/** Per shift, per model: the measures behind the over-time chart (null where undefined). */
export interface PerShiftModel {
  readonly hitRate: Readonly<Record<string, readonly (number | null)[]>>;
  readonly pei: Readonly<Record<string, readonly (number | null)[]>>;
  readonly coverageHitRate: Readonly<Record<string, readonly (number | null)[]>>;
  readonly topKHitRate: readonly (number | null)[];
  /** Mean log score per event of the shift (null when no event in the study cells). */
  readonly logScore: readonly (number | null)[];
}

/** A model's paired comparison with the reference model (reference − this model). */
export interface PairedDiffs {
  /** Name of the reference model (normally 'etas'). */
  readonly reference: string;
  /** Always 'reference − model': positive means the reference (ETAS) did better. */
  readonly direction: 'reference − model';
  readonly hitRate: Readonly<Record<string, PairedDifference>>;
  readonly pei: Readonly<Record<string, PairedDifference>>;
  readonly coverageHitRate: Readonly<Record<string, PairedDifference>>;
  readonly topKHitRate: PairedDifference;
  /** Difference of the mean log score per event (reference − model). */
  readonly logScore: Interval;
}

export interface ModelSummary {
  /**
   * How the model's flagged areas and patrol boxes were scored: 'grid', the top cells of the
   * working grid; 'fine', boxes of seven finer cells placed greedily (engine/evaluate/placed.ts,
   * same area per box as one cell). Concentration of a placed model counts box centres.
   */
  readonly placement: 'grid' | 'fine';
  /** Mean over shifts (with events) of the share of the shift's events in the flagged cells. */
  readonly hitRate: Readonly<Record<string, number>>;
  /** Predictive accuracy index: hit rate / (flagged area / study area). */
  readonly pai: Readonly<Record<string, number>>;
  /** Predictive efficiency index: mean over shifts of n / n*. */
  readonly pei: Readonly<Record<string, number>>;
  readonly coverageHitRate: Readonly<Record<string, number>>;
  /**
   * Recapture rate index, pooled: Σ predicted / Σ observed events in the flagged cells over all
   * shifts; null for models that do not forecast counts (retro, prospective, random).
   */
  readonly rri: Readonly<Record<string, number | null>>;
  /** Hit rate of the top K cells per district (the patrol boxes). */
  readonly topKHitRate: number;
  /** Mean over scored events of log(forecast density / uniform density); 0 = uniform. */
  readonly logScore: number;
  readonly ci: {
    readonly hitRate: Readonly<Record<string, Interval>>;
    readonly pai: Readonly<Record<string, Interval>>;
    readonly pei: Readonly<Record<string, Interval>>;
    readonly coverageHitRate: Readonly<Record<string, Interval>>;
    readonly topKHitRate: Interval;
    readonly logScore: Interval;
  };
  /** Null for the reference model itself, or when the run has no reference. */
  readonly pairedDiff: PairedDiffs | null;
  /** Distinct cells that were ever among the patrol boxes (top K per district) across the replay. */
  readonly distinctCellsFlagged: number;
  /** Distinct cells ever flagged at each flagged area. */
  readonly distinctCellsFlaggedByArea: Readonly<Record<string, number>>;
  /** The cells most often among the patrol boxes: times picked and share of shifts. */
  readonly mostPicked: readonly { readonly h3: string; readonly times: number; readonly share: number }[];
}

export interface BacktestReport {
  /** 2: `etas` is scored placed (`etas-grid` is the grid), models carry `placement`; 1: everything on the grid. */
  readonly version: 2;
  readonly mode: 'shifts' | 'months';
  readonly res: number;
  readonly tz: string;
  readonly from: string;
  readonly to: string;
  readonly shiftHours: number | null;
  readonly shiftStarts: readonly string[] | null;
  readonly refitEveryDays: number;
  /** Number of shifts (or months) replayed. */
  readonly shifts: number;
  readonly shiftsWithEvents: number;
  /** Events scored: placed inside a shift (including those outside the study cells). */
  readonly events: number;
  /** Scored events outside the study cells (no model can catch them). */
  readonly eventsOutsideArea: number;
  /** Events in the test period whose time is too vague to place in one shift (left out of the actuals). */
  readonly unplacedEvents: number;
  /** Training incidents known before the first shift. */
  readonly historyEvents: number;
  readonly cells: number;
  readonly meanCellAreaKm2: number;
  readonly studyAreaKm2: number;
  readonly districts: number;
  readonly top: number;
  readonly flaggedKm2: readonly number[];
  /** Cells flagged for each flagged area (same order as flaggedKm2). */
  readonly flaggedCells: readonly number[];
  readonly coverage: readonly number[];
  readonly coverageCells: readonly number[];
  readonly logScoreUniformWeight: number;
  readonly bootstrap: { readonly seed: number; readonly resamples: number; readonly level: number; readonly blockShifts: number };
  /** The model the paired differences are taken against (normally 'etas'). */
  readonly reference: string | null;
  readonly modelNames: readonly string[];
  /** Wall-clock seconds of the run (null when no clock was injected). */
  readonly wallSeconds: number | null;
  /** The fits of `etas` (or of `etas-2015` when `etas` was not run). */
  readonly fits: readonly FitRecord[];
  /** The fits of each self-exciting model run (`etas`, `etas-2015`). */
  readonly fitsByModel?: Readonly<Record<string, readonly FitRecord[]>>;
  readonly perShift: {
    readonly startMs: readonly number[];
    readonly label: readonly string[];
    readonly events: readonly number[];
    /** Index into `fits` of the fit that served the shift (−1 when ETAS is not run). */
    readonly fit: readonly number[];
    readonly models: Readonly<Record<string, PerShiftModel>>;
  };
  readonly models: Readonly<Record<string, ModelSummary>>;
  readonly notes: readonly string[];
}
