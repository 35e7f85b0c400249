import type { EtasFit } from './fitfile.ts';

/** A delay in words: minutes under an hour, hours under three days, days after. */
export function delayInWords(hours: number): string {
  if (hours < 1) return `${Math.round(hours * 60)} minutes`;
  if (hours < 72) return `${Number(hours.toPrecision(hours < 10 ? 2 : 3))} hours`;
  return `${Number((hours / 24).toPrecision(3))} days`;
}

function percent(x: number): string {
  const p = 100 * x;
  if (p === 0) return 'none';
  if (p < 0.1) return 'practically none (under 0.1%)';
  if (p < 1) return `${Number(p.toPrecision(1))}%`;
  return `${Math.round(p)}%`;
}

/**
 * The fitted model in plain words for analysts, e.g. "Each crime raises the chance of another in
 * the same box, decaying with a mean delay of 16 hours; 5% of crime is triggered." followed by θ,
 * the background level (and its profile and recency, when on) and how the fit ended.
 */
export function describeFit(fit: EtasFit): string {
  return [triggeringInWords(fit), backgroundInWords(fit), endInWords(fit)].join(' ');
}

function triggeringInWords(fit: EtasFit): string {
  const v = fit.adapt?.variant;
  if (v !== undefined && (v.kind === 'counts' || !v.triggering) && fit.config.triggering !== null)
    return 'The forecast leaves out near-repeat triggering: the adaptive default found that it did not help on the last weeks (docs/model.md#adaptive-default).';
  if (fit.config.triggering === null)
    return 'The model has no near-repeat triggering: every event is put down to the background rate of its box.';
  if (fit.theta === 0) return 'Crime here shows no self-excitation: every event is put down to the background rate of its box.';
  const w0 = fit.ringWeights[0] ?? 1;
  const depth = fit.ringWeights.length - 1;
  const where =
    depth > 0
      ? ` (and, with ${percent(1 - w0)} of its offspring, in the ${depth === 1 ? 'ring' : `${depth} rings`} of boxes around it)`
      : '';
  const theta = fit.theta < 1e-4 ? 'under 0.0001' : String(Number(fit.theta.toPrecision(2)));
  return (
    `Each crime raises the chance of another in the same box${where}, decaying with a mean delay of ${delayInWords(1 / fit.omegaPerHour)}; ${percent(fit.triggeredShare)} of crime is triggered.` +
    ` On average one crime sets off ${theta} more (θ).`
  );
}

function backgroundInWords(fit: EtasFit): string {
  const cells = Object.keys(fit.muPerHour).length;
  let muSum = 0;
  for (const v of Object.values(fit.muPerHour)) muSum += v;
  const { profile } = fit.config;
  const v = fit.adapt?.variant;
  if (v?.kind === 'counts')
    return `The forecast is each box's count of past crime (all-history counts, the adaptive default's fall-back), over ${cells} boxes.`;
  // the adaptive default's variant, when there is one, says what the forecast uses
  const recency =
    v === undefined
      ? fit.config.recency
      : v.halfLifeDays === null
        ? null
        : { halfLifeDays: v.halfLifeDays, allHistoryWeight: v.allHistoryWeight };
  const shape =
    profile === null || v?.profile === false
      ? ''
      : `, shaped per box by shift type (${profile.shiftStarts.length} types${profile.weekend ? ', weekday and weekend apart' : ''})`;
  const blend = (recency?.allHistoryWeight ?? 0) > 0 ? `, blended ${recency!.allHistoryWeight} with all history` : '';
  const recent = recency === null ? '' : `; forecasts weigh it towards recent crime (half-life ${recency.halfLifeDays} days${blend})`;
  return `The background comes to ${Number((muSum * 24).toPrecision(3))} crimes a day over ${cells} boxes${shape}${recent}.`;
}

function endInWords(fit: EtasFit): string {
  return fit.stopReason === 'tolerance'
    ? `Fitted on ${fit.events} events; converged after ${fit.iterations} iterations.`
    : `Fitted on ${fit.events} events; stopped after ${fit.iterations} iterations without converging.`;
}
