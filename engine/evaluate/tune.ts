/**
 * Model selection for the "etas" model: choose the recency half-life, the profile's shrinkage
 * (prior strength κ, blend β, weekday/weekend), ring depth and delay bound by a rolling backtest
 * on a tuning period that ends before the evaluation period, never on it.
 *
 * Only incidents strictly before the tuning period's end are read at all, and only shifts lying
 * wholly inside [from, to) are scored, so nothing at or after `to` can influence the choice.
 *
 * Search: coordinate-wise over the grid (one setting at a time, the others held at the current
 * best; repeated until a pass changes nothing, at most `passes` times); a setting changes only
 * when that raises the objective by more than `minGain` (parsimony: see TUNE_DEFAULTS). Every half-life
 * and all-history blend weight of the grid is scored on every fit for free (recency is applied
 * after the EM). The objective is the mean, over the flagged areas, of the hit rate relative to
 * all-history counts (naive-all) on the same tuning shifts.
 *
 * Log-score guard (optional, `logScoreMargin`): every candidate's log score (the backtest's:
 * Σ over the tuning shifts' events of log(q_c·A/a_c), the forecast's normalised density mixed
 * with 1% uniform, divided by the number of events; metrics.ts logScoreVsUniform) is compared
 * with naive-all's on the same shifts. A candidate whose log score is below naive-all's by more
 * than the margin is ineligible: it is chosen only when no eligible candidate has been seen
 * (then the best hit rate among the ineligible, as without the guard). Eligible always beats
 * ineligible; between two of the same kind the objective decides as before.
 *
 * The replay is the backtest's own (prepare.ts, runners.ts, score.ts): the same windows,
 * known-from instants, study cells, actuals, naive-all baseline, hit rates and log scores; only
 * the incidents at or after `to` are cut before anything is read, and only whole windows kept.
 */

import type { H3Cell, Incident } from '../types.ts';
import { checkEtasConfig, ETAS_DEFAULTS, type EtasConfig } from '../model/index.ts';
import { EvaluateError } from './errors.ts';
import { prepareEvaluation, type EvaluationRun } from './prepare.ts';
import type { RecencyVariant } from './rolling.ts';
import { naiveRunner, recencyVariantRunners, rollingModelFor } from './runners.ts';
import { meanDefined, pooledLogScore, scoreWindows, type ModelScores } from './score.ts';
import { checkTuneGrid, FIT_KEYS, fitKeyOf, withSetting, type TuneGrid } from './tuneGrid.ts';

export { checkTuneGrid, TUNE_DEFAULT_GRID, type TuneGrid } from './tuneGrid.ts';

/**
 * Defaults of {@link tuneEtas}: weekly refits while tuning (the evaluation refits daily; the
 * settings chosen do not hinge on it), the four flagged areas of the backtest, two passes, and a
 * change of setting is taken only when it raises the objective by more than `minGain` (0.001,
 * i.e. 0.1% of naive-all's hit rate): differences below that are noise on half a year of shifts,
 * and the rule keeps the simpler, cheaper setting the search started from (e.g. same-cell
 * triggering, whose fit is about 4× faster than ring spread).
 */
export const TUNE_DEFAULTS = {
  refitEveryDays: 7,
  flaggedKm2: [0.5, 1, 2, 5],
  passes: 2,
  minGain: 0.001,
} as const;

export interface TuneInput {
  readonly incidents: readonly Incident[];
  readonly res: number;
  readonly tz: string;
  /** Tuning period [fromMs, toMs): shifts starting at or after fromMs and ending at or before toMs. */
  readonly fromMs: number;
  readonly toMs: number;
  /** Start of the evaluation period, when known: refused if it lies before toMs. */
  readonly evalFromMs?: number;
  readonly shiftStarts?: readonly string[];
  readonly shiftHours?: number;
  /** Month mode (month-precision data): calendar months, no profile. */
  readonly months?: boolean;
  /** Refit interval in days (default 7; month mode refits every month). */
  readonly refitEveryDays?: number;
  readonly include?: (inc: Incident) => boolean;
  readonly districtOf?: ReadonlyMap<H3Cell, string>;
  /** Flagged areas the objective averages over (default 0.5, 1, 2, 5 km²). */
  readonly flaggedKm2?: readonly number[];
  readonly grid?: TuneGrid;
  /** Starting configuration (default ETAS_DEFAULTS). */
  readonly base?: EtasConfig;
  readonly passes?: number;
  /** Smallest rise of the objective for which the search changes a setting (default 0.001). */
  readonly minGain?: number;
  /**
   * Log-score guard (module comment): candidates whose mean log score on the tuning shifts is
   * below naive-all's by more than this many nats per event are not chosen while an eligible one
   * exists. Default undefined/null: no guard (hit rates only).
   */
  readonly logScoreMargin?: number | null;
}

