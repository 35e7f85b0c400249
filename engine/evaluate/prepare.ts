/**
 * The first phase of an evaluation (a backtest, or the rolling replay `tune` scores candidates
 * on): everything the models and the scoring share, built once from the incidents.
 *
 * - the windows (shifts, or calendar months in month mode);
 * - each incident's known-from instant (timing.ts `periodEndMs`): a model forecasting a window
 *   starting at s sees an incident only when that instant is ≤ s;
 * - the event set of every incident (cells, hours since the origin), the history (incidents known
 *   by the first window's start), the study cells and their areas, the districts;
 * - the actuals of each window (actuals.ts) and the training stream (incidents in the order they
 *   become known, for the baselines' incremental scorers);
 * - the measures' sizes: cells flagged for each area and coverage, patrol boxes per district.
 *
 * Cost O(N log N) for N incidents (buildEventSet's sort, the stream's), plus the study area.
 */
import type { EventSet, H3Cell, Incident } from '../types.ts';
import { buildEventSet, type AreaGeoJson } from '../grid/index.ts';
import { shiftWindows } from '../forecast/index.ts';
import { hasUnknownTimeOfDay } from '../model/index.ts';
import type { TrainingStream } from './baselines.ts';
import { placeActuals, placeables, type Actuals } from './actuals.ts';
import { districtsOf, historyStudyCells, polygonStudyCells, type Districts, type StudyCells } from './area.ts';
import { EvaluateError } from './errors.ts';
import { cellsForArea, cellsForCoverage } from './metrics.ts';
import { monthWindows, periodEndMs, type EvalWindow } from './timing.ts';
import { screenedIncidents } from './screen.ts';

const HOUR_MS = 3_600_000;

/** Defaults of {@link prepareEvaluation} (the backtest's). */
export const EVALUATION_DEFAULTS = {
  shiftStarts: ['06:00', '14:00', '22:00'],
  shiftHours: 8,
  flaggedKm2: [0.5, 1, 2, 5],
  coverage: [0.01, 0.05, 0.1],
  top: 20,
} as const;

/** What an evaluation is run on (the backtest's input without its model choices). */
export interface EvaluationInput {
  readonly incidents: readonly Incident[];
  readonly res: number;
  /** First window starts at or after this instant (epoch ms). */
  readonly fromMs: number;
  /** Last window starts before this instant (with `wholeWindows`: ends at or before it). */
  readonly toMs: number;
  /** IANA zone of the shifts (and of local days and months). */
  readonly tz: string;
  /** Local shift start times "HH:MM" (default 06:00, 14:00, 22:00). */
  readonly shiftStarts?: readonly string[];
  /** Shift length in hours (default 8). Refused in month mode. */
  readonly shiftHours?: number;
  /** Month mode: the windows are calendar months (for month-precision data). */
  readonly months?: boolean;
  /** Keeps an incident for training and scoring (e.g. a category filter). */
  readonly include?: (inc: Incident) => boolean;
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
  /** Flagged areas in km² (default 0.5, 1, 2, 5). */
  readonly flaggedKm2?: readonly number[];
  /** Flagged shares of the study area (default 0.01, 0.05, 0.1). */
  readonly coverage?: readonly number[];
  /** Patrol boxes per district (default 20; 0 = no patrol boxes are scored). */
  readonly top?: number;
  /** Read only incidents that happened before this instant (tuning: nothing at or after its end is read). */
  readonly readBeforeMs?: number;
  /** Keep only windows lying wholly before toMs (tuning); default every window starting before it. */
  readonly wholeWindows?: boolean;
  /** Name of the period in messages (default 'test period'; tuning: 'tuning period'). */
  readonly periodName?: string;
}

/** The sizes of the measures: cells flagged per area and per coverage share, boxes per district. */
export interface Measures {
  readonly flaggedKm2: readonly number[];
  readonly flaggedCells: readonly number[];
  readonly coverage: readonly number[];
  readonly coverageCells: readonly number[];
  readonly top: number;
}

