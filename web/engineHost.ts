/**
 * The engine side of the web app's worker as a plain module (no Worker global: tests run it in
 * Node): the loaded data set, the jobs the page asks for (load, forecast, fit, backtest), a fit
 * cache, and the results shaped for web/protocol.ts. The application's work itself (the training
 * set, the fit, the forecast, the boxes) is the engine's service (engine/service shiftBoxes and
 * trainModel), the same code the CLI runs, so the two give the same boxes; web/worker.ts only
 * passes messages.
 */
import {
  boxesToCsv,
  boxesToGeoJSON,
  cellToFeature,
  incidentCell,
  parseLocalDateTime,
  shiftAt,
  shiftBoxes,
  trainModel,
  withRouteStops,
  type EtasFit,
  type AdaptRecord,
  type H3Cell,
  type PlacementCache,
  type Incident,
  type ServiceHooks,
  type ShiftBoxes,
  type ShiftWindow,
  type TrainRequest,
} from '../engine/index.ts';
import type { FeatureCollection } from 'geojson';
import { loadSource, type Loaded } from './dataset.ts';
import type {
  ActualIncident,
  DataSource,
  DatasetInfo,
  DistrictsRequest,
  FitRequest,
  FitResult,
  ForecastRequest,
  ForecastResult,
  ModelSettings,
  Progress,
  Request,
  Response,
} from './protocol.ts';
import { runBacktest } from './backtestHost.ts';
import { DistrictLabels, districtPolygons, withPolygonDistricts } from './hostDistricts.ts';
import { routeViews } from './route.ts';
import { boundsOf, boxView, summarizeFit } from './shape.ts';
import { errorInfo, WorkerError } from './workerErrors.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Fits kept (by model settings and training end) before the cache is emptied. */
const FIT_CACHE_MAX = 20;

/** A fit made by the service and the warnings it came with (month precision, stale data). */
interface CachedFit {
  readonly fit: EtasFit;
  readonly warnings: readonly string[];
}

/**
 * Shifts' boxes kept (by model settings, placement, boxes per district and shift start) before
 * the cache is emptied: the service picks every district's boxes at once, so choosing another
 * district, or going back to a placement, only filters them again. Each holds its fit and
 * history (the service's TrainedModel), a few MB for the bundled data.
 */
const BOXES_CACHE_MAX = 6;

let loaded: Loaded | null = null;
const fitCache = new Map<string, CachedFit>();
const boxesCache = new Map<string, ShiftBoxes>();
/** The districts of the loaded data's cells (its labels, or polygons chosen in Settings) and their outlines. */
const districts = new DistrictLabels();
/**
 * The service's placement cache (each incident's fine cell and the box lattice) of the loaded
 * incidents at the last resolution used: later shifts cost only the forecast and the placement.
 * The service checks that it serves the same incidents and resolution, and makes a new one otherwise.
 */
let placementCache: PlacementCache | null = null;
/**
 * The adaptive selection of the last fit per model settings (docs/model.md#adaptive-default):
 * the service reuses it for a fit whose selection anchor is the same (shifts between two
 * anchors), so a new shift does not pay the selection again; the boxes are those of a fresh
 * selection. Kept only without a days-of-history limit, whose training window moves with the shift.
 */
const adaptChoices = new Map<string, AdaptRecord>();

/** Runs one request and posts its progress and its result (or its error, code kept) through `post`. */
export async function handle(request: Request, post: (message: Response) => void): Promise<void> {
  const progress = (p: Progress): void => post({ id: request.id, type: 'progress', progress: p });
  try {
    let value: unknown;
    switch (request.type) {
      case 'load':
        value = await load(request.source, progress);
        break;
      case 'forecast':
        value = forecast(request.request, progress);
        break;
      case 'fit':
        value = fitOnly(request.request, progress);
        break;
      case 'backtest':
        value = runBacktest(
          request.request,
          { data: requireData(), include: categoryFilter(request.request.model), districtOf: districtsAt(request.request.model.res) },
          progress,
        );
        break;
      case 'districts':
        value = setDistricts(request.request);
        break;
    }
    post({ id: request.id, type: 'result', value });
  } catch (error) {
    post({ id: request.id, type: 'error', ...errorInfo(error) });
  }
}

/** Loads a data set, replacing the current one (and emptying the caches) once it has been read. */
export async function load(source: DataSource, progress: (p: Progress) => void): Promise<DatasetInfo> {
  loaded = await loadSource(source, progress);
  fitCache.clear();
  boxesCache.clear();
  districts.reset(null);
  placementCache = null;
  adaptChoices.clear();
  return loaded.info;
}

/** District polygons instead of the data's labels, or null for its labels (web/hostDistricts.ts); keeps the fits. */
export function setDistricts(request: DistrictsRequest | null): DatasetInfo {
  const data = requireData();
  const chosen = request === null ? null : districtPolygons(request);
  const info = chosen === null ? data.info : withPolygonDistricts(data.info, chosen, data.incidents);
  districts.reset(chosen);
  boxesCache.clear();
  return info;
}

