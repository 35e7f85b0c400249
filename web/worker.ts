/// <reference lib="webworker" />
/**
 * The engine worker: holds the loaded incidents and runs every engine call (ingest, fit,
 * forecast, backtest) off the page's thread. Only the engine's public API is used; this file
 * does the plumbing (fetching the bundled data from the page's own origin, gunzip, caching fits)
 * and turns engine results into the plain shapes of web/protocol.ts.
 */
import {
  backtest,
  boxesToCsv,
  boxesToGeoJSON,
  buildEventSet,
  CATEGORY_PRESETS,
  cellCenter,
  cellToFeature,
  configForData,
  describeFit,
  describeEtasConfig,
  ETAS_DEFAULTS,
  ETAS_PRESETS,
  districtOutlines,
  districtsFromLabels,
  explainBox,
  fitEtas,
  forecastShift,
  ingestCsvText,
  ingestGeoJson,
  incidentCell,
  mergeIngestResults,
  parseLocalDateTime,
  patrolBoxes,
  timeUnknownFlags,
  withFitOptions,
  contributorParams,
  shiftAt,
  summarizeIngest,
  type EtasConfig,
  type EtasFit,
  type EventSet,
  type H3Cell,
  type Incident,
  type IngestResult,
} from '../engine/index.ts';
import type {
  ActualIncident,
  BacktestRequest,
  DataSource,
  DatasetInfo,
  FitRequest,
  FitResult,
  FitSummary,
  ForecastRequest,
  ForecastResult,
  ModelName,
  ModelSettings,
  Progress,
  Request,
  Response,
} from './protocol.ts';
import { errorInfo, WorkerError } from './workerErrors.ts';
import type { FeatureCollection } from 'geojson';

declare const self: DedicatedWorkerGlobalScope;

const REJECTED_SHOWN_MAX = 500;
const DAY_MS = 86_400_000;

interface Loaded {
  readonly info: DatasetInfo;
  readonly incidents: readonly Incident[];
  readonly tz: string;
}

/** A fit and the model name it was made for. */
interface NamedFit {
  readonly model: ModelName;
  readonly fit: EtasFit;
}

let loaded: Loaded | null = null;
const fitCache = new Map<string, NamedFit>();
const districtCache = new Map<number, ReadonlyMap<H3Cell, string>>();
let outlineCache: FeatureCollection | null = null;

self.addEventListener('message', (event: MessageEvent<Request>) => {
  void handle(event.data);
});

function post(message: Response): void {
  self.postMessage(message);
}

async function handle(request: Request): Promise<void> {
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
        value = runBacktest(request.request, progress);
        break;
    }
    post({ id: request.id, type: 'result', value });
  } catch (error) {
    post({ id: request.id, type: 'error', ...errorInfo(error) });
  }
}

// ---------------------------------------------------------------------------------------------
// Loading

async function gunzipIfNeeded(bytes: ArrayBuffer): Promise<ArrayBuffer> {
  const head = new Uint8Array(bytes, 0, Math.min(2, bytes.byteLength));
  if (head[0] !== 0x1f || head[1] !== 0x8b) return bytes; // not gzip (or the server already decoded it)
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Response(stream).arrayBuffer();
}

