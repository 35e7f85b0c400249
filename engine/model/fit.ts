/**
 * The one ETAS model (docs/model.md#intensity), fitted by over-relaxed (MAP-)EM:
 *
 *     λ_n(t) = μ_n h_n(b(t)) + θ ω Σ_d (w_d / n_d) Σ_{i at ring distance d, t_i < t} e^{−ω (t − t_i)}
 *
 * - h_n: the cell's background profile over the shift-type bins b (and weekday/weekend),
 *   averaging 1 over the training window's exposure: Σ_b h_n(b) E_b = T, so ∫_0^T μ_n h_n = μ_n T;
 *   all 1 without a profile.
 * - w_d: the share of a crime's offspring landing in the cells at H3 grid distance d (ring 0 =
 *   its own cell only, as in Mohler et al. 2015, unless `triggering.ringDepth` > 0).
 *
 * The plain 2015 model is the configuration {@link ETAS_2015} (no profile, no recency, same cell).
 */
import type { EventSet, H3Cell } from '../types.ts';
import { binCalendar, binLabels, type BinCalendar } from './calendar.ts';
import { checkEtasConfig, ETAS_DEFAULTS, type EtasConfig } from './config.ts';
import { edgeSumsMemo } from './edge.ts';
import { evaluate, runEm, type EmModel, type EmOutcome, type EmParams } from './em.ts';
import { ModelError } from './errors.ts';
import { newSums, groupsByTime } from './estep.ts';
import { fingerprintEvents } from './fingerprint.ts';
import type { EtasFit } from './fitfile.ts';
import { prepareEvents, type Prepared } from './prepare.ts';
import { profileMStep, profilePriors } from './profile.ts';
import { postEmRates } from './rates.ts';
import { fitReport } from './report.ts';
import { ringNeighbours, ringsFromGrid } from './rings.ts';

/** Number of starting delays tried when no starting value is given. */
const START_DELAYS = 9;
/** Starting θ (μ_n starts at (1 − θ) m_n / T, m_n the cell's events). */
const INITIAL_THETA = 0.2;

/** Inputs beyond the events and the configuration. */
export interface EtasFitInputs {
  /** IANA zone of the profile's shift types (required when the profile is on). */
  readonly tz?: string;
  /** Per event (aligned with the EventSet's arrays): 1 when its time of day is unknown (e.g. Vancouver's 00:00). */
  readonly timeUnknown?: Uint8Array;
  /** District of each cell, for the profile prior 'district'; cells without one use the city's profile. */
  readonly districtOf?: ReadonlyMap<H3Cell, string>;
  /** Warm start (e.g. the previous day's fit): θ, ω and the ring weights; skips the search over starting delays. */
  readonly initial?: { readonly theta: number; readonly omegaPerHour: number; readonly ringWeights?: readonly number[] };
  /** Rings of H3 cells by distance (index 0 = the cell), e.g. a cache shared by many fits. Default: engine/grid gridDisk. */
  readonly ringsOf?: (cell: H3Cell, depth: number) => readonly (readonly H3Cell[])[];
  /**
   * A prebuilt bin calendar (binCalendar with the profile's zone, starts and weekend split)
   * covering the window, to save rebuilding it on every refit; ignored unless its labels match
   * the configuration's bins.
   */
  readonly calendar?: BinCalendar;
  /** With `calendar`: each event's bin in it (aligned with the events), e.g. computed once for many refits. */
  readonly eventBin?: Int32Array;
  /**
   * Leave the per-cell JSON records of the fit empty (muPerHour, ratePerHour, profile.cells) for
   * callers that read the arrays of `fitEtasDetailed`'s result instead (the backtest).
   */
  readonly lean?: boolean;
  /**
   * Extra recency half-lives (days; Infinity allowed) whose unblended rates to return by cell
   * index (for tuning: blends are blendRates of these and the Infinity entry).
   */
  readonly extraHalfLivesDays?: readonly number[];
  /** Over-relaxed EM (default true); false gives plain EM, one E-step and one M-step per iteration (tests, benchmarks). */
  readonly acceleration?: boolean;
}