export interface TuneCandidate {
  readonly config: EtasConfig;
  readonly hitRate: Readonly<Record<string, number>>;
  /** Mean over the areas of hitRate / naive-all's − 1. */
  readonly score: number;
  /** Mean log score per event on the tuning windows (metrics.ts logScoreVsUniform), nats. */
  readonly logScore: number;
  /** False when the log-score guard is on and logScore < naive-all's − margin. */
  readonly eligible: boolean;
}

export interface TuneResult {
  /** The chosen configuration, with its `tuning` record. */
  readonly config: EtasConfig;
  readonly score: number;
  readonly hitRate: Readonly<Record<string, number>>;
  readonly naiveAllHitRate: Readonly<Record<string, number>>;
  /** The chosen configuration's and naive-all's mean log score per event on the tuning windows. */
  readonly logScore: number;
  readonly naiveAllLogScore: number;
  /** The guard's margin (null: off). */
  readonly logScoreMargin: number | null;
  /** Every configuration scored, in the order tried. */
  readonly candidates: readonly TuneCandidate[];
  /** The flagged areas (km²), in the order given; the hit-rate keys are String(area). */
  readonly flaggedKm2: readonly number[];
  readonly shifts: number;
  readonly events: number;
  readonly historyEvents: number;
  readonly cells: number;
  readonly fits: number;
}

export interface TuneHooks {
  /** Called after each fit configuration has been replayed. */
  onCandidate?(done: number, label: string): void;
  shouldCancel?(): boolean;
}

function fail(message: string, value?: unknown): never {
  throw new EvaluateError('E_ARGUMENT', message, value);
}

/** The checked settings of a tuning run. */
interface TuneSettings {
  readonly months: boolean;
  readonly grid: Required<TuneGrid>;
  readonly base: EtasConfig;
  readonly flaggedKm2: readonly number[];
  readonly refitEveryDays: number;
  readonly passes: number;
  readonly minGain: number;
  readonly logScoreMargin: number | null;
}

/** @throws {EvaluateError} E_ARGUMENT naming the bad setting */
function checkTuneInput(input: TuneInput): TuneSettings {
  if (!Number.isFinite(input.fromMs) || !Number.isFinite(input.toMs) || !(input.fromMs < input.toMs))
    fail('the tuning period must have from < to');
  if (input.evalFromMs !== undefined && input.evalFromMs < input.toMs) {
    fail(
      `the tuning period must end before the evaluation period starts: tuning ends ${new Date(input.toMs).toISOString()}, evaluation starts ${new Date(input.evalFromMs).toISOString()}`,
    );
  }
  const months = input.months === true;
  const checkedGrid = checkTuneGrid(input.grid ?? {});
  // Month mode: times are known to the month only, so no shift-type profile.
  const grid: Required<TuneGrid> = months ? { ...checkedGrid, profile: [false] } : checkedGrid;
  // The tuned configuration is fixed: it is scored, and written, without the adaptive selection
  // (docs/model.md#adaptive-default), which tuning replaces.
  let base = checkEtasConfig({ ...(input.base ?? ETAS_DEFAULTS), adapt: null });
  if (months) base = { ...base, profile: null };
  const refitEveryDays = months ? 0 : (input.refitEveryDays ?? TUNE_DEFAULTS.refitEveryDays);
  if (!(refitEveryDays >= 0)) fail(`refit interval must be ≥ 0 days, got ${refitEveryDays}`);
  const minGain = input.minGain ?? TUNE_DEFAULTS.minGain;
  if (!(minGain >= 0)) fail(`minGain must be ≥ 0, got ${minGain}`);
  const logScoreMargin = input.logScoreMargin ?? null;
  if (logScoreMargin !== null && !(logScoreMargin >= 0 && Number.isFinite(logScoreMargin))) {
    fail(`logScoreMargin must be a finite number ≥ 0 (nats per event), got ${logScoreMargin}`);
  }
  const flaggedKm2 = [...(input.flaggedKm2 ?? TUNE_DEFAULTS.flaggedKm2)];
  return { months, grid, base, flaggedKm2, refitEveryDays, passes: input.passes ?? TUNE_DEFAULTS.passes, minGain, logScoreMargin };
}

