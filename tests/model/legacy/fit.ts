import type { EtasFit, EtasFitOptions, EventSet, StopReason } from './types.ts';
import { ModelError } from '../../../engine/model/errors.ts';
import { eStep, logLikelihoodFrom } from './estep.ts';
import type { EStepSums } from './estep.ts';
import { fingerprintEvents } from '../../../engine/model/fingerprint.ts';
import { mStepThetaOmega } from './mstep.ts';
import { edgeSumsMemo, prepare } from './prepare.ts';
import type { Prepared } from './prepare.ts';

/**
 * Defaults of {@link fitEtas}, and why.
 * - `maxIterations` 500 and `relTolerance` 1e-8: on every shared real data set the fit meets
 *   1e-8 (a change in ℓ of about 0.002-0.01 nats) in 10-71 iterations; on Vancouver 2023
 *   property θ and the mean delay are then within 0.05% of their limits (1e-12).
 * - `acceleration` true: over-relaxed EM (Salakhutdinov & Roweis 2003). Plain EM converges
 *   linearly and crawls along the ridge between the μ_n and θ (Vancouver 2023 property: 75
 *   iterations instead of 26; the four years at res 9: over 500 instead of 164). A step is
 *   η ∈ [1.5, 16] times the EM step in log space, kept only if ℓ does not fall, so ℓ still
 *   never decreases; a rejected step costs one extra E-step.
 * - `thetaMax` 0.95: θ ≥ 1 is an explosive process; near 1 the background is starved and the
 *   fit says more about trends than about triggering.
 * - `minMeanDelayHours` 1: the floor that stops the near-tie runaway. Real data is full of
 *   near-simultaneous events in one cell (one incident reported several times, times rounded
 *   to the minute or hour, hundred-block offsets); they pull 1/ω towards minutes (EM on
 *   Chicago burglary has returned 80 minutes). A trigger delay under an hour carries no
 *   information a shift-level (8 h) forecast can use: all its risk is spent before the shift starts.
 * - `maxMeanDelayHours` one tenth of the training window, at most 8760 (a year): a delay
 *   comparable to the window cannot be told from a trend in the background; with the edge
 *   correction most of its offspring fall after the window, so θ can climb to its bound while
 *   few events are put down to triggering (uniform random times fitted θ = 0.95 with a mean
 *   delay of 4 windows). Ten mean delays inside the window keep the two apart.
 * - Starting values θ = 0.2, μ_n = (1 − θ) m_n / T (m_n events in cell n), and the mean delay
 *   of highest likelihood among 9 values spaced geometrically between the bounds (unless
 *   `initial` or `fixedMeanDelayHours` is given).
 */
export const ETAS_FIT_DEFAULTS = {
  maxIterations: 500,
  relTolerance: 1e-8,
  thetaMax: 0.95,
  acceleration: true,
  minMeanDelayHours: 1,
  /** Upper cap of the default ceiling on the mean delay; the ceiling itself is min(this, window/10). */
  maxMeanDelayHours: 8760,
  maxMeanDelayWindowFraction: 0.1,
  initialTheta: 0.2,
} as const;

/** Progress and cancellation for long fits (the web app's Worker and the CLI's progress bar). */
export interface FitHooks {
  /** Called once per iteration with its number (0 = starting values) and the ℓ it reached. */
  readonly onIteration?: (iteration: number, logLikelihood: number) => void;
  /** Polled before the first E-step and before every iteration; return true to abandon the fit (it then throws E_CANCELLED). */
  readonly shouldCancel?: () => boolean;
}

const HOUR_MS = 3.6e6;
/** θ below this counts as "no triggering" in the report (under one triggered event per 10,000). */
const NEGLIGIBLE_THETA = 1e-4;
/** Over-relaxation factor η: first try, growth after a kept step, cap (reset after a rejected one). */
const ETA_START = 1.5;
const ETA_GROWTH = 1.5;
const ETA_MAX = 16;
/** Number of starting delays tried when no starting value is given. */
const START_DELAYS = 9;

function fail(message: string, value: unknown): never {
  throw new ModelError('E_OPTIONS', message, value);
}