async function load(source: DataSource, progress: (p: Progress) => void): Promise<DatasetInfo> {
  const results: IngestResult[] = [];
  let name: string;
  let tzHint: string | undefined;
  if (source.kind === 'bundled') {
    name = 'Vancouver property crime 2022–2023 (bundled, VPD open data)';
    for (const [i, { url, name: file }] of source.files.entries()) {
      progress({ phase: 'Loading the bundled data', detail: file, fraction: i / source.files.length });
      const response = await fetch(url);
      if (!response.ok) throw new WorkerError('E_FETCH', `could not load the bundled data ${file}: HTTP ${response.status}`, response.status);
      const text = new TextDecoder().decode(await gunzipIfNeeded(await response.arrayBuffer()));
      progress({ phase: 'Reading incidents', detail: file, fraction: (i + 0.5) / source.files.length });
      results.push(ingestCsvText(text, { file, format: 'vancouver' }));
    }
  } else {
    name = source.files.map((f) => f.name).join(', ');
    tzHint = source.tz;
    for (const [i, file] of source.files.entries()) {
      progress({ phase: 'Reading incidents', detail: file.name, fraction: i / source.files.length });
      const text = new TextDecoder().decode(await gunzipIfNeeded(file.bytes));
      const options = {
        file: file.name,
        ...(source.format ? { format: source.format } : {}),
        ...(source.columns ? { columns: source.columns } : {}),
        ...(source.tz ? { tz: source.tz } : {}),
      };
      const looksJson = /\.(geo)?json(\.gz)?$/i.test(file.name) || /^\s*\{/.test(text.slice(0, 200));
      if (source.format === 'geojson' || (looksJson && !source.format)) {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch (error) {
          throw new WorkerError('E_NOT_JSON', `${file.name}: not valid JSON (${error instanceof Error ? error.message : String(error)})`, file.name);
        }
        results.push(ingestGeoJson(json, options));
      } else {
        results.push(ingestCsvText(text, options));
      }
    }
  }
  const merged = mergeIngestResults(results);
  if (merged.incidents.length === 0) {
    const reasons = summarizeIngest(merged).rejectedByReason;
    const why = Object.entries(reasons)
      .map(([reason, count]) => `${reason} ${count}`)
      .join(', ');
    throw new WorkerError('E_NO_INCIDENTS', `${name}: no usable incidents (${merged.rowsRead} rows read; rejected: ${why || 'none'})`, merged.rowsRead);
  }
  const tz = zoneFor(merged, tzHint);
  const incidents = [...merged.incidents].sort((a, b) => a.timeMs - b.timeMs);
  loaded = { info: describeDataset(name, merged, tz), incidents, tz };
  fitCache.clear();
  districtCache.clear();
  outlineCache = null;
  return loaded.info;
}

/** The zone shifts are defined in: the format's own zone, else the analyst's, else the browser's. */
function zoneFor(result: IngestResult, tzHint: string | undefined): string {
  if (result.format === 'vancouver') return 'America/Vancouver';
  if (result.format === 'police-uk') return 'Europe/London';
  return tzHint ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';
}

function localDate(ms: number, tz: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));
}

function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

function describeDataset(name: string, result: IngestResult, tz: string): DatasetInfo {
  const summary = summarizeIngest(result);
  let firstMs: number | null = null;
  let lastMs: number | null = null;
  const districtCounts = new Map<string, number>();
  for (const incident of result.incidents) {
    if (firstMs === null || incident.timeMs < firstMs) firstMs = incident.timeMs;
    if (lastMs === null || incident.timeMs > lastMs) lastMs = incident.timeMs;
    if (incident.district !== null) districtCounts.set(incident.district, (districtCounts.get(incident.district) ?? 0) + 1);
  }
  const categories = Object.entries(summary.categories)
    .map(([category, count]) => ({ name: category, count }))
    .sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1));
  const present = new Set(result.incidents.map((i) => i.category));
  const presets = [
    ...Object.entries(CATEGORY_PRESETS)
      .filter(([, preset]) => preset.categories.some((c) => present.has(c)))
      .map(([key, preset]) => ({ key, label: preset.label, categories: [...preset.categories] })),
    { key: 'all', label: 'All crime types in the data', categories: categories.map((c) => c.name) },
  ];
  const districts = [...districtCounts.entries()]
    .map(([district, count]) => ({ name: district, count }))
    .sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1));
  const lastDate = lastMs === null ? null : localDate(lastMs, tz);
  return {
    name,
    format: result.format,
    tz,
    summary,
    rejected: result.rejected.slice(0, REJECTED_SHOWN_MAX),
    rejectedTotal: result.rejected.length,
    firstMs,
    lastMs,
    categories,
    presets,
    districts,
    dayAfterLast: lastDate === null ? null : addDays(lastDate, 1),
    lastDate,
    firstDate: firstMs === null ? null : localDate(firstMs, tz),
    fitDefaults: { thetaMax: ETAS_DEFAULTS.triggering!.thetaMax, minMeanDelayHours: ETAS_DEFAULTS.triggering!.minMeanDelayHours },
  };
}

