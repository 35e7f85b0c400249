/**
 * patrolcast engine: the public API, by name and by stage. Pure TypeScript: no DOM, no fs, no
 * fetch, no hidden clock, no Math.random. Imports flow ingest → grid → model → forecast →
 * evaluate, and the service (the application's jobs for the CLI and the web app) on top.
 *
 * The CLI and the web app import only from here (ESLint enforces it). Internals (the EM's steps,
 * event preparation, edge tables, calendars, kernels, metrics, the legacy oracles) stay in their
 * modules, where their own tests reach them.
 */

// ---- shared vocabulary, errors, utilities ------------------------------------------------------
export type {
  TimePrecision,
  SourceRef,
  Incident,
  RejectReason,
  RejectedRow,
  IngestFormat,
  IngestResult,
  IngestSummary,
  H3Cell,
  EventSet,
  EtasFitOptions,
  StopReason,
  ShiftWindow,
  BoxContribution,
  PatrolBox,
  BoxPlace,
  ReasonCounts,
  PlaceCount,
  CellForecast,
} from './types.ts';
export { CodedError, TimeZoneError } from './errors.ts';
export { checkTimeZone, formatLocalInstant } from './timezone.ts';
export { seededRandom } from './random.ts';

// ---- ingest: published incident files → validated incidents ------------------------------------
export {
  ingestCsvText,
  ingestCsvChunks,
  createCsvIngestor,
  ingestGeoJson,
  mergeIngestResults,
  summarizeIngest,
  CATEGORY_PRESETS,
  resolveCategories,
  COLUMN_KEYS,
  ADDRESS_NAMES,
  IngestError,
  dropDuplicates,
  checkRejections,
  MOSTLY_REJECTED_SHARE,
  LEFT_OUT_BY_DEFAULT,
  victimReportedDefault,
} from './ingest/index.ts';
export type {
  IngestOptions,
  CsvIngestor,
  ColumnKey,
  IngestErrorCode,
  DuplicateReport,
  LeftOutReason,
  LeftOutType,
  LeftOutTypes,
  VictimReportedDefault,
} from './ingest/index.ts';

// ---- grid: H3 cells, event sets, study areas, districts -----------------------------------------
export {
  DEFAULT_RES,
  incidentCell,
  cellAreaKm2,
  cellCenter,
  cellBoundaryLngLat,
  cellToFeature,
  gridDisk,
  gridDistance,
  fineChildren,
  coarseParent,
  boxCells,
  cellsOutlineLngLat,
  neighboursWithinKm,
  buildEventSet,
  studyArea,
  districtsFromLabels,
  districtsFromPolygons,
  districtOutlines,
  GridError,
} from './grid/index.ts';
export type { BuildEventSetOptions, AreaGeoJson, NamedAreas, GridErrorCode } from './grid/index.ts';

// ---- model: the one ETAS model, its configuration, presets, fit and fit file ---------------------
export {
  ETAS_DEFAULTS,
  ETAS_2015,
  ETAS_PRESETS,
  MAX_RING_DEPTH,
  checkEtasConfig,
  describeEtasConfig,
  etasConfigToJson,
  modelName,
  fitEtas,
  readEtasFit,
  hasUnknownTimeOfDay,
  timeUnknownFlags,
  configForData,
  withFitOptions,
  contributorParams,
  etasLogLikelihood,
  simulateEtas,
  simulationToEventSet,
  describeFit,
  delayInWords,
  fingerprintEvents,
  ModelError,
} from './model/index.ts';
export type {
  AdaptConfig,
  AdaptRecord,
  AdaptVariant,
  VariantScore,
  EtasConfig,
  ModelName,
  ProfileConfig,
  RecencyConfig,
  TriggeringConfig,
  TuningRecord,
  EtasFit,
  EtasFitInputs,
  FitHooks,
  EtasParams,
  SimulateEtasOptions,
  SimulatedEtas,
  ModelErrorCode,
  BinCalendar,
} from './model/index.ts';

