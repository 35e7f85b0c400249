/**
 * The "etas" model beyond Mohler et al. 2015 (docs/model.md#intensity), fitted by EM:
 *
 *     λ_n(t) = μ_n h_n(b(t)) + θ ω Σ_d (w_d / n_d) Σ_{i at ring distance d, t_i < t} e^{−ω (t − t_i)}
 *
 * - h_n: the cell's background profile over the shift-type bins b (and weekday/weekend),
 *   averaging 1 over the training window's exposure: Σ_b h_n(b) E_b = T, so ∫_0^T μ_n h_n = μ_n T.
 * - w_d: the share of a crime's offspring landing in the cells at H3 grid distance d (ring 0 =
 *   its own cell only, the 2015 model, unless `triggering.ringDepth` > 0).
 */
import { gridDisk } from '../../grid/index.ts';
import type { EventSet, H3Cell, StopReason } from '../../types.ts';
import { ModelError } from '../errors.ts';
import { fingerprintEvents } from '../fingerprint.ts';
import { mStepThetaOmega } from '../mstep.ts';
import { edgeSumsMemo } from '../prepare.ts';
import { binCalendar, binLabels, type BinCalendar } from './calendar.ts';
import { checkPlusConfig, type PlusConfig } from './config.ts';
import { eStepRings, eStepSameCell, groupsByTime, newSums, type PlusParams, type PlusSums } from './estep.ts';
import { preparePlus, ringNeighbours, type PlusPrepared } from './prepare.ts';
import { profilePriors, profileMStep, profileLogPrior } from './profile.ts';

const START_DELAYS = 9;
const INITIAL_THETA = 0.2;

/** A fitted "etas" (beyond 2015) model: plain JSON, saved and loaded like the 2015 fit. */
export interface EtasPlusFit {
  readonly kind: 'etas-plus';
  readonly version: 1;
  /** The configuration it was fitted with (without the tuning record). */
  readonly config: PlusConfig;
  /** The zone of the profile's wall clock (null without a profile). */
  readonly tz: string | null;
  readonly res: number;
  /** Branching ratio θ (0 without triggering). */
  readonly theta: number;
  /** Decay ω per hour (1/ω the mean trigger delay); 1 (unused) without triggering. */
  readonly omegaPerHour: number;
  /** w_d, d = 0..ringDepth: share of offspring at ring distance d (Σ = 1); [] without triggering. */
  readonly ringWeights: readonly number[];
  /** EM background rate μ_n per hour (its mean over the training window), keyed by cell; absent = 0. */
  readonly muPerHour: Readonly<Record<H3Cell, number>>;
  /**
   * The background rate per hour the forecast uses: the recency-weighted rate of background
   * events at the window's end (post-EM, see {@link fitEtasPlus}), blended with Σ p_jj / T by
   * `recency.allHistoryWeight` when that is above 0; without recency, Σ p_jj / T.
   */
  readonly ratePerHour: Readonly<Record<H3Cell, number>>;
  /** The profiles: bin labels, each bin's exposure in the window, and h_n(b) per cell (multipliers, mean 1). */
  readonly profile: {
    readonly labels: readonly string[];
    readonly exposureHours: readonly number[];
    readonly cells: Readonly<Record<H3Cell, readonly number[]>>;
  } | null;
  readonly window: { readonly startMs: number; readonly endMs: number };
  readonly events: number;
  readonly iterations: number;
  /** The EM objective after each E-step: ℓ plus the log prior of the profiles (penalised likelihood); never decreases. */
  readonly objectiveTrace: readonly number[];
  /** ℓ (without the prior) at the final parameters. */
  readonly logLikelihood: number;
  readonly stopReason: StopReason;
  /** Share of events attributed to triggering at the final E-step. */
  readonly triggeredShare: number;
  readonly notes: readonly string[];
  readonly warnings: readonly string[];
  readonly fingerprint: string;
}