/** The backtest's run over the tuning period: nothing at or after `to` read, whole windows only, no coverage or boxes scored. */
function tuningRun(input: TuneInput, s: TuneSettings): EvaluationRun {
  return prepareEvaluation({
    incidents: input.incidents,
    res: input.res,
    tz: input.tz,
    fromMs: input.fromMs,
    toMs: input.toMs,
    ...(s.months ? { months: true } : {}),
    ...(!s.months && input.shiftStarts ? { shiftStarts: input.shiftStarts } : {}),
    ...(!s.months && input.shiftHours !== undefined ? { shiftHours: input.shiftHours } : {}),
    ...(input.include ? { include: input.include } : {}),
    ...(input.districtOf ? { districtOf: input.districtOf } : {}),
    flaggedKm2: s.flaggedKm2,
    coverage: [],
    top: 0,
    readBeforeMs: input.toMs,
    wholeWindows: true,
    periodName: 'tuning period',
  });
}

/** A model's hit rate per flagged area (mean over the windows with events; 0 when none) and its pooled log score. */
function hitAndLog(s: ModelScores): { hit: number[]; log: number } {
  return { hit: s.hitRate.map((xs) => meanDefined(xs, 0)), log: pooledLogScore(s) };
}

/** Recency settings scored on every fit: each half-life × each blend weight (Infinity: no blend). */
function recencyVariantsOf(grid: Required<TuneGrid>): RecencyVariant[] {
  const variants: RecencyVariant[] = [];
  for (const hl of grid.halfLifeDays) {
    for (const a of hl === Infinity ? [0] : grid.allHistoryWeight) variants.push({ halfLifeDays: hl, allHistoryWeight: a });
  }
  return variants;
}

/**
 * Scores fit configurations by rolling replays of the run, memoised by the part of the
 * configuration the fit depends on; every recency variant of a replay is a candidate.
 */
class CandidateScorer {
  readonly candidates: TuneCandidate[] = [];
  fits = 0;
  private readonly memo = new Map<string, TuneCandidate[]>();
  private readonly ringCache = new Map<H3Cell, H3Cell[][]>();
  private readonly variants: RecencyVariant[];
  private readonly naive: { hit: number[]; log: number };

  constructor(
    private readonly run: EvaluationRun,
    private readonly s: TuneSettings,
    private readonly hooks: TuneHooks,
  ) {
    this.variants = recencyVariantsOf(s.grid);
    // candidates and counts are both scored as placed boxes (placed.ts), as the backtest's etas is
    this.naive = hitAndLog(scoreWindows(run, [{ ...naiveRunner(run, Infinity), placed: true }]).models[0]!);
  }

  get naiveHitRate(): readonly number[] {
    return this.naive.hit;
  }

  get naiveLogScore(): number {
    return this.naive.log;
  }

  /** Every recency variant of `cfg`'s fits, replayed once (memoised). @throws {EvaluateError} E_CANCELLED, E_FIT */
  evaluate(cfg: EtasConfig): TuneCandidate[] {
    const key = fitKeyOf(cfg);
    const seen = this.memo.get(key);
    if (seen) return seen;
    if (this.hooks.shouldCancel?.()) throw new EvaluateError('E_CANCELLED', 'tuning cancelled');
    const model = rollingModelFor(this.run, 'etas', cfg, {
      refitEveryDays: this.s.refitEveryDays,
      recencyVariants: this.variants,
      ringCache: this.ringCache,
      ...(this.hooks.shouldCancel ? { shouldCancel: this.hooks.shouldCancel } : {}),
    });
    const scores = scoreWindows(
      this.run,
      recencyVariantRunners(model).map((r) => ({ ...r, placed: true })),
    );
    this.fits += model.fits.length;
    const out = this.variants.map(({ halfLifeDays: hl, allHistoryWeight: a }, h): TuneCandidate => {
      const { hit, log } = hitAndLog(scores.models[h]!);
      const config: EtasConfig = {
        ...cfg,
        recency: hl === Infinity ? null : a > 0 ? { halfLifeDays: hl, allHistoryWeight: a } : { halfLifeDays: hl },
      };
      return { config, hitRate: this.byArea(hit), score: this.objective(hit), logScore: log, eligible: this.eligible(log) };
    });
    this.memo.set(key, out);
    for (const c of out) this.candidates.push(c);
    this.hooks.onCandidate?.(this.memo.size, key);
    return out;
  }

  /** Values by flagged area key (String(km²)). */
  byArea(values: readonly number[]): Record<string, number> {
    const out: Record<string, number> = {};
    this.s.flaggedKm2.forEach((a, i) => (out[String(a)] = values[i]!));
    return out;
  }