function requireData(): Loaded {
  if (!loaded) throw new WorkerError('E_NO_DATA', 'no data loaded yet');
  return loaded;
}

// ---------------------------------------------------------------------------------------------
// Fitting and forecasting

function categoryFilter(model: ModelSettings): (incident: Incident) => boolean {
  if (!model.categories) return () => true;
  const wanted = new Set(model.categories);
  return (incident) => incident.category !== null && wanted.has(incident.category);
}

/**
 * The configuration for the model settings: the model's preset (ETAS_DEFAULTS or ETAS_2015) with
 * the analyst's bounds, fixed values and EM limit (as the CLI's fit flags).
 * @throws ModelError E_OPTIONS for a value out of range
 */
function configFor(model: ModelSettings): EtasConfig {
  return withFitOptions(ETAS_PRESETS[modelOf(model)], model.fitOptions);
}

function modelOf(model: ModelSettings): ModelName {
  return model.model ?? 'etas';
}

/**
 * The fit used for a shift on `date`: trained on the `trainingDays` before local midnight
 * starting that date (or before the last incident, for dates after the data ends). Cached.
 */
function fitFor(date: string, model: ModelSettings, progress: (p: Progress) => void): NamedFit {
  const data = requireData();
  // Dates after the data ends all use the fit made at the end of the data (local midnight
  // after the last incident): there is nothing newer to learn from.
  const lastDay = data.info.dayAfterLast ?? date;
  const endMs = parseLocalDateTime(`${date < lastDay ? date : lastDay}T00:00`, data.tz);
  const startMs = endMs - model.trainingDays * DAY_MS;
  const name = modelOf(model);
  const key = JSON.stringify({ name, startMs, endMs, res: model.res, categories: model.categories, options: model.fitOptions });
  const cached = fitCache.get(key);
  if (cached) return cached;
  const config = configFor(model);
  const include = categoryFilter(model);
  progress({ phase: 'Preparing the training events', fraction: null });
  const events = buildEventSet(data.incidents, model.res, startMs, {
    endMs,
    include: (incident) => incident.timeMs >= startMs && include(incident),
  });
  if (events.cell.length === 0) {
    throw new WorkerError('E_NO_EVENTS', `no incidents of the chosen types between ${localDate(startMs, data.tz)} and ${localDate(endMs, data.tz)} to fit on`, [startMs, endMs]);
  }
  const maxIterations = config.em.maxIterations;
  const hooks = {
    onIteration: (iteration: number, logLikelihood: number) =>
      progress({
        phase: 'Fitting the model',
        detail: `EM iteration ${iteration}`,
        fraction: Math.min(1, iteration / maxIterations),
        iteration,
        logLikelihood,
      }),
    shouldCancel: () => false,
  };
  const fit: NamedFit = { model: name, fit: fitEtas(events, { startMs, endMs }, model.res, configForData(config, events), fitInputs(events, model.res), hooks) };
  if (fitCache.size > 20) fitCache.clear();
  fitCache.set(key, fit);
  return fit;
}

/** The fit's inputs: the zone, which events have no time of day (as the CLI and the backtest mark them), the districts. */
function fitInputs(events: EventSet, res: number): { tz: string; timeUnknown: Uint8Array; districtOf: ReadonlyMap<H3Cell, string> } {
  const data = requireData();
  return { tz: data.tz, timeUnknown: timeUnknownFlags(events, data.incidents), districtOf: districtsAt(res) };
}