/** Inputs beyond the events and the configuration. */
export interface PlusFitInputs {
  /** IANA zone of the profile's shift types (required when the profile is on). */
  readonly tz?: string;
  /** Per event (aligned with the EventSet's arrays): 1 when its time of day is unknown (e.g. Vancouver's 00:00). */
  readonly timeUnknown?: Uint8Array;
  /** District of each cell, for the profile prior 'district'; cells without one use the city's profile. */
  readonly districtOf?: ReadonlyMap<H3Cell, string>;
  /** Warm start (e.g. the previous day's fit): θ, ω and the ring weights. */
  readonly initial?: { readonly theta: number; readonly omegaPerHour: number; readonly ringWeights?: readonly number[] };
  /** Rings of H3 cells by distance (index 0 = the cell), e.g. a cache shared by many fits. Default: engine/grid gridDisk. */
  readonly ringsOf?: (cell: H3Cell, depth: number) => readonly (readonly H3Cell[])[];
  /**
   * A prebuilt bin calendar (engine/model/plus binCalendar with the profile's zone, starts and
   * weekend split) covering the window, to save rebuilding it on every refit; ignored unless its
   * labels match the configuration's bins.
   */
  readonly calendar?: BinCalendar;
  /** With `calendar`: each event's bin in it (aligned with the events), e.g. computed once for many refits. */
  readonly eventBin?: Int32Array;
  /** The events' indices sorted by time (ascending), e.g. kept by a caller refitting often: saves a sort. */
  readonly timeOrder?: Int32Array;
  /**
   * Leave the per-cell JSON records of the fit empty (muPerHour, ratePerHour, profile.cells) for
   * callers that read the arrays of {@link fitEtasPlusDetailed}'s result instead (the backtest).
   */
  readonly lean?: boolean;
  /**
   * Extra recency half-lives (days; Infinity allowed) whose unblended rates to return by cell
   * index (for tuning: blends are {@link blendRates} of these and the Infinity entry).
   */
  readonly extraHalfLivesDays?: readonly number[];
}

/** The fit plus the background rates of other half-lives (by cell index of the event set). */
export interface PlusFitResult {
  readonly fit: EtasPlusFit;
  /**
   * Unblended recency-weighted rates by half-life: the configuration's own, `extraHalfLivesDays`,
   * and Infinity (all history) when the configuration blends.
   */
  readonly ratesByHalfLife: ReadonlyMap<number, Float64Array>;
  /** h_n(b) by cell index of the event set: h[c·B + b] (null without a profile). */
  readonly profileByCell: Float64Array | null;
}

export interface PlusFitHooks {
  readonly onIteration?: (iteration: number, objective: number) => void;
  readonly shouldCancel?: () => boolean;
}

/** Rings of `cell` at distances 0..depth from engine/grid (O(depth²) cells). */
export function ringsFromGrid(cell: H3Cell, depth: number): H3Cell[][] {
  const out: H3Cell[][] = [[cell]];
  let inner = new Set([cell]);
  for (let d = 1; d <= depth; d++) {
    const disk = gridDisk(cell, d);
    out.push(disk.filter((c) => !inner.has(c)));
    inner = new Set(disk);
  }
  return out;
}

/** n_d: cells at grid distance d (6d for d ≥ 1; pentagons have fewer, ignored at city scale). */
function ringSize(d: number): number {
  return d === 0 ? 1 : 6 * d;
}

/**
 * Background rate per cell weighted by recency (a post-EM estimator, not part of the EM):
 *
 *     r_n = Σ_{j in n} p_jj 2^{−(T − t_j)/h} / W,   W = ∫_0^T 2^{−(T − t)/h} dt = (h / ln 2)(1 − 2^{−T/h})
 *
 * with p_jj the background probabilities of the final E-step and h the half-life in hours; for
 * h = ∞ it is Σ p_jj / T, the EM's μ_n update. r_n is a rate per hour of the window's mean
 * profile (the forecast multiplies it by h_n(b)). Cost O(groups).
 */
export function recencyRates(prep: PlusPrepared, groupBackground: Float64Array, halfLifeDays: number): Float64Array {
  const out = new Float64Array(prep.cellCount);
  const T = prep.windowHours;
  const G = prep.groupT.length;
  if (halfLifeDays === Infinity) {
    for (let g = 0; g < G; g++) out[prep.groupCell[g]!]! += groupBackground[g]!;
    for (let c = 0; c < out.length; c++) out[c] = out[c]! / T;
    return out;
  }
  if (!(halfLifeDays > 0)) throw new ModelError('E_OPTIONS', `half-life must be a positive number of days or Infinity, got ${halfLifeDays}`, halfLifeDays);
  const k = Math.LN2 / (halfLifeDays * 24);
  for (let g = 0; g < G; g++) out[prep.groupCell[g]!]! += groupBackground[g]! * Math.exp(-k * (T - prep.groupT[g]!));
  const W = -Math.expm1(-k * T) / k;
  for (let c = 0; c < out.length; c++) out[c] = out[c]! / W;
  return out;
}

