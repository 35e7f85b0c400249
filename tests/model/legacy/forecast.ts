/**
 * Expected counts per cell for one shift (docs/model.md#forecast; Mohler et al.
 * 2015, the integral of the conditional intensity over the shift).
 */
import type { CellForecast, EtasFit, EventSet, H3Cell } from './types.ts';
import { ForecastError } from '../../../engine/forecast/errors.ts';

const HOUR_MS = 3_600_000;

/**
 * Checks that a value (e.g. a fit loaded from JSON) has the fields a forecast uses, with sane
 * values: kind 'etas-2015', version 1, 0 ≤ θ (finite), ω > 0 (finite), every μ finite and ≥ 0,
 * an integer `res`, a finite training window. Returns it typed.
 * Cost O(cells).
 * @throws {ForecastError} E_FIT naming the offending field
 */
export function checkFitForForecast(value: unknown): EtasFit {
  const bad = (field: string, v: unknown, why: string): never => {
    throw new ForecastError('E_FIT', `fit field "${field}" ${why} (got ${JSON.stringify(v) ?? String(v)})`, v);
  };
  if (value === null || typeof value !== 'object') bad('(root)', value, 'must be an object: not a patrolcast fit');
  const f = value as Record<string, unknown>;
  if (f.kind !== 'etas-2015') bad('kind', f.kind, 'must be "etas-2015": not a patrolcast fit');
  if (f.version !== 1) bad('version', f.version, 'must be 1');
  if (typeof f.theta !== 'number' || !Number.isFinite(f.theta) || f.theta < 0) bad('theta', f.theta, 'must be a finite number ≥ 0');
  if (typeof f.omegaPerHour !== 'number' || !Number.isFinite(f.omegaPerHour) || f.omegaPerHour <= 0) {
    bad('omegaPerHour', f.omegaPerHour, 'must be a finite number > 0');
  }
  if (typeof f.res !== 'number' || !Number.isInteger(f.res) || f.res < 0 || f.res > 15) bad('res', f.res, 'must be an H3 resolution 0..15');
  const w = f.window as Record<string, unknown> | null | undefined;
  if (
    !w ||
    typeof w !== 'object' ||
    typeof w.startMs !== 'number' ||
    typeof w.endMs !== 'number' ||
    !Number.isFinite(w.startMs) ||
    !Number.isFinite(w.endMs)
  ) {
    bad('window', w, 'must be {startMs, endMs} with finite epoch ms');
  }
  const mu = f.muPerHour;
  if (mu === null || typeof mu !== 'object' || Array.isArray(mu)) bad('muPerHour', mu, 'must be an object of cell → rate');
  for (const [cell, rate] of Object.entries(mu as Record<string, unknown>)) {
    if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0) bad(`muPerHour.${cell}`, rate, 'must be a finite rate ≥ 0');
  }
  return value as EtasFit;
}

function isSorted(xs: readonly string[]): boolean {
  for (let i = 1; i < xs.length; i++) if (!(xs[i - 1]! < xs[i]!)) return false;
  return true;
}

/**
 * The expected count of each cell over the shift [s, s + H):
 *
 *     E_n = μ_n H + Σ_{i in n, t_i < s} θ (exp(−ω (s − t_i)) − exp(−ω (s + H − t_i)))
 *
 * the integral of λ_n over the shift when no events happen inside it (docs/model.md#forecast). Only
 * history events strictly before s count: an event at or after s has no influence at all.
 *
 * Cells: the union of the cells with μ > 0 in the fit and the cells of `history`, in sorted
 * H3 order (a cell in neither has E = 0 and is left out). `background[k] = μ·H`,
 * `triggered[k]` the sum, `expected[k]` their total.
 *
 * Cost O(N + cells) time (plus a sort of the fit's cells if they are not already sorted),
 * O(cells) memory.
 *
 * @param fit fitted parameters (θ, ω per hour, μ per hour per cell)
 * @param history past events (any time range; only t < s is used), times in hours since
 *   `history.originMs`
 * @param startMs the shift start s, epoch ms
 * @param hours the shift length H in real hours (a ShiftWindow's `hours`)
 * @throws {ForecastError} E_ARGUMENT (non-finite start, hours ≤ 0), E_FIT (bad parameters),
 *   E_HISTORY (malformed EventSet)
 * @example
 * // θ = 0.5, ω = ln 2 per hour, μ = 0.1 per hour, one event 1 h before an 8-hour shift:
 * // 0.1·8 + 0.5·(2^−1 − 2^−9) = 0.8 + 0.2490234375
 * forecastShift(fit, history, sMs, 8).expected[0] // => 1.0490234375
 */
