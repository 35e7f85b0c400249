/**
 * patrolcast engine: the public API. Pure TypeScript: no DOM, no fs, no fetch, no hidden clock,
 * no Math.random. Imports flow ingest → grid → model → forecast → evaluate.
 */
export type * from './types.ts';
export { seededRandom } from './random.ts';
export { CodedError, TimeZoneError } from './errors.ts';
export { checkTimeZone } from './timezone.ts';
export * from './ingest/index.ts';
export * from './grid/index.ts';
export * from './model/index.ts';
export * from './forecast/index.ts';
export * from './evaluate/index.ts';
// Tuning the model's configuration.
export { tuneEtas, checkTuneGrid, TUNE_DEFAULTS, TUNE_DEFAULT_GRID } from './evaluate/tune.ts';
export type { TuneInput, TuneGrid, TuneResult, TuneCandidate, TuneHooks } from './evaluate/tune.ts';