interface Resolved {
  readonly maxIterations: number;
  readonly relTolerance: number;
  readonly thetaMax: number;
  readonly minMeanDelayHours: number;
  readonly maxMeanDelayHours: number;
  readonly fixedTheta?: number;
  readonly fixedMeanDelayHours?: number;
  readonly initial?: { readonly theta: number; readonly omegaPerHour: number };
  readonly acceleration: boolean;
}

function resolveOptions(o: EtasFitOptions, windowHours: number): Resolved {
  const d = ETAS_FIT_DEFAULTS;
  const minMeanDelayHours = o.minMeanDelayHours ?? d.minMeanDelayHours;
  const r = {
    maxIterations: o.maxIterations ?? d.maxIterations,
    relTolerance: o.relTolerance ?? d.relTolerance,
    thetaMax: o.thetaMax ?? d.thetaMax,
    acceleration: o.acceleration ?? d.acceleration,
    minMeanDelayHours,
    maxMeanDelayHours:
      o.maxMeanDelayHours ?? Math.max(minMeanDelayHours, Math.min(d.maxMeanDelayHours, d.maxMeanDelayWindowFraction * windowHours)),
  };
  if (!Number.isInteger(r.maxIterations) || r.maxIterations < 0)
    fail(`maxIterations must be an integer ≥ 0, got ${r.maxIterations}`, r.maxIterations);
  if (!(r.relTolerance >= 0) || !Number.isFinite(r.relTolerance))
    fail(`relTolerance must be a finite number ≥ 0, got ${r.relTolerance}`, r.relTolerance);
  if (!(r.thetaMax > 0 && r.thetaMax < 1)) fail(`thetaMax must lie in (0, 1), got ${r.thetaMax}`, r.thetaMax);
  if (!(r.minMeanDelayHours > 0) || !Number.isFinite(r.minMeanDelayHours))
    fail(`minMeanDelayHours must be a positive number of hours, got ${r.minMeanDelayHours}`, r.minMeanDelayHours);
  if (!(r.maxMeanDelayHours >= r.minMeanDelayHours) || !Number.isFinite(r.maxMeanDelayHours)) {
    fail(
      `maxMeanDelayHours must be finite and ≥ minMeanDelayHours (${r.minMeanDelayHours}), got ${r.maxMeanDelayHours}`,
      r.maxMeanDelayHours,
    );
  }
  const out: { -readonly [K in keyof Resolved]: Resolved[K] } = { ...r };
  if (o.fixedTheta !== undefined) {
    if (!(o.fixedTheta >= 0 && o.fixedTheta < 1)) fail(`fixedTheta must lie in [0, 1), got ${o.fixedTheta}`, o.fixedTheta);
    out.fixedTheta = o.fixedTheta;
  }
  if (o.fixedMeanDelayHours !== undefined) {
    if (!(o.fixedMeanDelayHours > 0) || !Number.isFinite(o.fixedMeanDelayHours))
      fail(`fixedMeanDelayHours must be a positive number of hours, got ${o.fixedMeanDelayHours}`, o.fixedMeanDelayHours);
    out.fixedMeanDelayHours = o.fixedMeanDelayHours;
  }
  if (o.initial !== undefined) {
    const { theta, omegaPerHour } = o.initial;
    if (!(theta >= 0 && theta < 1)) fail(`initial.theta must lie in [0, 1), got ${theta}`, theta);
    if (!(omegaPerHour > 0) || !Number.isFinite(omegaPerHour))
      fail(`initial.omegaPerHour must be positive, got ${omegaPerHour}`, omegaPerHour);
    out.initial = { theta, omegaPerHour };
  }
  return out;
}

function pct(x: number): string {
  const p = 100 * x;
  return p >= 10 || p === 0 ? `${p.toFixed(0)}%` : `${p.toPrecision(2)}%`;
}

function hours(h: number): string {
  return `${Number(h.toPrecision(4))} h`;
}

