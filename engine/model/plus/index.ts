/**
 * engine/model/plus: the "etas" model beyond Mohler et al. 2015 (docs/model.md#intensity): per-cell
 * shift-type profiles of the background shrunk towards the district's (empirical Bayes), a
 * background that forgets (recency), and near-repeat triggering optionally spread to H3 rings,
 * fitted by (MAP-)EM; its JSON configuration.
 */
export { PLUS_DEFAULTS, MAX_RING_DEPTH, checkPlusConfig, describePlusConfig, plusConfigToJson } from './config.ts';
export type { PlusConfig, ProfileConfig, RecencyConfig, TriggeringConfig, TuningRecord } from './config.ts';
export { binCalendar, binAt, binExposureHours, binLabels } from './calendar.ts';
export type { BinCalendar } from './calendar.ts';
export { blendRates, fitEtasPlus, fitEtasPlusDetailed, recencyRates, ringsFromGrid } from './fit.ts';
export type { EtasPlusFit, PlusFitInputs, PlusFitResult, PlusFitHooks } from './fit.ts';
export { shrinkShares } from './profile.ts';
export { hasUnknownTimeOfDay, timeUnknownFlags, plusConfigForData, withFitOptions, contributorParams } from './adapt.ts';
