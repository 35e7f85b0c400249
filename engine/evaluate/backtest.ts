/**
 * The rolling-origin backtest: replay shift after shift, let every model forecast each shift from
 * what was known before it started, and score the forecasts on what happened in it.
 *
 * Leakage rule (see timing.ts): a model forecasting the window [s, e) sees an incident only when
 * the incident's whole time period ended at or before s. ETAS is refitted on a schedule (default
 * every day, warm-started from the previous fit) on the incidents known at the refit instant,
 * which is itself a shift start; between refits its forecasts still use every incident known
 * before each shift (the triggering part), with the parameters of the last fit.
 *
 * Cost: O(N log N) to prepare (N incidents), then per shift O(C log C) per ranking model
 * (C study cells) plus the events entering the baselines' windows; ETAS adds its fits and an
 * O(N) forecast per shift.
 */
import type { EtasFitOptions, EventSet, H3Cell, Incident } from '../types.ts';
import {
  buildEventSet,
  cellAreaKm2,
  gridDistance,
  incidentCell,
  neighboursWithinKm,
  polygonsOf,
  studyArea,
  districtsFromLabels,
  GridError,
  type AreaGeoJson,
} from '../grid/index.ts';
import { checkEtasConfig, describeEtasConfig, ETAS_2015, ETAS_DEFAULTS, fitEtas, hasUnknownTimeOfDay, withFitOptions, type EtasConfig, type EtasFit } from '../model/index.ts';
import { forecastShift, shiftWindows } from '../forecast/index.ts';
import { EtasRollingModel } from './tuneRunner.ts';
import { seededRandom } from '../random.ts';
import {
  KernelScorer,
  naiveKernel,
  prospectiveKernel,
  randomOrder,
  retroKernel,
  selfNeighbourhood,
  PROSPECTIVE_RADIUS_KM,
  type KernelSpec,
  type Neighbourhood,
  type TrainingStream,
} from './baselines.ts';
import { bootstrapMean, bootstrapRatio, pairedBootstrap, type BootstrapOptions, type Interval, type PairedDifference } from './bootstrap.ts';
import { EvaluateError } from './errors.ts';
import {
  bestPossibleHits,
  cellsForArea,
  cellsForCoverage,
  hitsAtK,
  logScoreVsUniform,
  topIndices,
  topKPerDistrict,
  topKPerDistrictFromScores,
  LOG_SCORE_UNIFORM_WEIGHT,
} from './metrics.ts';
import { fitRecord, type BacktestReport, type FitRecord, type ModelSummary, type PairedDiffs, type PerShiftModel } from './report.ts';
import { monthWindows, periodEndMs, type EvalWindow } from './timing.ts';
import { upperBound } from '../search.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Every model the backtest knows, in report order. */
export const BACKTEST_MODELS = ['etas', 'etas-2015', 'naive-28', 'naive-365', 'naive-all', 'retro', 'prospective', 'random', 'oracle'] as const;
export type BacktestModelName = (typeof BACKTEST_MODELS)[number];

/** Defaults of {@link backtest}. */
export const BACKTEST_DEFAULTS = {
  shiftStarts: ['06:00', '14:00', '22:00'],
  shiftHours: 8,
  refitEveryDays: 1,
  flaggedKm2: [0.5, 1, 2, 5],
  coverage: [0.01, 0.05, 0.1],
  top: 20,
  seed: 1,
  bootstrapResamples: 1000,
} as const;

/**
 * A model from outside engine/evaluate (e.g. a tuned ETAS variant) run beside the built-in ones.
 * Per window it receives only what was known before the window started, so the leakage rule
 * holds for it too.
 */
export interface BacktestModelPlugin {
  /** Report name; must not clash with a built-in model. */
  readonly name: string;
  /** True when the scores are expected counts in the window (the report then gives its RRI). */
  readonly countsForecast: boolean;
  /**
   * Scores for one window. `history` holds the incidents known at or before the window start
   * (periodEnd ≤ startMs), binned at the run's resolution, times in hours since its originMs.
   * Cells absent from `cells` score 0; cells outside the study area are ignored.
   */
  forecast(window: EvalWindow, history: EventSet, context: { readonly res: number; readonly tz: string; readonly windowIndex: number }): {
    readonly cells: readonly H3Cell[];
    readonly scores: ArrayLike<number>;
  };
}

export interface BacktestInput {
  readonly incidents: readonly Incident[];
  readonly res: number;
  /** First shift starts at or after this instant (epoch ms). */
  readonly fromMs: number;
  /** Last shift starts before this instant. */
  readonly toMs: number;
  /** IANA zone of the shifts (and of local days and months). */
  readonly tz: string;
  /** Local shift start times "HH:MM" (default 06:00, 14:00, 22:00). */
  readonly shiftStarts?: readonly string[];
  /** Shift length in hours (default 8). Refused in month mode. */
  readonly shiftHours?: number;
  /** Month mode: the windows are calendar months (for month-precision data). */
  readonly months?: boolean;
  /** ETAS refit interval in days (default 1; in month mode ETAS is refitted every month regardless). */
  readonly refitEveryDays?: number;
  /** Models to run (default all of {@link BACKTEST_MODELS}). */
  readonly models?: readonly string[];
  readonly flaggedKm2?: readonly number[];
  readonly coverage?: readonly number[];
  /** Patrol boxes per district (default 20). */
  readonly top?: number;
  /** Keeps an incident for training and scoring (e.g. a category filter). */
  readonly include?: (inc: Incident) => boolean;
  /** Overrides of the `etas-2015` preset (engine/model ETAS_2015): bounds, fixed values, EM limits. */
  readonly fitOptions?: EtasFitOptions;
  /**
   * Configuration of `etas` (engine/model: recency, shift-type profiles, triggering); default
   * ETAS_DEFAULTS. In month mode its profile is switched off.
   */
  readonly etasConfig?: EtasConfig;
  /** Seed of the random baseline and of the bootstrap (default 1). */
  readonly seed?: number;
  /**
   * District of each cell, or a function giving it for the study cells (ascending H3 ids), e.g.
   * `(cells) => districtsFromPolygons(fc, cells)`; study cells without a district are never
   * patrol boxes. Default: from the history incidents' labels, or one district for all cells
   * when no incident has a label.
   */
  readonly districtOf?: ReadonlyMap<H3Cell, string> | ((studyCells: readonly H3Cell[]) => ReadonlyMap<H3Cell, string>);
  /**
   * The study area as a GeoJSON Polygon or MultiPolygon (bare, as a Feature or as a
   * FeatureCollection): the study cells are the cells whose centres lie inside it (engine/grid
   * `studyArea({ res, polygon })`). Incidents in other cells are not trained on by any model;
   * those of the test period are still scored, as incidents outside the study area that no model
   * can catch (`eventsOutsideArea`). Default: the cells covering the convex hull of the history's
   * incidents plus each history incident's own cell.
   */
  readonly studyPolygon?: AreaGeoJson;
  /** Bootstrap resamples (default 1000). */
  readonly bootstrapResamples?: number;
  /** Extra models, run after the built-in ones named in `models`. */
  readonly plugins?: readonly BacktestModelPlugin[];
  /** The model the paired differences are taken against (default 'etas' when run, else none). */
  readonly reference?: string;
}

