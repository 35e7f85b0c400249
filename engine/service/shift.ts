/**
 * The application's two jobs, written once for the CLI and the web app:
 * - {@link shiftBoxes}, "the patrol boxes of a shift": the training set known before the shift
 *   → fit (or a saved fit, refused when trained past the shift) → forecast of every cell →
 *   the top boxes per district, each with its explanation;
 * - {@link trainModel}, the fit alone (`patrolcast fit`, the analyst's fit), through the same
 *   training-set code, so a saved fit forecasts exactly as a fit made on the spot.
 *
 * Leakage: nothing dated at or after the shift start, and nothing whose time period had not
 * ended by then, reaches the fit, the forecast, the districts or the explanations; removing
 * such incidents leaves the result bit-identical (tests/service).
 */
import { contributorParams, type AdaptRecord, type BoxPlacement, type EtasFit } from '../model/index.ts';
import {
  allocateBoxes,
  districtNeeds,
  districtRoutes,
  explainBox,
  forecastShift,
  patrolBoxes,
  placedPatrolBoxes,
  PlacementCache,
  rankingWarnings,
  type DistrictRoute,
  type RankingWarning,
} from '../forecast/index.ts';
import type { CellForecast, EtasFitOptions, EventSet, H3Cell, PatrolBox, ReasonCounts, ShiftWindow } from '../types.ts';
import { formatLocalInstant } from '../timezone.ts';
import { ServiceError } from './errors.ts';
import { checkSavedFit } from './savedFit.ts';
import { checkCancel, checkTunedBefore, fitTraining, resolveModel, type ModelChoice, type ServiceHooks } from './fit.ts';
import { monthPrecisionWarning, trainingNotes, trainingSet, trainingWarnings, type TrainingData, type TrainingSet } from './training.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Warn when the newest training incident is more than this many days older than the shift. */
export const STALE_DATA_DAYS = 7;

/** What to fit: the data, the model and the training window. */
export interface TrainRequest extends TrainingData {
  /** The model (default 'etas'); ignored when a saved fit is given. */
  readonly model?: ModelChoice;
  /** Bounds, fixed values and EM limits over the model's configuration. */
  readonly fitOptions?: EtasFitOptions;
  /**
   * The adaptive selection of an earlier fit from the same incidents and settings (its
   * `fit.adapt`), reused when it was made at this fit's selection anchor (its holdout ends
   * there: docs/model.md#adaptive-default), so the fits of shifts between two anchors skip the
   * selection; the fit is the same with or without it. One made at another anchor is ignored.
   * The caller vouches for the incidents and settings (the web app keys it by them).
   */
  readonly adaptChoice?: AdaptRecord | null;
}

/** The training window and what went into it. */
export interface TrainingSummary {
  /** The fit window [startMs, endMs); endMs is before `untilMs` when the data ends long before it (training.ts FIT_END_MARGIN_MS). */
  readonly startMs: number;
  readonly endMs: number;
  /** The requested end: the shift start, or --until. */
  readonly untilMs: number;
  /** Incidents left out by the data screen: far away, and time outliers (0 when kept by keepOutliers). */
  readonly farAway: number;
  readonly timeOutliers: number;
  /** Training events (incidents known before the end, kept by the filter). */
  readonly events: number;
  /** Time of the newest of them, epoch ms. */
  readonly lastEventMs: number;
  /** Incidents dated before the end but known only after it, left out. */
  readonly knownLater: number;
  /** True when the window was limited by `trainFromMs`; false for all history. */
  readonly limited: boolean;
}

/** A fit and the history it was made from. */
export interface TrainedModel {
  readonly fit: EtasFit;
  /** The training events (the forecast's history). */
  readonly history: EventSet;
  readonly training: TrainingSummary;
  /** What the service did, in words (training window, incidents left out). */
  readonly notes: readonly string[];
  /** What the user should know (month-precision data, data ending long before the shift). */
  readonly warnings: readonly string[];
  /**
   * What placing boxes needs from these incidents at this resolution (each incident's finer
   * cell, the lattice and its boxes), filled by the first placed shift: pass it back as
   * {@link ShiftRequest.placementCache} so later shifts cost only the forecast and the placement.
   */
  readonly placementCache: PlacementCache;
}

