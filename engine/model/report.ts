/**
 * The fit's notes and warnings: what it did to cope with the data (ties, bounds, coarse times)
 * and what to be careful about, in words, for the CLI, the web app and the saved fit.
 */
import type { EventSet } from '../types.ts';
import type { BinCalendar } from './calendar.ts';
import type { EtasConfig } from './config.ts';
import type { EmOutcome } from './em.ts';
import type { ThetaOmegaBounds } from './mstep.ts';
import type { Prepared } from './prepare.ts';

/** θ below this counts as "no triggering" in the report (under one triggered event per 10,000). */
const NEGLIGIBLE_THETA = 1e-4;

/** What the report reads. */
export interface ReportInput {
  readonly events: EventSet;
  readonly prep: Prepared;
  readonly config: EtasConfig;
  readonly calendar: BinCalendar | null;
  /** The mean delay's bounds in hours. */
  readonly delays: { readonly min: number; readonly max: number };
  readonly bounds: ThetaOmegaBounds;
  readonly em: EmOutcome;
  readonly startNote: string;
  readonly accelerated: boolean;
}

function pct(x: number): string {
  const p = 100 * x;
  return p >= 10 || p === 0 ? `${p.toFixed(0)}%` : `${p.toPrecision(2)}%`;
}

function hours(h: number): string {
  return `${Number(h.toPrecision(4))} h`;
}

/** Hours in words for delays and half-lives: days from 48 hours on. */
function delay(h: number): string {
  return h >= 48 ? `${Number((h / 24).toPrecision(3))} days` : `${Number(h.toPrecision(3))} h`;
}

/** The notes and warnings of a fit. O(1) beyond what `prep` counted. */
export function fitReport(r: ReportInput): { notes: string[]; warnings: string[] } {
  const { prep, config, em } = r;
  const notes: string[] = [];
  const warnings: string[] = [];
  const N = prep.events;
  notes.push(
    `Fitted ${N} events in ${prep.cellsWithEvents} cells over ${Number((prep.windowHours / 24).toFixed(2))} days by EM: ${modelInWords(config, r.calendar)}.`,
  );
  notes.push(
    `${r.startNote} ${
      r.accelerated
        ? `Over-relaxed EM: ${em.overRelaxed} of ${em.overRelaxTried} extrapolated steps raised the objective and were kept; the others fell back to plain EM steps.`
        : 'Plain EM (no over-relaxation).'
    }`,
  );
  const iterations = em.trace.length - 1;
  const change = Number.isNaN(em.lastRelChange) ? 'n/a' : em.lastRelChange.toExponential(1);
  if (em.stopReason === 'tolerance')
    notes.push(
      `Converged after ${iterations} iterations: the relative change of the objective fell to ${change} (tolerance ${config.em.relTolerance}).`,
    );
  else {
    warnings.push(
      `Stopped at the maximum of ${config.em.maxIterations} iterations before converging (last relative change of the objective ${change}, tolerance ${config.em.relTolerance}); raise em.maxIterations or warm-start from this fit.`,
    );
  }
  notes.push(
    `Tie rule: events at the same instant in the same cell do not trigger each other (Mohler 2014). ${prep.tiedEvents} events (${pct(prep.tiedEvents / N)}) share their exact time with another event of their cell, in ${prep.tieGroups} groups.`,
  );
  if (Number.isFinite(prep.minGapHours)) {
    notes.push(
      `The shortest gap between two events of one cell is ${hours(prep.minGapHours)}; ${prep.triggerableEvents} events have an earlier event in their cell and could be triggered.`,
    );
  }
  if (config.triggering !== null) triggeringReport(r, notes, warnings);
  if (config.profile !== null && prep.unknownEvents > 0)
    notes.push(
      `${prep.unknownEvents} events have an unknown time of day: they count in μ with the profile's mean (h = 1), not in the profile.`,
    );
  precisionReport(r.events, N, notes, warnings);
  if (config.recency !== null) {
    const a = config.recency.allHistoryWeight ?? 0;
    notes.push(
      `Background rate for forecasts: background events weighted by recency, half-life ${config.recency.halfLifeDays} days${a > 0 ? `, blended ${1 - a}:${a} with the all-history rate` : ''} (an estimator applied after the EM).`,
    );
  }
  notes.push(`${pct(em.sums.triggered / N)} of events are attributed to triggering at the final E-step.`);
  return { notes, warnings };
}