/** Everything the runners and the scoring share (module comment). Read-only once built. */
export interface EvaluationRun {
  readonly res: number;
  readonly tz: string;
  readonly months: boolean;
  readonly fromMs: number;
  readonly toMs: number;
  readonly shiftStarts: readonly string[];
  readonly shiftHours: number;
  readonly windows: readonly EvalWindow[];
  /** The incidents trained on: those kept by `include` (and inside the study polygon, if any). */
  readonly incidents: readonly Incident[];
  /** Known-from instant of each incident (by index), epoch ms. */
  readonly knownMs: Float64Array;
  /** Every incident as an event, sorted by (cell, time); times in hours since `events.originMs`. */
  readonly events: EventSet;
  /** Known-from instant of each event (by position). */
  readonly eventKnownMs: Float64Array;
  /** 1 where the event's time of day is unknown (by position). */
  readonly timeUnknown: Uint8Array;
  /** Study index of each cell of `events.cells` (−1 outside the study cells). */
  readonly studyOfSource: Int32Array;
  /** The incidents known at the first window's start. */
  readonly history: readonly Incident[];
  readonly study: StudyCells;
  readonly districts: Districts;
  readonly actuals: Actuals;
  /** The incidents in the order they become known, with their source cells. */
  readonly stream: TrainingStream;
  readonly measures: Measures;
  /** Plain-words notes for the report (unplaced incidents, the study polygon, districts). */
  readonly notes: readonly string[];
}

function fail(message: string, value?: unknown): never {
  throw new EvaluateError('E_ARGUMENT', message, value);
}

/** @throws {EvaluateError} E_ARGUMENT naming the bad option */
function checkEvaluationInput(input: EvaluationInput): void {
  if (!Array.isArray(input.incidents)) fail('incidents must be an array');
  if (!Number.isInteger(input.res) || input.res < 0 || input.res > 15)
    fail(`res must be an integer 0..15, got ${String(input.res)}`, input.res);
  if (!Number.isFinite(input.fromMs) || !Number.isFinite(input.toMs) || !(input.fromMs < input.toMs)) {
    fail(`the ${input.periodName ?? 'test period'} must have from < to (got ${String(input.fromMs)}, ${String(input.toMs)})`);
  }
  if (input.months && input.shiftHours !== undefined) {
    fail(
      'month mode forecasts calendar months: shift hours cannot be set with it (drop the shift length, or drop month mode for minute-precise data)',
    );
  }
  if (input.months && input.shiftStarts !== undefined) fail('month mode forecasts calendar months: shift starts cannot be set with it');
  if (input.shiftHours !== undefined && !(input.shiftHours > 0 && input.shiftHours <= 24 * 31))
    fail(`shift hours must be positive, got ${String(input.shiftHours)}`);
  for (const a of input.flaggedKm2 ?? [])
    if (!(a > 0) || !Number.isFinite(a)) fail(`flagged areas must be positive km², got ${String(a)}`, a);
  for (const c of input.coverage ?? []) if (!(c > 0 && c <= 1)) fail(`coverage fractions must be in (0, 1], got ${String(c)}`, c);
  if (input.top !== undefined && !(Number.isInteger(input.top) && input.top >= 0))
    fail(`top must be a whole number ≥ 0, got ${String(input.top)}`);
}

/**
 * The windows of the period: calendar months, or the shifts starting in [fromMs, toMs) (with
 * `wholeWindows`, only those ending by toMs).
 * @throws {EvaluateError} E_NO_SHIFTS when there is none
 */
function evaluationWindows(input: EvaluationInput, shiftStarts: readonly string[], shiftHours: number): EvalWindow[] {
  const all: EvalWindow[] = input.months
    ? monthWindows(input.fromMs, input.toMs, input.tz)
    : shiftWindows(input.fromMs, input.toMs, input.tz, { starts: [...shiftStarts], hours: shiftHours }).map((w) => ({
        startMs: w.startMs,
        endMs: w.startMs + w.hours * HOUR_MS,
        hours: w.hours,
        label: w.label,
      }));
  const windows = input.wholeWindows ? all.filter((w) => w.endMs <= input.toMs) : all;
  if (windows.length === 0) {
    const what = input.wholeWindows ? 'no whole shift' : 'no shift (check from/to and the shift starts)';
    throw new EvaluateError('E_NO_SHIFTS', `the ${input.periodName ?? 'test period'} holds ${what}`);
  }
  return windows;
}

/**
 * Refuses shift windows when every incident of the period is known only to the month.
 * @throws {EvaluateError} E_PRECISION
 */
function checkPrecision(incidents: readonly Incident[], windows: readonly EvalWindow[]): void {
  const firstStart = windows[0]!.startMs;
  const lastEnd = windows[windows.length - 1]!.endMs;
  let inTest = 0;
  let monthly = 0;
  for (const inc of incidents) {
    if (inc.timeMs >= firstStart && inc.timeMs < lastEnd) {
      inTest++;
      if (inc.precision === 'month') monthly++;
    }
  }
  if (inTest > 0 && monthly === inTest) {
    throw new EvaluateError(
      'E_PRECISION',
      `all ${inTest} incidents of the test period are known only to the month: shift forecasts cannot be scored on them; backtest month by month instead (month mode)`,
    );
  }
}

