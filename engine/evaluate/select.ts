/**
 * The adaptive default (docs/model.md#adaptive-default): which ingredients of the model the data
 * supports, chosen on the last weeks before the forecast, with all-history counts as the
 * fall-back. One pure, deterministic function of (the incidents known at the selection instant,
 * the fit window, the configuration), called alike by the service (engine/service: a fit, a
 * shift's boxes) and by the backtest's rolling model (rolling.ts), so both forecast a shift the
 * same way.
 *
 * The selection: one extra fit on the incidents known at S = E − holdout (E the fit window's end;
 * month mode: the start of the last `holdoutMonths` calendar months), then each variant
 * forecasts every 8-hour window of [S, E) (month mode: each month) from that fit, with the
 * triggering history known at each window's start, and is scored on the window's incidents
 * (all known at the selection instant: nothing later is read). Variants: half-life ∈ {∞, 365,
 * 180, 90 days, the configuration's} × all-history blend ∈ {0, 0.5, the configuration's}, the
 * profile as fitted or flat, triggering on or off, and all-history counts (each cell's count of
 * the incidents known: exactly naive-all's ranking). Counts stay unless a variant's mean gain in
 * hit rate over them (over the flagged areas, relative to counts', as `tune`'s objective) is
 * positive and at least `minZ` standard errors of its paired per-window differences, and its log
 * score gain over counts is at least `minLogZ` of its standard errors; among those, the largest gain wins
 * (ties: the simpler variant). On thin data the standard error is large and counts stay.
 */
import { cellAreaKm2 } from '../grid/index.ts';
import {
  binCalendar,
  blendRates,
  fitEtasDetailed,
  ringsFromGrid,
  type AdaptVariant,
  type EtasConfig,
  type EtasFitResult,
} from '../model/index.ts';
import type { EventSet, H3Cell } from '../types.ts';
import type { HoldoutSetup, VariantParts } from './holdout.ts';
import { monthWindows } from './timing.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Holdout windows outside month mode: 8 hours, the length of a shift. */
const WINDOW_HOURS = 8;
/** The flagged areas the selection's objective averages over (km², as the backtest's and tune's). */
export const ADAPT_FLAGGED_KM2 = [0.5, 1, 2, 5] as const;
/**
 * EM stop of the holdout fit: relative tolerance 1e-5 (a change in ℓ of about 1 nat on 100,000
 * events; the rates, and so the choice, move far less than the holdout's noise), at most 100
 * iterations. The configuration's own stricter rule stays for the forecast's fit.
 */
export const HOLDOUT_EM = { maxIterations: 100, relTolerance: 1e-5 } as const;
/** Half-lives (days; Infinity = all history) and all-history blend weights of the variants, besides the configuration's own. */
export const ADAPT_HALF_LIVES_DAYS = [Infinity, 365, 180, 90] as const;
export const ADAPT_BLEND_WEIGHTS = [0.5, 0] as const;

/** The incidents known at the selection instant and what the fit is made with. */
export interface SelectionInput {
  /** Events known at the selection instant, sorted by (cell, time) (engine/grid buildEventSet); nothing later. */
  readonly events: EventSet;
  /** Known-from instant of each event (timing.ts periodEndMs), epoch ms, aligned with `events`. */
  readonly knownMs: Float64Array;
  /** 1 where the event's time of day is unknown, aligned with `events`. */
  readonly timeUnknown: Uint8Array;
  /** The fit's window; the holdout ends at its end. */
  readonly window: { readonly startMs: number; readonly endMs: number };
  readonly res: number;
  readonly tz: string;
  /** The configuration as fitted (month mode: profile off), with `adapt` set. */
  readonly config: EtasConfig;
  /** Month-precision data: calendar-month holdout windows. */
  readonly months: boolean;
  readonly districtOf?: ReadonlyMap<H3Cell, string>;
  readonly ringsOf?: (cell: H3Cell, depth: number) => readonly (readonly H3Cell[])[];
  /** Polled by the holdout fit (engine/model FitHooks); true abandons it with E_CANCELLED. */
  readonly shouldCancel?: () => boolean;
}

/** A variant in words, e.g. "half-life 180 d blended 0.5 with all history, profile, triggering". */
export function variantLabel(v: AdaptVariant): string {
  if (v.kind === 'counts') return 'all-history counts';
  const rec =
    v.halfLifeDays === null
      ? 'all-history rates'
      : `half-life ${v.halfLifeDays} d${v.allHistoryWeight > 0 ? ` blended ${v.allHistoryWeight} with all history` : ''}`;
  return `${rec}, ${v.profile ? 'shift profile' : 'flat profile'}, ${v.triggering ? 'triggering' : 'no triggering'}`;
}