/** The model in words for the first note, e.g. "constant background per cell; same-cell triggering (Mohler et al. 2015, edge-corrected M-step)". */
function modelInWords(config: EtasConfig, calendar: BinCalendar | null): string {
  const prof = config.profile;
  const trig = config.triggering;
  const background =
    prof === null || calendar === null
      ? 'constant background per cell'
      : `background profile over ${calendar.bins} bins (${calendar.labels.join(', ')}) per cell, shrunk towards the ${prof.prior}'s (κ = ${prof.priorStrength}, β = ${prof.blend})`;
  const triggering =
    trig === null
      ? 'no triggering'
      : trig.ringDepth === 0
        ? 'same-cell triggering (Mohler et al. 2015, edge-corrected M-step)'
        : `triggering spread to rings 1..${trig.ringDepth} (edge-corrected M-step)`;
  return `${background}; ${triggering}`;
}

/** Bounds, fixed values and where θ and the delay ended. */
function triggeringReport(r: ReportInput, notes: string[], warnings: string[]): void {
  const { prep, bounds, em } = r;
  const { theta, omega, ringWeights } = em.params;
  if (prep.triggerableEvents === 0) {
    warnings.push(
      'No cell has events at two different times: nothing can be learnt about triggering, so θ is 0 and the mean delay keeps its starting value.',
    );
  }
  notes.push(`Bounds: θ ≤ ${bounds.thetaMax}; mean trigger delay between ${hours(r.delays.min)} and ${hours(r.delays.max)}.`);
  if (bounds.fixedTheta !== undefined) notes.push(`θ was fixed at ${bounds.fixedTheta} by the analyst.`);
  else if (theta >= bounds.thetaMax) {
    warnings.push(
      `θ stopped at its upper bound ${bounds.thetaMax}: the data would put even more crime down to triggering (often a trend or a few very busy cells); treat the split between background and triggering with care.`,
    );
  }
  const noTriggering = bounds.fixedTheta === undefined && theta < NEGLIGIBLE_THETA;
  if (noTriggering && prep.triggerableEvents > 0) {
    notes.push(
      `The fit finds practically no triggering (θ = ${theta.toExponential(1)} < ${NEGLIGIBLE_THETA}): the per-cell background explains the data at least as well, and the mean delay carries no information.`,
    );
  }
  if (bounds.fixedOmega !== undefined) notes.push(`The mean trigger delay was fixed at ${hours(1 / bounds.fixedOmega)} by the analyst.`);
  else if (noTriggering) {
    // The delay is not identified when nothing is triggered: no bound warning.
  } else if (omega >= bounds.omegaMax && theta > 0) {
    warnings.push(
      `The mean trigger delay stopped at its floor of ${hours(1 / bounds.omegaMax)}: near-simultaneous events in one cell (repeat reports, rounded times, shared hundred-block locations) pull it shorter. Triggering this fast adds little to shift forecasts; consider fixing the mean delay (fixedMeanDelayHours) from near-repeat studies (days to weeks).`,
    );
  } else if (omega <= bounds.omegaMin && theta > 0) {
    warnings.push(
      `The mean trigger delay stopped at its ceiling of ${hours(1 / bounds.omegaMin)}: triggering this slow cannot be told apart from a changing background (trend or season), so the triggered share partly measures that.`,
    );
  }
  notes.push(
    `θ = ${theta.toPrecision(3)}, mean trigger delay ${delay(1 / omega)}${ringWeights.length > 1 ? `, ring weights ${Array.from(ringWeights, (w) => w.toFixed(3)).join(' / ')}` : ''}.`,
  );
}

/** Month-, day- and hour-precision events and unknown times of day (from the event set's provenance). */
function precisionReport(events: EventSet, N: number, notes: string[], warnings: string[]): void {
  const pc = events.precisionCounts;
  const month = pc?.month ?? 0;
  if (month > 0) {
    const placement = events.monthPlacement ?? 'start';
    notes.push(
      placement === 'spread'
        ? `${month} events have month-only times; they were spread evenly over their month within each cell (deterministic), so within-month timing is invented and only month-scale triggering is meaningful.`
        : `${month} events have month-only times and sit at the first instant of their month: events of one cell and month tie, so only earlier months can trigger them.`,
    );
    warnings.push(
      `${month} of ${N} events (${pct(month / N)}) are known to the month only: use this fit for month-ahead forecasts; shift-level forecasts need times to the hour or better.`,
    );
  }
  const hour = pc?.hour ?? 0;
  if (hour > 0)
    notes.push(
      `${hour} events (${pct(hour / N)}) are known to the hour only: events of one cell in the same hour tie, and delays under an hour cannot be seen.`,
    );
  const day = pc?.day ?? 0;
  if (day > 0)
    warnings.push(`${day} of ${N} events (${pct(day / N)}) are known to the day only: shift-level forecasts from them are approximate.`);
  // Month- and day-precision events also lack a time of day; count the others.
  const tod = (events.timeOfDayUnknown ?? 0) - month - day;
  if (tod > 0) {
    notes.push(
      `${tod} events (${pct(tod / N)}) with otherwise precise times have an unknown time of day (kept at the recorded time, usually 00:00); where several fall on one cell and day they tie and do not trigger each other.`,
    );
  }
}