// ---- forecast: a shift's expected counts, ranking, patrol boxes, shifts --------------------------
export {
  forecastShift,
  rankCells,
  topCellsByArea,
  patrolBoxes,
  placedPatrolBoxes,
  PlacementCache,
  FineLattice,
  FineCounts,
  placeGreedy,
  fineShares,
  splitToFine,
  placeBoxes,
  DEFAULT_SHARE_ALPHA,
  explainBox,
  boxesToGeoJSON,
  boxesToCsv,
  formatAge,
  NO_DISTRICT,
  DEFAULT_TOP,
  DEFAULT_MAX_CONTRIBUTORS,
  MIN_CONTRIBUTOR_SHARE,
  boxPlace,
  placeText,
  shiftWindows,
  shiftAt,
  shiftName,
  parseLocalDateTime,
  DEFAULT_SHIFT_STARTS,
  DEFAULT_SHIFT_HOURS,
  ForecastError,
} from './forecast/index.ts';
export type {
  ForecastOptions,
  PatrolBoxOptions,
  PlacedPatrolBoxOptions,
  FineExpected,
  PlacedBox,
  PlaceBoxesOptions,
  GreedyOptions,
  GreedyBoxes,
  BoxProperties,
  ForecastErrorCode,
} from './forecast/index.ts';
// Boxes by need and rankings within noise (issue 12).
export { allocateBoxes, districtNeeds, rankingWarnings, QUIET_FLOOR_PER_SHIFT } from './forecast/index.ts';
export type { RankingWarning } from './forecast/index.ts';
// The patrol order of each district's boxes (issue 12).
export {
  patrolRoute,
  districtRoutes,
  routeStops,
  routeStopKey,
  withRouteStops,
  formatRoute,
  formatDistanceM,
  haversineM,
} from './forecast/index.ts';
export type { LatLng, PatrolRoute, DistrictRoute, RouteStop } from './forecast/index.ts';
// A box's reason in words from counts (issue 12).
export {
  categoryWords,
  reasonCounts,
  reasonText,
  reasonWindow,
  latestAgeWords,
  REASON_YEAR_DAYS,
  REASON_RECENT_DAYS,
} from './forecast/index.ts';
export type { ReasonWindow } from './forecast/index.ts';

// ---- evaluate: the backtest, tuning, the report (names as engine/evaluate/index.ts re-exports them)
export {
  backtest,
  BACKTEST_MODELS,
  BACKTEST_DEFAULTS,
  backtestHeadline,
  placeLabels,
  tuneEtas,
  checkTuneGrid,
  TUNE_DEFAULTS,
  TUNE_DEFAULT_GRID,
  periodEndMs,
  monthWindows,
  screenIncidents,
  screeningWarnings,
  TIME_BULK_QUANTILE,
  TIME_GAP_MIN_DAYS,
  TIME_GAP_MEDIAN_FACTOR,
  SPACE_BULK_QUANTILE,
  SPACE_RADIUS_FACTOR,
  SPACE_MIN_KM,
  EvaluateError,
  // the harness's phases, for custom evaluations: prepare -> run models -> score -> summarise
  prepareEvaluation,
  EVALUATION_DEFAULTS,
  builtInRunner,
  rollingEtasRunner,
  pluginRunner,
  scoreWindows,
  summarise,
  // the feedback-loop stress test and rotation (issue 15)
  discoveryStudy,
  discoveryVerdict,
  runDiscovery,
  MAX_DISCOVERY_RATE,
  // the review of published boxes (cli/commands/review.ts): the backtest's placed actuals
  placedRunOf,
  pairedBootstrap,
  bootstrapMean,
  PlacedRun,
} from './evaluate/index.ts';
export type {
  BacktestInput,
  BacktestHooks,
  BacktestModelName,
  BacktestModelPlugin,
  BacktestReport,
  BacktestHeadline,
  ModelSummary,
  PairedDiffs,
  PerShiftModel,
  FitRecord,
  Interval,
  PairedDifference,
  EvalWindow,
  TuneInput,
  TuneGrid,
  TuneResult,
  TuneCandidate,
  TuneHooks,
  EvaluateErrorCode,
  Screening,
  EvaluationInput,
  EvaluationRun,
  Measures,
  StudyCells,
  Districts,
  Actuals,
  TrainingStream,
  FitLog,
  ModelRunner,
  ModelForecast,
  RunnerOptions,
  ScoreHooks,
  ModelScores,
  WindowScores,
  SummaryOptions,
  DiscoveryStudyInput,
  DiscoveryReport,
  DiscoveryRunReport,
  DiscoveryStudyHooks,
  DiscoveryScenario,
  DiscoveryOptions,
  DiscoveryRun,
  DiscoveryShift,
  DiscoveryWeek,
  FoundIncident,
} from './evaluate/index.ts';

// ---- service: the patrol boxes of a shift, and the fit alone, for the CLI and the web app --------
export {
  shiftBoxes,
  trainModel,
  trainingSet,
  resolveModel,
  checkTunedBefore,
  STALE_DATA_DAYS,
  FIT_END_MARGIN_MS,
  ServiceError,
} from './service/index.ts';
export type {
  ShiftRequest,
  ShiftBoxes,
  BoxPlacement,
  ExplainedBox,
  TrainRequest,
  TrainedModel,
  TrainingSummary,
  ModelChoice,
  ServiceHooks,
  ServiceStage,
  ServiceErrorCode,
} from './service/index.ts';