/**
 * The blended background rate r_n = (1 − a)·recent_n + a·allHistory_n (the configuration's
 * `recency.allHistoryWeight`): a share a of the all-history rate Σ p_jj / T keeps cells whose
 * crime is old from being starved by a short half-life. With a = 0 it returns `recent` itself
 * (the same array, untouched: bit-for-bit the unblended rate); a = 1 gives the all-history
 * rate. Cost O(cells).
 * @throws {ModelError} E_OPTIONS when a is outside [0, 1] or the arrays differ in length
 */
export function blendRates(recent: Float64Array, allHistory: Float64Array, allHistoryWeight: number): Float64Array {
  const a = allHistoryWeight;
  if (!(a >= 0 && a <= 1)) throw new ModelError('E_OPTIONS', `all-history weight must lie in [0, 1], got ${a}`, a);
  if (a === 0) return recent;
  if (recent.length !== allHistory.length) throw new ModelError('E_OPTIONS', `rate arrays differ in length (${recent.length}, ${allHistory.length})`, allHistory.length);
  const out = new Float64Array(recent.length);
  for (let c = 0; c < out.length; c++) out[c] = (1 - a) * recent[c]! + a * allHistory[c]!;
  return out;
}

/**
 * Fits the model by EM (MAP-EM where the profile has a prior). Each iteration:
 *
 * E-step: p_jj = μ_n h_n(b_j) / λ_n(t_j) and the triggering sums (same-cell recursion, or the
 * ring sweep when ringDepth > 0; see estep.ts), O(N·(1 + 3K(K+1))).
 *
 * M-step, O(cells · bins):
 * - μ_n = Σ_{j in n} p_jj / T (all of the cell's events, time known or not);
 * - profile (exact maximiser of the expected complete-data log-likelihood plus a Dirichlet log
 *   prior Σ_b α_nb log s_n(b), s_n(b) = h_n(b) E_b / T the share of the cell's background in
 *   bin b): s_n(b) = (c_nb + α_nb) / (c_n + Σ_b α_nb), c_nb = Σ p_jj of the cell's time-known
 *   events in bin b, α_nb = κ_n π_n(b), κ_n = κ + m_n β/(1 − β) (m_n the cell's time-known
 *   events), π_n the district's (or city's) profile from raw counts, fixed before the EM
 *   (empirical Bayes). A cell with no time-known event gets π_n; a busy one keeps its own
 *   (shrunk by the share β).
 * - θ, ω: the 2015 fit's bounded, edge-corrected M-step (engine/model mstep.ts);
 * - w_d = S_d / S (offspring at distance d over all offspring).
 *
 * So the objective ℓ + Σ_{n,b} α_nb log s_n(b) never decreases (it is ℓ itself when κ = β = 0);
 * `objectiveTrace` records it. ℓ counts the compensator exactly: ∫ μ_n h_n = μ_n T because
 * each bin's exposure E_b is measured on the wall-clock calendar of the zone (DST included).
 *
 * After the EM (not part of it, so not covered by the monotonicity): the forecast's background
 * rate uses the recency estimator {@link recencyRates} on the final p_jj, blended with the
 * all-history rate by `recency.allHistoryWeight` ({@link blendRates}) when that is above 0.
 *
 * Events whose time of day is unknown carry h = 1 (the profile's mean): their background
 * intensity is μ_n, they count in μ_n but not in the profile.
 *
 * Cost O(N log N) to prepare (calendar O(days · shift types)), then O(N·(1 + 3K(K+1)) +
 * cells·bins) per iteration; memory O(N + cells·bins).
 *
 * @param events events sorted by (cell, time) (engine/grid buildEventSet), all inside `window`
 * @param window training window [startMs, endMs)
 * @param res H3 resolution (recorded)
 * @param config the configuration (checked with checkPlusConfig)
 * @throws {ModelError} E_EVENTS, E_WINDOW, E_OPTIONS (bad configuration, missing zone for the
 *   profile), E_PARAMS (NaN objective), E_CANCELLED
 */
export function fitEtasPlus(
  events: EventSet,
  window: { readonly startMs: number; readonly endMs: number },
  res: number,
  config: PlusConfig,
  inputs: PlusFitInputs = {},
  hooks: PlusFitHooks = {},
): EtasPlusFit {
  return fitEtasPlusDetailed(events, window, res, config, inputs, hooks).fit;
}

