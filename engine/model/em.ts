/**
 * The EM iterations of the one ETAS model (docs/model.md#em, docs/model.md#over-relaxation), over-relaxed (Salakhutdinov &
 * Roweis 2003) for every configuration, so the objective trace never decreases.
 */
import type { StopReason } from '../types.ts';
import type { EdgeSums } from './edge.ts';
import { ModelError } from './errors.ts';
import { eStepRings, eStepSameCell, newSums, type EStepSums } from './estep.ts';
import { mStepThetaOmega, type ThetaOmegaBounds } from './mstep.ts';
import type { Prepared } from './prepare.ts';
import { profileLogPrior, profileMStep, type ProfilePriors } from './profile.ts';
import { ringSize } from './rings.ts';

/** Everything about the model that stays fixed during the EM. */
export interface EmModel {
  readonly prep: Prepared;
  /** Triggering on (false: θ = 0 throughout). */
  readonly triggering: boolean;
  readonly bounds: ThetaOmegaBounds;
  /** Ring depth K (0: same-cell triggering). */
  readonly depth: number;
  readonly rings: { readonly offsets: Int32Array; readonly neighbour: Int32Array; readonly distance: Int32Array } | null;
  /** Groups in time order (ring spread only). */
  readonly order: Int32Array | null;
  readonly priors: ProfilePriors | null;
  readonly edge: (omegaPerHour: number) => EdgeSums;
}

/** The parameters the EM updates, by cell index. */
export interface EmParams {
  readonly mu: Float64Array;
  /** h[c·B + b]: profile multiplier of cell c in bin b (all 1 without a profile). */
  readonly h: Float64Array;
  theta: number;
  omega: number;
  /** w_d, d = 0..K. */
  readonly ringWeights: Float64Array;
}

/** An E-step's result at some parameters: the sums, each group's Σ p_jj, ℓ and the objective ℓ + log prior. */
interface Point {
  readonly params: EmParams;
  readonly sums: EStepSums;
  readonly groupBackground: Float64Array;
  logLik: number;
  objective: number;
}

/** What the EM ends with: the parameters whose objective ends the trace, and their E-step. */
export interface EmOutcome {
  readonly params: EmParams;
  readonly sums: EStepSums;
  readonly groupBackground: Float64Array;
  readonly logLik: number;
  readonly trace: number[];
  readonly stopReason: StopReason;
  /** |Δ objective| / |objective| of the last iteration (NaN when there was none). */
  readonly lastRelChange: number;
  /** Over-relaxed steps tried and kept. */
  readonly overRelaxTried: number;
  readonly overRelaxed: number;
}

/** Over-relaxation factor η: first try, growth after a kept step, cap (reset after a rejected one). */
const ETA_START = 1.5;
const ETA_GROWTH = 1.5;
const ETA_MAX = 16;

/**
 * The E-step at `p` into `sums` (and each group's Σ p_jj into `groupBackground` when given): ℓ
 * and the objective ℓ + log prior of the profiles.
 * ℓ = Σ log λ − T Σ_n μ_n − θ Σ_i (1 − e^{−ω(T − t_i)}) (the compensator is exact: ∫ μ_n h_n = μ_n T).
 * Cost O(N·(1 + 3K(K+1)) + cells·bins).
 */
export function evaluate(
  model: EmModel,
  p: EmParams,
  sums: EStepSums,
  groupBackground: Float64Array | null,
): { logLik: number; objective: number } {
  const { prep, edge, priors } = model;
  const wn = new Float64Array(p.ringWeights.length);
  for (let d = 0; d < wn.length; d++) wn[d] = p.ringWeights[d]! / ringSize(d);
  const params = { mu: p.mu, h: p.h, theta: p.theta, omega: p.omega, ringWeightPerCell: wn };
  if (model.depth === 0) eStepSameCell(prep, params, sums, groupBackground);
  else eStepRings(prep, params, model.rings!, model.order!, sums, groupBackground);
  let muSum = 0;
  for (let c = 0; c < p.mu.length; c++) muSum += p.mu[c]!;
  const offspring = p.theta === 0 ? 0 : prep.events - edge(p.omega).e0;
  const logLik = sums.sumLog - prep.windowHours * muSum - p.theta * offspring;
  return { logLik, objective: logLik + (priors === null ? 0 : profileLogPrior(prep, priors, p.h)) };
}

/** {@link evaluate} at a point's parameters, stored in the point. */
function score(model: EmModel, point: Point): void {
  const r = evaluate(model, point.params, point.sums, point.groupBackground);
  point.logLik = r.logLik;
  point.objective = r.objective;
}

function newPoint(model: EmModel, params: EmParams): Point {
  return {
    params,
    sums: newSums(model.prep, model.depth),
    groupBackground: new Float64Array(model.prep.groupT.length),
    logLik: NaN,
    objective: NaN,
  };
}

function copyParams(p: EmParams): EmParams {
  return {
    mu: Float64Array.from(p.mu),
    h: Float64Array.from(p.h),
    theta: p.theta,
    omega: p.omega,
    ringWeights: Float64Array.from(p.ringWeights),
  };
}

/**
 * The M-step from `from`'s E-step into `to.params` (and μ also into `muEm`), O(cells · bins):
 * μ_n = Σ_{j in n} p_jj / T; the profile's MAP update; θ and ω by the bounded, edge-corrected
 * M-step (mstep.ts); w_d = S_d / S.
 */