export function forecastShift(fit: EtasFit, history: EventSet, startMs: number, hours: number): CellForecast {
  if (!Number.isFinite(startMs))
    throw new ForecastError('E_ARGUMENT', `shift start must be a finite epoch ms, got ${String(startMs)}`, startMs);
  if (!Number.isFinite(hours) || hours <= 0)
    throw new ForecastError('E_ARGUMENT', `shift length must be a positive number of hours, got ${String(hours)}`, hours);
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

  // The fit's cells with μ > 0, sorted; then a merge with the history's (sorted) cells.
  const mu = fit.muPerHour;
  let muCells: H3Cell[] = [];
  for (const c in mu) {
    const rate = mu[c]!;
    if (!(rate >= 0) || !Number.isFinite(rate))
      throw new ForecastError('E_FIT', `fit μ of cell ${c} must be finite and ≥ 0, got ${String(rate)}`, rate);
    if (rate > 0) muCells.push(c);
  }
  if (!isSorted(muCells)) muCells = muCells.sort();
  let histCells = history.cells;
  let histRemap: Int32Array | null = null; // history cell index → position in sorted histCells
  if (!isSorted(histCells)) {
    const order = histCells.map((_, i) => i).sort((a, b) => (histCells[a]! < histCells[b]! ? -1 : histCells[a]! > histCells[b]! ? 1 : 0));
    const sorted = order.map((i) => histCells[i]!);
    histRemap = new Int32Array(histCells.length);
    order.forEach((orig, pos) => (histRemap![orig] = pos));
    histCells = sorted;
  }

  const cells: H3Cell[] = [];
  const histToOut = new Int32Array(histCells.length);
  let a = 0;
  let b = 0;
  while (a < muCells.length || b < histCells.length) {
    const ca = muCells[a];
    const cb = histCells[b];
    if (cb === undefined || (ca !== undefined && ca < cb)) {
      cells.push(ca!);
      a++;
    } else {
      if (ca === cb) a++;
      else if (b > 0 && histCells[b - 1] === cb) throw new ForecastError('E_HISTORY', `EventSet lists cell ${cb} twice`, cb);
      histToOut[b] = cells.length;
      cells.push(cb);
      b++;
    }
  }

  const m = cells.length;
  const background = new Float64Array(m);
  const triggered = new Float64Array(m);
  const expected = new Float64Array(m);
  for (let k = 0; k < m; k++) background[k] = (mu[cells[k]!] ?? 0) * hours;

  if (theta > 0) {
    const sHours = (startMs - history.originMs) / HOUR_MS;
    // θ (e^{−ω(s−t)} − e^{−ω(s+H−t)}) = θ e^{−ω(s−t)} (1 − e^{−ωH}); expm1 keeps small ωH exact.
    const shiftFactor = -theta * Math.expm1(-omegaPerHour * hours);
    const { cell, tHours } = history;
    const nCells = histCells.length;
    for (let j = 0; j < n; j++) {
      const t = tHours[j]!;
      if (!(t < sHours)) continue; // strictly before s; NaN never counts
      const c = cell[j]!;
      if (c < 0 || c >= nCells)
        throw new ForecastError('E_HISTORY', `EventSet event ${j} has cell index ${c}, outside 0..${nCells - 1}`, c);
      const k = histToOut[histRemap === null ? c : histRemap[c]!]!;
      triggered[k] = triggered[k]! + shiftFactor * Math.exp(-omegaPerHour * (sHours - t));
    }
  }
  for (let k = 0; k < m; k++) expected[k] = background[k]! + triggered[k]!;
  return { cells, expected, background, triggered };
}