/** The variants of a configuration, simplest first (counts; then by the number of ingredients on). */
export function adaptVariants(config: EtasConfig): AdaptVariant[] {
  const hls = [...ADAPT_HALF_LIVES_DAYS] as number[];
  const own = config.recency?.halfLifeDays;
  if (own !== undefined && !hls.includes(own)) hls.push(own);
  const weights = [...ADAPT_BLEND_WEIGHTS] as number[];
  const ownWeight = config.recency?.allHistoryWeight ?? 0;
  if (!weights.includes(ownWeight)) weights.push(ownWeight);
  const out: { v: AdaptVariant; rank: number }[] = [];
  for (const triggering of config.triggering === null ? [false] : [false, true]) {
    for (const profile of config.profile === null ? [false] : [false, true]) {
      for (const hl of hls) {
        for (const a of hl === Infinity ? [0] : weights) {
          const v: AdaptVariant = { kind: 'model', halfLifeDays: hl === Infinity ? null : hl, allHistoryWeight: a, profile, triggering };
          out.push({ v, rank: (hl === Infinity ? 0 : 1) + (profile ? 1 : 0) + (triggering ? 1 : 0) });
        }
      }
    }
  }
  out.sort((x, y) => x.rank - y.rank);
  return [{ kind: 'counts' }, ...out.map((o) => o.v)];
}

/** Half-lives (days) whose rates a fit must return for every variant: the family's and the configuration's. */
export function adaptHalfLives(config: EtasConfig): number[] {
  const hls = new Set<number>(ADAPT_HALF_LIVES_DAYS);
  if (config.recency) hls.add(config.recency.halfLifeDays);
  return [...hls];
}

/** Half-lives (days) a fit must return for a variant's rate: its own and, for a blend, Infinity. */
export function variantHalfLives(v: AdaptVariant): number[] {
  if (v.kind === 'counts') return [];
  const hl = v.halfLifeDays ?? Infinity;
  return v.allHistoryWeight > 0 && hl !== Infinity ? [hl, Infinity] : [hl];
}

/**
 * The background rate per hour of a variant, by cell index of the fit's event set: counts over
 * the window's hours, or the fit's recency rate blended with the all-history rate. O(N + cells).
 */
export function variantRate(result: EtasFitResult, training: EventSet, windowHours: number, variant: AdaptVariant): Float64Array {
  if (variant.kind === 'counts') {
    const out = new Float64Array(training.cells.length);
    for (let k = 0; k < training.cell.length; k++) out[training.cell[k]!]! += 1;
    for (let c = 0; c < out.length; c++) out[c] = out[c]! / windowHours;
    return out;
  }
  const recent = result.ratesByHalfLife.get(variant.halfLifeDays ?? Infinity)!;
  if (!(variant.allHistoryWeight > 0)) return recent;
  return blendRates(recent, result.ratesByHalfLife.get(Infinity)!, variant.allHistoryWeight);
}

/** The holdout's windows: 8-hour windows of [S, E), or the last calendar months before E. */
export function holdoutWindows(input: SelectionInput): { startMs: number; endMs: number }[] {
  const a = input.config.adapt!;
  const endMs = input.window.endMs;
  if (input.months) {
    const months = monthWindows(endMs - (a.holdoutMonths * 31 + 1) * DAY_MS, endMs, input.tz).filter((w) => w.endMs <= endMs);
    return months.slice(-a.holdoutMonths);
  }
  const stepMs = WINDOW_HOURS * HOUR_MS;
  const n = Math.floor((a.holdoutDays * DAY_MS) / stepMs);
  const out: { startMs: number; endMs: number }[] = [];
  for (let i = n; i >= 1; i--) out.push({ startMs: endMs - i * stepMs, endMs: endMs - (i - 1) * stepMs });
  return out;
}

/** The events known at `limitMs` (same order and cells) with their flags. O(N). */
export function knownAt(input: SelectionInput, limitMs: number): { set: EventSet; unknown: Uint8Array; knownMs: Float64Array } {
  const { events, knownMs, timeUnknown } = input;
  let m = 0;
  for (let k = 0; k < knownMs.length; k++) if (knownMs[k]! <= limitMs) m++;
  const cell = new Int32Array(m);
  const tHours = new Float64Array(m);
  const incidentIndex = new Int32Array(m);
  const unknown = new Uint8Array(m);
  const known = new Float64Array(m);
  let j = 0;
  for (let k = 0; k < knownMs.length; k++) {
    if (!(knownMs[k]! <= limitMs)) continue;
    cell[j] = events.cell[k]!;
    tHours[j] = events.tHours[k]!;
    incidentIndex[j] = events.incidentIndex[k]!;
    known[j] = knownMs[k]!;
    unknown[j++] = timeUnknown[k]!;
  }
  return { set: { originMs: events.originMs, cells: events.cells, cell, tHours, incidentIndex }, unknown, knownMs: known };
}