  /** Mean over the areas of hit rate / naive-all's − 1 (an area where naive-all caught nothing adds 0). */
  private objective(hit: readonly number[]): number {
    const naive = this.naive.hit;
    return hit.reduce((s, h, a) => s + (naive[a]! > 0 ? h / naive[a]! - 1 : 0), 0) / hit.length;
  }

  private eligible(log: number): boolean {
    return this.s.logScoreMargin === null || log >= this.naive.log - this.s.logScoreMargin;
  }
}

/** c beats b: eligible beats ineligible; otherwise a higher objective by more than `gain`. */
const beats = (c: TuneCandidate, b: TuneCandidate, gain: number): boolean =>
  c.eligible !== b.eligible ? c.eligible : c.score > b.score + gain;
const bestOf = (list: readonly TuneCandidate[]): TuneCandidate => list.reduce((b, c) => (beats(c, b, 0) ? c : b));

/** The coordinate search (module comment): the half-life is free on every fit; other settings change only for a gain above minGain. */
function coordinateSearch(scorer: CandidateScorer, s: TuneSettings): TuneCandidate {
  let current = bestOf(scorer.evaluate(s.base));
  for (let pass = 0; pass < s.passes; pass++) {
    let changed = false;
    for (const key of FIT_KEYS) {
      const values = s.grid[key] as readonly unknown[];
      let best = bestOf(scorer.evaluate(current.config));
      for (const v of values) {
        const cand = bestOf(scorer.evaluate(withSetting(current.config, key, v, s.base)));
        if (beats(cand, best, s.minGain)) best = cand;
      }
      if (beats(best, current, 0)) {
        changed = changed || fitKeyOf(best.config) !== fitKeyOf(current.config);
        current = best;
      }
    }
    if (!changed) break;
  }
  return current;
}

/**
 * Tunes the "etas" configuration on [fromMs, toMs) (module comment).
 *
 * Cost: per fit configuration tried, one rolling replay (a fit every `refitEveryDays`, a
 * forecast per shift for each half-life); at most passes × Σ grid sizes configurations.
 * @throws {EvaluateError} E_ARGUMENT (bad period, overlap with the evaluation period, bad grid),
 *   E_NO_SHIFTS, E_NO_HISTORY, E_PRECISION, E_AREA, E_FIT, E_CANCELLED
 */
export function tuneEtas(input: TuneInput, hooks: TuneHooks = {}): TuneResult {
  const s = checkTuneInput(input);
  const run = tuningRun(input, s);
  const scorer = new CandidateScorer(run, s, hooks);
  const current = coordinateSearch(scorer, s);
  const naiveAllHitRate = scorer.byArea(scorer.naiveHitRate);
  const areaKeys = s.flaggedKm2.map(String);
  const margin = s.logScoreMargin;
  const tuned: EtasConfig = {
    ...current.config,
    // the candidates were scored as placed boxes (CandidateScorer), so that is what it is tuned for
    placement: 'fine',
    tuning: {
      from: new Date(input.fromMs).toISOString(),
      to: new Date(input.toMs).toISOString(),
      fromMs: input.fromMs,
      toMs: input.toMs,
      tz: input.tz,
      shifts: run.windows.length,
      objective: `mean over ${areaKeys.map((a) => `${a} km²`).join(', ')} of hit rate / naive-all hit rate − 1, ${s.months ? 'months' : 'shifts'} in the tuning period, refit every ${s.refitEveryDays || 'window'}${s.refitEveryDays ? ' days' : ''}${margin === null ? '' : `; only candidates whose mean log score is at least naive-all's − ${margin} nats per event (while one exists)`}`,
      score: current.score,
      hitRate: current.hitRate,
      naiveAllHitRate,
      ...(margin === null ? {} : { logScore: current.logScore, naiveAllLogScore: scorer.naiveLogScore, logScoreMargin: margin }),
      candidates: scorer.candidates.length,
    },
  };
  return {
    config: tuned,
    score: current.score,
    hitRate: current.hitRate,
    naiveAllHitRate,
    logScore: current.logScore,
    naiveAllLogScore: scorer.naiveLogScore,
    logScoreMargin: margin,
    candidates: scorer.candidates,
    flaggedKm2: s.flaggedKm2,
    shifts: run.windows.length,
    events: run.actuals.events,
    historyEvents: run.history.length,
    cells: run.study.cells.length,
    fits: scorer.fits,
  };
}