export interface BacktestHooks {
  onProgress?(done: number, total: number): void;
  shouldCancel?(): boolean;
  /** A clock in milliseconds (e.g. performance.now), only to report wallSeconds. */
  now?(): number;
  /**
   * Sees every forecast as it is scored: the study cells (ascending H3 ids), the window, the model
   * and its score per cell (its own ranking too, for the random baseline). For audits and tests;
   * the arrays must not be kept or modified (they may be reused).
   */
  onForecast?(info: { readonly windowIndex: number; readonly window: EvalWindow; readonly model: string; readonly cells: readonly H3Cell[]; readonly scores: Float64Array; readonly order?: Int32Array }): void;
}

/** What a model hands back for one window: a score per study cell, and optionally its own order. */
interface ModelForecast {
  readonly scores: Float64Array;
  /** An explicit ranking (the random baseline); otherwise the scores are ranked. */
  readonly order?: Int32Array;
  /** Multiply scores by this to get expected events in the window (null: scores are not counts). */
  readonly countScale: number | null;
}

interface ModelRunner {
  readonly name: string;
  forecast(w: EvalWindow, windowIndex: number, actualCounts: Float64Array): ModelForecast;
}

function fail(message: string, value?: unknown): never {
  throw new EvaluateError('E_ARGUMENT', message, value);
}

function checkInput(input: BacktestInput): void {
  if (!Array.isArray(input.incidents)) fail('incidents must be an array');
  if (!Number.isInteger(input.res) || input.res < 0 || input.res > 15) fail(`res must be an integer 0..15, got ${String(input.res)}`, input.res);
  if (!Number.isFinite(input.fromMs) || !Number.isFinite(input.toMs) || !(input.fromMs < input.toMs)) {
    fail(`the test period must have from < to (got ${String(input.fromMs)}, ${String(input.toMs)})`);
  }
  if (input.months && input.shiftHours !== undefined) {
    fail('month mode forecasts calendar months: shift hours cannot be set with it (drop the shift length, or drop month mode for minute-precise data)');
  }
  if (input.months && input.shiftStarts !== undefined) fail('month mode forecasts calendar months: shift starts cannot be set with it');
  if (input.shiftHours !== undefined && !(input.shiftHours > 0 && input.shiftHours <= 24 * 31)) fail(`shift hours must be positive, got ${String(input.shiftHours)}`);
  if (input.refitEveryDays !== undefined && !(input.refitEveryDays > 0)) fail(`refit interval must be a positive number of days, got ${String(input.refitEveryDays)}`);
  for (const a of input.flaggedKm2 ?? []) if (!(a > 0) || !Number.isFinite(a)) fail(`flagged areas must be positive km², got ${String(a)}`, a);
  for (const c of input.coverage ?? []) if (!(c > 0 && c <= 1)) fail(`coverage fractions must be in (0, 1], got ${String(c)}`, c);
  if (input.top !== undefined && !(Number.isInteger(input.top) && input.top >= 1)) fail(`top must be a whole number ≥ 1, got ${String(input.top)}`);
  for (const m of input.models ?? []) {
    if (!(BACKTEST_MODELS as readonly string[]).includes(m)) fail(`unknown model "${m}" (known: ${BACKTEST_MODELS.join(', ')})`, m);
  }
  const pluginNames = (input.plugins ?? []).map((p) => p.name);
  for (const name of pluginNames) {
    if ((BACKTEST_MODELS as readonly string[]).includes(name)) fail(`plugin model "${name}" clashes with a built-in model`, name);
    if (pluginNames.indexOf(name) !== pluginNames.lastIndexOf(name)) fail(`two plugin models are named "${name}"`, name);
  }
  if (input.models && input.models.length === 0 && pluginNames.length === 0) fail('no models to run');
  if (input.reference !== undefined && !(input.models ?? BACKTEST_MODELS).includes(input.reference) && !pluginNames.includes(input.reference)) {
    fail(`reference model "${input.reference}" is not among the models run`, input.reference);
  }
}

/**
 * The events of `set` known at or before `limitMs` (same order, same cells).
 * @param knownAt known-from instant of each event of `set` (by position)
 */
function knownSubset(set: EventSet, knownAt: Float64Array, limitMs: number): EventSet {
  const n = set.cell.length;
  let m = 0;
  for (let k = 0; k < n; k++) if (knownAt[k]! <= limitMs) m++;
  return pickEvents(set, m, (visit) => {
    for (let k = 0; k < n; k++) if (knownAt[k]! <= limitMs) visit(k);
  });
}

