import type { EdgeSums } from './edge.ts';

/** Bounds and fixed values for the (θ, ω) part of the M-step. */
export interface ThetaOmegaBounds {
  readonly thetaMax: number;
  readonly omegaMin: number;
  readonly omegaMax: number;
  readonly fixedTheta: number | undefined;
  readonly fixedOmega: number | undefined;
}

/** Relative precision of the maximising log ω. */
const X_TOLERANCE = 1e-12;

/**
 * The (θ, ω) part of the expected complete-data log-likelihood (docs/model.md#m-step, with the edge
 * correction), with S = Σ p_ij, D = Σ p_ij (t_j − t_i) and G(ω) = Σ_i (1 − exp(−ω (T − t_i))):
 *
 *     Q(θ, ω) = S log θ + S log ω − ω D − θ G(ω)
 *
 * Setting its gradient to zero gives the edge-corrected equations (docs/model.md#m-step) θ = S / G(ω) and
 * ω = S / (D + θ G'(ω)), which are coupled. Q is concave in θ, so for fixed ω the best θ in
 * [0, θmax] is min(θmax, S / G(ω)): clamping θ is an exact constrained maximisation. Q is not
 * concave in ω once the edge term is in (G is concave, so −θ G is convex), so clamping the
 * textbook ω update would not be a valid M-step. Instead we maximise the profile
 * q(ω) = max_θ Q(θ, ω) over [ωmin, ωmax] in x = log ω: the root of h(x) = ω q'(ω) =
 * S − ω D − θ*(ω) ω G'(ω) (envelope theorem) by Newton's method kept inside a bracket
 * (bisection when a Newton step leaves it), starting from the edge-free answer ω = S / D, above
 * which h is negative. The result is kept only if q there is at least q at the current ω, so
 * every iteration is a (generalised) EM step and the log-likelihood never decreases.
 *
 * Cost: a handful of edge-sum evaluations, each over the events within 40/ω of the window's end.
 */
export function mStepThetaOmega(
  triggered: number,
  delayHours: number,
  edge: (omegaPerHour: number) => EdgeSums,
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
  if (fixedOmega !== undefined) return { theta: thetaAt(events - edge(fixedOmega).e0), omegaPerHour: fixedOmega };
  if (!(S > 0) || !(D > 0)) {
    // No triggering mass: ω is not identified; keep it.
    return { theta: thetaAt(events - edge(currentOmega).e0), omegaPerHour: currentOmega };
  }

  const xMin = Math.log(omegaMin);
  const xMax = Math.log(omegaMax);
  const at = profileAt(S, D, edge, events, bounds);
  const best = maximiseProfile(at, xMin, Math.min(xMax, Math.max(xMin, Math.log(S / D))));
  // Safeguard: never accept a point worse than the current ω (with its best θ).
  const current = at(Math.log(currentOmega), currentOmega);
  if (current.q > best.q) return { theta: current.theta, omegaPerHour: currentOmega };
  return { theta: best.theta, omegaPerHour: best.omega };
}

/** q, h = ω q'(ω), dh/dx and θ*(ω) at x = log ω (see {@link mStepThetaOmega}). */
interface Point {
  readonly x: number;
  readonly omega: number;
  readonly q: number;
  readonly h: number;
  readonly dh: number;
  readonly theta: number;
}

/**
 * The profile q(ω) = max_θ Q(θ, ω) and its derivatives as a function of x = log ω, with ω kept
 * exactly at its bounds beyond them. One edge-sum evaluation per call (memoised by `edge`).
 */
function profileAt(
  S: number,
  D: number,
  edge: (omegaPerHour: number) => EdgeSums,
  events: number,
  bounds: ThetaOmegaBounds,
): (x: number, omega?: number) => Point {
  const { thetaMax, omegaMin, omegaMax, fixedTheta } = bounds;
  const xMin = Math.log(omegaMin);
  const xMax = Math.log(omegaMax);
  // Exact bounds at the ends, so that "bound hit" is an equality test and ω never leaves them.
  const omegaOf = (x: number): number => (x <= xMin ? omegaMin : x >= xMax ? omegaMax : Math.exp(x));
  return (x: number, omega = omegaOf(x)): Point => {
    const { e0, e1, e2 } = edge(omega);
    const G = events - e0;
    let theta: number;
    let dTheta = 0; // dθ*/dω
    if (fixedTheta !== undefined) theta = fixedTheta;
    else if (!(G > 0)) theta = 0;
    else if (S / G >= thetaMax) theta = thetaMax;
    else {
      theta = S / G;
      dTheta = (-theta * e1) / G;
    }
    const q = (theta > 0 ? S * Math.log(theta) : -Infinity) - theta * G + S * Math.log(omega) - omega * D;
    const h = S - omega * D - theta * omega * e1;
    // dh/dx = ω dh/dω, with d/dω (θ ω E1) = θ' ω E1 + θ E1 − θ ω E2.
    const dh = omega * (-D - (dTheta * omega * e1 + theta * e1 - theta * omega * e2));
    return { x, omega, q, h, dh, theta };
  };
}

/**
 * The maximiser of the profile over [xMin, x of the start]: the root of h by Newton's method kept
 * inside a bracket [a, b] with h(a) ≥ 0 > h(b) (bisection when a Newton step leaves it), starting
 * from the edge-free answer ω = S / D, above which h is negative. Converges to X_TOLERANCE.
 */
function maximiseProfile(at: (x: number) => Point, xMin: number, xStart: number): Point {
  const start = at(xStart);
  // h ≥ 0 at the start only when S / D lies at or above the upper bound: q still rises there.
  if (start.h >= 0) return start;
  // Bracket [a, b] with h(a) ≥ 0 > h(b); a is the lower bound until proven otherwise.
  let a = xMin;
  let aChecked = false;
  let b = start.x;
  let p = start;
  let best = start;
  for (let it = 0; it < 100; it++) {
    let xn = NaN;
    if (p.dh < 0) {
      const newtonStep = -p.h / p.dh;
      // Converged: the next Newton step is below the tolerance (p is then a bracket end).
      if (Math.abs(newtonStep) <= X_TOLERANCE * Math.max(1, Math.abs(p.x))) break;
      xn = p.x + newtonStep;
    }
    if (!(xn > a && xn < b)) {
      if (!aChecked) {
        const low = at(a);
        aChecked = true;
        if (low.h < 0) {
          best = low; // q falls all the way down to the lower bound
          break;
        }
        if (low.h === 0) {
          best = low;
          break;
        }
      }
      xn = 0.5 * (a + b);
    }
    const next = at(xn);
    if (next.h >= 0) {
      a = xn;
      aChecked = true;
    } else {
      b = xn;
    }
    p = next;
    best = next;
    if (next.h === 0 || b - a <= X_TOLERANCE * Math.max(1, Math.abs(a))) break;
  }
  return best;
}