/** The fit plus the background rates of other half-lives and the profiles (by cell index of the event set). */
export interface EtasFitResult {
  readonly fit: EtasFit;
  /**
   * Unblended recency-weighted rates by half-life: the configuration's own, `extraHalfLivesDays`,
   * and Infinity (all history) when the configuration blends.
   */
  readonly ratesByHalfLife: ReadonlyMap<number, Float64Array>;
  /** h_n(b) by cell index of the event set: h[c·B + b] (null without a profile). */
  readonly profileByCell: Float64Array | null;
}

/** Progress and cancellation for long fits (the web app's Worker and the CLI's progress bar). */
export interface FitHooks {
  /** Called once per iteration with its number (0 = starting values) and the objective it reached. */
  readonly onIteration?: (iteration: number, objective: number) => void;
  /** Polled before the first E-step and before every iteration; return true to abandon the fit (it then throws E_CANCELLED). */
  readonly shouldCancel?: () => boolean;
}

/**
 * Fits the model by EM (MAP-EM where the profile has a prior). Each iteration:
 *
 * E-step: p_jj = μ_n h_n(b_j) / λ_n(t_j) and the triggering sums (same-cell recursion, or the
 * ring sweep when ringDepth > 0; see estep.ts), O(N·(1 + 3K(K+1))), no pair ever formed.
 *
 * M-step, O(cells · bins):
 * - μ_n = Σ_{j in n} p_jj / T (all of the cell's events, time known or not);
 * - profile (exact maximiser of the expected complete-data log-likelihood plus a Dirichlet log
 *   prior Σ_b α_nb log s_n(b), s_n(b) = h_n(b) E_b / T the share of the cell's background in
 *   bin b): s_n(b) = (c_nb + α_nb) / (c_n + Σ_b α_nb), c_nb = Σ p_jj of the cell's time-known
 *   events in bin b, α_nb = κ_n π_n(b), κ_n = κ + m_n β/(1 − β) (m_n the cell's time-known
 *   events), π_n the district's (or city's) profile from raw counts, fixed before the EM
 *   (empirical Bayes). A cell with no time-known event gets π_n; a busy one keeps its own.
 * - θ, ω: the bounded, edge-corrected M-step (mstep.ts); fixed values stay fixed;
 * - w_d = S_d / S (offspring at distance d over all offspring).
 * Over-relaxed (em.ts runEm): each step may go further than EM, kept only if the objective does
 * not fall. So the objective ℓ + Σ_{n,b} α_nb log s_n(b) never decreases (it is ℓ itself
 * without a profile); `objectiveTrace` records it.
 *
 * After the EM (not part of it, so not covered by the monotonicity): the forecast's background
 * rate uses the recency estimator on the final p_jj (rates.ts), blended with the all-history
 * rate by `recency.allHistoryWeight` when that is above 0.
 *
 * Rules for real data, all reported in `notes`/`warnings` (report.ts): ties (events at one
 * instant in one cell never excite each other, Mohler 2014), the bounds on θ and the delay,
 * month-, day- and hour-precision events, unknown times of day (h = 1: they count in μ_n, not
 * in the profile).
 *
 * Cost O(N log segments) to prepare (calendar O(days · shift types)), then O(N·(1 + 3K(K+1)) +
 * cells·bins) per iteration; memory O(N + cells·bins).
 *
 * @param events events sorted by (cell, time) (engine/grid buildEventSet), all inside `window`
 * @param window training window [startMs, endMs)
 * @param res H3 resolution (recorded)
 * @param config the configuration (checked with checkEtasConfig); default ETAS_DEFAULTS
 * @throws {ModelError} E_EVENTS (no events, unsorted, outside the window), E_WINDOW, E_OPTIONS
 *   (bad configuration or warm start, missing zone for the profile), E_PARAMS (NaN objective),
 *   E_CANCELLED
 */