function mStep(model: EmModel, from: Point, to: EmParams, muEm: Float64Array): void {
  const { prep, priors, depth } = model;
  const { sums } = from;
  const B = prep.bins;
  const T = prep.windowHours;
  for (let c = 0; c < prep.cellCount; c++) {
    let bg = sums.unknownBackground[c]!;
    for (let b = 0; b < B; b++) bg += sums.binBackground[c * B + b]!;
    muEm[c] = bg / T;
  }
  to.mu.set(muEm);
  if (priors !== null) profileMStep(prep, priors, sums.binBackground, to.h);
  to.ringWeights.set(from.params.ringWeights);
  to.theta = from.params.theta;
  to.omega = from.params.omega;
  if (!model.triggering) return;
  ({ theta: to.theta, omegaPerHour: to.omega } = mStepThetaOmega(
    sums.triggered,
    sums.delayHours,
    model.edge,
    prep.events,
    from.params.omega,
    model.bounds,
  ));
  if (depth > 0 && sums.triggered > 0) for (let d = 0; d <= depth; d++) to.ringWeights[d] = sums.triggeredByDistance[d]! / sums.triggered;
}

/**
 * Over-relaxes the EM step from `cur` to `em` by η, in log space so every parameter stays
 * positive and inside its bounds: μ, θ and ω go η times their EM step (fixed values stay); the
 * profile and the ring weights keep their own EM update. Writes into `em`. O(cells).
 */
function overRelax(model: EmModel, cur: EmParams, em: EmParams, muEm: Float64Array, eta: number): void {
  for (let c = 0; c < muEm.length; c++) {
    const m0 = cur.mu[c]!;
    const m1 = muEm[c]!;
    em.mu[c] = m0 > 0 && m1 > 0 ? m0 * Math.pow(m1 / m0, eta) : m1;
  }
  const b = model.bounds;
  const { theta, omega } = cur;
  em.theta = b.fixedTheta ?? (theta > 0 && em.theta > 0 ? Math.min(b.thetaMax, theta * Math.pow(em.theta / theta, eta)) : em.theta);
  em.omega = b.fixedOmega ?? Math.min(b.omegaMax, Math.max(b.omegaMin, omega * Math.pow(em.omega / omega, eta)));
}

/**
 * Runs the EM from `start` until the relative change of the objective is at most
 * `relTolerance` ('tolerance') or after `maxIterations` iterations ('max-iterations').
 *
 * An iteration is, with `accelerate`, an over-relaxed step (η ∈ [1.5, 16] times the EM step,
 * {@link overRelax}) kept only when the objective does not fall, else the plain EM step; without
 * it, the plain EM step. Either way the objective never decreases, and a rejected step costs one
 * extra E-step. Over-relaxation speeds up the crawl along the ridge between the μ_n and θ
 * (Vancouver 2023 property, 2015 settings: 26 iterations instead of 75).
 *
 * Cost per iteration O(N·(1 + 3K(K+1)) + cells·bins), one or two E-steps.
 * @throws {ModelError} E_PARAMS (NaN objective), E_CANCELLED (hooks.shouldCancel)
 */
export function runEm(
  model: EmModel,
  start: EmParams,
  em: { readonly maxIterations: number; readonly relTolerance: number },
  accelerate: boolean,
  hooks: { readonly onIteration?: (iteration: number, objective: number) => void; readonly shouldCancel?: () => boolean },
): EmOutcome {
  let cur = newPoint(model, start);
  let next = newPoint(model, copyParams(start));
  const muEm = new Float64Array(model.prep.cellCount);
  const trace: number[] = [];
  let stopReason: StopReason = 'max-iterations';
  let lastRelChange = NaN;
  let eta = accelerate ? ETA_START : 1;
  let overRelaxTried = 0;
  let overRelaxed = 0;
  if (hooks.shouldCancel?.()) throw new ModelError('E_CANCELLED', 'fit cancelled at iteration 0', 0);
  score(model, cur);
  for (let it = 0; ; it++) {
    const obj = cur.objective;
    if (Number.isNaN(obj))
      throw new ModelError(
        'E_PARAMS',
        `the EM objective became NaN at iteration ${it} (θ = ${cur.params.theta}, ω = ${cur.params.omega})`,
        it,
      );
    trace.push(obj);
    hooks.onIteration?.(it, obj);
    if (it > 0) {
      lastRelChange = Math.abs(obj - trace[it - 1]!) / Math.abs(obj);
      if (lastRelChange <= em.relTolerance) {
        stopReason = 'tolerance';
        break;
      }
    }
    if (it >= em.maxIterations) break;
    if (hooks.shouldCancel?.()) throw new ModelError('E_CANCELLED', `fit cancelled at iteration ${it + 1}`, it + 1);
    mStep(model, cur, next.params, muEm);
    if (eta > 1) {
      overRelaxTried++;
      const emTheta = next.params.theta;
      const emOmega = next.params.omega;
      overRelax(model, cur.params, next.params, muEm, eta);
      score(model, next);
      if (next.objective >= obj) {
        [cur, next] = [next, cur];
        eta = Math.min(ETA_MAX, eta * ETA_GROWTH);
        overRelaxed++;
        continue;
      }
      eta = ETA_START;
      next.params.mu.set(muEm);
      next.params.theta = emTheta;
      next.params.omega = emOmega;
    }
    score(model, next);
    [cur, next] = [next, cur];
  }
  const { params, sums, groupBackground, logLik } = cur;
  return { params, sums, groupBackground, logLik, trace, stopReason, lastRelChange, overRelaxTried, overRelaxed };
}
