import type { EtasFit } from '../types.ts';

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
 * The fitted parameters in plain words for analysts, e.g. "Each crime raises the chance of
 * another in the same box, decaying with a mean delay of 16 hours; 5% of crime is triggered."
 * followed by the background level and how the fit ended. The triggered share is
 * `fit.triggeredShare` (Σ p_ij / N at the final E-step), or θ for fits saved without it.
 */
export function describeFit(fit: EtasFit): string {
  const share = fit.triggeredShare ?? fit.theta;
  const cells = Object.keys(fit.muPerHour).length;
  let muSum = 0;
  for (const v of Object.values(fit.muPerHour)) muSum += v;
  const parts: string[] = [];
  if (fit.theta === 0) {
    parts.push('Crime here shows no self-excitation: every event is put down to the background rate of its box.');
  } else {
    parts.push(
      `Each crime raises the chance of another in the same box, decaying with a mean delay of ${delayInWords(1 / fit.omegaPerHour)}; ${percent(share)} of crime is triggered.`,
    );
    parts.push(`On average one crime sets off ${fit.theta < 1e-4 ? 'under 0.0001' : Number(fit.theta.toPrecision(2))} more (θ).`);
  }
  parts.push(`The background comes to ${Number((muSum * 24).toPrecision(3))} crimes a day over ${cells} boxes.`);
  parts.push(
    fit.stopReason === 'tolerance'
      ? `Fitted on ${fit.events} events; converged after ${fit.iterations} iterations.`
      : `Fitted on ${fit.events} events; stopped after ${fit.iterations} iterations without converging.`,
  );
  return parts.join(' ');
}