/** A new EventSet of `count` events of `set`, visited in ascending position order. */
function pickEvents(set: EventSet, count: number, each: (visit: (k: number) => void) => void): EventSet {
  const cell = new Int32Array(count);
  const tHours = new Float64Array(count);
  const incidentIndex = new Int32Array(count);
  let j = 0;
  each((k) => {
    cell[j] = set.cell[k]!;
    tHours[j] = set.tHours[k]!;
    incidentIndex[j] = set.incidentIndex[k]!;
    j++;
  });
  return { originMs: set.originMs, cells: set.cells, cell, tHours, incidentIndex, ...(set.monthPlacement ? { monthPlacement: set.monthPlacement } : {}) };
}

/**
 * ETAS forecasts read the history back this many mean trigger delays (1/ω): an older event adds
 * at most θ·e^−50 ≈ 2·10^−22·θ to any cell's expected count, far below double precision of the
 * counts themselves, so the forecast is the full-history one to the last bit in practice while
 * each shift costs O(events of the recent past) instead of O(N).
 */
export const ETAS_HISTORY_MEAN_DELAYS = 50;

/** Most cells the study area may have before we refuse (filling more exhausts h3's memory). */
export const MAX_STUDY_CELLS = 10_000_000;

/**
 * Refuses, with a message saying why and what to do, a history whose bounding box would need
 * more than {@link MAX_STUDY_CELLS} cells: usually a few incidents geocoded far away (the shared
 * Houston file has points 800 km from Houston). The box's area bounds the convex hull's.
 */
function guardStudyAreaSize(points: Iterable<{ readonly lat: number; readonly lng: number }>, res: number, polygon: boolean): void {
  let minLat = Infinity, maxLat = -Infinity, minLng = Infinity, maxLng = -Infinity;
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
  if (cells > MAX_STUDY_CELLS && polygon) {
    throw new EvaluateError(
      'E_AREA',
      `the study polygon spans latitudes ${minLat.toFixed(3)} to ${maxLat.toFixed(3)} and longitudes ${minLng.toFixed(3)} to ${maxLng.toFixed(3)} (up to ${Math.round(boxKm2).toLocaleString('en-US')} km², about ${Math.round(cells / 1e6)} million cells at res ${res}): too large a study area; give a smaller polygon or use a coarser resolution.`,
      { minLat, maxLat, minLng, maxLng },
    );
  }
  if (cells > MAX_STUDY_CELLS) {
    throw new EvaluateError(
      'E_AREA',
      `the history's incidents span latitudes ${minLat.toFixed(3)} to ${maxLat.toFixed(3)} and longitudes ${minLng.toFixed(3)} to ${maxLng.toFixed(3)} (up to ${Math.round(boxKm2).toLocaleString('en-US')} km², about ${Math.round(cells / 1e6)} million cells at res ${res}): too large a study area. A few incidents are probably located far away; keep only the area of interest (the CLI's --bbox W,S,E,N) or use a coarser resolution.`,
      { minLat, maxLat, minLng, maxLng },
    );
  }
}

/** The vertices of a study polygon as points (for {@link guardStudyAreaSize}). */
function* polygonVertices(area: AreaGeoJson): Generator<{ lat: number; lng: number }> {
  for (const poly of polygonsOf(area)) for (const ring of poly) for (const [lng, lat] of ring) yield { lat: lat!, lng: lng! };
}

/**
 * The study cells of `input.studyPolygon` and the incidents split by whether their cell is one.
 * @throws {EvaluateError} E_AREA (not a (Multi)Polygon, too large, or no cell centre inside)
 */
function polygonStudyArea(polygon: AreaGeoJson, res: number, incidents: readonly Incident[]): { area: { cells: H3Cell[]; areaKm2: number }; inside: Incident[]; outside: Incident[] } {
  let area: { cells: H3Cell[]; areaKm2: number };
  try {
    guardStudyAreaSize(polygonVertices(polygon), res, true);
    area = studyArea({ res, polygon });
  } catch (err) {
    if (err instanceof GridError) throw new EvaluateError('E_AREA', `study polygon: ${err.message}`, err.value);
    throw err;
  }
  if (area.cells.length === 0) {
    throw new EvaluateError('E_AREA', `the study polygon contains no cell centre at H3 resolution ${res}: give a larger polygon or a finer resolution`, null);
  }
  const inArea = new Set(area.cells);
  const inside: Incident[] = [];
  const outside: Incident[] = [];
  for (const inc of incidents) (inArea.has(incidentCell(inc.lat, inc.lng, res)) ? inside : outside).push(inc);
  return { area, inside, outside };
}

/**
 * Replays the test period window by window and scores every model; see the module comment and
 * {@link BacktestReport} for what is measured.
 *
 * @throws {EvaluateError} E_ARGUMENT (bad options), E_PRECISION (month-precision data without
 *   month mode), E_NO_HISTORY (nothing known before the first window), E_NO_SHIFTS (empty test
 *   period), E_FIT (an ETAS refit failed, naming its date), E_CANCELLED (hooks.shouldCancel);
 *   {TimeZoneError} E_TIMEZONE (unknown tz)
 */