function summarizeFit(named: NamedFit): FitSummary {
  const { fit, model } = named;
  const ingredients = model === 'etas' ? describeEtasConfig(fit.config) : null;
  const trig = fit.config.triggering;
  // The 2015 model's settings as options (as its fit files had them); etas: in `ingredients`.
  const options =
    model === 'etas-2015' && trig !== null
      ? {
          thetaMax: trig.thetaMax,
          minMeanDelayHours: trig.minMeanDelayHours,
          ...(trig.maxMeanDelayHours !== null ? { maxMeanDelayHours: trig.maxMeanDelayHours } : {}),
          ...(trig.fixedTheta !== undefined ? { fixedTheta: trig.fixedTheta } : {}),
          ...(trig.fixedMeanDelayHours !== undefined ? { fixedMeanDelayHours: trig.fixedMeanDelayHours } : {}),
          maxIterations: fit.config.em.maxIterations,
          relTolerance: fit.config.em.relTolerance,
        }
      : {};
  return {
    model,
    kind: fit.kind,
    version: fit.version,
    theta: fit.theta,
    omegaPerHour: fit.omegaPerHour,
    meanDelayHours: 1 / fit.omegaPerHour,
    res: fit.res,
    windowStartMs: fit.window.startMs,
    windowEndMs: fit.window.endMs,
    events: fit.events,
    iterations: fit.iterations,
    stopReason: fit.stopReason,
    notes: fit.notes,
    warnings: fit.warnings,
    fingerprint: fit.fingerprint,
    cellsWithBackground: Object.values(fit.ratePerHour).filter((m) => m > 0).length,
    options,
    ingredients,
    ringWeights: fit.ringWeights,
    profileBins: fit.profile?.labels ?? [],
    words: ingredients === null ? describeFit(fit) : `Model etas (beyond 2015): ${ingredients}. ${describeFit(fit)}`,
    logLikelihoodTrace: fit.objectiveTrace,
    triggeredShare: fit.triggeredShare,
  };
}

function districtsAt(res: number): ReadonlyMap<H3Cell, string> {
  let districts = districtCache.get(res);
  if (!districts) {
    districts = districtsFromLabels(requireData().incidents, res);
    districtCache.set(res, districts);
  }
  return districts;
}

/** District outlines for the map, drawn from resolution-9 cells (smoother than res 10). */
function outlines(): FeatureCollection {
  if (!outlineCache) outlineCache = districtOutlines(districtsAt(9)) as FeatureCollection;
  return outlineCache;
}

function boundsOf(collection: FeatureCollection, only?: (properties: Record<string, unknown>) => boolean): [number, number, number, number] {
  let west = Infinity;
  let south = Infinity;
  let east = -Infinity;
  let north = -Infinity;
  const visit = (coordinates: unknown): void => {
    if (Array.isArray(coordinates) && typeof coordinates[0] === 'number') {
      const [x, y] = coordinates as [number, number];
      if (x < west) west = x;
      if (x > east) east = x;
      if (y < south) south = y;
      if (y > north) north = y;
    } else if (Array.isArray(coordinates)) {
      for (const inner of coordinates) visit(inner);
    }
  };
  for (const feature of collection.features) {
    if (only && !only((feature.properties ?? {}) as Record<string, unknown>)) continue;
    if (feature.geometry && 'coordinates' in feature.geometry) visit(feature.geometry.coordinates);
  }
  return [west, south, east, north];
}