/** The events of every incident, with each event's known-from instant and time-unknown flag, and each incident's source cell. O(N log N). */
function eventsOf(
  incidents: readonly Incident[],
  knownMs: Float64Array,
  res: number,
): { events: EventSet; eventKnownMs: Float64Array; timeUnknown: Uint8Array; sourceOfIncident: Int32Array } {
  let minTimeMs = Infinity;
  for (const inc of incidents) if (inc.timeMs < minTimeMs) minTimeMs = inc.timeMs;
  const originMs = Math.floor(minTimeMs / HOUR_MS) * HOUR_MS;
  const events = buildEventSet(incidents, res, originMs);
  const n = events.cell.length;
  const eventKnownMs = new Float64Array(n);
  const timeUnknown = new Uint8Array(n);
  const sourceOfIncident = new Int32Array(incidents.length);
  for (let k = 0; k < n; k++) {
    const i = events.incidentIndex[k]!;
    eventKnownMs[k] = knownMs[i]!;
    timeUnknown[k] = hasUnknownTimeOfDay(incidents[i]!) ? 1 : 0;
    sourceOfIncident[i] = events.cell[k]!;
  }
  return { events, eventKnownMs, timeUnknown, sourceOfIncident };
}

/** The incidents in the order they become known (ties by index), with their source cells. O(N log N). */
function trainingStream(knownMs: Float64Array, sourceOfIncident: Int32Array): TrainingStream {
  const n = knownMs.length;
  const byKnown = new Int32Array(n);
  for (let i = 0; i < n; i++) byKnown[i] = i;
  byKnown.sort((a, b) => knownMs[a]! - knownMs[b]! || a - b);
  return { knownMs: Float64Array.from(byKnown, (i) => knownMs[i]!), source: Int32Array.from(byKnown, (i) => sourceOfIncident[i]!) };
}

/** The measures' sizes for the study cells. */
function measuresOf(input: EvaluationInput, study: StudyCells): Measures {
  const C = study.cells.length;
  const flaggedKm2 = [...(input.flaggedKm2 ?? EVALUATION_DEFAULTS.flaggedKm2)];
  const coverage = [...(input.coverage ?? EVALUATION_DEFAULTS.coverage)];
  return {
    flaggedKm2,
    flaggedCells: flaggedKm2.map((a) => cellsForArea(a, study.meanCellAreaKm2, C)),
    coverage,
    coverageCells: coverage.map((f) => cellsForCoverage(f, C)),
    top: input.top ?? EVALUATION_DEFAULTS.top,
  };
}

/**
 * Builds the shared part of an evaluation (module comment).
 *
 * @throws {EvaluateError} E_ARGUMENT (bad options), E_NO_SHIFTS (no window), E_PRECISION
 *   (month-precision data without month mode), E_NO_HISTORY (nothing known before the first
 *   window), E_NO_EVENTS (no incident of the period can be scored), E_AREA (unusable study
 *   polygon, or too large a study area); {TimeZoneError}
 *   E_TIMEZONE (unknown tz)
 */