/**
 * A patrol box with the model's breakdown in words (`explanation`, engine/forecast explainBox)
 * and its reason in counts (`reason`, `reasonCounts`, engine/forecast reasonText).
 */
export type ExplainedBox = PatrolBox & { readonly explanation: string; readonly reason: string; readonly reasonCounts: ReasonCounts };

/** A box with its explanation; its reason was filled by the boxes, which the service always gives the zone. */
function explained(b: PatrolBox): ExplainedBox {
  if (b.reason === undefined || b.reasonCounts === undefined) {
    throw new ServiceError('E_ARGUMENT', `box ${b.rank} of ${b.district} has no reason: the boxes were made without the time zone`, b.h3);
  }
  return { ...b, explanation: explainBox(b), reason: b.reason, reasonCounts: b.reasonCounts };
}

/** The patrol boxes of one shift. */
export interface ShiftRequest extends TrainRequest {
  readonly shift: ShiftWindow;
  /** A saved fit to forecast from instead of fitting (refused when trained past the shift start). */
  readonly fit?: EtasFit | null;
  /**
   * The district of each cell: 'labels' (default: the majority label of the training incidents
   * in the cell, as the backtest), or a function of the forecast's cells (e.g. polygons).
   */
  readonly districts?: 'labels' | ((cells: readonly H3Cell[]) => ReadonlyMap<H3Cell, string>);
  /** Cells without a district: 'group' them as "(none)" or 'drop' them; default 'group' for labels, 'drop' for a function. */
  readonly unassigned?: 'group' | 'drop';
  /** Boxes per district (default 20); ignored when `boxesTotal` is given. */
  readonly top?: number;
  /**
   * A total number of boxes shared across the districts by their expected crime in the shift
   * (engine/forecast allocateBoxes: Sainte-Laguë) instead of `top` each; a quiet district may get none.
   */
  readonly boxesTotal?: number;
  /** Recent incidents listed per box (default 3). */
  readonly maxContributors?: number;
  /**
   * Where boxes may sit: 'fine', boxes of one cell's area centred on any cell of the next finer
   * resolution (engine/forecast placedPatrolBoxes); 'grid', the forecast's own cells. Default:
   * the saved fit's or the configuration's `placement`, else 'fine'.
   */
  readonly placement?: BoxPlacement;
  /**
   * The `placementCache` of an earlier TrainedModel or ShiftBoxes made from the same incidents
   * array at the same resolution (another one is ignored); the boxes are the same with or without it.
   */
  readonly placementCache?: PlacementCache;
}

export type { BoxPlacement };

export interface ShiftBoxes extends TrainedModel {
  readonly shift: ShiftWindow;
  /** True when the fit was made now, false when the saved fit was used. */
  readonly fitted: boolean;
  /** Expected count of every cell with a positive forecast. */
  readonly forecast: CellForecast;
  /** Per district (name order, "(none)" last), its boxes by rank, each explained. */
  readonly boxes: readonly ExplainedBox[];
  /** The district of each cell the boxes were picked with. */
  readonly districtOf: ReadonlyMap<H3Cell, string>;
  /** The placement the boxes were made with. */
  readonly placement: BoxPlacement;
  /** Per district (the order of `boxes`), a short patrol order over its boxes from box 1 (engine/forecast/route.ts). */
  readonly routes: readonly DistrictRoute[];
  /** Districts whose boxes are not a confident ranking (engine/forecast rankingWarnings), in the order of `boxes`. */
  readonly rankingWarnings: readonly RankingWarning[];
  /** With `boxesTotal`: each district's boxes (0 for a district given none), by name; else null. */
  readonly allocation: ReadonlyMap<string, number> | null;
}

function summary(set: TrainingSet, limited: boolean): TrainingSummary {
  const s = set.screening;
  return {
    ...set.window,
    untilMs: set.untilMs,
    farAway: s.farAway,
    timeOutliers: s.outliersKept ? 0 : s.early + s.late,
    events: set.events.tHours.length,
    lastEventMs: set.lastEventMs,
    knownLater: set.knownLater,
    limited,
  };
}

