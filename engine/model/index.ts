/**
 * engine/model: the grid self-exciting (ETAS) model of Mohler et al. 2015: EM fit in
 * O(N + cells) per iteration, log-likelihood, simulator, and a plain-words description.
 */
export { ModelError } from './errors.ts';
export type { ModelErrorCode } from './errors.ts';
export { fitEtas, ETAS_FIT_DEFAULTS } from './fit.ts';
export type { FitHooks } from './fit.ts';
export { etasLogLikelihood } from './likelihood.ts';
export type { EtasParams } from './likelihood.ts';
export { simulateEtas, simulationToEventSet } from './simulate.ts';
export type { SimulateEtasOptions, SimulatedEtas } from './simulate.ts';
export { describeFit, delayInWords } from './describe.ts';
export { fingerprintEvents } from './fingerprint.ts';