function forecast(request: ForecastRequest, progress: (p: Progress) => void): ForecastResult {
  const data = requireData();
  const { model } = request;
  const shift = shiftAt(`${request.date}T${request.shiftStart}`, data.tz, request.hours);
  const named = fitFor(request.date, model, progress);
  const fit = named.fit;
  const fitStartMs = fit.window.startMs;
  progress({ phase: 'Forecasting the shift', detail: shift.label, fraction: null });
  const include = categoryFilter(model);
  const history = buildEventSet(data.incidents, model.res, fitStartMs, {
    endMs: shift.startMs,
    include: (incident) => incident.timeMs >= fitStartMs && include(incident),
  });
  const cast = forecastShift(fit, history, shift.startMs, request.hours);
  const districtOf = districtsAt(model.res);
  const all = patrolBoxes(cast, {
    top: model.top,
    districtOf: (cell: H3Cell) => districtOf.get(cell) ?? null,
    // The boxes' contributors: the same-box part of the triggering, θ w_0 (as the CLI's forecast).
    contributorParams: contributorParams(fit),
    history,
    incidents: data.incidents,
    startMs: shift.startMs,
    hours: request.hours,
  });
  const boxes = request.district ? all.filter((box) => box.district === request.district) : all;
  const boxesGeoJSON = boxesToGeoJSON(boxes) as FeatureCollection;
  const districts = outlines();
  const bounds = request.district
    ? boundsOf(districts, (p) => p['district'] === request.district)
    : boundsOf(boxes.length > 0 ? boxesGeoJSON : districts);
  const result: ForecastResult = {
    shift,
    tz: data.tz,
    district: request.district,
    boxes: boxes.map((box) => {
      const centre = cellCenter(box.h3);
      return {
        rank: box.rank,
        h3: box.h3,
        district: box.district,
        expected: box.expected,
        background: box.background,
        triggered: box.triggered,
        backgroundShare: box.backgroundShare,
        triggeredShare: box.triggeredShare,
        why: explainBox(box),
        center: [centre.lng, centre.lat] as const,
      };
    }),
    boxesGeoJSON,
    boxesCsv: boxesToCsv(boxes),
    districts,
    bounds,
    fit: summarizeFit(named),
    historyEvents: history.cell.length,
  };
  if (!request.withActuals) return result;
  const endMs = shift.startMs + request.hours * 3.6e6;
  const boxCells = new Set(boxes.map((box) => box.h3));
  const actuals: ActualIncident[] = [];
  for (const incident of data.incidents) {
    if (incident.timeMs < shift.startMs || incident.timeMs >= endMs || incident.timeOfDayUnknown || !include(incident)) continue;
    const h3 = incidentCell(incident.lat, incident.lng, model.res);
    if (request.district && districtOf.get(h3) !== request.district) continue;
    actuals.push({ lng: incident.lng, lat: incident.lat, category: incident.category, timeMs: incident.timeMs, h3, hit: boxCells.has(h3) });
  }
  return { ...result, actuals, actualHits: actuals.filter((a) => a.hit).length };
}

function fitOnly(request: FitRequest, progress: (p: Progress) => void): FitResult {
  const named = fitFor(request.trainToDate, request.model, progress);
  // The rate the forecasts use (recency-weighted when recency is on).
  const features = Object.entries(named.fit.ratePerHour)
    .filter(([, mu]) => mu > 0)
    .map(([cell, mu]) => cellToFeature(cell, { muPerDay: mu * 24 }));
  const background: FeatureCollection = { type: 'FeatureCollection', features };
  // The same JSON as the CLI's fit --out / forecast --fit-out (forecast --fit-in reads either model's).
  return { fit: summarizeFit(named), background, bounds: boundsOf(background), fitJson: JSON.stringify(named.fit, null, 1) };
}

// ---------------------------------------------------------------------------------------------
// Backtest

/** The default etas configuration with the unticked ingredients switched off. */
function etasConfigWith(on: { readonly recency: boolean; readonly profile: boolean; readonly triggering: boolean }): EtasConfig {
  return { ...ETAS_DEFAULTS, ...(on.recency ? {} : { recency: null }), ...(on.profile ? {} : { profile: null }), ...(on.triggering ? {} : { triggering: null }) };
}

function runBacktest(request: BacktestRequest, progress: (p: Progress) => void): unknown {
  const data = requireData();
  const include = categoryFilter(request.model);
  return backtest(
    {
      incidents: data.incidents,
      include,
      tz: data.tz,
      fromMs: parseLocalDateTime(`${request.fromDate}T00:00`, data.tz),
      toMs: parseLocalDateTime(`${request.toDate}T00:00`, data.tz),
      res: request.model.res,
      shiftHours: request.hours,
      shiftStarts: request.shiftStarts,
      refitEveryDays: request.refitEveryDays,
      models: request.models,
      flaggedKm2: request.flaggedKm2,
      top: request.model.top,
      fitOptions: request.model.fitOptions,
      districtOf: districtsAt(request.model.res),
      ...(request.etasIngredients ? { etasConfig: etasConfigWith(request.etasIngredients) } : {}),
    },
    {
      onProgress: (done: number, total: number) =>
        progress({ phase: 'Backtesting', detail: `shift ${done} of ${total}`, fraction: total > 0 ? done / total : null }),
      now: () => performance.now(),
    },
  );
}