/** {@link fitEtasPlus}, also returning the rates of `inputs.extraHalfLivesDays` (for tuning). */
export function fitEtasPlusDetailed(
  events: EventSet,
  window: { readonly startMs: number; readonly endMs: number },
  res: number,
  configIn: PlusConfig,
  inputs: PlusFitInputs = {},
  hooks: PlusFitHooks = {},
): PlusFitResult {
  const config = checkPlusConfig(stripTuning(configIn));
  if (!Number.isFinite(window.startMs) || !Number.isFinite(window.endMs) || !(window.endMs > window.startMs)) {
    throw new ModelError('E_WINDOW', `the training window must have finite startMs < endMs, got [${window.startMs}, ${window.endMs})`, window);
  }
  const prof = config.profile;
  const trig = config.triggering;
  let calendar: BinCalendar | null = null;
  if (prof !== null) {
    if (inputs.tz === undefined) throw new ModelError('E_OPTIONS', 'the profile needs the time zone of the shifts (tz)', undefined);
    const given = inputs.calendar;
    const labels = binLabels(prof.shiftStarts, prof.weekend);
    calendar =
      given !== undefined && given.fromMs <= window.startMs && given.toMs >= window.endMs && given.labels.length === labels.length && given.labels.every((l, i) => l === labels[i])
        ? given
        : binCalendar(inputs.tz, prof.shiftStarts, prof.weekend, window.startMs, window.endMs);
  }
  const prep = preparePlus(events, window, calendar, inputs.timeUnknown ?? null, calendar !== null && calendar === inputs.calendar ? inputs.eventBin ?? null : null, inputs.timeOrder ?? null);
  const N = prep.events;
  if (N === 0) throw new ModelError('E_EVENTS', 'no events in the training window: nothing to fit', 0);
  const T = prep.windowHours;
  const B = prep.bins;
  const C = prep.cellCount;
  const notes: string[] = [];
  const warnings: string[] = [];

  // ---- triggering set-up ---------------------------------------------------------------------
  const depth = trig?.ringDepth ?? 0;
  const minDelay = trig?.minMeanDelayHours ?? 1;
  const maxDelay = trig?.maxMeanDelayHours ?? Math.max(minDelay, Math.min(8760, 0.1 * T));
  const bounds = {
    thetaMax: trig?.thetaMax ?? 0.95,
    omegaMin: 1 / maxDelay,
    omegaMax: 1 / minDelay,
    fixedTheta: trig === null ? 0 : undefined,
    fixedOmega: undefined,
  };
  const ringWeights = new Float64Array(depth + 1);
  if (inputs.initial?.ringWeights && inputs.initial.ringWeights.length === depth + 1) ringWeights.set(inputs.initial.ringWeights);
  else if (depth === 0) ringWeights[0] = 1;
  else {
    ringWeights[0] = 0.5;
    for (let d = 1; d <= depth; d++) ringWeights[d] = 0.5 / depth;
  }
  const wn = new Float64Array(depth + 1);
  const setWn = (): void => {
    for (let d = 0; d <= depth; d++) wn[d] = ringWeights[d]! / ringSize(d);
  };
  setWn();
  let rings: { offsets: Int32Array; neighbour: Int32Array; distance: Int32Array } | null = null;
  let order: Int32Array | null = null;
  if (depth > 0) {
    rings = ringNeighbours(events.cells, depth, inputs.ringsOf ?? ringsFromGrid);
    order = groupsByTime(prep);
  }

  // ---- profile priors (fixed during the EM) --------------------------------------------------
  const priors = prof === null ? null : profilePriors(prep, events.cells, prof, inputs.districtOf);

  // ---- starting values ------------------------------------------------------------------------
  let theta = trig === null ? 0 : Math.min(bounds.thetaMax, inputs.initial?.theta ?? INITIAL_THETA);
  let omega = Math.min(bounds.omegaMax, Math.max(bounds.omegaMin, inputs.initial?.omegaPerHour ?? bounds.omegaMax));
  const mu = new Float64Array(C);
  const h = new Float64Array(C * B).fill(1);
  const startBg = new Float64Array(C * B);
  for (let c = 0; c < C; c++) {
    mu[c] = ((1 - theta) * prep.cellEvents[c]!) / T;
    for (let b = 0; b < B; b++) startBg[c * B + b] = (1 - theta) * prep.cellBinKnown[c * B + b]!;
  }
  if (priors !== null) profileMStep(prep, priors, startBg, h);
  const params = (): PlusParams => ({ mu, h, theta, omega, ringWeightPerCell: wn });
  const sums = newSums(prep, depth);
  const edge = edgeSumsMemo(prep.remainingSorted);
  const run = (groupBg: Float64Array | null): void => {
    if (depth === 0) eStepSameCell(prep, params(), sums, groupBg);
    else eStepRings(prep, params(), rings!, order!, sums, groupBg);
  };
  const logLik = (s: PlusSums): number => {
    let muSum = 0;
    for (let c = 0; c < C; c++) muSum += mu[c]!;
    const offspring = theta === 0 ? 0 : N - edge(omega).e0;
    return s.sumLog - T * muSum - theta * offspring;
  };
  const objective = (s: PlusSums): number => logLik(s) + (priors === null ? 0 : profileLogPrior(prep, priors, h));

  if (trig !== null && inputs.initial === undefined) {
    // As in the 2015 fit: EM cannot leave θ ≈ 0 once a poor starting delay has put no weight on
    // triggering, so start from the most likely of 9 delays spread over the bounds.
    let best = -Infinity;
    let bestOmega = omega;
    const lo = minDelay;
    const hi = maxDelay;
    const steps = hi > lo ? START_DELAYS - 1 : 0;
    for (let k = 0; k <= steps; k++) {
      omega = k === steps ? bounds.omegaMin : k === 0 ? bounds.omegaMax : 1 / (lo * Math.pow(hi / lo, k / steps));
      run(null);
      const ll = objective(sums);
      if (ll > best) {
        best = ll;
        bestOmega = omega;
      }
    }
    omega = bestOmega;
    notes.push(`Started from θ = ${theta} and a mean delay of ${fmtH(1 / omega)}, the most likely of ${steps + 1} delays from ${fmtH(lo)} to ${fmtH(hi)}.`);
  }

  // ---- EM ------------------------------------------------------------------------------------
  const trace: number[] = [];
  let stopReason: StopReason = 'max-iterations';
  const groupBg = new Float64Array(prep.groupT.length);
  for (let it = 0; ; it++) {
    if (hooks.shouldCancel?.()) throw new ModelError('E_CANCELLED', `fit cancelled at iteration ${it}`, it);
    run(groupBg);
    const obj = objective(sums);
    if (Number.isNaN(obj)) throw new ModelError('E_PARAMS', `the EM objective became NaN at iteration ${it} (θ = ${theta}, ω = ${omega})`, it);
    trace.push(obj);
    hooks.onIteration?.(it, obj);
    if (it > 0 && Math.abs(obj - trace[it - 1]!) <= config.em.relTolerance * Math.abs(obj)) {
      stopReason = 'tolerance';
      break;
    }
    if (it >= config.em.maxIterations) break;
    // M-step
    for (let c = 0; c < C; c++) {
      let bg = sums.unknownBackground[c]!;
      for (let b = 0; b < B; b++) bg += sums.binBackground[c * B + b]!;
      mu[c] = bg / T;
    }
    if (priors !== null) profileMStep(prep, priors, sums.binBackground, h);
    if (trig !== null) {
      ({ theta, omegaPerHour: omega } = mStepThetaOmega(sums.triggered, sums.delayHours, edge, N, omega, bounds));
      if (depth > 0 && sums.triggered > 0) {
        for (let d = 0; d <= depth; d++) ringWeights[d] = sums.triggeredByDistance[d]! / sums.triggered;
        setWn();
      }
    }
  }
  const finalLogLik = logLik(sums);

  // ---- post-EM: recency-weighted background rates --------------------------------------------
  const halfLife = config.recency?.halfLifeDays ?? Infinity;
  const allHistoryWeight = config.recency?.allHistoryWeight ?? 0;
  const recent = recencyRates(prep, groupBg, halfLife);
  const ratesByHalfLife = new Map<number, Float64Array>([[halfLife, recent]]);
  for (const hl of inputs.extraHalfLivesDays ?? []) if (!ratesByHalfLife.has(hl)) ratesByHalfLife.set(hl, recencyRates(prep, groupBg, hl));
  let rate = recent;
  if (allHistoryWeight > 0) {
    let all = ratesByHalfLife.get(Infinity);
    if (all === undefined) ratesByHalfLife.set(Infinity, (all = recencyRates(prep, groupBg, Infinity)));
    rate = blendRates(recent, all, allHistoryWeight);
  }

  const muPerHour: Record<H3Cell, number> = {};
  const ratePerHour: Record<H3Cell, number> = {};
  const profileCells: Record<H3Cell, number[]> = {};
  for (let c = 0; c < C && inputs.lean !== true; c++) {
    if (!(prep.cellEvents[c]! > 0)) continue;
    const cell = events.cells[c]!;
    muPerHour[cell] = mu[c]!;
    ratePerHour[cell] = rate[c]!;
    if (prof !== null) profileCells[cell] = Array.from(h.subarray(c * B, (c + 1) * B));
  }

  // ---- report --------------------------------------------------------------------------------
  const iterations = trace.length - 1;
  notes.push(
    `Fitted ${N} events in ${prep.cellsWithEvents} cells over ${Number((T / 24).toFixed(2))} days by EM: ${prof === null ? 'constant background per cell' : `background profile over ${B} bins (${calendar!.labels.join(', ')}) per cell, shrunk towards the ${prof.prior}'s (κ = ${prof.priorStrength}, β = ${prof.blend})`}; ${trig === null ? 'no triggering' : depth === 0 ? 'same-cell triggering' : `triggering spread to rings 1..${depth}`}.`,
  );
  notes.push(stopReason === 'tolerance' ? `Converged after ${iterations} iterations (relative change of the objective ≤ ${config.em.relTolerance}).` : `Stopped at the maximum of ${config.em.maxIterations} iterations.`);
  if (stopReason !== 'tolerance') warnings.push(`Stopped at the maximum of ${config.em.maxIterations} iterations before converging; raise em.maxIterations or warm-start.`);
  if (prep.unknownEvents > 0) notes.push(`${prep.unknownEvents} events have an unknown time of day: they count in μ with the profile's mean (h = 1), not in the profile.`);
  if (prep.tiedEvents > 0) notes.push(`Tie rule: events at the same instant do not trigger each other (${prep.tiedEvents} events share their time with an earlier one of their cell).`);
  if (config.recency !== null) {
    notes.push(
      `Background rate for forecasts: background events weighted by recency, half-life ${config.recency.halfLifeDays} days${allHistoryWeight > 0 ? `, blended ${1 - allHistoryWeight}:${allHistoryWeight} with the all-history rate` : ''} (an estimator applied after the EM).`,
    );
  }
  if (trig !== null) {
    notes.push(`θ = ${theta.toPrecision(3)}, mean trigger delay ${fmtH(1 / omega)}${depth > 0 ? `, ring weights ${Array.from(ringWeights, (w) => w.toFixed(3)).join(' / ')}` : ''}; ${(100 * sums.triggered / N).toFixed(1)}% of events attributed to triggering.`);
    if (theta >= bounds.thetaMax) warnings.push(`θ reached its bound ${bounds.thetaMax}.`);
    if (omega >= bounds.omegaMax) notes.push(`The mean trigger delay sits at its floor of ${fmtH(minDelay)}.`);
    if (omega <= bounds.omegaMin) notes.push(`The mean trigger delay sits at its ceiling of ${fmtH(maxDelay)}.`);
  }
  const { tuning: _unused, ...configNoTuning } = config;
  void _unused;
  const fit: EtasPlusFit = {
    kind: 'etas-plus',
    version: 1,
    config: configNoTuning,
    tz: prof === null ? null : inputs.tz!,
    res,
    theta,
    omegaPerHour: omega,
    ringWeights: trig === null ? [] : Array.from(ringWeights),
    muPerHour,
    ratePerHour,
    profile: prof === null ? null : { labels: [...calendar!.labels], exposureHours: Array.from(prep.exposureHours), cells: profileCells },
    window: { startMs: window.startMs, endMs: window.endMs },
    events: N,
    iterations,
    objectiveTrace: trace,
    logLikelihood: finalLogLik,
    stopReason,
    triggeredShare: sums.triggered / N,
    notes,
    warnings,
    fingerprint: fingerprintEvents(events),
  };
  return { fit, ratesByHalfLife, profileByCell: prof === null ? null : h };
}

function stripTuning(c: PlusConfig): PlusConfig {
  if (c.tuning === undefined) return c;
  const { tuning: _t, ...rest } = c;
  void _t;
  return rest;
}

function fmtH(hours: number): string {
  return hours >= 48 ? `${Number((hours / 24).toPrecision(3))} days` : `${Number(hours.toPrecision(3))} h`;
}
