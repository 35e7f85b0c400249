/**
 * Expected counts per cell for one shift (docs/model.md#forecast; Mohler et al. 2015, the integral of the conditional intensity over the shift), from a fit of the model:
 *
 *     E_n = r_n Σ_b h_n(b) H_b + Σ_d (w_d / n_d) Σ_{i at ring distance d from n, t_i < s} θ (e^{−ω(s − t_i)} − e^{−ω(s + H − t_i)})
 *
 * r_n the cell's background rate (recency-weighted when recency is on), h_n its profile (1
 * without one), H_b the hours of the shift [s, s + H) falling in bin b (on the zone's wall-clock
 * calendar), w_d the ring weights (w_0 = 1 for same-cell triggering, the 2015 model).
 */
import { binCalendar, binExposureHours, ringsFromGrid, type EtasFit } from '../model/index.ts';
import type { CellForecast, EventSet, H3Cell } from '../types.ts';
import { ForecastError } from './errors.ts';
import { shiftIntegral } from './integral.ts';

const HOUR_MS = 3_600_000;

/** Options of {@link forecastShift}. */
export interface ForecastOptions {
  /** Rings of a cell by distance (index 0 = the cell), e.g. a cache shared across shifts. Default: engine/grid. */
  readonly ringsOf?: (cell: H3Cell, depth: number) => readonly (readonly H3Cell[])[];
}

/**
 * Hours of the shift [startMs, startMs + hours·3.6e6) in each profile bin of the fit (one entry,
 * `hours`, without a profile). Cost O(days of the shift).
 * @throws {ForecastError} E_ARGUMENT for a non-finite start or hours ≤ 0
 */
export function shiftBinHours(fit: EtasFit, startMs: number, hours: number): Float64Array {
  if (!Number.isFinite(startMs))
    throw new ForecastError('E_ARGUMENT', `shift start must be a finite epoch ms, got ${String(startMs)}`, startMs);
  if (!Number.isFinite(hours) || hours <= 0)
    throw new ForecastError('E_ARGUMENT', `shift length must be a positive number of hours, got ${String(hours)}`, hours);
  const prof = fit.config.profile;
  if (prof === null || fit.profile === null) return Float64Array.of(hours);
  const endMs = startMs + hours * HOUR_MS;
  const cal = binCalendar(fit.tz!, prof.shiftStarts, prof.weekend, startMs, endMs);
  return binExposureHours(cal, startMs, endMs);
}

/**
 * The expected count of each cell over the shift [s, s + H) (module comment): the background
 * part and the triggered part. Only history events strictly before s count; an event at or
 * after s has no influence at all.
 *
 * Cells: the union of the fit's cells with a positive rate, the history's cells with a positive
 * triggered part and (with ring spread) their ring neighbours, in sorted H3 order (a cell in
 * none of them has E = 0 and is left out).
 *
 * Cost O(N + cells·bins + history cells · (1 + 3K(K+1)) + cells log cells), O(cells) memory.
 * @param fit a fit (engine/model fitEtas, or readEtasFit of a saved one)
 * @param history past events (any time range; only t < s is used), times in hours since `history.originMs`
 * @param startMs the shift start s, epoch ms
 * @param hours the shift length H in real hours (a ShiftWindow's `hours`)
 * @throws {ForecastError} E_ARGUMENT (bad start or hours), E_FIT (bad parameters), E_HISTORY (malformed EventSet)
 * @example
 * // θ = 0.5, ω = ln 2 per hour, rate 0.1 per hour, no profile, one event 1 h before an 8-hour shift:
 * // 0.1·8 + 0.5·(2^−1 − 2^−9) = 0.8 + 0.2490234375. The fit holds only the fields used here
 * // (a real one comes from fitEtas or readEtasFit).
 * const cell = '8a28de8d8c77fff';
 * const fit = { config: { profile: null }, profile: null, theta: 0.5, omegaPerHour: Math.LN2, ringWeights: [1], ratePerHour: { [cell]: 0.1 } };
 * const history = { originMs: 0, cells: [cell], cell: Int32Array.of(0), tHours: Float64Array.of(0), incidentIndex: Int32Array.of(0) };
 * const f = forecastShift(fit, history, 3.6e6, 8);
 * [f.cells, Array.from(f.background), Array.from(f.triggered)] // => [[cell], [0.8], [0.2490234375]]
 * f.expected[0] // => 1.0490234375
 */
