/**
 * Expected counts per cell for one shift from the "etas" model beyond 2015 (engine/model/plus):
 *
 *     E_n = r_n Σ_b h_n(b) H_b + Σ_d (w_d / n_d) Σ_{i at ring distance d from n, t_i < s} θ (e^{−ω(s − t_i)} − e^{−ω(s + H − t_i)})
 *
 * r_n the cell's background rate (recency-weighted when recency is on), h_n its profile, H_b the
 * hours of the shift [s, s + H) falling in bin b (on the zone's wall-clock calendar).
 */
import { binCalendar, binExposureHours, ringsFromGrid, checkPlusConfig, type EtasPlusFit } from '../model/plus/index.ts';
import type { CellForecast, EventSet, H3Cell } from '../types.ts';
import { ForecastError } from './errors.ts';

const HOUR_MS = 3_600_000;

/** Options of {@link forecastShiftPlus}. */
export interface PlusForecastOptions {
  /** Rings of a cell by distance (index 0 = the cell), e.g. a cache shared across shifts. Default: engine/grid. */
  readonly ringsOf?: (cell: H3Cell, depth: number) => readonly (readonly H3Cell[])[];
}

/**
 * Hours of the shift [startMs, startMs + hours·3.6e6) in each profile bin of the fit (one entry,
 * `hours`, without a profile). Cost O(days of the shift).
 * @throws {ForecastError} E_ARGUMENT for a non-finite start or hours ≤ 0
 */
export function shiftBinHours(fit: EtasPlusFit, startMs: number, hours: number): Float64Array {
  if (!Number.isFinite(startMs)) throw new ForecastError('E_ARGUMENT', `shift start must be a finite epoch ms, got ${String(startMs)}`, startMs);
  if (!Number.isFinite(hours) || hours <= 0) throw new ForecastError('E_ARGUMENT', `shift length must be a positive number of hours, got ${String(hours)}`, hours);
  const prof = fit.config.profile;
  if (prof === null || fit.profile === null) return Float64Array.of(hours);
  const endMs = startMs + hours * HOUR_MS;
  const cal = binCalendar(fit.tz!, prof.shiftStarts, prof.weekend, startMs, endMs);
  return binExposureHours(cal, startMs, endMs);
}

/**
 * The expected count of each cell over the shift [s, s + H) (module comment). Only history
 * events strictly before s count; an event at or after s has no influence at all.
 *
 * Cells: the union of the fit's cells with a positive rate, the history's cells and (with ring
 * spread) their ring neighbours, in sorted H3 order.
 *
 * Cost O(N + cells·bins + history cells · (1 + 3K(K+1))), O(cells) memory.
 * @throws {ForecastError} E_ARGUMENT (bad start or hours), E_FIT (bad parameters), E_HISTORY
 */
