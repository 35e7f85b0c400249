/**
 * Engine results in the plain shapes of web/protocol.ts: a fit's summary, a box as the page
 * lists it, the bounds the map fits to.
 */
import { cellCenter, describeEtasConfig, describeFit, type EtasFit, type ExplainedBox } from '../engine/index.ts';
import type { BoxView, FitSummary, ModelName } from './protocol.ts';
import type { FeatureCollection } from 'geojson';

/** A fit as the page shows it (web/protocol.ts FitSummary), for the model name it was made for. */
export function summarizeFit(model: ModelName, fit: EtasFit): FitSummary {
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
    words: [
      ingredients === null ? describeFit(fit) : `Model etas (beyond 2015): ${ingredients}. ${describeFit(fit)}`,
      // the adaptive default's choice and why, as the CLI prints it (docs/model.md#adaptive-default)
      ...(fit.adapt ? [`Adaptive: forecasts with ${fit.adapt.reason}.`] : []),
    ].join(' '),
    logLikelihoodTrace: fit.objectiveTrace,
    triggeredShare: fit.triggeredShare,
  };
}

/** A box as the page lists it: its numbers, its explanation and the centre for its numbered marker. */
export function boxView(box: ExplainedBox): BoxView {
  const centre = cellCenter(box.h3);
  return {
    rank: box.rank,
    h3: box.h3,
    district: box.district,
    place: box.place ?? `${box.district}, near ${centre.lat.toFixed(5)}, ${centre.lng.toFixed(5)}`,
    expected: box.expected,
    background: box.background,
    triggered: box.triggered,
    backgroundShare: box.backgroundShare,
    triggeredShare: box.triggeredShare,
    why: box.explanation,
    reason: box.reason,
    reasonCounts: box.reasonCounts,
    center: [centre.lng, centre.lat] as const,
  };
}

/** [west, south, east, north] of a collection's coordinates (of the features `only` keeps). */
export function boundsOf(
  collection: FeatureCollection,
  only?: (properties: Record<string, unknown>) => boolean,
): [number, number, number, number] {
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
