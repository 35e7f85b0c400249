/**
 * engine/evaluate: rolling-origin backtests of the model beside the baselines, the measures
 * (hit rate, PAI, PEI, RRI, top-K per district, log score), bootstrap intervals and the report,
 * and the tuning of the model's configuration on the same harness.
 *
 * The harness in phases (backtest() and tuneEtas() are compositions of them):
 * prepareEvaluation → model runners → scoreWindows → summarise.
 */
export { backtest, BACKTEST_MODELS, BACKTEST_DEFAULTS, ETAS_HISTORY_MEAN_DELAYS, MAX_STUDY_CELLS } from './backtest.ts';
export type { BacktestInput, BacktestHooks, BacktestModelName, BacktestModelPlugin } from './backtest.ts';
// The phases.
export { prepareEvaluation, EVALUATION_DEFAULTS } from './prepare.ts';
export type { EvaluationInput, EvaluationRun, Measures } from './prepare.ts';
export type { StudyCells, Districts } from './area.ts';
export { placeActuals } from './actuals.ts';
export type { Actuals, Placeable } from './actuals.ts';
export {
  builtInRunner,
  kernelRunner,
  naiveRunner,
  wideNeighbourhood,
  randomRunner,
  oracleRunner,
  pluginRunner,
  knownEvents,
  rollingEtasRunner,
  rollingModelFor,
  recencyVariantRunners,
} from './runners.ts';
export type { ModelRunner, ModelForecast, FitLog, RunnerOptions, RollingOptions } from './runners.ts';
export { EtasRollingModel, configRecency } from './rolling.ts';
export type { EtasRollingSetup, RecencyVariant } from './rolling.ts';
export { scoreWindows, meanDefined, pooledLogScore } from './score.ts';
export type { ScoreHooks, ModelScores, WindowScores } from './score.ts';
export { summarise } from './summarise.ts';
export type { SummaryOptions } from './summarise.ts';
export type { BacktestReport, ModelSummary, PairedDiffs, PerShiftModel, FitRecord } from './report.ts';
export { EvaluateError } from './errors.ts';
export type { EvaluateErrorCode } from './errors.ts';
export {
  rankIndices,
  cellsForArea,
  cellsForCoverage,
  hitsAtK,
  bestPossibleHits,
  topKPerDistrict,
  logScoreVsUniform,
  LOG_SCORE_UNIFORM_WEIGHT,
} from './metrics.ts';
export { bootstrapMean, bootstrapRatio, pairedBootstrap, quantileOfSorted } from './bootstrap.ts';
export { placedRunOf, PlacedRun } from './placed.ts';
export type { BootstrapOptions, Interval, PairedDifference } from './bootstrap.ts';
export {
  KernelScorer,
  naiveKernel,
  retroKernel,
  prospectiveKernel,
  selfNeighbourhood,
  randomOrder,
  KERNEL_WEIGHT_SCALE,
  RETRO_BANDWIDTH_KM,
  RETRO_DAYS,
  PROSPECTIVE_RADIUS_KM,
  PROSPECTIVE_WEEKS,
} from './baselines.ts';
export type { KernelSpec, Neighbourhood, TrainingStream } from './baselines.ts';
export { periodEndMs, monthWindows } from './timing.ts';
export {
  screenIncidents,
  screeningWarnings,
  TIME_BULK_QUANTILE,
  TIME_GAP_MIN_DAYS,
  TIME_GAP_MEDIAN_FACTOR,
  SPACE_BULK_QUANTILE,
  SPACE_RADIUS_FACTOR,
  SPACE_MIN_KM,
} from './screen.ts';
export type { Screening } from './screen.ts';
export type { EvalWindow } from './timing.ts';
export { backtestHeadline, pairedVerdict } from './headline.ts';
export { placeLabels } from './chartLayout.ts';
export type { BacktestHeadline, PairedVerdict } from './headline.ts';
// The feedback-loop stress test and rotation (issue 15).
export { discoveryStudy } from './discoveryStudy.ts';
export { discoveryVerdict } from './discoveryWords.ts';
export type { DiscoveryStudyInput, DiscoveryReport, DiscoveryRunReport, DiscoveryStudyHooks } from './discoveryStudy.ts';
export { runDiscovery, MAX_DISCOVERY_RATE } from './discovery.ts';
export type { DiscoveryScenario, DiscoveryOptions, DiscoveryRun } from './discovery.ts';
export type { DiscoveryShift, DiscoveryWeek } from './discoveryMetrics.ts';
export type { FoundIncident } from './discoveryEvents.ts';
// Tuning the model's configuration (re-exported here so engine/index.ts names evaluate's public API from one module).
export { tuneEtas, checkTuneGrid, TUNE_DEFAULTS, TUNE_DEFAULT_GRID } from './tune.ts';
export type { TuneInput, TuneGrid, TuneResult, TuneCandidate, TuneHooks } from './tune.ts';