/**
 * Fits the grid self-exciting model of Mohler et al. (2015) by EM: a background rate μ_n per
 * cell, and a branching ratio θ and decay ω shared by all cells (docs/model.md#intensity-2015):
 *
 *     λ_n(t) = μ_n + Σ_{i in n, t_i < t} θ ω exp(−ω (t − t_i))
 *
 * with the per-cell μ_n M-step and the edge-corrected (θ, ω) M-step. Every iteration costs
 * O(N + cells) time through the exponential-kernel recursion over each cell's sorted times
 * (see {@link eStep}); memory is O(N + cells); no matrix of pairs is ever formed.
 *
 * Rules for real data, all reported in `notes`/`warnings`:
 * - Ties: events at the same instant in the same cell do not trigger each other (Mohler 2014);
 *   the intensity at an event counts strictly earlier events only. This keeps ℓ bounded.
 * - Bounds: θ ≤ thetaMax, minMeanDelayHours ≤ 1/ω ≤ maxMeanDelayHours; the bounded M-step is
 *   an exact 1-D maximisation within the bounds, so ℓ still never decreases.
 * - Analysts can fix θ (`fixedTheta`) or the mean delay (`fixedMeanDelayHours`); fixed values
 *   override the bounds.
 * - Month-precision events (data.police.uk): their placement is read from the event set
 *   (engine/grid `buildEventSet`, `monthPlacement`) and a warning says the fit suits month-ahead
 *   forecasts only.
 *
 * Stops when |ℓ_k − ℓ_{k−1}| ≤ relTolerance·|ℓ_k| ('tolerance') or after maxIterations
 * iterations ('max-iterations'). An iteration is one M-step and one E-step, or, with
 * `acceleration` (default), an over-relaxed step kept because ℓ did not fall, or the plain
 * step after a rejected one. The returned parameters are those whose ℓ ends the trace.
 *
 * @param events events sorted by (cell, time), e.g. from engine/grid `buildEventSet`
 * @param window the training window [startMs, endMs): every event must lie inside it
 * @param res the H3 resolution of the cells (recorded in the fit)
 * @throws {ModelError} E_WINDOW (empty or non-finite window), E_EVENTS (no events, unsorted
 *   events, an event outside the window), E_OPTIONS (an option out of range, naming it),
 *   E_CANCELLED (hooks.shouldCancel returned true)
 */
