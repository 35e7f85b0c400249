import { edgeSums } from './prepare.ts';

/** Bounds and fixed values for the (θ, ω) part of the M-step. */
export interface ThetaOmegaBounds {
  readonly thetaMax: number;
  readonly omegaMin: number;
  readonly omegaMax: number;
  readonly fixedTheta: number | undefined;
  readonly fixedOmega: number | undefined;
}

/**
 * The (θ, ω) part of the expected complete-data log-likelihood (MODEL.md §1 with the edge
 * correction), with S = Σ p_ij, D = Σ p_ij (t_j − t_i) and G(ω) = Σ_i (1 − exp(−ω (T − t_i))):
 *
 *     Q(θ, ω) = S log θ + S log ω − ω D − θ G(ω)
 *
 * Q is concave in θ, so for fixed ω the best θ in [0, θmax] is min(θmax, S / G(ω)) (clamping
 * is an exact constrained maximisation). Q is not concave in ω once the edge term is in (G is
 * concave, so −θG is convex), so clamping the textbook update ω = S / (D + θ G'(ω)) would not be
 * a valid M-step; instead we maximise the profile q(ω) = max_θ Q(θ, ω) over [ωmin, ωmax] in one
 * dimension and keep the result only if q does not fall below its value at the current ω. That
 * makes every iteration a (generalised) EM step, so the log-likelihood never decreases.
 */
export function mStepThetaOmega(
  triggered: number,
  delayHours: number,
  remainingSorted: Float64Array,
  events: number,
  currentOmega: number,
  bounds: ThetaOmegaBounds,
): { theta: number; omegaPerHour: number } {
  const S = triggered;
  const D = delayHours;
  const { thetaMax, omegaMin, omegaMax, fixedTheta, fixedOmega } = bounds;
  const thetaAt = (G: number): number => {
    if (fixedTheta !== undefined) return fixedTheta;
    if (!(S > 0) || !(G > 0)) return 0;
    return Math.min(thetaMax, S / G);
  };
  if (fixedOmega !== undefined) {
    return { theta: thetaAt(events - edgeSums(remainingSorted, fixedOmega).e0), omegaPerHour: fixedOmega };
  }
  if (!(S > 0) || !(D > 0)) {
    // No triggering mass: ω is not identified; keep it.
    return { theta: thetaAt(events - edgeSums(remainingSorted, currentOmega).e0), omegaPerHour: currentOmega };
  }
  /** q(ω) and h(ω) = ω q'(ω) = S − ω D − θ*(ω) ω G'(ω) (envelope theorem). */
  const evaluate = (omega: number): { q: number; h: number; theta: number } => {
    const { e0, e1 } = edgeSums(remainingSorted, omega);
    const G = events - e0;
    const th = thetaAt(G);
    const q = (th > 0 ? S * Math.log(th) : th === 0 && S > 0 ? -Infinity : 0) - th * G + S * Math.log(omega) - omega * D;
    return { q, h: S - omega * D - th * omega * e1, theta: th };
  };

  // Without the edge term the maximiser is ω = S / D; the edge term only lowers it
  // (h(S/D) = −θ ω G'(ω) ≤ 0), so search downwards from there in log ω.
  const xMin = Math.log(omegaMin);
  const xMax = Math.log(omegaMax);
  // Exact bounds at the ends, so that "bound hit" is an equality test and ω never leaves them.
  const omegaOf = (x: number): number => (x <= xMin ? omegaMin : x >= xMax ? omegaMax : Math.exp(x));
  let xHi = Math.min(xMax, Math.max(xMin, Math.log(S / D)));
  let fHi = evaluate(omegaOf(xHi));
  let best: { x: number; q: number; theta: number };
  if (fHi.h >= 0) {
    best = { x: xHi, q: fHi.q, theta: fHi.theta };
  } else {
    let step = 1e-3;
    let xLo = xHi;
    let fLo = fHi;
    let bracketed = false;
    while (xLo > xMin) {
      xLo = Math.max(xMin, xHi - step);
      fLo = evaluate(omegaOf(xLo));
      if (fLo.h >= 0) {
        bracketed = true;
        break;
      }
      xHi = xLo;
      fHi = fLo;
      step *= 4;
    }
    if (!bracketed) {
      best = { x: xLo, q: fLo.q, theta: fLo.theta };
    } else {
      // Illinois (modified regula falsi) on h in x = log ω: h(xLo) ≥ 0 > h(xHi).
      let a = xLo;
      let fa = fLo.h;
      let b = xHi;
      let fb = fHi.h;
      let side = 0;
      let x = a;
      let fx = fLo;
      for (let it = 0; it < 100 && Math.abs(b - a) > 1e-14 * Math.max(1, Math.abs(a)); it++) {
        x = (a * fb - b * fa) / (fb - fa);
        if (!(x > Math.min(a, b) && x < Math.max(a, b))) x = 0.5 * (a + b);
        fx = evaluate(omegaOf(x));
        if (fx.h === 0) break;
        if (fx.h > 0) {
          a = x;
          fa = fx.h;
          if (side === 1) fb /= 2;
          side = 1;
        } else {
          b = x;
          fb = fx.h;
          if (side === -1) fa /= 2;
          side = -1;
        }
      }
      best = { x, q: fx.q, theta: fx.theta };
    }
  }
  // Safeguard: never accept a point worse than the current ω (with its best θ).
  const current = evaluate(currentOmega);
  if (current.q > best.q) return { theta: current.theta, omegaPerHour: currentOmega };
  return { theta: best.theta, omegaPerHour: omegaOf(best.x) };
}
