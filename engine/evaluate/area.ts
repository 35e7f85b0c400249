/**
 * The study area of an evaluation and its districts: the cells every model ranks, their areas,
 * and the district of each cell (for the patrol boxes, top K per district).
 *
 * The study cells come either from a polygon the caller gives, or from the history alone (the
 * cells covering the convex hull of the incidents known before the first window, plus each one's
 * own cell): never from where the test incidents are, which would leak the answer.
 */
import type { H3Cell, Incident } from '../types.ts';
import { cellAreaKm2, districtsFromLabels, GridError, incidentCell, polygonsOf, studyArea, type AreaGeoJson } from '../grid/index.ts';
import { EvaluateError } from './errors.ts';

/** Most cells the study area may have before we refuse (filling more exhausts h3's memory). */
export const MAX_STUDY_CELLS = 10_000_000;

/** The study cells (ascending H3 ids: index order = H3 id order, so ties break by index) and their areas. */
export interface StudyCells {
  readonly cells: readonly H3Cell[];
  /** Study index of each study cell. */
  readonly index: ReadonlyMap<H3Cell, number>;
  /** Area of each study cell, km² (by index). */
  readonly cellAreaKm2: Float64Array;
  /** Σ cell areas, km². */
  readonly areaKm2: number;
  readonly meanCellAreaKm2: number;
  /** True when the cells are those of a given polygon (else built from the history). */
  readonly fromPolygon: boolean;
}

/** The district of each study cell, as an index into `names` (−1: none, never a patrol box). */
export interface Districts {
  /** District names, sorted; ['all'] when no cell has one. */
  readonly names: readonly string[];
  readonly ofCell: Int32Array;
  /** The district of each cell as given or derived (may hold cells outside the study area). */
  readonly byCell: ReadonlyMap<H3Cell, string>;
}

/** The study cells with their areas. O(C) h3 area calls. */
export function studyCellsOf(cells: readonly H3Cell[], fromPolygon: boolean): StudyCells {
  const C = cells.length;
  const index = new Map<H3Cell, number>();
  cells.forEach((c, i) => index.set(c, i));
  const area = new Float64Array(C);
  let total = 0;
  for (let i = 0; i < C; i++) {
    area[i] = cellAreaKm2(cells[i]!);
    total += area[i]!;
  }
  return { cells, index, cellAreaKm2: area, areaKm2: total, meanCellAreaKm2: total / C, fromPolygon };
}

/**
 * The study cells built from the history (module comment), after refusing one too large to fill.
 * @throws {EvaluateError} E_AREA when the history spans more than {@link MAX_STUDY_CELLS} cells
 */
export function historyStudyCells(history: readonly Incident[], res: number): StudyCells {
  guardStudyAreaSize(history, res, false);
  return studyCellsOf(studyArea({ res, incidents: history }).cells, false);
}

/**
 * Refuses, with a message saying why and what to do, a history whose bounding box would need
 * more than {@link MAX_STUDY_CELLS} cells: usually a few incidents geocoded far away (the shared
 * Houston file has points 800 km from Houston). The box's area bounds the convex hull's.
 */
function guardStudyAreaSize(points: Iterable<{ readonly lat: number; readonly lng: number }>, res: number, polygon: boolean): void {
  let minLat = Infinity,
    maxLat = -Infinity,
    minLng = Infinity,
    maxLng = -Infinity;
  for (const inc of points) {
    if (inc.lat < minLat) minLat = inc.lat;
    if (inc.lat > maxLat) maxLat = inc.lat;
    if (inc.lng < minLng) minLng = inc.lng;
    if (inc.lng > maxLng) maxLng = inc.lng;
  }
  const kmPerDeg = 111.32;
  const boxKm2 = (maxLat - minLat) * kmPerDeg * (maxLng - minLng) * kmPerDeg * Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180);
  // mean H3 cell area: 4.36 km² at res 7, one seventh per finer resolution
  const cellKm2 = 4.357449416 / 7 ** (res - 7);
  const cells = boxKm2 / cellKm2;
  if (!(cells > MAX_STUDY_CELLS)) return;
  const span = `latitudes ${minLat.toFixed(3)} to ${maxLat.toFixed(3)} and longitudes ${minLng.toFixed(3)} to ${maxLng.toFixed(3)} (up to ${Math.round(boxKm2).toLocaleString('en-US')} km², about ${Math.round(cells / 1e6)} million cells at res ${res}): too large a study area`;
  const advice = polygon
    ? 'give a smaller polygon or use a coarser resolution.'
    : "A few incidents are probably located far away; keep only the area of interest (the CLI's --bbox W,S,E,N) or use a coarser resolution.";
  throw new EvaluateError(
    'E_AREA',
    `${polygon ? 'the study polygon spans' : "the history's incidents span"} ${span}${polygon ? '; ' : '. '}${advice}`,
    { minLat, maxLat, minLng, maxLng },
  );
}