export function fitEtas(
  events: EventSet,
  window: { startMs: number; endMs: number },
  res: number,
  options: EtasFitOptions = {},
  hooks: FitHooks = {},
): EtasFit {
  if (!Number.isFinite(window.startMs) || !Number.isFinite(window.endMs) || !(window.endMs > window.startMs)) {
    throw new ModelError(
      'E_WINDOW',
      `the training window must have finite startMs < endMs, got [${window.startMs}, ${window.endMs})`,
      window,
    );
  }
  const windowHours = (window.endMs - window.startMs) / HOUR_MS;
  const opts = resolveOptions(options, windowHours);
  const prep = prepare(events, (window.startMs - events.originMs) / HOUR_MS, windowHours);
  const N = prep.events;
  if (N === 0) throw new ModelError('E_EVENTS', 'no events in the training window: nothing to fit', 0);

  const bounds = {
    thetaMax: opts.thetaMax,
    omegaMin: 1 / opts.maxMeanDelayHours,
    omegaMax: 1 / opts.minMeanDelayHours,
    fixedTheta: opts.fixedTheta,
    fixedOmega: opts.fixedMeanDelayHours === undefined ? undefined : 1 / opts.fixedMeanDelayHours,
  };
  let theta = opts.fixedTheta ?? Math.min(opts.thetaMax, opts.initial?.theta ?? ETAS_FIT_DEFAULTS.initialTheta);
  let omega = bounds.fixedOmega ?? Math.min(bounds.omegaMax, Math.max(bounds.omegaMin, opts.initial?.omegaPerHour ?? bounds.omegaMax)); // else searched below
  const mu = new Float64Array(prep.cellCount);
  for (let c = 0; c < prep.cellCount; c++) mu[c] = ((1 - theta) * prep.cellEvents[c]!) / windowHours;
  const background = new Float64Array(prep.cellCount);
  const edge = edgeSumsMemo(prep.remainingSorted);
  let startNote: string;
  if (bounds.fixedOmega !== undefined) {
    startNote = `Started from θ = ${theta} and the fixed mean delay.`;
  } else if (opts.initial !== undefined) {
    startNote = `Started from the given θ = ${theta} and mean delay ${hours(1 / omega)}.`;
  } else {
    // EM cannot leave θ ≈ 0 once a poor starting delay has put no weight on triggering (e.g. a
    // 24 h start on month-precision data, whose gaps are whole months). So start from the most
    // likely of a few delays spread geometrically over the bounds: one E-step each, O(N) apiece.
    let bestLl = -Infinity;
    const lo = 1 / bounds.omegaMax;
    const hi = 1 / bounds.omegaMin;
    const steps = hi > lo ? START_DELAYS - 1 : 0;
    for (let k = 0; k <= steps; k++) {
      const delay = steps === 0 ? lo : lo * Math.pow(hi / lo, k / steps);
      const w = k === steps ? bounds.omegaMin : k === 0 ? bounds.omegaMax : 1 / delay;
      const ll = logLikelihoodFrom(prep, edge, eStep(prep, mu, theta, w, null).sumLogLambda, mu, theta, w);
      if (ll > bestLl) {
        bestLl = ll;
        omega = w;
      }
    }
    startNote = `Started from θ = ${theta} and a mean delay of ${hours(1 / omega)}, the most likely of ${steps + 1} delays from ${hours(lo)} to ${hours(hi)}.`;
  }

  const trace: number[] = [];
  let stopReason: StopReason = 'max-iterations';
  let lastRelChange = NaN;
  let bgCurrent = background;
  let bgTrial = new Float64Array(prep.cellCount);
  const evaluate = (m: Float64Array, th: number, w: number, bg: Float64Array): { sums: EStepSums; ll: number } => {
    const sums = eStep(prep, m, th, w, bg);
    return { sums, ll: logLikelihoodFrom(prep, edge, sums.sumLogLambda, m, th, w) };
  };
  if (hooks.shouldCancel?.()) throw new ModelError('E_CANCELLED', 'fit cancelled at iteration 0', 0);
  let current = evaluate(mu, theta, omega, bgCurrent);
  const muEm = new Float64Array(prep.cellCount);
  const muTrial = new Float64Array(prep.cellCount);
  let eta = opts.acceleration ? ETA_START : 1;
  let overRelaxed = 0;
  let overRelaxTried = 0;
  for (let it = 0; ; it++) {
    const ll = current.ll;
    if (Number.isNaN(ll)) throw new ModelError('E_PARAMS', `log-likelihood became NaN at iteration ${it} (θ = ${theta}, ω = ${omega})`, it);
    trace.push(ll);
    hooks.onIteration?.(it, ll);
    if (it > 0) {
      lastRelChange = Math.abs(ll - trace[it - 1]!) / Math.abs(ll);
      if (lastRelChange <= opts.relTolerance) {
        stopReason = 'tolerance';
        break;
      }
    }
    if (it >= opts.maxIterations) break;
    if (hooks.shouldCancel?.()) throw new ModelError('E_CANCELLED', `fit cancelled at iteration ${it + 1}`, it + 1);
    // M-step: μ_n = Σ_{j in n} p_jj / T exactly; then (θ, ω) within bounds.
    for (let c = 0; c < prep.cellCount; c++) muEm[c] = bgCurrent[c]! / windowHours;
    const em = mStepThetaOmega(current.sums.triggered, current.sums.triggeredDelayHours, edge, N, omega, bounds);
    if (eta > 1) {
      // Over-relaxed EM (Salakhutdinov & Roweis 2003): go η times the EM step, in log space so
      // every parameter stays positive and inside its bounds; keep it only if ℓ does not fall
      // below the current value (so ℓ still never decreases), else take the plain EM step.
      overRelaxTried++;
      for (let c = 0; c < prep.cellCount; c++) {
        const m0 = mu[c]!;
        muTrial[c] = m0 > 0 && muEm[c]! > 0 ? m0 * Math.pow(muEm[c]! / m0, eta) : muEm[c]!;
      }
      const thetaTrial =
        bounds.fixedTheta ?? (theta > 0 && em.theta > 0 ? Math.min(bounds.thetaMax, theta * Math.pow(em.theta / theta, eta)) : em.theta);
      const omegaTrial =
        bounds.fixedOmega ?? Math.min(bounds.omegaMax, Math.max(bounds.omegaMin, omega * Math.pow(em.omegaPerHour / omega, eta)));
      const trial = evaluate(muTrial, thetaTrial, omegaTrial, bgTrial);
      if (trial.ll >= ll) {
        mu.set(muTrial);
        theta = thetaTrial;
        omega = omegaTrial;
        [bgCurrent, bgTrial] = [bgTrial, bgCurrent];
        current = trial;
        eta = Math.min(ETA_MAX, eta * ETA_GROWTH);
        overRelaxed++;
        continue;
      }
      eta = ETA_START;
    }
    mu.set(muEm);
    theta = em.theta;
    omega = em.omegaPerHour;
    current = evaluate(mu, theta, omega, bgCurrent);
  }
  const sums = current.sums;
  const accelerationNote = opts.acceleration
    ? `Over-relaxed EM: ${overRelaxed} of ${overRelaxTried} extrapolated steps raised the log-likelihood and were kept; the others fell back to plain EM steps.`
    : 'Plain EM (no over-relaxation).';

  const muPerHour: Record<string, number> = {};
  for (let c = 0; c < prep.cellCount; c++) if (prep.cellEvents[c]! > 0) muPerHour[events.cells[c]!] = mu[c]!;
  const triggeredShare = sums.triggered / N;
  const { notes, warnings } = report(events, prep, opts, bounds, `${startNote} ${accelerationNote}`, {
    theta,
    omega,
    stopReason,
    iterations: trace.length - 1,
    lastRelChange,
    triggeredShare,
    windowHours,
  });

  const storedOptions: EtasFitOptions = { ...opts };
  return {
    kind: 'etas-2015',
    version: 1,
    theta,
    omegaPerHour: omega,
    muPerHour,
    res,
    window: { startMs: window.startMs, endMs: window.endMs },
    events: N,
    iterations: trace.length - 1,
    logLikelihoodTrace: trace,
    stopReason,
    notes,
    warnings,
    fingerprint: fingerprintEvents(events),
    options: storedOptions,
    triggeredShare,
  };
}

