/**
 * The shift integral of the triggering kernel, written once for the forecast, the patrol boxes'
 * contributors and the backtest's rolling model.
 */

/**
 * The expected number of events that one incident `ageHours` = s − t before a shift [s, s + H)
 * adds to a cell over the shift, through a kernel θ ω e^{−ω(u − t)} (docs/model.md#forecast):
 *
 *     ∫_s^{s+H} θ ω e^{−ω(u − t)} du = θ (e^{−ω(s−t)} − e^{−ω(s+H−t)}) = θ (1 − e^{−ωH}) e^{−ω(s−t)}
 *
 * Returns it as a function of the age, with θ(1 − e^{−ωH}) computed once (by expm1, exact for
 * small ωH): one exp per incident. θ may be a share of the triggering (θ·w_d for ring d).
 * @example
 * // θ = 0.5, ω = ln 2 per hour, an 8-hour shift, an incident 1 h before it: 0.5·(2^−1 − 2^−9)
 * shiftIntegral(0.5, Math.LN2, 8)(1) // => 0.2490234375
 */
export function shiftIntegral(theta: number, omegaPerHour: number, hours: number): (ageHours: number) => number {
  const factor = -theta * Math.expm1(-omegaPerHour * hours);
  return (ageHours) => factor * Math.exp(-omegaPerHour * ageHours);
}