function requireData(): Loaded {
  if (!loaded) throw new WorkerError('E_NO_DATA', 'no data loaded yet');
  return loaded;
}

function categoryFilter(model: ModelSettings): (incident: Incident) => boolean {
  if (!model.categories) return () => true;
  const wanted = new Set(model.categories);
  return (incident) => incident.category !== null && wanted.has(incident.category);
}

/** District labels of every incident at a resolution (outlines, actuals, the backtest). Cached. */
function districtsAt(res: number): ReadonlyMap<H3Cell, string> {
  return districts.at(res, requireData().incidents);
}

/** District outlines for the map: the polygons chosen, or drawn from resolution-9 cells (smoother than res 10). */
function outlines(): FeatureCollection {
  return districts.outlines(requireData().incidents);
}

// ---------------------------------------------------------------------------------------------
// Forecasting and fitting: the engine's service

/**
 * The service's request for the model settings, training up to `endMs`: all history known
 * before it (the shared default), or the analyst's last `trainingDays` days.
 */
function trainingRequest(model: ModelSettings, endMs: number): TrainRequest {
  const data = requireData();
  const wanted = model.categories ? new Set(model.categories) : null;
  return {
    incidents: data.incidents,
    tz: data.tz,
    res: model.res,
    include: wanted === null ? null : (incident) => incident.category !== null && wanted.has(incident.category),
    trainFromMs: model.trainingDays === null ? null : endMs - model.trainingDays * DAY_MS,
    model: model.model,
    fitOptions: model.fitOptions,
  };
}

/** The cache key of the fit for the model settings trained up to `endMs`. */
function fitKey(model: ModelSettings, endMs: number): string {
  return JSON.stringify({
    name: model.model,
    endMs,
    res: model.res,
    categories: model.categories,
    days: model.trainingDays,
    options: model.fitOptions,
  });
}

/** The key of the adaptive selection kept for the model settings (null: none kept, see adaptChoices). */
function choiceKey(model: ModelSettings): string | null {
  return model.trainingDays === null ? fitKey(model, 0) : null;
}

/** The kept selection for the settings, as a request field. */
function keptChoice(model: ModelSettings): { adaptChoice?: AdaptRecord } {
  const key = choiceKey(model);
  const choice = key === null ? undefined : adaptChoices.get(key);
  return choice ? { adaptChoice: choice } : {};
}

/** Keeps the fit's selection for the settings. */
function keepChoice(model: ModelSettings, fit: EtasFit): void {
  const key = choiceKey(model);
  if (key !== null && fit.adapt) adaptChoices.set(key, fit.adapt);
}

function remember(key: string, entry: CachedFit): void {
  if (fitCache.size >= FIT_CACHE_MAX) fitCache.clear();
  fitCache.set(key, entry);
}

/** The service's progress as the page's: the training set, each EM iteration, the forecast. */
function progressHooks(progress: (p: Progress) => void, forecastDetail?: string): ServiceHooks {
  let maxIterations = 1;
  return {
    onStage: (stage, detail) => {
      if (stage === 'training-set') progress({ phase: 'Preparing the training events', fraction: null });
      else if (stage === 'fit') maxIterations = detail.maxIterations ?? 1;
      else progress({ phase: 'Forecasting the shift', ...(forecastDetail ? { detail: forecastDetail } : {}), fraction: null });
    },
    onIteration: (iteration, logLikelihood) =>
      progress({
        phase: 'Fitting the model',
        detail: `EM iteration ${iteration}`,
        fraction: Math.min(1, iteration / maxIterations),
        iteration,
        logLikelihood,
      }),
  };
}

/**
 * The patrol boxes of a shift for the model settings: the fit cached by settings and shift start
 * (a new placement or number of boxes reuses it), the boxes by those and the placement and number.
 */
function boxesFor(shift: ShiftWindow, model: ModelSettings, progress: (p: Progress) => void, boxesTotal?: number): ShiftBoxes {
  const key = fitKey(model, shift.startMs);
  const boxesKey = JSON.stringify([key, model.placement ?? 'fine', model.top, boxesTotal ?? null]);
  const kept = boxesCache.get(boxesKey);
  if (kept) return kept;
  const cached = fitCache.get(key);
  const cast = shiftBoxes(
    {
      ...trainingRequest(model, shift.startMs),
      shift,
      top: model.top,
      ...(boxesTotal !== undefined ? { boxesTotal } : {}),
      placement: model.placement ?? 'fine',
      // District polygons as the CLI's --districts: boxes only inside them.
      ...(districts.polygons ? { districts: districts.polygons.label, unassigned: 'drop' as const } : {}),
      ...(cached ? { fit: cached.fit } : {}),
      ...(placementCache ? { placementCache } : {}),
      ...keptChoice(model),
    },
    progressHooks(progress, shift.label),
  );
  if (!cached) remember(key, { fit: cast.fit, warnings: cast.warnings });
  keepChoice(model, cast.fit);
  placementCache = cast.placementCache;
  if (boxesCache.size >= BOXES_CACHE_MAX) boxesCache.clear();
  boxesCache.set(boxesKey, cast);
  return cast;
}

