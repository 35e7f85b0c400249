/**
 * Patrol boxes: the top K cells per district for a shift, each with its own explanation
 * (docs/model.md#explanations: background part μH, triggered part, and the past incidents contributing most).
 */
import type { Feature, FeatureCollection, Polygon } from 'geojson';
import { cellCenter, cellsOutlineLngLat, cellToFeature } from '../grid/index.ts';
import type { CellForecast, EventSet, H3Cell, Incident, PatrolBox } from '../types.ts';
import { ForecastError } from './errors.ts';
import { contributorFinder, eventsByGridCell, type EventsByCell } from './contributors.ts';
import { placeFinder } from './place.ts';
import { reasonFinder, reasonWindow } from './reason.ts';
import { compareCells, rankCells } from './rank.ts';

/** The district name given to cells whose `districtOf` is null (when they are kept). */
export const NO_DISTRICT = '(none)';
/** Default boxes per district (PredPol's number). */
export const DEFAULT_TOP = 20;
/** Default number of contributing incidents listed per box. */
export const DEFAULT_MAX_CONTRIBUTORS = 3;
export { MIN_CONTRIBUTOR_SHARE } from './contributors.ts';

/** Options of {@link patrolBoxes}. */
export interface PatrolBoxOptions {
  /** Boxes per district (default 20). */
  readonly top?: number;
  /** The district of a cell, or null when it has none. */
  readonly districtOf: (cell: H3Cell) => string | null;
  /**
   * What to do with cells whose district is null: 'group' (default) ranks them together as the
   * district "(none)", so nothing is silently dropped; 'drop' leaves them out (e.g. cells outside
   * the force's district polygons).
   */
  readonly unassigned?: 'group' | 'drop';
  /**
   * θ and ω of the same-cell triggering that explains a box's recent incidents: engine/model
   * `contributorParams(fit)` (θ·w_0 of the fit the forecast was made from).
   */
  readonly contributorParams: { readonly theta: number; readonly omegaPerHour: number };
  /** The history the forecast was made from (for the contributing incidents). */
  readonly history: EventSet;
  /** The incidents `history` was built from (`history.incidentIndex` points into them). */
  readonly incidents: readonly Incident[];
  /** The shift [startMs, startMs + hours·3.6e6) the forecast is for. */
  readonly startMs: number;
  readonly hours: number;
  /** Contributing incidents listed per box (default 3). */
  readonly maxContributors?: number;
  /**
   * The IANA zone of the shift's wall clock: with it each box gets its `reason` and
   * `reasonCounts` (reason.ts: which incidents lie on the same shift of their day); without it
   * neither is set.
   */
  readonly tz?: string;
}

/**
 * The reason finder of a shift's boxes (reason.ts), or a finder of nothing without a zone.
 * @throws {TimeZoneError} E_TIMEZONE
 */
export function boxReasons(
  options: PatrolBoxOptions,
  byCell: EventsByCell,
): (cells: readonly H3Cell[]) => Partial<Pick<PatrolBox, 'reason' | 'reasonCounts'>> {
  if (options.tz === undefined) return () => ({});
  return reasonFinder(options.history, options.incidents, byCell, reasonWindow(options.startMs, options.hours, options.tz));
}

function checkCount(name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new ForecastError('E_ARGUMENT', `${name} must be an integer ≥ ${min}, got ${String(v)}`, v);
}

/** The checked settings of {@link patrolBoxes} (and of the placed boxes): top, maxContributors, unassigned. */
export function boxSettings(options: PatrolBoxOptions): { top: number; maxContributors: number; unassigned: 'group' | 'drop' } {
  const top = options.top ?? DEFAULT_TOP;
  const maxContributors = options.maxContributors ?? DEFAULT_MAX_CONTRIBUTORS;
  const unassigned = options.unassigned ?? 'group';
  checkCount('top', top, 1);
  checkCount('maxContributors', maxContributors, 0);
  if (unassigned !== 'group' && unassigned !== 'drop') {
    throw new ForecastError('E_ARGUMENT', `unassigned must be 'group' or 'drop', got ${String(unassigned)}`, unassigned);
  }
  const { startMs, hours } = options;
  if (!Number.isFinite(startMs) || !Number.isFinite(hours) || hours <= 0) {
    throw new ForecastError('E_ARGUMENT', `shift must have a finite start and positive hours, got ${String(startMs)}, ${String(hours)}`, [
      startMs,
      hours,
    ]);
  }
  return { top, maxContributors, unassigned };
}