export function forecastShiftPlus(fit: EtasPlusFit, history: EventSet, startMs: number, hours: number, options: PlusForecastOptions = {}): CellForecast {
  const binHours = shiftBinHours(fit, startMs, hours);
  const { theta, omegaPerHour } = fit;
  if (!Number.isFinite(theta) || theta < 0) throw new ForecastError('E_FIT', `fit θ must be finite and ≥ 0, got ${String(theta)}`, theta);
  if (!Number.isFinite(omegaPerHour) || omegaPerHour <= 0) throw new ForecastError('E_FIT', `fit ω must be finite and > 0, got ${String(omegaPerHour)}`, omegaPerHour);
  const n = history.tHours.length;
  if (history.cell.length !== n || history.incidentIndex.length !== n) {
    throw new ForecastError('E_HISTORY', `EventSet arrays differ in length (cell ${history.cell.length}, tHours ${n}, incidentIndex ${history.incidentIndex.length})`, n);
  }
  const bg = new Map<H3Cell, number>();
  const B = binHours.length;
  for (const cell in fit.ratePerHour) {
    const r = fit.ratePerHour[cell]!;
    if (!(r >= 0) || !Number.isFinite(r)) throw new ForecastError('E_FIT', `fit rate of cell ${cell} must be finite and ≥ 0, got ${String(r)}`, r);
    if (!(r > 0)) continue;
    let factor = 0;
    const h = fit.profile?.cells[cell];
    if (h === undefined) for (let b = 0; b < B; b++) factor += binHours[b]!;
    else for (let b = 0; b < B; b++) factor += h[b]! * binHours[b]!;
    bg.set(cell, r * factor);
  }

  // Triggering: decayed sums per history cell, then spread by the ring weights.
  const trig = new Map<H3Cell, number>();
  const weights = fit.ringWeights;
  if (theta > 0 && weights.length > 0) {
    const sHours = (startMs - history.originMs) / HOUR_MS;
    const shiftFactor = -theta * Math.expm1(-omegaPerHour * hours);
    const perCell = new Float64Array(history.cells.length);
    for (let j = 0; j < n; j++) {
      const t = history.tHours[j]!;
      if (!(t < sHours)) continue;
      const c = history.cell[j]!;
      if (!(c >= 0 && c < perCell.length)) throw new ForecastError('E_HISTORY', `EventSet event ${j} has cell index ${c}, outside 0..${perCell.length - 1}`, c);
      perCell[c]! += shiftFactor * Math.exp(-omegaPerHour * (sHours - t));
    }
    const depth = weights.length - 1;
    const ringsOf = options.ringsOf ?? ringsFromGrid;
    for (let c = 0; c < perCell.length; c++) {
      const v = perCell[c]!;
      if (!(v > 0)) continue;
      const cell = history.cells[c]!;
      trig.set(cell, (trig.get(cell) ?? 0) + v * weights[0]!);
      if (depth > 0) {
        const rings = ringsOf(cell, depth);
        for (let d = 1; d <= depth; d++) {
          const share = (v * weights[d]!) / (6 * d);
          if (!(share > 0)) continue;
          for (const other of rings[d] ?? []) trig.set(other, (trig.get(other) ?? 0) + share);
        }
      }
    }
  }
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

/**
 * Checks a value (e.g. a fit read from JSON) has the fields a forecast uses: kind 'etas-plus',
 * version 1, finite θ ≥ 0, ω > 0, ring weights, rates ≥ 0, profile rows of the right length,
 * a zone when there is a profile. Returns it typed. Cost O(cells · bins).
 * @throws {ForecastError} E_FIT naming the offending field
 */
export function checkPlusFitForForecast(value: unknown): EtasPlusFit {
  const bad = (field: string, v: unknown, why: string): never => {
    throw new ForecastError('E_FIT', `fit field "${field}" ${why} (got ${JSON.stringify(v)?.slice(0, 80) ?? String(v)})`, v);
  };
  if (value === null || typeof value !== 'object') bad('(root)', value, 'must be an object: not a patrolcast fit');
  const f = value as Record<string, unknown>;
  if (f.kind !== 'etas-plus') bad('kind', f.kind, 'must be "etas-plus"');
  if (f.version !== 1) bad('version', f.version, 'must be 1');
  try {
    checkPlusConfig(f.config);
  } catch (err) {
    bad('config', f.config, `is not a valid configuration: ${(err as Error).message}`);
  }
  if (typeof f.theta !== 'number' || !Number.isFinite(f.theta) || f.theta < 0) bad('theta', f.theta, 'must be a finite number ≥ 0');
  if (typeof f.omegaPerHour !== 'number' || !Number.isFinite(f.omegaPerHour) || f.omegaPerHour <= 0) bad('omegaPerHour', f.omegaPerHour, 'must be a finite number > 0');
  if (!Array.isArray(f.ringWeights) || !f.ringWeights.every((w) => typeof w === 'number' && w >= 0 && Number.isFinite(w))) bad('ringWeights', f.ringWeights, 'must be a list of weights ≥ 0');
  if (typeof f.res !== 'number' || !Number.isInteger(f.res) || f.res < 0 || f.res > 15) bad('res', f.res, 'must be an H3 resolution 0..15');
  const w = f.window as Record<string, unknown> | null | undefined;
  if (!w || typeof w !== 'object' || typeof w.startMs !== 'number' || typeof w.endMs !== 'number' || !Number.isFinite(w.startMs) || !Number.isFinite(w.endMs)) {
    bad('window', w, 'must be {startMs, endMs} with finite epoch ms');
  }
  const rates = f.ratePerHour;
  if (rates === null || typeof rates !== 'object' || Array.isArray(rates)) bad('ratePerHour', rates, 'must be an object of cell → rate');
  for (const [cell, r] of Object.entries(rates as Record<string, unknown>)) {
    if (typeof r !== 'number' || !Number.isFinite(r) || r < 0) bad(`ratePerHour.${cell}`, r, 'must be a finite rate ≥ 0');
  }
  const config = (f.config ?? {}) as Record<string, unknown>;
  if (config.profile !== null) {
    if (typeof f.tz !== 'string') bad('tz', f.tz, 'must name the zone of the profile');
    const p = f.profile as Record<string, unknown> | null;
    if (!p || typeof p !== 'object' || !Array.isArray(p.labels)) bad('profile', p, 'must hold labels, exposureHours and cells');
    const B = (p!.labels as unknown[]).length;
    for (const [cell, row] of Object.entries((p!.cells ?? {}) as Record<string, unknown>)) {
      if (!Array.isArray(row) || row.length !== B || !row.every((x) => typeof x === 'number' && x >= 0 && Number.isFinite(x))) bad(`profile.cells.${cell}`, row, `must be ${B} multipliers ≥ 0`);
    }
  }
  return value as EtasPlusFit;
}
