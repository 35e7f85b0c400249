/**
 * engine/model: the one ETAS model (Mohler et al. 2015, with per-cell shift-type profiles, a
 * background that forgets and near-repeat triggering optionally spread to H3 rings), its JSON
 * configuration and presets, the EM fit in O(N + cells) per iteration, the fit file, the
 * log-likelihood, a simulator, and a plain-words description.
 */
export { ModelError } from './errors.ts';
export type { ModelErrorCode } from './errors.ts';
export {
  ETAS_DEFAULTS,
  ETAS_2015,
  ETAS_PRESETS,
  MAX_RING_DEPTH,
  checkEtasConfig,
  describeEtasConfig,
  etasConfigToJson,
  modelName,
} from './config.ts';
export type { AdaptConfig, EtasConfig, ModelName, ProfileConfig, RecencyConfig, TriggeringConfig, TuningRecord } from './config.ts';
export { fitEtas, fitEtasDetailed } from './fit.ts';
export type { EtasFitInputs, EtasFitResult, FitHooks } from './fit.ts';
export { readEtasFit } from './fitfile.ts';
export { BOX_PLACEMENTS } from './placement.ts';
export type { BoxPlacement } from './placement.ts';
export { checkAdaptRecord } from './adaptRecord.ts';
export type { AdaptRecord, AdaptVariant, VariantScore } from './adaptRecord.ts';
export type { EtasFit } from './fitfile.ts';
export { binCalendar, binAt, binExposureHours, binLabels } from './calendar.ts';
export type { BinCalendar } from './calendar.ts';
export { blendRates, recencyRates } from './rates.ts';
export { ringsFromGrid } from './rings.ts';
export { shrinkShares } from './profile.ts';
export { hasUnknownTimeOfDay, timeUnknownFlags, configForData, withFitOptions, contributorParams } from './adapt.ts';
export { etasLogLikelihood } from './likelihood.ts';
export type { EtasParams } from './likelihood.ts';
export { simulateEtas, simulationToEventSet } from './simulate.ts';
export type { SimulateEtasOptions, SimulatedEtas } from './simulate.ts';
export { describeFit, delayInWords } from './describe.ts';
export { fingerprintEvents } from './fingerprint.ts';