export function backtest(input: BacktestInput, hooks: BacktestHooks = {}): BacktestReport {
  checkInput(input);
  const t0 = hooks.now?.();
  const tz = input.tz;
  const months = input.months === true;
  const modelNames: string[] = [...(input.models ?? BACKTEST_MODELS), ...(input.plugins ?? []).map((p) => p.name)];
  const flaggedKm2 = [...(input.flaggedKm2 ?? BACKTEST_DEFAULTS.flaggedKm2)];
  const coverage = [...(input.coverage ?? BACKTEST_DEFAULTS.coverage)];
  const areaKeys = flaggedKm2.map(String);
  const coverageKeys = coverage.map(String);
  const top = input.top ?? BACKTEST_DEFAULTS.top;
  const seed = input.seed ?? BACKTEST_DEFAULTS.seed;
  const refitEveryDays = input.refitEveryDays ?? BACKTEST_DEFAULTS.refitEveryDays;
  const shiftStarts = input.shiftStarts ?? BACKTEST_DEFAULTS.shiftStarts;
  const shiftHours = input.shiftHours ?? BACKTEST_DEFAULTS.shiftHours;
  const notes: string[] = [];

  // ---- incidents, their known-from instants and their cells --------------------------------
  const included = input.include ? input.incidents.filter((inc) => input.include!(inc)) : [...input.incidents];
  // With a study polygon, incidents outside its cells are set aside: never trained on, and
  // counted among the scored incidents (as uncatchable) when they fall in a window.
  const polygonArea = input.studyPolygon === undefined ? null : polygonStudyArea(input.studyPolygon, input.res, included);
  const incidents = polygonArea ? polygonArea.inside : included;
  const outsideIncidents = polygonArea ? polygonArea.outside : [];
  const nInc = incidents.length;
  const knownMs = new Float64Array(nInc);
  let minTimeMs = Infinity;
  for (let i = 0; i < nInc; i++) {
    const inc = incidents[i]!;
    knownMs[i] = periodEndMs(inc, tz);
    if (inc.timeMs < minTimeMs) minTimeMs = inc.timeMs;
  }

  const windows: EvalWindow[] = months
    ? monthWindows(input.fromMs, input.toMs, tz)
    : shiftWindows(input.fromMs, input.toMs, tz, { starts: [...shiftStarts], hours: shiftHours }).map((w) => ({
        startMs: w.startMs,
        endMs: w.startMs + w.hours * HOUR_MS,
        hours: w.hours,
        label: w.label,
      }));
  if (windows.length === 0) throw new EvaluateError('E_NO_SHIFTS', 'the test period holds no shift (check from/to and the shift starts)');
  const firstStart = windows[0]!.startMs;
  const lastEnd = windows[windows.length - 1]!.endMs;

  if (!months) {
    let inTest = 0;
    let monthly = 0;
    for (const inc of incidents) {
      if (inc.timeMs >= firstStart && inc.timeMs < lastEnd) {
        inTest++;
        if (inc.precision === 'month') monthly++;
      }
    }
    if (inTest > 0 && monthly === inTest) {
      throw new EvaluateError('E_PRECISION', `all ${inTest} incidents of the test period are known only to the month: shift forecasts cannot be scored on them; backtest month by month instead (month mode)`);
    }
  }

  const history = incidents.filter((_, i) => knownMs[i]! <= firstStart);
  if (history.length === 0) {
    throw new EvaluateError('E_NO_HISTORY', `no incident${polygonArea ? ' inside the study polygon' : ''} is known before the first window (${new Date(firstStart).toISOString()}): the models have nothing to learn from`);
  }

  const originMs = Math.floor(minTimeMs / HOUR_MS) * HOUR_MS;
  const allEvents = buildEventSet(incidents, input.res, originMs);
  const sourceCellOfIncident = new Int32Array(nInc);
  for (let k = 0; k < allEvents.cell.length; k++) sourceCellOfIncident[allEvents.incidentIndex[k]!] = allEvents.cell[k]!;

  // ---- study cells (the polygon, or from history only: no peeking at where the test events are)
  let area: { cells: H3Cell[]; areaKm2: number };
  if (polygonArea) {
    area = polygonArea.area;
  } else {
    guardStudyAreaSize(history, input.res, false);
    area = studyArea({ res: input.res, incidents: history });
  }
  const cells = area.cells; // sorted ascending: index order = H3 id order
  const C = cells.length;
  const studyIndex = new Map<H3Cell, number>();
  cells.forEach((c, i) => studyIndex.set(c, i));
  const cellArea = new Float64Array(C);
  let studyAreaKm2 = 0;
  for (let i = 0; i < C; i++) {
    cellArea[i] = cellAreaKm2(cells[i]!);
    studyAreaKm2 += cellArea[i]!;
  }
  const meanCellAreaKm2 = studyAreaKm2 / C;
  const sourceToStudy = new Int32Array(allEvents.cells.length);
  for (let s = 0; s < allEvents.cells.length; s++) sourceToStudy[s] = studyIndex.get(allEvents.cells[s]!) ?? -1;

  const flaggedCells = flaggedKm2.map((a) => cellsForArea(a, meanCellAreaKm2, C));
  const coverageCells = coverage.map((f) => cellsForCoverage(f, C));

  // ---- districts ---------------------------------------------------------------------------
  const districtMap =
    typeof input.districtOf === 'function' ? input.districtOf(cells) : input.districtOf ?? districtsFromLabels(history, input.res);
  const districtNames = [...new Set(cells.map((c) => districtMap.get(c)).filter((d): d is string => d !== undefined))].sort();
  const districtOfCell = new Int32Array(C);
  if (districtNames.length === 0) {
    districtOfCell.fill(0);
    districtNames.push('all');
    notes.push('No district labels: the top-K boxes are taken over the whole study area as one district.');
  } else {
    const dIndex = new Map(districtNames.map((d, i) => [d, i]));
    let unlabelled = 0;
    for (let i = 0; i < C; i++) {
      const d = districtMap.get(cells[i]!);
      districtOfCell[i] = d === undefined ? -1 : dIndex.get(d)!;
      if (d === undefined) unlabelled++;
    }
    if (unlabelled > 0) notes.push(`${unlabelled} of ${C} study cells have no district (${input.districtOf ? 'none given for them' : 'no history incident carries a label there'}) and are never patrol boxes.`);
  }

  // ---- actuals: place each incident in every window containing its whole period ------------
  // (one window unless shifts overlap, e.g. 10-hour shifts starting every 8 hours)
  const W = windows.length;
  const starts = Float64Array.from(windows, (w) => w.startMs);
  let longestMs = 0;
  for (const w of windows) longestMs = Math.max(longestMs, w.endMs - w.startMs);
  const windowEvents: number[][] = windows.map(() => []);
  let unplacedEvents = 0;
  let events = 0;
  let eventsOutsideArea = 0;
  /** Places one incident (study cell c, or -1 outside the area) in the windows holding its period. */
  const place = (inc: Incident, end: number, c: number): void => {
    if (end <= firstStart || inc.timeMs >= lastEnd) return; // wholly outside the test period
    let placed = false;
    let overlaps = false;
    // windows that start at or before the incident and could still be running
    for (let v = upperBound(starts, inc.timeMs) - 1; v >= 0 && starts[v]! > inc.timeMs - longestMs; v--) {
      const win = windows[v]!;
      if (end <= win.endMs) {
        windowEvents[v]!.push(c);
        events++;
        if (c < 0) eventsOutsideArea++;
        placed = true;
      } else if (inc.timeMs < win.endMs) overlaps = true;
    }
    // windows starting inside the incident's period
    if (!placed && upperBound(starts, end - 1) > upperBound(starts, inc.timeMs)) overlaps = true;
    // An incident in no window either straddles windows (its time is too vague: "unplaced")
    // or falls in a gap between windows (not part of the test).
    if (!placed && overlaps) unplacedEvents++;
  };
  for (let i = 0; i < nInc; i++) place(incidents[i]!, knownMs[i]!, sourceToStudy[sourceCellOfIncident[i]!]!);
  for (const inc of outsideIncidents) place(inc, periodEndMs(inc, tz), -1);
  if (unplacedEvents > 0) {
    notes.push(`${unplacedEvents} incidents of the test period have a time too vague to place in one ${months ? 'month' : 'shift'} (unknown time of day or coarser): left out of the actuals, used in training once their whole day (or month) has passed.`);
  }
  if (polygonArea) {
    notes.push(`Study area: the ${C} cells (${studyAreaKm2.toFixed(2)} km²) whose centres lie in the given polygon; ${outsideIncidents.length} of ${included.length} incidents lie outside them and are not trained on.`);
  }
  if (eventsOutsideArea > 0) notes.push(`${eventsOutsideArea} scored incidents fall outside the study cells (${polygonArea ? 'the given polygon' : 'built from the history'}): no model can catch them.`);

  // ---- the training stream (incidents ordered by the instant they become known) -------------
  const byKnown = new Int32Array(nInc);
  for (let i = 0; i < nInc; i++) byKnown[i] = i;
  byKnown.sort((a, b) => knownMs[a]! - knownMs[b]! || a - b);
  const stream: TrainingStream = {
    knownMs: Float64Array.from(byKnown, (i) => knownMs[i]!),
    source: Int32Array.from(byKnown, (i) => sourceCellOfIncident[i]!),
  };
  const firstKnownMs = stream.knownMs[0]!;

  // ---- models ------------------------------------------------------------------------------
  let neighbourhood: Neighbourhood | null = null;
  const wideHood = (): Neighbourhood => {
    if (neighbourhood) return neighbourhood;
    const offsets = new Int32Array(allEvents.cells.length + 1);
    const target: number[] = [];
    const distanceKm: number[] = [];
    const grid: number[] = [];
    for (let s = 0; s < allEvents.cells.length; s++) {
      const src = allEvents.cells[s]!;
      for (const nb of neighboursWithinKm(src, PROSPECTIVE_RADIUS_KM)) {
        const t = studyIndex.get(nb.cell);
        if (t === undefined) continue;
        target.push(t);
        distanceKm.push(nb.distanceKm);
        grid.push(nb.cell === src ? 0 : gridDistance(src, nb.cell));
      }
      offsets[s + 1] = target.length;
    }
    neighbourhood = { offsets, target: Int32Array.from(target), distanceKm: Float64Array.from(distanceKm), gridDistance: Int32Array.from(grid) };
    return neighbourhood;
  };
  const kernelRunner = (name: string, spec: KernelSpec, hood: Neighbourhood, countScale: (w: EvalWindow) => number | null): ModelRunner => {
    const scorer = new KernelScorer(stream, hood, C, spec);
    return { name, forecast: (w) => ({ scores: scorer.scoresAt(w.startMs), countScale: countScale(w) }) };
  };

  const fits: FitRecord[] = []; // etas-2015's
  const shiftFit = new Array<number>(W).fill(-1);
  let rollingEtas: EtasRollingModel | null = null;
  const shiftFitEtas = new Array<number>(W).fill(-1);
  const runners: ModelRunner[] = [];
  for (const name of modelNames) {
    switch (name) {
      case 'naive-28':
      case 'naive-365': {
        const days = name === 'naive-28' ? 28 : 365;
        runners.push(kernelRunner(name, naiveKernel(days), selfNeighbourhood(sourceToStudy), (w) => w.hours / (days * 24)));
        break;
      }
      case 'naive-all':
        runners.push(kernelRunner(name, naiveKernel(Infinity), selfNeighbourhood(sourceToStudy), (w) => w.hours / Math.max(1, (w.startMs - firstKnownMs) / HOUR_MS)));
        break;
      case 'retro':
        runners.push(kernelRunner(name, retroKernel(), wideHood(), () => null));
        break;
      case 'prospective':
        runners.push(kernelRunner(name, prospectiveKernel(), wideHood(), () => null));
        break;
      case 'random': {
        const rand = seededRandom(seed);
        // As a density the random model is the uniform one (score ∝ cell area: log score 0);
        // as a ranking it is a fresh random order every window.
        const uniform = Float64Array.from(cellArea);
        runners.push({ name, forecast: () => ({ scores: uniform, order: randomOrder(C, rand), countScale: null }) });
        break;
      }
      case 'oracle':
        runners.push({ name, forecast: (_w, _i, actual) => ({ scores: actual, countScale: 1 }) });
        break;
      case 'etas':
        runners.push(rollingEtasRunner());
        break;
      case 'etas-2015':
        runners.push(etasRunner());
        break;
    }
  }
  for (const plugin of input.plugins ?? []) runners.push(pluginRunner(plugin));

  function pluginRunner(plugin: BacktestModelPlugin): ModelRunner {
    const eventKnown = new Float64Array(allEvents.cell.length);
    for (let k = 0; k < eventKnown.length; k++) eventKnown[k] = knownMs[allEvents.incidentIndex[k]!]!;
    return {
      name: plugin.name,
      forecast(w, windowIndex) {
        const out = plugin.forecast(w, knownSubset(allEvents, eventKnown, w.startMs), { res: input.res, tz, windowIndex });
        const scores = new Float64Array(C);
        for (let k = 0; k < out.cells.length; k++) {
          const idx = studyIndex.get(out.cells[k]!);
          const v = out.scores[k]!;
          if (!(v >= 0) || v === Infinity) throw new EvaluateError('E_ARGUMENT', `model "${plugin.name}" gave cell ${out.cells[k]} the score ${v} in window ${w.label}: scores must be finite and ≥ 0`, v);
          if (idx !== undefined) scores[idx] = v;
        }
        return { scores, countScale: plugin.countsForecast ? 1 : null };
      },
    };
  }

  function rollingEtasRunner(): ModelRunner {
    let config = checkEtasConfig(input.etasConfig ?? ETAS_DEFAULTS);
    if (months && config.profile !== null) config = { ...config, profile: null };
    notes.push(`etas: ${describeEtasConfig(config)}${months ? ' (month mode: no shift profile)' : ''}.`);
    const nEv = allEvents.cell.length;
    const eventKnownMs = new Float64Array(nEv);
    const timeUnknown = new Uint8Array(nEv);
    for (let k = 0; k < nEv; k++) {
      const inc = incidents[allEvents.incidentIndex[k]!]!;
      eventKnownMs[k] = knownMs[allEvents.incidentIndex[k]!]!;
      timeUnknown[k] = hasUnknownTimeOfDay(inc) ? 1 : 0;
    }
    const model = new EtasRollingModel({
      events: allEvents,
      eventKnownMs,
      timeUnknown,
      res: input.res,
      tz,
      studyOfCell: sourceToStudy,
      studyCells: cells,
      districtOf: districtMap,
      config,
      refitEveryDays: months ? 0 : refitEveryDays,
    });
    rollingEtas = model;
    return {
      name: 'etas',
      forecast(w, windowIndex) {
        const [scores] = model.forecast(w, windowIndex);
        shiftFitEtas[windowIndex] = model.fits.length - 1;
        return { scores: scores!, countScale: 1 };
      },
    };
  }

  function etasRunner(): ModelRunner {
    const nEv = allEvents.cell.length;
    const eventKnown = new Float64Array(nEv);
    const positionOf = new Int32Array(nInc);
    for (let k = 0; k < nEv; k++) {
      eventKnown[k] = knownMs[allEvents.incidentIndex[k]!]!;
      positionOf[allEvents.incidentIndex[k]!] = k;
    }
    /** Events known in (lowMs, s], as an EventSet in (cell, time) order. */
    const recentHistory = (lowMs: number, sMs: number): EventSet => {
      const lo = upperBound(stream.knownMs, lowMs);
      const hi = upperBound(stream.knownMs, sMs);
      const positions = new Int32Array(hi - lo);
      for (let e = lo; e < hi; e++) positions[e - lo] = positionOf[byKnown[e]!]!;
      positions.sort(); // positions of allEvents are in (cell, time) order
      return pickEvents(allEvents, positions.length, (visit) => positions.forEach((k) => visit(k)));
    };
    const refitMs = months ? 0 : refitEveryDays * DAY_MS;
    // A 2-hour tolerance keeps "daily" daily across DST changes (23- and 25-hour days).
    const toleranceMs = Math.min(2 * HOUR_MS, refitMs / 2);
    const config = withFitOptions(ETAS_2015, input.fitOptions ?? {});
    let fit: EtasFit | null = null;
    let fitAtMs = -Infinity;
    const indexOfCell = new Map<H3Cell, number>();
    return {
      name: 'etas-2015',
      forecast(w, windowIndex) {
        if (fit === null || months || w.startMs >= fitAtMs + refitMs - toleranceMs) {
          const training = knownSubset(allEvents, eventKnown, w.startMs);
          // Warm-started from the previous fit's θ and ω.
          const inputs = fit ? { initial: { theta: fit.theta, omegaPerHour: fit.omegaPerHour } } : {};
          try {
            fit = fitEtas(training, { startMs: originMs, endMs: w.startMs }, input.res, config, inputs, hooks.shouldCancel ? { shouldCancel: hooks.shouldCancel } : {});
          } catch (err) {
            if ((err as { code?: unknown }).code === 'E_CANCELLED') throw new EvaluateError('E_CANCELLED', `backtest cancelled during the ETAS fit for ${w.label}`, err);
            throw new EvaluateError('E_FIT', `the ETAS fit on incidents known before ${new Date(w.startMs).toISOString()} failed: ${(err as Error).message}`, err);
          }
          fitAtMs = w.startMs;
          fits.push(fitRecord(w.startMs, windowIndex, training.cell.length, fit));
        }
        const record = fits[fits.length - 1]!;
        fits[fits.length - 1] = { ...record, lastShift: windowIndex };
        shiftFit[windowIndex] = fits.length - 1;
        const lookBackMs = (ETAS_HISTORY_MEAN_DELAYS / fit.omegaPerHour) * HOUR_MS;
        const f = forecastShift(fit, recentHistory(w.startMs - lookBackMs, w.startMs), w.startMs, w.hours);
        const scores = new Float64Array(C);
        for (let k = 0; k < f.cells.length; k++) {
          const cell = f.cells[k]!;
          let idx = indexOfCell.get(cell);
          if (idx === undefined) {
            idx = studyIndex.get(cell) ?? -1;
            indexOfCell.set(cell, idx);
          }
          if (idx >= 0) scores[idx] = f.expected[k]!;
        }
        return { scores, countScale: 1 };
      },
    };
  }

  // ---- the replay ----------------------------------------------------------------------------
  const M = runners.length;
  const A = flaggedKm2.length;
  const F = coverage.length;
  const nan = (): number[] => new Array<number>(W).fill(NaN);
  const per = runners.map(() => ({
    hit: flaggedKm2.map(nan),
    pei: flaggedKm2.map(nan),
    cov: coverage.map(nan),
    topK: nan(),
    logSum: nan(),
    logEvents: new Array<number>(W).fill(0),
  }));
  const rriPredicted = runners.map(() => new Array<number>(A).fill(0));
  const rriObserved = runners.map(() => new Array<number>(A).fill(0));
  const picked = runners.map(() => new Int32Array(C));
  const isCountModel = runners.map(() => false);
  const flaggedEver = runners.map(() => flaggedKm2.map(() => new Uint8Array(C)));
  const scratch = new Int32Array(C).fill(-1);
  const ksAll = [...flaggedCells, ...coverageCells];
  const maxK = Math.max(...ksAll);
  const actual = new Float64Array(C);

  hooks.onProgress?.(0, W);
  for (let w = 0; w < W; w++) {
    if (hooks.shouldCancel?.()) throw new EvaluateError('E_CANCELLED', `backtest cancelled after ${w} of ${W} windows`);
    const win = windows[w]!;
    const ev = windowEvents[w]!;
    const N = ev.length;
    actual.fill(0);
    for (const c of ev) if (c >= 0) actual[c]! += 1;
    const best = bestPossibleHits(ev, flaggedCells);
    for (let m = 0; m < M; m++) {
      const out = runners[m]!.forecast(win, w, actual);
      hooks.onForecast?.({ windowIndex: w, window: win, model: runners[m]!.name, cells, scores: out.scores, ...(out.order ? { order: out.order } : {}) });
      const order = out.order ? out.order.subarray(0, maxK) : topIndices(out.scores, maxK);
      const hits = hitsAtK(order, ev, ksAll, scratch);
      const boxes = out.order
        ? topKPerDistrict(out.order, districtOfCell, districtNames.length, top)
        : topKPerDistrictFromScores(out.scores, districtOfCell, districtNames.length, top);
      for (const c of boxes) picked[m]![c]!++;
      for (let a = 0; a < A; a++) {
        const k = flaggedCells[a]!;
        const flags = flaggedEver[m]![a]!;
        for (let r = 0; r < k; r++) flags[order[r]!] = 1;
      }
      if (N > 0) {
        const p = per[m]!;
        for (let a = 0; a < A; a++) {
          p.hit[a]![w] = hits[a]! / N;
          if (best[a]! > 0) p.pei[a]![w] = hits[a]! / best[a]!;
        }
        for (let f = 0; f < F; f++) p.cov[f]![w] = hits[A + f]! / N;
        let boxHits = 0;
        for (const c of boxes) boxHits += actual[c]!;
        p.topK[w] = boxHits / N;
        let sum = 0;
        for (let c = 0; c < C; c++) sum += out.scores[c]!;
        const ls = logScoreVsUniform(out.scores, sum, cellArea, studyAreaKm2, ev);
        if (ls.events > 0) {
          p.logSum[w] = ls.sum;
          p.logEvents[w] = ls.events;
        }
      }
      isCountModel[m] = out.countScale !== null;
      if (out.countScale !== null) {
        for (let a = 0; a < A; a++) {
          let predicted = 0;
          for (let r = 0; r < flaggedCells[a]!; r++) predicted += out.scores[order[r]!]!;
          rriPredicted[m]![a]! += predicted * out.countScale;
          rriObserved[m]![a]! += hits[a]!;
        }
      }
    }
    hooks.onProgress?.(w + 1, W);
  }

  // ---- summaries -----------------------------------------------------------------------------
  const blockShifts = months ? 1 : Math.max(1, shiftStarts.length);
  const boot: BootstrapOptions = { seed, resamples: input.bootstrapResamples ?? BACKTEST_DEFAULTS.bootstrapResamples, level: 0.95, blockLength: blockShifts };
  const defined = (xs: readonly number[]): number[] => xs.filter((x) => Number.isFinite(x));
  const reference = input.reference ?? (modelNames.includes('etas') ? 'etas' : null);
  const refIndex = reference ? modelNames.indexOf(reference) : -1;
  const paiFactor = flaggedCells.map((k) => C / k);
  const scaleInterval = (i: Interval, f: number): Interval => ({ mean: i.mean * f, lo: i.lo * f, hi: i.hi * f, n: i.n });

  // Log score: Σ log / Σ events over the shifts with scored events, resampling shifts.
  const logInterval = (sums: readonly number[], counts: readonly number[]): Interval => {
    const num: number[] = [];
    const den: number[] = [];
    for (let w = 0; w < W; w++) {
      if (counts[w]! > 0 && Number.isFinite(sums[w]!)) {
        num.push(sums[w]!);
        den.push(counts[w]!);
      }
    }
    return bootstrapRatio(num, den, boot);
  };
  const pairedOn = (a: readonly number[], b: readonly number[]): PairedDifference => {
    const xa: number[] = [];
    const xb: number[] = [];
    for (let w = 0; w < W; w++) {
      if (Number.isFinite(a[w]!) && Number.isFinite(b[w]!)) {
        xa.push(a[w]!);
        xb.push(b[w]!);
      }
    }
    return pairedBootstrap(xa, xb, boot);
  };

  const models: Record<string, ModelSummary> = {};
  const perShiftModels: Record<string, PerShiftModel> = {};
  const toNull = (xs: readonly number[]): (number | null)[] => xs.map((x) => (Number.isFinite(x) ? x : null));
  for (let m = 0; m < M; m++) {
    const name = modelNames[m]!;
    const p = per[m]!;
    const ciHit: Record<string, Interval> = {};
    const ciPai: Record<string, Interval> = {};
    const ciPei: Record<string, Interval> = {};
    const ciCov: Record<string, Interval> = {};
    const hitRate: Record<string, number> = {};
    const pai: Record<string, number> = {};
    const pei: Record<string, number> = {};
    const cov: Record<string, number> = {};
    const rri: Record<string, number | null> = {};
    for (let a = 0; a < A; a++) {
      const key = areaKeys[a]!;
      ciHit[key] = bootstrapMean(defined(p.hit[a]!), boot);
      ciPai[key] = scaleInterval(ciHit[key], paiFactor[a]!);
      ciPei[key] = bootstrapMean(defined(p.pei[a]!), boot);
      hitRate[key] = ciHit[key].mean;
      pai[key] = ciPai[key].mean;
      pei[key] = ciPei[key].mean;
      const observed = rriObserved[m]![a]!;
      rri[key] = isCountModel[m] && observed > 0 ? rriPredicted[m]![a]! / observed : null;
    }
    for (let f = 0; f < F; f++) {
      const key = coverageKeys[f]!;
      ciCov[key] = bootstrapMean(defined(p.cov[f]!), boot);
      cov[key] = ciCov[key].mean;
    }
    const ciTop = bootstrapMean(defined(p.topK), boot);
    const logMeanPerShift = p.logSum.map((s, w) => (p.logEvents[w]! > 0 ? s / p.logEvents[w]! : NaN));
    const ciLog = logInterval(p.logSum, p.logEvents);

    let pairedDiff: PairedDiffs | null = null;
    if (reference && m !== refIndex) {
      const r = per[refIndex]!;
      const hitD: Record<string, PairedDifference> = {};
      const peiD: Record<string, PairedDifference> = {};
      const covD: Record<string, PairedDifference> = {};
      for (let a = 0; a < A; a++) {
        hitD[areaKeys[a]!] = pairedOn(r.hit[a]!, p.hit[a]!);
        peiD[areaKeys[a]!] = pairedOn(r.pei[a]!, p.pei[a]!);
      }
      for (let f = 0; f < F; f++) covD[coverageKeys[f]!] = pairedOn(r.cov[f]!, p.cov[f]!);
      const diffLog: number[] = [];
      const counts: number[] = [];
      for (let w = 0; w < W; w++) {
        diffLog.push(p.logEvents[w]! > 0 ? r.logSum[w]! - p.logSum[w]! : NaN);
        counts.push(p.logEvents[w]!);
      }
      pairedDiff = {
        reference,
        direction: 'reference − model',
        hitRate: hitD,
        pei: peiD,
        coverageHitRate: covD,
        topKHitRate: pairedOn(r.topK, p.topK),
        logScore: logInterval(diffLog, counts),
      };
    }

    const pickedM = picked[m]!;
    let distinct = 0;
    const pickedCells: number[] = [];
    for (let c = 0; c < C; c++) {
      if (pickedM[c]! > 0) {
        distinct++;
        pickedCells.push(c);
      }
    }
    pickedCells.sort((x, y) => pickedM[y]! - pickedM[x]! || x - y);
    const byArea: Record<string, number> = {};
    for (let a = 0; a < A; a++) byArea[areaKeys[a]!] = flaggedEver[m]![a]!.reduce((s, x) => s + x, 0);

    models[name] = {
      hitRate,
      pai,
      pei,
      coverageHitRate: cov,
      rri,
      topKHitRate: ciTop.mean,
      logScore: ciLog.mean,
      ci: { hitRate: ciHit, pai: ciPai, pei: ciPei, coverageHitRate: ciCov, topKHitRate: ciTop, logScore: ciLog },
      pairedDiff,
      distinctCellsFlagged: distinct,
      distinctCellsFlaggedByArea: byArea,
      mostPicked: pickedCells.slice(0, 10).map((c) => ({ h3: cells[c]!, times: pickedM[c]!, share: pickedM[c]! / W })),
    };
    const hitObj: Record<string, (number | null)[]> = {};
    const peiObj: Record<string, (number | null)[]> = {};
    const covObj: Record<string, (number | null)[]> = {};
    for (let a = 0; a < A; a++) {
      hitObj[areaKeys[a]!] = toNull(p.hit[a]!);
      peiObj[areaKeys[a]!] = toNull(p.pei[a]!);
    }
    for (let f = 0; f < F; f++) covObj[coverageKeys[f]!] = toNull(p.cov[f]!);
    perShiftModels[name] = { hitRate: hitObj, pei: peiObj, coverageHitRate: covObj, topKHitRate: toNull(p.topK), logScore: toNull(logMeanPerShift) };
  }

  const t1 = hooks.now?.();
  return {
    version: 1,
    mode: months ? 'months' : 'shifts',
    res: input.res,
    tz,
    from: new Date(input.fromMs).toISOString(),
    to: new Date(input.toMs).toISOString(),
    shiftHours: months ? null : shiftHours,
    shiftStarts: months ? null : [...shiftStarts],
    refitEveryDays: months ? 0 : refitEveryDays,
    shifts: W,
    shiftsWithEvents: windowEvents.filter((e) => e.length > 0).length,
    events,
    eventsOutsideArea,
    unplacedEvents,
    historyEvents: history.length,
    cells: C,
    meanCellAreaKm2,
    studyAreaKm2,
    districts: districtNames.length,
    top,
    flaggedKm2,
    flaggedCells,
    coverage,
    coverageCells,
    logScoreUniformWeight: LOG_SCORE_UNIFORM_WEIGHT,
    bootstrap: { seed, resamples: boot.resamples!, level: 0.95, blockShifts },
    reference,
    modelNames,
    wallSeconds: t0 !== undefined && t1 !== undefined ? (t1 - t0) / 1000 : null,
    fits: rollingEtas !== null ? (rollingEtas as EtasRollingModel).fits : fits,
    fitsByModel: { ...(rollingEtas !== null ? { etas: (rollingEtas as EtasRollingModel).fits } : {}), ...(modelNames.includes('etas-2015') ? { 'etas-2015': fits } : {}) },
    perShift: {
      startMs: windows.map((w) => w.startMs),
      label: windows.map((w) => w.label),
      events: windowEvents.map((e) => e.length),
      fit: rollingEtas !== null ? shiftFitEtas : shiftFit,
      models: perShiftModels,
    },
    models,
    notes,
  };
}
