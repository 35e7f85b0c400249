/**
 * engine/service: the application layer the CLI and the web app share, "the patrol boxes of a
 * shift" (shiftBoxes) and the fit alone (trainModel), on one training-set rule: all history
 * known before the shift, by the backtest's known-from rule. The top of the engine: it imports
 * ingest, grid, model, forecast and evaluate/timing; nothing but engine/index.ts imports it.
 */
export { ServiceError } from './errors.ts';
export { MIN_FIT_CELL_OVERLAP } from './savedFit.ts';
export type { ServiceErrorCode } from './errors.ts';
export { shiftBoxes, trainModel, STALE_DATA_DAYS } from './shift.ts';
export type { ShiftRequest, ShiftBoxes, BoxPlacement, ExplainedBox, TrainRequest, TrainedModel, TrainingSummary } from './shift.ts';
export { resolveModel, checkTunedBefore } from './fit.ts';
export type { ModelChoice, ServiceHooks, ServiceStage } from './fit.ts';
export { trainingSet, monthPrecisionWarning, FIT_END_MARGIN_MS } from './training.ts';
export type { TrainingData, TrainingSet } from './training.ts';
