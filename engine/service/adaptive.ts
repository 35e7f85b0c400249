/**
 * The service's fit with the adaptive default (docs/model.md#adaptive-default): the variant
 * chosen on the last weeks before the fit's end (engine/evaluate select.ts, the backtest's own
 * selection), then the fit with that variant's rates, profile and triggering, and the choice
 * recorded in the fit (`adapt`) and its notes.
 */
import { selectionAnchorMs, selectVariant } from '../evaluate/choose.ts';
import { variantHalfLives, variantRate } from '../evaluate/select.ts';
import { periodEndMs } from '../evaluate/timing.ts';
import { majorityLabels } from '../grid/index.ts';
import { fitEtasDetailed, type AdaptRecord, type EtasConfig, type EtasFit, type FitHooks } from '../model/index.ts';
import type { Incident } from '../types.ts';
import type { TrainingSet } from './training.ts';

const HOUR_MS = 3_600_000;

/** The known-from instant of every training event (the backtest's rule, timing.ts periodEndMs). O(N). */
function knownFrom(set: TrainingSet, incidents: readonly Incident[], tz: string): Float64Array {
  const idx = set.events.incidentIndex;
  return Float64Array.from(idx, (i) => periodEndMs(incidents[i]!, tz));
}

/** The training cells' districts from the labels of the incidents known at `atMs` (the rule of engine/grid districtsFromLabels). O(N). */
function districtsKnownAt(set: TrainingSet, incidents: readonly Incident[], knownMs: Float64Array, atMs: number): Map<string, string> {
  const { cell, cells, incidentIndex } = set.events;
  const pairs: [string, string][] = [];
  for (let k = 0; k < cell.length; k++) {
    const label = incidents[incidentIndex[k]!]!.district;
    if (knownMs[k]! <= atMs && label !== null && label !== undefined) pairs.push([cells[cell[k]!]!, label]);
  }
  return majorityLabels(pairs);
}

/**
 * Selects the variant on the training set and fits with it (module comment). `config` is the
 * configuration as fitted (configForData applied) and has `adapt`. `reuse`: an earlier
 * selection of the same incidents and settings, taken when it was made at this fit's anchor.
 * Cost: the selection (one holdout fit and its replay; none when reused) and the fit.
 * @throws the model's errors (the caller wraps them)
 */
export function fitAdaptive(
  set: TrainingSet,
  incidents: readonly Incident[],
  res: number,
  tz: string,
  config: EtasConfig,
  fitHooks: FitHooks,
  reuse: AdaptRecord | null = null,
): EtasFit {
  const months = (set.events.precisionCounts?.month ?? 0) > 0;
  const inputs = { tz, timeUnknown: set.timeUnknown, districtOf: set.districtOf };
  const anchorMs = selectionAnchorMs(set.window.endMs, config.adapt?.reselectEveryDays ?? 0, months);
  const knownMs = reuse !== null && reuse.holdout.toMs === anchorMs ? null : knownFrom(set, incidents, tz);
  const choice =
    knownMs === null
      ? reuse!
      : selectVariant({
          events: set.events,
          knownMs,
          window: set.window,
          res,
          config,
          months,
          ...inputs,
          // the districts of the profile's prior from the labels known at the anchor, so that any fit of the same anchor chooses alike
          districtOf: districtsKnownAt(set, incidents, knownMs, anchorMs),
          ...(fitHooks.shouldCancel ? { shouldCancel: fitHooks.shouldCancel } : {}),
        });
  const result = fitEtasDetailed(
    set.events,
    set.window,
    res,
    config,
    { ...inputs, extraHalfLivesDays: variantHalfLives(choice.variant) },
    fitHooks,
  );
  const rate = variantRate(result, set.events, (set.window.endMs - set.window.startMs) / HOUR_MS, choice.variant);
  return withVariant(result.fit, set.events.cells, rate, choice);
}

/** The fit forecasting with the chosen variant: its rates, a flat profile (no cells) or θ = 0 when those are off. O(cells). */
function withVariant(fit: EtasFit, cells: readonly string[], rate: Float64Array, choice: AdaptRecord): EtasFit {
  const index = new Map(cells.map((c, i) => [c, i]));
  const ratePerHour: Record<string, number> = {};
  for (const cell of Object.keys(fit.ratePerHour)) ratePerHour[cell] = rate[index.get(cell)!]!;
  const v = choice.variant;
  const profile = v.kind === 'model' && v.profile;
  const triggering = v.kind === 'model' && v.triggering;
  return {
    ...fit,
    ratePerHour,
    profile: fit.profile === null || profile ? fit.profile : { ...fit.profile, cells: {} },
    theta: triggering ? fit.theta : 0,
    adapt: choice,
  };
}