export function fitEtas(
  events: EventSet,
  window: { readonly startMs: number; readonly endMs: number },
  res: number,
  config: EtasConfig = ETAS_DEFAULTS,
  inputs: EtasFitInputs = {},
  hooks: FitHooks = {},
): EtasFit {
  return fitEtasDetailed(events, window, res, config, inputs, hooks).fit;
}

/** {@link fitEtas}, also returning the rates of `inputs.extraHalfLivesDays` and the profiles by cell index (for the backtest and tuning). */
export function fitEtasDetailed(
  events: EventSet,
  window: { readonly startMs: number; readonly endMs: number },
  res: number,
  configIn: EtasConfig = ETAS_DEFAULTS,
  inputs: EtasFitInputs = {},
  hooks: FitHooks = {},
): EtasFitResult {
  const config = checkEtasConfig(withoutTuning(configIn));
  if (!Number.isFinite(window.startMs) || !Number.isFinite(window.endMs) || !(window.endMs > window.startMs)) {
    throw new ModelError(
      'E_WINDOW',
      `the training window must have finite startMs < endMs, got [${window.startMs}, ${window.endMs})`,
      window,
    );
  }
  checkInitial(inputs.initial);
  const calendar = profileCalendar(config, window, inputs);
  const prep = prepareEvents(events, window, {
    calendar,
    // Without a profile an unknown time of day changes nothing (h = 1 either way).
    timeUnknown: calendar === null ? null : (inputs.timeUnknown ?? null),
    eventBin: calendar !== null && calendar === inputs.calendar ? (inputs.eventBin ?? null) : null,
  });
  if (prep.events === 0) throw new ModelError('E_EVENTS', 'no events in the training window: nothing to fit', 0);
  const model = emModel(prep, config, events.cells, inputs);
  const start = startingValues(model, config, inputs.initial);
  const em = runEm(model.em, start.params, config.em, inputs.acceleration ?? true, hooks);
  const { rate, ratesByHalfLife } = postEmRates(prep, em.groupBackground, config.recency, inputs.extraHalfLivesDays ?? []);
  const { notes, warnings } = fitReport({
    events,
    prep,
    config,
    calendar,
    delays: model.delays,
    bounds: model.em.bounds,
    em,
    startNote: start.note,
    accelerated: inputs.acceleration ?? true,
  });
  const fit = toFitJson({
    events,
    window,
    res,
    config,
    calendar,
    tz: inputs.tz ?? null,
    prep,
    em,
    rate,
    lean: inputs.lean === true,
    notes,
    warnings,
  });
  return { fit, ratesByHalfLife, profileByCell: config.profile === null ? null : em.params.h };
}

function withoutTuning(c: EtasConfig): EtasConfig {
  if (c.tuning === undefined) return c;
  const { tuning: _t, ...rest } = c;
  void _t;
  return rest;
}

function checkInitial(initial: EtasFitInputs['initial']): void {
  if (initial === undefined) return;
  const { theta, omegaPerHour } = initial;
  if (!(theta >= 0 && theta < 1)) throw new ModelError('E_OPTIONS', `initial.theta must lie in [0, 1), got ${theta}`, theta);
  if (!(omegaPerHour > 0) || !Number.isFinite(omegaPerHour))
    throw new ModelError('E_OPTIONS', `initial.omegaPerHour must be positive, got ${omegaPerHour}`, omegaPerHour);
}