/** The incidents of the shift (of the chosen types, in the chosen district), each marked hit when it fell in a box. */
function actualsOf(shift: ShiftWindow, request: ForecastRequest, cast: ShiftBoxes, boxCells: ReadonlySet<H3Cell>): ActualIncident[] {
  const data = requireData();
  const include = categoryFilter(request.model);
  const endMs = shift.startMs + request.hours * HOUR_MS;
  const everyLabel = districtsAt(request.model.res);
  const actuals: ActualIncident[] = [];
  for (const incident of data.incidents) {
    if (incident.timeMs < shift.startMs || incident.timeMs >= endMs || incident.timeOfDayUnknown || !include(incident)) continue;
    const h3 = incidentCell(incident.lat, incident.lng, request.model.res);
    // A placed box's cells are of the next finer resolution, a grid box's of the working one.
    const hit = boxCells.has(h3) || boxCells.has(incidentCell(incident.lat, incident.lng, request.model.res + 1));
    // The boxes' districts first; a cell new in the shift takes its label from all the data.
    if (request.district && (cast.districtOf.get(h3) ?? everyLabel.get(h3)) !== request.district) continue;
    actuals.push({ lng: incident.lng, lat: incident.lat, category: incident.category, timeMs: incident.timeMs, h3, hit });
  }
  return actuals;
}

/** The shift's patrol boxes (of one district, or all), shaped for the page. */
export function forecast(request: ForecastRequest, progress: (p: Progress) => void): ForecastResult {
  const data = requireData();
  const shift = shiftAt(`${request.date}T${request.shiftStart}`, data.tz, request.hours);
  const cast = boxesFor(shift, request.model, progress, request.boxesTotal);
  const boxes = request.district ? cast.boxes.filter((box) => box.district === request.district) : cast.boxes;
  const boxesGeoJSON = withRouteStops(boxesToGeoJSON(boxes, { placement: cast.placement }), cast.routes) as FeatureCollection;
  const districts = outlines();
  const { routes, routesGeoJSON } = routeViews(cast.routes, boxes, request.district);
  const bounds = request.district
    ? boundsOf(districts, (p) => p['district'] === request.district)
    : boundsOf(boxes.length > 0 ? boxesGeoJSON : districts);
  const result: ForecastResult = {
    shift,
    tz: data.tz,
    district: request.district,
    boxes: boxes.map(boxView),
    boxesGeoJSON,
    boxesCsv: boxesToCsv(boxes),
    placement: cast.placement,
    routes,
    routesGeoJSON,
    allocation: cast.allocation ? Object.fromEntries(cast.allocation) : null,
    rankingWarnings: cast.rankingWarnings.filter((w) => !request.district || w.district === request.district).map((w) => w.words),
    districts,
    bounds,
    fit: summarizeFit(request.model.model, cast.fit),
    historyEvents: cast.history.cell.length,
    warnings: cast.warnings,
  };
  if (!request.withActuals) return result;
  const actuals = actualsOf(shift, request, cast, new Set(boxes.flatMap((box) => box.cells ?? [box.h3])));
  return { ...result, actuals, actualHits: actuals.filter((a) => a.hit).length };
}

/** The analyst's fit: on every incident known before local midnight starting `trainToDate` (or its last `trainingDays` days). */
export function fitOnly(request: FitRequest, progress: (p: Progress) => void): FitResult {
  const data = requireData();
  const endMs = parseLocalDateTime(`${request.trainToDate}T00:00`, data.tz);
  const key = fitKey(request.model, endMs);
  let entry = fitCache.get(key);
  if (!entry) {
    const trained = trainModel(
      { ...trainingRequest(request.model, endMs), untilMs: endMs, ...keptChoice(request.model) },
      progressHooks(progress),
    );
    keepChoice(request.model, trained.fit);
    entry = { fit: trained.fit, warnings: trained.warnings };
    remember(key, entry);
  }
  const { fit } = entry;
  // The rate the forecasts use (recency-weighted when recency is on).
  const features = Object.entries(fit.ratePerHour)
    .filter(([, mu]) => mu > 0)
    .map(([cell, mu]) => cellToFeature(cell, { muPerDay: mu * 24 }));
  const background: FeatureCollection = { type: 'FeatureCollection', features };
  // The same JSON as the CLI's fit --out / forecast --fit-out (forecast --fit-in reads either model's).
  return {
    fit: summarizeFit(request.model.model, fit),
    background,
    bounds: boundsOf(background),
    fitJson: JSON.stringify(fit, null, 1),
    warnings: entry.warnings,
  };
}