/** The training set with its summary, notes and warnings. */
function train(
  request: TrainingData,
  endMs: number,
  hooks: ServiceHooks,
): { set: TrainingSet; training: TrainingSummary; notes: string[]; warnings: string[] } {
  checkCancel(hooks, 'the training set');
  hooks.onStage?.('training-set', {});
  const limited = request.trainFromMs !== undefined && request.trainFromMs !== null;
  const set = trainingSet(request, endMs);
  const warning = monthPrecisionWarning(set.events);
  const warnings = trainingWarnings(set, request.tz);
  if (warning !== null) warnings.push(warning);
  return { set, training: summary(set, limited), notes: trainingNotes(set, limited, request.tz), warnings };
}

/**
 * Fits the model on every incident known before `untilMs` (or from `trainFromMs`): the fit of
 * `patrolcast fit --until` and of the analyst's view, the same as {@link shiftBoxes} makes for
 * a shift starting at `untilMs`.
 * @throws {ServiceError} E_NO_EVENTS, E_CONFIG_OVERLAP, E_FIT, E_ARGUMENT, E_CANCELLED;
 *   {ModelError} E_OPTIONS (bad fit options), E_CANCELLED
 */
export function trainModel(request: TrainRequest & { readonly untilMs: number }, hooks: ServiceHooks = {}): TrainedModel {
  const config = resolveModel(request.model, request.fitOptions);
  checkTunedBefore(config, request.untilMs);
  const { set, training, notes, warnings } = train(request, request.untilMs, hooks);
  const fit = fitTraining(set, request.res, request.tz, config, hooks, request.incidents, request.adaptChoice ?? null);
  return { fit, history: set.events, training, notes, warnings, placementCache: new PlacementCache(request.incidents, request.res) };
}

/** The fit for the shift: the saved one (checked) or a new one. */
function shiftFit(request: ShiftRequest, set: TrainingSet, hooks: ServiceHooks): EtasFit {
  const saved = request.fit ?? null;
  const startMs = request.shift.startMs;
  if (saved === null) {
    const config = resolveModel(request.model, request.fitOptions);
    checkTunedBefore(config, startMs);
    return fitTraining(set, request.res, request.tz, config, hooks, request.incidents, request.adaptChoice ?? null);
  }
  if (saved.window.endMs > startMs) {
    throw new ServiceError(
      'E_FIT_LEAK',
      `the saved fit was trained on data up to ${formatLocalInstant(saved.window.endMs, request.tz)}, after the shift start ${formatLocalInstant(startMs, request.tz)}: a forecast may only use what was known before the shift`,
      saved.window.endMs,
    );
  }
  if (saved.res !== request.res) {
    throw new ServiceError(
      'E_FIT_RES',
      `the saved fit was made at H3 resolution ${saved.res}, but the forecast is at resolution ${request.res}`,
      saved.res,
    );
  }
  return saved;
}

/** The placement a forecast defaults to: the saved fit's, else its configuration's (a tuned one's), else 'fine'. */
function placementOf(fit: EtasFit): BoxPlacement {
  return fit.placement ?? fit.config.placement ?? 'fine';
}

/** A warning when the newest training incident is long before the shift (the data may end before it), or null. */
function staleDataWarning(lastEventMs: number, startMs: number, tz: string): string | null {
  const idleDays = (startMs - lastEventMs) / DAY_MS;
  if (!(idleDays > STALE_DATA_DAYS)) return null;
  return `the newest incident before the shift is ${idleDays.toFixed(1)} days older than it (${formatLocalInstant(lastEventMs, tz)}): the data may end before the shift, so the triggered part is close to 0 and the boxes reflect the background rates only.`;
}

/**
 * Each district's share of `total` boxes by its expected crime (engine/forecast allocateBoxes),
 * capped by the boxes it has when picked with `top` = `total`: a district's first k of those are
 * its top k (picks are made in rank order).
 */
function shareByNeed(
  all: readonly { readonly district: string }[],
  forecast: CellForecast,
  options: { readonly districtOf: (c: H3Cell) => string | null; readonly unassigned: 'group' | 'drop' },
  total: number,
): Map<string, number> {
  const caps = new Map<string, number>();
  for (const b of all) caps.set(b.district, (caps.get(b.district) ?? 0) + 1);
  return allocateBoxes(districtNeeds(forecast, options.districtOf, options.unassigned), caps, total);
}