export function prepareEvaluation(input: EvaluationInput): EvaluationRun {
  checkEvaluationInput(input);
  const { tz, res } = input;
  const months = input.months === true;
  const shiftStarts = input.shiftStarts ?? EVALUATION_DEFAULTS.shiftStarts;
  const shiftHours = input.shiftHours ?? EVALUATION_DEFAULTS.shiftHours;
  const cut = input.readBeforeMs;
  // Far-away incidents and time outliers are left out, as the service does (screen.ts).
  const screen = screenedIncidents(
    input.incidents.filter((inc) => (cut === undefined || inc.timeMs < cut) && (input.include ? input.include(inc) : true)),
    input.tz,
  );
  const included = screen.kept;
  // With a study polygon, incidents outside its cells are set aside: never trained on, and
  // counted among the scored incidents (as uncatchable) when they fall in a window.
  const polygon = input.studyPolygon === undefined ? null : polygonStudyCells(input.studyPolygon, res, included);
  const incidents = polygon ? polygon.inside : included;
  const outside = polygon ? polygon.outside : [];
  const knownMs = Float64Array.from(incidents, (inc) => periodEndMs(inc, tz));

  const windows = evaluationWindows(input, shiftStarts, shiftHours);
  if (!months) checkPrecision(incidents, windows);
  const firstStart = windows[0]!.startMs;
  const history = incidents.filter((_, i) => knownMs[i]! <= firstStart);
  if (history.length === 0) {
    throw new EvaluateError(
      'E_NO_HISTORY',
      `no incident${polygon ? ' inside the study polygon' : ''} is known before the first window (${new Date(firstStart).toISOString()}): the models have nothing to learn from`,
    );
  }

  const { events, eventKnownMs, timeUnknown, sourceOfIncident } = eventsOf(incidents, knownMs, res);
  // study cells: the polygon's, or from the history only (no peeking at where the test events are)
  const study = polygon ? polygon.study : historyStudyCells(history, res);
  const studyOfSource = Int32Array.from(events.cells, (c) => study.index.get(c) ?? -1);
  const { districts, note: districtNote } = districtsOf(study.cells, input.districtOf, history, res);
  // the incidents trained on first, then those outside the study polygon (the order events are summed in)
  const actuals = placeActuals(
    windows,
    (function* () {
      yield* placeables(incidents, knownMs, (i) => studyOfSource[sourceOfIncident[i]!]!);
      yield* placeables(
        outside,
        Float64Array.from(outside, (inc) => periodEndMs(inc, tz)),
        () => -1,
      );
    })(),
  );
  checkScorable(input.periodName ?? 'test period', windows, actuals);
  const notes = screen.warnings.concat(
    runNotes({ months, study, actuals, districtNote, outside: outside.length, included: included.length }),
  );
  return {
    res,
    tz,
    months,
    fromMs: input.fromMs,
    toMs: input.toMs,
    shiftStarts: [...shiftStarts],
    shiftHours,
    windows,
    incidents,
    knownMs,
    events,
    eventKnownMs,
    timeUnknown,
    studyOfSource,
    history,
    study,
    districts,
    actuals,
    stream: trainingStream(knownMs, sourceOfIncident),
    measures: measuresOf(input, study),
    notes,
  };
}

/**
 * Refuses a period with no incident a model could catch: every hit rate would be 0/0 (printed
 * as NaN%, or a misleading 0%), and a tuning would pick a configuration on nothing.
 * @throws {EvaluateError} E_NO_EVENTS saying how many incidents fell in the period and why none is scorable
 */
function checkScorable(period: string, windows: readonly EvalWindow[], actuals: Actuals): void {
  const { events, outsideArea, unplaced } = actuals;
  if (events > outsideArea) return;
  const span = `${new Date(windows[0]!.startMs).toISOString()} to ${new Date(windows[windows.length - 1]!.endMs).toISOString()}`;
  const reasons: string[] = [];
  if (outsideArea > 0) reasons.push(`${outsideArea} outside the study area`);
  if (unplaced > 0) reasons.push(`${unplaced} too vague to place in one window (unknown time of day or coarser)`);
  const inPeriod = events + unplaced;
  const why = inPeriod === 0 ? 'no incident at all falls in it' : `${inPeriod} incidents fall in it, none scorable: ${reasons.join(', ')}`;
  throw new EvaluateError(
    'E_NO_EVENTS',
    `the ${period} (${span}) has nothing to score: ${why}; choose a period with incidents inside the study area`,
    { period, inPeriod, unplaced, outsideArea },
  );
}

/** The report's notes about the districts, unplaced incidents, the study polygon and uncatchable incidents, in that order. */
function runNotes(r: {
  months: boolean;
  study: StudyCells;
  actuals: Actuals;
  districtNote: string | null;
  outside: number;
  included: number;
}): string[] {
  const notes: string[] = [];
  if (r.districtNote !== null) notes.push(r.districtNote);
  const { unplaced, outsideArea } = r.actuals;
  if (unplaced > 0) {
    notes.push(
      `${unplaced} incidents of the test period have a time too vague to place in one ${r.months ? 'month' : 'shift'} (unknown time of day or coarser): left out of the actuals, used in training once their whole day (or month) has passed.`,
    );
  }
  const C = r.study.cells.length;
  if (r.study.fromPolygon) {
    notes.push(
      `Study area: the ${C} cells (${r.study.areaKm2.toFixed(2)} km²) whose centres lie in the given polygon; ${r.outside} of ${r.included} incidents lie outside them and are not trained on.`,
    );
  }
  if (outsideArea > 0) {
    notes.push(
      `${outsideArea} scored incidents fall outside the study cells (${r.study.fromPolygon ? 'the given polygon' : 'built from the history'}): no model can catch them.`,
    );
  }
  return notes;
}