/**
 * The patrol boxes for one shift: in each district, its K cells with the highest expected count
 * (cells with an expected count of 0 are never boxes, so a district with fewer positive cells
 * gets fewer boxes). Ranks and ties follow {@link rankCells} (expected count descending, then H3
 * id ascending). Output: districts in name order (code units; "(none)" last), boxes by rank.
 *
 * Each box carries its background part and triggered part with their shares of the expected
 * count, and up to `maxContributors` past incidents of the cell with the largest contributions
 * θ(e^{−ω(s−t_i)} − e^{−ω(s+H−t_i)}) (i.e. the most recent ones; equal times by incident index),
 * each at least {@link MIN_CONTRIBUTOR_SHARE} of the box's expected count, and its place in
 * words from its history incidents' location text (place.ts placeFinder), and, given `tz`, its
 * reason in words from counts of those incidents (reason.ts).
 *
 * Cost O(m log m) for m forecast cells, plus O(log N + e) per box for a cell with e events.
 * @throws {ForecastError} E_ARGUMENT (bad top/maxContributors/shift), E_HISTORY (incidents do not
 *   match the EventSet)
 */
export function patrolBoxes(forecast: CellForecast, options: PatrolBoxOptions): PatrolBox[] {
  const { top, maxContributors, unassigned } = boxSettings(options);
  const perDistrict = pickBoxes(forecast, top, options.districtOf, unassigned);
  const byCell = eventsByGridCell(options.history);
  const contributorsOf = contributorFinder(options, maxContributors, byCell);
  const placeOf = placeFinder(options.history, options.incidents, byCell);
  const reasonOf = boxReasons(options, byCell);
  const names = [...perDistrict.keys()].sort((a, b) => (a === NO_DISTRICT ? 1 : b === NO_DISTRICT ? -1 : compareCells(a, b)));
  const boxes: PatrolBox[] = [];
  for (const district of names) {
    for (const { index, rank } of perDistrict.get(district)!) {
      const expected = forecast.expected[index]!;
      const background = forecast.background[index]!;
      const triggered = forecast.triggered[index]!;
      const h3 = forecast.cells[index]!;
      boxes.push({
        h3,
        district,
        rank,
        expected,
        background,
        triggered,
        backgroundShare: background / expected,
        triggeredShare: triggered / expected,
        contributors: contributorsOf([h3], expected),
        ...placeOf([h3], h3, district),
        ...reasonOf([h3]),
      });
    }
  }
  return boxes;
}

/** The boxes of each district: walks the global ranking once, filling each district up to `top`. O(m log m). */
function pickBoxes(
  forecast: CellForecast,
  top: number,
  districtOf: (cell: H3Cell) => string | null,
  unassigned: 'group' | 'drop',
): Map<string, { index: number; rank: number }[]> {
  const perDistrict = new Map<string, { index: number; rank: number }[]>();
  for (const k of rankCells(forecast.cells, forecast.expected)) {
    if (!(forecast.expected[k]! > 0)) break; // ranked descending: the rest are 0 too
    const cell = forecast.cells[k]!;
    let district = districtOf(cell);
    if (district === null || district === undefined) {
      if (unassigned === 'drop') continue;
      district = NO_DISTRICT;
    }
    let list = perDistrict.get(district);
    if (!list) perDistrict.set(district, (list = []));
    if (list.length < top) list.push({ index: k, rank: list.length + 1 });
  }
  return perDistrict;
}

function sig(x: number, digits = 3): string {
  return String(Number(x.toPrecision(digits)));
}

/** An age in words: "40 min", "5 h", "3.2 days". */
export function formatAge(ageHours: number): string {
  if (ageHours < 1) return `${Math.max(1, Math.round(ageHours * 60))} min`;
  if (ageHours < 48) return `${ageHours < 10 ? sig(ageHours, 2) : String(Math.round(ageHours))} h`;
  return `${sig(ageHours / 24, 2)} days`;
}

function pct(share: number): string {
  const p = share * 100;
  return p > 0 && p < 1 ? '<1%' : p < 100 && p > 99 ? '>99%' : `${Math.round(p)}%`;
}

/**
 * One box in plain words, e.g.
 * "mostly triggered (64%) by recent incidents in this box, largest: Theft from Vehicle #17 5 h ago (+0.21), …; 36% background rate",
 * "mostly background rate (97%); 3% from recent incidents in this box, largest: Mischief #9 30 min ago (+0.004)",
 * "background rate (>99%); older incidents in this box add <1%" (none large enough to name),
 * or "background rate only: no earlier incident in this box still counts".
 */
export function explainBox(box: PatrolBox): string {
  const listed = box.contributors
    .map(
      (c) =>
        `${c.category ?? 'incident'}${c.incidentId !== null ? ` #${c.incidentId}` : ''} ${formatAge(c.ageHours)} ago (+${sig(c.contribution, 2)})`,
    )
    .join(', ');
  if (!(box.triggered > 0)) return 'background rate only: no earlier incident in this box still counts';
  if (listed === '') return `background rate (${pct(box.backgroundShare)}); older incidents in this box add ${pct(box.triggeredShare)}`;
  const from = `recent incidents in this box, largest: ${listed}`;
  if (box.triggeredShare >= 0.5) {
    return `mostly triggered (${pct(box.triggeredShare)}) by ${from}; ${pct(box.backgroundShare)} background rate`;
  }
  return `mostly background rate (${pct(box.backgroundShare)}); ${pct(box.triggeredShare)} from ${from}`;
}