/**
 * The patrol boxes of a shift (module comment). The default training window is all history
 * known before the shift start, by the backtest's known-from rule, so the CLI, the web app and
 * the backtest forecast a shift from the same incidents.
 *
 * Cost: the training set O(N log N), the fit (unless saved) O(N) per EM iteration, the forecast
 * O(N + cells), the boxes O(cells log cells), the routes O(n⁴) at worst per district of n boxes
 * (~10 ms for 50: engine/forecast/route.ts).
 * @throws {ServiceError} E_NO_EVENTS, E_FIT_LEAK, E_FIT_RES, E_FIT_DATA, E_CONFIG_OVERLAP, E_FIT, E_ARGUMENT,
 *   E_CANCELLED; {ModelError} E_OPTIONS, E_CANCELLED; {ForecastError} E_ARGUMENT (bad top or
 *   contributors); {TimeZoneError} E_TIMEZONE
 */
export function shiftBoxes(request: ShiftRequest, hooks: ServiceHooks = {}): ShiftBoxes {
  const { shift } = request;
  if (!Number.isFinite(shift.startMs) || !(shift.hours > 0)) {
    throw new ServiceError(
      'E_ARGUMENT',
      `the shift must have a finite start and positive hours, got ${String(shift.startMs)}, ${String(shift.hours)}`,
      shift,
    );
  }
  const { set, training, notes, warnings } = train(request, shift.startMs, hooks);
  const stale = staleDataWarning(set.lastEventMs, shift.startMs, request.tz);
  if (stale !== null) warnings.push(stale);
  const fit = shiftFit(request, set, hooks);
  if (request.fit) for (const w of checkSavedFit(fit, request, set)) warnings.push(w);
  checkCancel(hooks, 'the forecast');
  hooks.onStage?.('forecast', {});
  const forecast = forecastShift(fit, set.events, shift.startMs, shift.hours);
  const byFunction = typeof request.districts === 'function';
  const districtOf = typeof request.districts === 'function' ? request.districts(forecast.cells) : set.districtOf;
  const placement = request.placement ?? placementOf(fit);
  if (placement !== 'fine' && placement !== 'grid') {
    throw new ServiceError('E_ARGUMENT', `placement must be 'fine' or 'grid', got ${String(placement)}`, placement);
  }
  const cached = request.placementCache;
  const placementCache = cached?.serves(request.incidents, request.res) ? cached : new PlacementCache(request.incidents, request.res);
  const total = request.boxesTotal;
  const boxOptions = {
    ...(total !== undefined ? { top: total } : request.top !== undefined ? { top: request.top } : {}),
    ...(request.maxContributors !== undefined ? { maxContributors: request.maxContributors } : {}),
    districtOf: (c: H3Cell) => districtOf.get(c) ?? null,
    unassigned: request.unassigned ?? (byFunction ? 'drop' : 'group'),
    // The boxes' contributors are the same-cell part of the triggering: θ·w_0 with the fit's decay.
    contributorParams: contributorParams(fit),
    history: set.events,
    incidents: request.incidents,
    startMs: shift.startMs,
    hours: shift.hours,
    tz: request.tz,
    cache: placementCache,
  } as const;
  const all = placement === 'fine' ? placedPatrolBoxes(forecast, boxOptions) : patrolBoxes(forecast, boxOptions);
  const allocation = total === undefined ? null : shareByNeed(all, forecast, boxOptions, total);
  const picked = allocation === null ? all : all.filter((b) => b.rank <= (allocation.get(b.district) ?? 0));
  const boxes = picked.map(explained);
  const history = set.events;
  const routes = districtRoutes(boxes);
  // The data behind the ranking: the training window (at least one shift's worth).
  const trainingHours = Math.max(training.endMs - training.startMs, shift.hours * HOUR_MS) / HOUR_MS;
  const warned = rankingWarnings(boxes, trainingHours, shift.hours);
  return {
    shift,
    fit,
    fitted: !request.fit,
    forecast,
    boxes,
    districtOf,
    placement,
    routes,
    rankingWarnings: warned,
    allocation,
    history,
    training,
    notes,
    warnings,
    placementCache,
  };
}