/** The bin calendar of the profile (the caller's when it fits), or null without a profile. O(days · shift types). */
function profileCalendar(
  config: EtasConfig,
  window: { readonly startMs: number; readonly endMs: number },
  inputs: EtasFitInputs,
): BinCalendar | null {
  const prof = config.profile;
  if (prof === null) return null;
  if (inputs.tz === undefined) throw new ModelError('E_OPTIONS', 'the profile needs the time zone of the shifts (tz)', undefined);
  const given = inputs.calendar;
  const labels = binLabels(prof.shiftStarts, prof.weekend);
  const fits =
    given !== undefined &&
    given.fromMs <= window.startMs &&
    given.toMs >= window.endMs &&
    given.labels.length === labels.length &&
    given.labels.every((l, i) => l === labels[i]);
  return fits ? given : binCalendar(inputs.tz, prof.shiftStarts, prof.weekend, window.startMs, window.endMs);
}

/** The EM's fixed parts: bounds (in ω), rings, profile priors, the edge sums. O(cells · (bins + K²)). */
function emModel(
  prep: Prepared,
  config: EtasConfig,
  cells: readonly H3Cell[],
  inputs: EtasFitInputs,
): { em: EmModel; delays: { min: number; max: number } } {
  const trig = config.triggering;
  const depth = trig?.ringDepth ?? 0;
  const minDelay = trig?.minMeanDelayHours ?? 1;
  const maxDelay = trig?.maxMeanDelayHours ?? Math.max(minDelay, Math.min(8760, 0.1 * prep.windowHours));
  const fixedDelay = trig?.fixedMeanDelayHours;
  const em: EmModel = {
    prep,
    triggering: trig !== null,
    bounds: {
      thetaMax: trig?.thetaMax ?? 0.95,
      omegaMin: 1 / maxDelay,
      omegaMax: 1 / minDelay,
      fixedTheta: trig === null ? 0 : trig.fixedTheta,
      fixedOmega: fixedDelay === undefined ? undefined : 1 / fixedDelay,
    },
    depth,
    rings: depth > 0 ? ringNeighbours(cells, depth, inputs.ringsOf ?? ringsFromGrid) : null,
    order: depth > 0 ? groupsByTime(prep) : null,
    priors: config.profile === null ? null : profilePriors(prep, cells, config.profile, inputs.districtOf),
    edge: edgeSumsMemo(prep.remaining),
  };
  return { em, delays: { min: minDelay, max: maxDelay } };
}

/**
 * Starting values: θ = 0.2 (or the warm start's, or the fixed one), μ_n = (1 − θ) m_n / T, the
 * profile's MAP from (1 − θ) × the raw counts, ring weights ½ own cell and ½ spread evenly over
 * the rings; the mean delay: the warm start's, the fixed one, or the most likely of 9 delays
 * spread geometrically over the bounds (EM cannot leave θ ≈ 0 once a poor starting delay has put
 * no weight on triggering, e.g. a 24 h start on month-precision data). One E-step per delay tried.
 */