function report(
  events: EventSet,
  prep: Prepared,
  opts: Resolved,
  bounds: { thetaMax: number; omegaMin: number; omegaMax: number; fixedTheta: number | undefined; fixedOmega: number | undefined },
  startNote: string,
  r: {
    theta: number;
    omega: number;
    stopReason: StopReason;
    iterations: number;
    lastRelChange: number;
    triggeredShare: number;
    windowHours: number;
  },
): { notes: string[]; warnings: string[] } {
  const notes: string[] = [];
  const warnings: string[] = [];
  const N = prep.events;
  notes.push(
    `Fitted ${N} events in ${prep.cellsWithEvents} cells over ${Number((r.windowHours / 24).toFixed(2))} days by EM (Mohler et al. 2015, per-cell background, edge-corrected M-step).`,
  );
  notes.push(startNote);
  if (r.stopReason === 'tolerance') {
    notes.push(
      `Converged after ${r.iterations} iterations: the relative change in log-likelihood fell to ${r.lastRelChange.toExponential(1)} (tolerance ${opts.relTolerance}).`,
    );
  } else {
    warnings.push(
      `Stopped at the maximum of ${opts.maxIterations} iterations before converging (last relative change in log-likelihood ${Number.isNaN(r.lastRelChange) ? 'n/a' : r.lastRelChange.toExponential(1)}, tolerance ${opts.relTolerance}); raise maxIterations or warm-start from this fit.`,
    );
  }
  notes.push(
    `Tie rule: events at the same instant in the same cell do not trigger each other (Mohler 2014). ${prep.tiedEvents} events (${pct(prep.tiedEvents / N)}) share their exact time with another event of their cell, in ${prep.tieGroups} groups.`,
  );
  if (Number.isFinite(prep.minGapHours)) {
    notes.push(
      `The shortest gap between two events of one cell is ${hours(prep.minGapHours)}; ${prep.triggerableEvents} events have an earlier event in their cell and could be triggered.`,
    );
  }
  if (prep.triggerableEvents === 0) {
    warnings.push(
      'No cell has events at two different times: nothing can be learnt about triggering, so θ is 0 and the mean delay keeps its starting value.',
    );
  }
  notes.push(`Bounds: θ ≤ ${bounds.thetaMax}; mean trigger delay between ${hours(1 / bounds.omegaMax)} and ${hours(1 / bounds.omegaMin)}.`);
  if (bounds.fixedTheta !== undefined) notes.push(`θ was fixed at ${bounds.fixedTheta} by the analyst.`);
  else if (r.theta >= bounds.thetaMax) {
    warnings.push(
      `θ stopped at its upper bound ${bounds.thetaMax}: the data would put even more crime down to triggering (often a trend or a few very busy cells); treat the split between background and triggering with care.`,
    );
  }
  const noTriggering = bounds.fixedTheta === undefined && r.theta < NEGLIGIBLE_THETA;
  if (noTriggering && prep.triggerableEvents > 0) {
    notes.push(
      `The fit finds practically no triggering (θ = ${r.theta.toExponential(1)} < ${NEGLIGIBLE_THETA}): the per-cell background explains the data at least as well, and the mean delay carries no information.`,
    );
  }
  if (bounds.fixedOmega !== undefined) notes.push(`The mean trigger delay was fixed at ${hours(1 / bounds.fixedOmega)} by the analyst.`);
  else if (noTriggering) {
    // The delay is not identified when nothing is triggered: no bound warning.
  } else if (r.omega >= bounds.omegaMax && r.theta > 0) {
    warnings.push(
      `The mean trigger delay stopped at its floor of ${hours(1 / bounds.omegaMax)}: near-simultaneous events in one cell (repeat reports, rounded times, shared hundred-block locations) pull it shorter. Triggering this fast adds little to shift forecasts; consider fixing the mean delay (fixedMeanDelayHours) from near-repeat studies (days to weeks).`,
    );
  } else if (r.omega <= bounds.omegaMin && r.theta > 0) {
    warnings.push(
      `The mean trigger delay stopped at its ceiling of ${hours(1 / bounds.omegaMin)}: triggering this slow cannot be told apart from a changing background (trend or season), so the triggered share partly measures that.`,
    );
  }
  const pc = events.precisionCounts;
  const month = pc?.month ?? 0;
  if (month > 0) {
    const placement = events.monthPlacement ?? 'start';
    notes.push(
      placement === 'spread'
        ? `${month} events have month-only times; they were spread evenly over their month within each cell (deterministic), so within-month timing is invented and only month-scale triggering is meaningful.`
        : `${month} events have month-only times and sit at the first instant of their month: events of one cell and month tie, so only earlier months can trigger them.`,
    );
    warnings.push(
      `${month} of ${N} events (${pct(month / N)}) are known to the month only: use this fit for month-ahead forecasts; shift-level forecasts need times to the hour or better.`,
    );
  }
  const hour = pc?.hour ?? 0;
  if (hour > 0)
    notes.push(
      `${hour} events (${pct(hour / N)}) are known to the hour only: events of one cell in the same hour tie, and delays under an hour cannot be seen.`,
    );
  const day = pc?.day ?? 0;
  if (day > 0)
    warnings.push(`${day} of ${N} events (${pct(day / N)}) are known to the day only: shift-level forecasts from them are approximate.`);
  // Month- and day-precision events also lack a time of day; count the others.
  const tod = (events.timeOfDayUnknown ?? 0) - month - day;
  if (tod > 0) {
    notes.push(
      `${tod} events (${pct(tod / N)}) with otherwise precise times have an unknown time of day (kept at the recorded time, usually 00:00); where several fall on one cell and day they tie and do not trigger each other.`,
    );
  }
  notes.push(`${pct(r.triggeredShare)} of events are attributed to triggering at the final E-step.`);
  return { notes, warnings };
}
