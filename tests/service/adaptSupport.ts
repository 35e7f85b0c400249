/** Imports of tests/service/adapt.test.ts (not a test file itself). */
export { checkEtasConfig, ETAS_DEFAULTS, ModelError, readEtasFit, shiftBoxes, trainModel, type EtasFit } from '../../engine/index.ts';
import { ETAS_DEFAULTS } from '../../engine/index.ts';
/** The default adapt settings, as ETAS_DEFAULTS carries them. */
export const ADAPT_DEFAULTS_FOR_TESTS = {
  holdoutDays: 56,
  holdoutMonths: 3,
  minZ: 2,
  minLogZ: 1,
  minLogGain: 0.005,
  reselectEveryDays: 28,
};
if (JSON.stringify(ETAS_DEFAULTS.adapt) !== JSON.stringify(ADAPT_DEFAULTS_FOR_TESTS))
  throw new Error('ETAS_DEFAULTS.adapt changed: update the tests');