function startingValues(
  model: { em: EmModel; delays: { min: number; max: number } },
  config: EtasConfig,
  initial: EtasFitInputs['initial'],
): { params: EmParams; note: string } {
  const { prep, bounds, depth } = model.em;
  const C = prep.cellCount;
  const B = prep.bins;
  const trig = config.triggering;
  const theta = trig === null ? 0 : (bounds.fixedTheta ?? Math.min(bounds.thetaMax, initial?.theta ?? INITIAL_THETA));
  const omega = bounds.fixedOmega ?? Math.min(bounds.omegaMax, Math.max(bounds.omegaMin, initial?.omegaPerHour ?? bounds.omegaMax));
  const ringWeights = new Float64Array(depth + 1);
  if (initial?.ringWeights && initial.ringWeights.length === depth + 1) ringWeights.set(initial.ringWeights);
  else if (depth === 0) ringWeights[0] = 1;
  else {
    ringWeights[0] = 0.5;
    for (let d = 1; d <= depth; d++) ringWeights[d] = 0.5 / depth;
  }
  const params: EmParams = { mu: new Float64Array(C), h: new Float64Array(C * B).fill(1), theta, omega, ringWeights };
  const startBg = new Float64Array(C * B);
  for (let c = 0; c < C; c++) {
    params.mu[c] = ((1 - theta) * prep.cellEvents[c]!) / prep.windowHours;
    for (let b = 0; b < B; b++) startBg[c * B + b] = (1 - theta) * prep.cellBinKnown[c * B + b]!;
  }
  if (model.em.priors !== null) profileMStep(prep, model.em.priors, startBg, params.h);
  if (trig === null) return { params, note: 'No triggering: the background alone is fitted.' };
  if (bounds.fixedOmega !== undefined) return { params, note: `Started from θ = ${theta} and the fixed mean delay.` };
  if (initial !== undefined) return { params, note: `Started from the given θ = ${theta} and mean delay ${fmtHours(1 / omega)}.` };
  const lo = model.delays.min;
  const hi = model.delays.max;
  const steps = hi > lo ? START_DELAYS - 1 : 0;
  const sums = newSums(prep, depth);
  let best = -Infinity;
  let bestOmega = omega;
  for (let k = 0; k <= steps; k++) {
    params.omega = k === steps ? bounds.omegaMin : k === 0 ? bounds.omegaMax : 1 / (lo * Math.pow(hi / lo, k / steps));
    const { objective } = evaluate(model.em, params, sums, null);
    if (objective > best) {
      best = objective;
      bestOmega = params.omega;
    }
  }
  params.omega = bestOmega;
  return {
    params,
    note: `Started from θ = ${theta} and a mean delay of ${fmtHours(1 / bestOmega)}, the most likely of ${steps + 1} delays from ${fmtHours(lo)} to ${fmtHours(hi)}.`,
  };
}

/** Hours in notes: 4 significant digits, e.g. "1 h", "5623 h". */
export function fmtHours(h: number): string {
  return `${Number(h.toPrecision(4))} h`;
}

/** The fit as plain JSON: the final parameters by H3 cell (cells with events only), the trace, the report. O(cells · bins). */
function toFitJson(r: {
  events: EventSet;
  window: { readonly startMs: number; readonly endMs: number };
  res: number;
  config: EtasConfig;
  calendar: BinCalendar | null;
  tz: string | null;
  prep: Prepared;
  em: EmOutcome;
  rate: Float64Array;
  lean: boolean;
  notes: string[];
  warnings: string[];
}): EtasFit {
  const { prep, em, config } = r;
  const { mu, h, theta, omega, ringWeights } = em.params;
  const B = prep.bins;
  const muPerHour: Record<H3Cell, number> = {};
  const ratePerHour: Record<H3Cell, number> = {};
  const profileCells: Record<H3Cell, number[]> = {};
  for (let c = 0; c < prep.cellCount && !r.lean; c++) {
    if (!(prep.cellEvents[c]! > 0)) continue;
    const cell = r.events.cells[c]!;
    muPerHour[cell] = mu[c]!;
    ratePerHour[cell] = r.rate[c]!;
    if (config.profile !== null) profileCells[cell] = Array.from(h.subarray(c * B, (c + 1) * B));
  }
  return {
    kind: 'patrolcast-etas-fit',
    version: 2,
    config,
    tz: config.profile === null ? null : r.tz,
    res: r.res,
    theta,
    omegaPerHour: omega,
    ringWeights: config.triggering === null ? [] : Array.from(ringWeights),
    muPerHour,
    ratePerHour,
    profile:
      config.profile === null
        ? null
        : { labels: [...r.calendar!.labels], exposureHours: Array.from(prep.exposureHours), cells: profileCells },
    window: { startMs: r.window.startMs, endMs: r.window.endMs },
    events: prep.events,
    iterations: em.trace.length - 1,
    objectiveTrace: em.trace,
    logLikelihood: em.logLik,
    stopReason: em.stopReason,
    triggeredShare: em.sums.triggered / prep.events,
    notes: r.notes,
    warnings: r.warnings,
    fingerprint: fingerprintEvents(r.events),
  };
}