/** Properties of one box Feature in {@link boxesToGeoJSON}: the box, its explanation in words, and any extra properties. */
export type BoxProperties = PatrolBox & { readonly explanation: string; readonly [extra: string]: unknown };

/**
 * The boxes as an RFC 7946 FeatureCollection: one Polygon Feature per box (the hexagon of a
 * grid box, the outline of the seven cells of a placed box; [lng, lat], closed counter-clockwise
 * ring; a placed box's properties also list its `cells`; a box with a place has `place` and
 * `placeDetail`, one with a reason `reason` and `reasonCounts`), properties as in {@link BoxProperties} plus
 * `extra` (e.g. the shift label), which never overrides a box's own fields. Cost O(boxes).
 */
export function boxesToGeoJSON(
  boxes: readonly PatrolBox[],
  extra: Readonly<Record<string, unknown>> = {},
): FeatureCollection<Polygon, BoxProperties> {
  const features: Feature<Polygon, BoxProperties>[] = boxes.map((b) => {
    const properties: BoxProperties = {
      ...extra,
      h3: b.h3,
      ...(b.cells !== undefined ? { cells: [...b.cells] } : {}),
      district: b.district,
      rank: b.rank,
      ...(b.place !== undefined ? { place: b.place } : {}),
      ...(b.placeDetail !== undefined ? { placeDetail: b.placeDetail } : {}),
      ...(b.reason !== undefined ? { reason: b.reason } : {}),
      ...(b.reasonCounts !== undefined
        ? { reasonCounts: { ...b.reasonCounts, categories: b.reasonCounts.categories.map((c) => ({ ...c })) } }
        : {}),
      expected: b.expected,
      background: b.background,
      triggered: b.triggered,
      backgroundShare: b.backgroundShare,
      triggeredShare: b.triggeredShare,
      contributors: b.contributors.map((c) => ({ ...c })),
      explanation: explainBox(b),
    };
    // A placed box is drawn as the outline of its seven cells; a grid box as its hexagon.
    if (b.cells === undefined) return cellToFeature<BoxProperties>(b.h3, properties);
    return { type: 'Feature', geometry: { type: 'Polygon', coordinates: [cellsOutlineLngLat(b.cells)] }, properties };
  });
  return { type: 'FeatureCollection', features };
}

const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV cell (RFC 4180 quoting), safe to open in a spreadsheet: a text cell starting with
 * `=`, `+`, `-`, `@`, tab or CR would be run as a formula (CSV injection), so, by the OWASP
 * rule, it gets a leading single quote and is quoted. Numbers are written as they are (-0.5
 * stays a number): only text is neutralised. Every CSV writer goes through this.
 */
export function csvCell(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return String(v);
  if (FORMULA_START.test(v)) return `"'${v.replace(/"/g, '""')}"`;
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/**
 * The boxes as CSV (header row, LF line ends, RFC 4180 quoting, text cells neutralised against
 * formulas by csvCell): the `extra` columns first
 * (same value on every row), then district, rank, place (PatrolBox.place; empty when unset), reason
 * (PatrolBox.reason, the counts in words; empty when unset), h3, lat, lng (the centre of the box's centre
 * cell h3), cells (the box's cells joined by a space: h3 alone for a grid box), expected,
 * background, triggered, background_share, triggered_share (6 significant digits),
 * contributors ("category #id, 5.0 h, +0.0123" joined by "; ") and explanation.
 */
export function boxesToCsv(boxes: readonly PatrolBox[], extra: Readonly<Record<string, string | number>> = {}): string {
  const extraKeys = Object.keys(extra);
  const header = [
    ...extraKeys,
    'district',
    'rank',
    'place',
    'reason',
    'h3',
    'lat',
    'lng',
    'cells',
    'expected',
    'background',
    'triggered',
    'background_share',
    'triggered_share',
    'contributors',
    'explanation',
  ];
  const num = (x: number): string => String(Number(x.toPrecision(6)));
  const rows = [header.map(csvCell).join(',')];
  for (const b of boxes) {
    const { lat, lng } = cellCenter(b.h3);
    const contributors = b.contributors
      .map(
        (c) =>
          `${c.category ?? 'incident'}${c.incidentId !== null ? ` #${c.incidentId}` : ''}, ${c.ageHours.toFixed(1)} h, +${num(c.contribution)}`,
      )
      .join('; ');
    // Text through csvCell (quoted, formulas neutralised); numbers written as they are.
    const row = [
      ...extraKeys.map((k) => csvCell(extra[k])),
      csvCell(b.district),
      String(b.rank),
      csvCell(b.place),
      csvCell(b.reason),
      csvCell(b.h3),
      lat.toFixed(6),
      lng.toFixed(6),
      csvCell((b.cells ?? [b.h3]).join(' ')),
      num(b.expected),
      num(b.background),
      num(b.triggered),
      num(b.backgroundShare),
      num(b.triggeredShare),
      csvCell(contributors),
      csvCell(explainBox(b)),
    ];
    rows.push(row.join(','));
  }
  return `${rows.join('\n')}\n`;
}