/** Cells scored (those with a known incident) and the number of cells of each flagged area. O(N + C). */
export function scoredCells(events: EventSet): { scored: Uint8Array; kByArea: number[] } {
  const scored = new Uint8Array(events.cells.length);
  for (let k = 0; k < events.cell.length; k++) scored[events.cell[k]!] = 1;
  let area = 0;
  let n = 0;
  for (let c = 0; c < scored.length; c++) {
    if (scored[c] !== 1) continue;
    area += cellAreaKm2(events.cells[c]!);
    n++;
  }
  const mean = n > 0 ? area / n : 1;
  return { scored, kByArea: ADAPT_FLAGGED_KM2.map((a) => Math.max(1, Math.round(a / mean))) };
}

/** The holdout fit's parts for the replay: triggering, rings by cell index, profile with its calendar. */
export function holdoutSetup(
  input: SelectionInput,
  result: EtasFitResult,
  scored: { scored: Uint8Array; kByArea: number[] },
  fromMs: number,
): HoldoutSetup {
  const fit = result.fit;
  const cells = input.events.cells;
  const depth = fit.ringWeights.length - 1;
  const index = new Map<H3Cell, number>();
  if (depth > 0) cells.forEach((c, i) => index.set(c, i));
  const ringsOf = input.ringsOf ?? ringsFromGrid;
  const ringMemo = new Map<number, { idx: Int32Array; dist: Int32Array }>();
  const ringOf = (c: number): { idx: Int32Array; dist: Int32Array } => {
    let r = ringMemo.get(c);
    if (r === undefined) {
      const idx: number[] = [];
      const dist: number[] = [];
      const rings = ringsOf(cells[c]!, depth);
      for (let d = 1; d <= depth; d++) {
        for (const cell of rings[d] ?? []) {
          const i = index.get(cell);
          if (i === undefined) continue;
          idx.push(i);
          dist.push(d);
        }
      }
      ringMemo.set(c, (r = { idx: Int32Array.from(idx), dist: Int32Array.from(dist) }));
    }
    return r;
  };
  const prof = input.config.profile;
  const profile =
    prof !== null && result.profileByCell !== null
      ? { h: result.profileByCell, calendar: binCalendar(input.tz, prof.shiftStarts, prof.weekend, fromMs, input.window.endMs) }
      : null;
  return {
    events: input.events,
    knownMs: input.knownMs,
    ...scored,
    theta: fit.theta,
    omegaPerHour: fit.omegaPerHour,
    ringWeights: fit.ringWeights,
    ringOf,
    profile,
  };
}

/** The holdout fit: the configuration (without `adapt`) on the events known at `fromMs`, cold-started. @throws the model's errors */
export function holdoutFit(input: SelectionInput, training: { set: EventSet; unknown: Uint8Array }, fromMs: number): EtasFitResult {
  const { adapt: _a, ...given } = input.config;
  void _a;
  // the choice does not need the last digits: a looser stop than the forecast's fit (HOLDOUT_EM)
  const config = {
    ...given,
    em: {
      maxIterations: Math.min(given.em.maxIterations, HOLDOUT_EM.maxIterations),
      relTolerance: Math.max(given.em.relTolerance, HOLDOUT_EM.relTolerance),
    },
  };
  return fitEtasDetailed(
    training.set,
    { startMs: input.window.startMs, endMs: fromMs },
    input.res,
    config,
    {
      tz: input.tz,
      timeUnknown: training.unknown,
      ...(input.districtOf ? { districtOf: input.districtOf } : {}),
      ...(input.ringsOf ? { ringsOf: input.ringsOf } : {}),
      extraHalfLivesDays: adaptHalfLives(input.config),
      lean: true,
    },
    input.shouldCancel ? { shouldCancel: input.shouldCancel } : {},
  );
}

/** The per-cell parts of every variant from the holdout fit. */
export function variantParts(
  variants: readonly AdaptVariant[],
  result: EtasFitResult,
  training: EventSet,
  windowHours: number,
): VariantParts[] {
  return variants.map((v) => ({
    rate: variantRate(result, training, windowHours, v),
    profile: v.kind === 'model' && v.profile,
    triggering: v.kind === 'model' && v.triggering,
  }));
}