/** The vertices of a study polygon as points (for {@link guardStudyAreaSize}). */
function* polygonVertices(area: AreaGeoJson): Generator<{ lat: number; lng: number }> {
  for (const poly of polygonsOf(area)) for (const ring of poly) for (const [lng, lat] of ring) yield { lat: lat!, lng: lng! };
}

/**
 * The study cells of a polygon and the incidents split by whether their cell is one.
 * @throws {EvaluateError} E_AREA (not a (Multi)Polygon, too large, or no cell centre inside)
 */
export function polygonStudyCells(
  polygon: AreaGeoJson,
  res: number,
  incidents: readonly Incident[],
): { study: StudyCells; inside: Incident[]; outside: Incident[] } {
  let cells: H3Cell[];
  try {
    guardStudyAreaSize(polygonVertices(polygon), res, true);
    cells = studyArea({ res, polygon }).cells;
  } catch (err) {
    if (err instanceof GridError) throw new EvaluateError('E_AREA', `study polygon: ${err.message}`, err.value);
    throw err;
  }
  if (cells.length === 0) {
    throw new EvaluateError(
      'E_AREA',
      `the study polygon contains no cell centre at H3 resolution ${res}: give a larger polygon or a finer resolution`,
      null,
    );
  }
  const inArea = new Set(cells);
  const inside: Incident[] = [];
  const outside: Incident[] = [];
  for (const inc of incidents) (inArea.has(incidentCell(inc.lat, inc.lng, res)) ? inside : outside).push(inc);
  return { study: studyCellsOf(cells, true), inside, outside };
}

/**
 * The district of each study cell: from `given` (a map, or a function of the study cells), else
 * from the history incidents' labels; one district 'all' when no study cell has one. Returns
 * the note the report carries about cells without a district (or about 'all').
 */
export function districtsOf(
  cells: readonly H3Cell[],
  given: ReadonlyMap<H3Cell, string> | ((studyCells: readonly H3Cell[]) => ReadonlyMap<H3Cell, string>) | undefined,
  history: readonly Incident[],
  res: number,
): { districts: Districts; note: string | null } {
  const byCell = typeof given === 'function' ? given(cells) : (given ?? districtsFromLabels(history, res));
  const names = [...new Set(cells.map((c) => byCell.get(c)).filter((d): d is string => d !== undefined))].sort();
  const C = cells.length;
  const ofCell = new Int32Array(C);
  if (names.length === 0) {
    return {
      districts: { names: ['all'], ofCell, byCell },
      note: 'No district labels: the top-K boxes are taken over the whole study area as one district.',
    };
  }
  const dIndex = new Map(names.map((d, i) => [d, i]));
  let unlabelled = 0;
  for (let i = 0; i < C; i++) {
    const d = byCell.get(cells[i]!);
    ofCell[i] = d === undefined ? -1 : dIndex.get(d)!;
    if (d === undefined) unlabelled++;
  }
  const note =
    unlabelled > 0
      ? `${unlabelled} of ${C} study cells have no district (${given ? 'none given for them' : 'no history incident carries a label there'}) and are never patrol boxes.`
      : null;
  return { districts: { names, ofCell, byCell }, note };
}