export function forecastShift(
  fit: EtasFit,
  history: EventSet,
  startMs: number,
  hours: number,
  options: ForecastOptions = {},
): CellForecast {
  const binHours = shiftBinHours(fit, startMs, hours);
  const { theta, omegaPerHour } = fit;
  if (!Number.isFinite(theta) || theta < 0) throw new ForecastError('E_FIT', `fit θ must be finite and ≥ 0, got ${String(theta)}`, theta);
  if (!Number.isFinite(omegaPerHour) || omegaPerHour <= 0)
    throw new ForecastError('E_FIT', `fit ω must be finite and > 0, got ${String(omegaPerHour)}`, omegaPerHour);
  const n = history.tHours.length;
  if (history.cell.length !== n || history.incidentIndex.length !== n) {
    throw new ForecastError(
      'E_HISTORY',
      `EventSet arrays differ in length (cell ${history.cell.length}, tHours ${n}, incidentIndex ${history.incidentIndex.length})`,
      n,
    );
  }
  if (!Number.isFinite(history.originMs))
    throw new ForecastError('E_HISTORY', `EventSet originMs must be finite, got ${String(history.originMs)}`, history.originMs);
  const bg = backgroundByCell(fit, binHours);
  const trig = triggeredByCell(fit, history, startMs, hours, options);
  const cells = [...new Set([...bg.keys(), ...trig.keys()])].sort();
  const m = cells.length;
  const background = new Float64Array(m);
  const triggered = new Float64Array(m);
  const expected = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    background[k] = bg.get(cells[k]!) ?? 0;
    triggered[k] = trig.get(cells[k]!) ?? 0;
    expected[k] = background[k]! + triggered[k]!;
  }
  return { cells, expected, background, triggered };
}

/** r_n Σ_b h_n(b) H_b for every cell with a positive rate. O(cells · bins). */
function backgroundByCell(fit: EtasFit, binHours: Float64Array): Map<H3Cell, number> {
  const bg = new Map<H3Cell, number>();
  const B = binHours.length;
  for (const cell in fit.ratePerHour) {
    const r = fit.ratePerHour[cell]!;
    if (!(r >= 0) || !Number.isFinite(r))
      throw new ForecastError('E_FIT', `fit rate of cell ${cell} must be finite and ≥ 0, got ${String(r)}`, r);
    if (!(r > 0)) continue;
    let factor = 0;
    const h = fit.profile?.cells[cell];
    if (h === undefined) for (let b = 0; b < B; b++) factor += binHours[b]!;
    else for (let b = 0; b < B; b++) factor += h[b]! * binHours[b]!;
    bg.set(cell, r * factor);
  }
  return bg;
}

/**
 * The triggered part: the shift integral of every history event before s, summed per history
 * cell, then spread by the ring weights (w_0 to the cell, w_d / 6d to each cell at distance d).
 * O(N + history cells · (1 + 3K(K+1))).
 */
function triggeredByCell(fit: EtasFit, history: EventSet, startMs: number, hours: number, options: ForecastOptions): Map<H3Cell, number> {
  const trig = new Map<H3Cell, number>();
  const weights = fit.ringWeights;
  if (!(fit.theta > 0) || weights.length === 0) return trig;
  const sHours = (startMs - history.originMs) / HOUR_MS;
  const integral = shiftIntegral(fit.theta, fit.omegaPerHour, hours);
  const perCell = new Float64Array(history.cells.length);
  const n = history.tHours.length;
  for (let j = 0; j < n; j++) {
    const t = history.tHours[j]!;
    if (!(t < sHours)) continue; // strictly before s; NaN never counts
    const c = history.cell[j]!;
    if (!(c >= 0 && c < perCell.length))
      throw new ForecastError('E_HISTORY', `EventSet event ${j} has cell index ${c}, outside 0..${perCell.length - 1}`, c);
    perCell[c]! += integral(sHours - t);
  }
  const depth = weights.length - 1;
  const ringsOf = options.ringsOf ?? ringsFromGrid;
  for (let c = 0; c < perCell.length; c++) {
    const v = perCell[c]!;
    if (!(v > 0)) continue;
    const cell = history.cells[c]!;
    trig.set(cell, (trig.get(cell) ?? 0) + v * weights[0]!);
    if (depth === 0) continue;
    const rings = ringsOf(cell, depth);
    for (let d = 1; d <= depth; d++) {
      const share = (v * weights[d]!) / (6 * d);
      if (!(share > 0)) continue;
      for (const other of rings[d] ?? []) trig.set(other, (trig.get(other) ?? 0) + share);
    }
  }
  return trig;
}
