/**
 * The ETAS model (engine/model) replayed window by window, as the backtest and `tune` run it
 * (both 'etas' and the 'etas-2015' preset): refitted on a schedule (warm-started from the
 * previous fit) on the incidents known at the refit instant, forecasting each window from what
 * was known before it started, scored straight into the study cells. One fit serves several
 * recency settings at once (half-life and all-history blend weight are applied after the EM),
 * which is what makes tuning them cheap.
 *
 * Leakage: a window starting at s sees an event only when its known-from instant (timing.ts
 * `periodEndMs`) is ≤ s, both for the fit (refitted at a window start) and for the triggering
 * part of the forecast.
 *
 * The forecast of a window is engine/forecast `forecastShift`'s (docs/model.md#forecast): the
 * background rate times the profile's hours in the window, plus the shift integral of every
 * event known by the window's start, read back {@link ETAS_HISTORY_MEAN_DELAYS} mean delays.
 */
import { shiftBinHours, shiftIntegral } from '../forecast/index.ts';
import {
  binAt,
  binCalendar,
  binExposureHours,
  blendRates,
  fitEtasDetailed,
  ringsFromGrid,
  type BinCalendar,
  type EtasConfig,
  type EtasFit,
  type EtasFitInputs,
  type EtasFitResult,
} from '../model/index.ts';
import type { EventSet, H3Cell } from '../types.ts';
import { knownOrder, RollingSelection, RunningCounts, selectionContext } from './adaptRolling.ts';
import { variantHalfLives, variantRate } from './select.ts';
import { EvaluateError } from './errors.ts';
import { fitRecord, type FitRecord } from './report.ts';
import type { EvalWindow } from './timing.ts';
import { upperBound } from '../search.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/**
 * Forecasts read the triggering history back this many mean trigger delays (1/ω): an older event
 * adds at most θ·e^−50 ≈ 2·10^−22·θ to any cell's expected count, far below double precision of
 * the counts themselves, so the forecast is the full-history one to the last bit in practice
 * while each window costs O(events of the recent past) instead of O(N).
 */
export const ETAS_HISTORY_MEAN_DELAYS = 50;

/** What the rolling model needs from the run. */
export interface EtasRollingSetup {
  /** Every event of the run (training and test), sorted by (cell, time) as buildEventSet makes them. */
  readonly events: EventSet;
  /** Known-from instant of each event (by position), epoch ms. */
  readonly eventKnownMs: Float64Array;
  /** 1 where the event's time of day is unknown (by position). */
  readonly timeUnknown: Uint8Array;
  readonly res: number;
  readonly tz: string;
  /** Study index of each cell of `events.cells` (−1 outside the study area). */
  readonly studyOfCell: Int32Array;
  readonly studyCells: readonly H3Cell[];
  readonly districtOf?: ReadonlyMap<H3Cell, string>;
  readonly config: EtasConfig;
  /**
   * Recency settings to score (half-life in days, Infinity allowed; all-history weight in
   * [0, 1]); default: the configuration's own ({@link configRecency}).
   */
  readonly recencyVariants?: readonly RecencyVariant[];
  /** Refit interval in days; 0 = before every window (month mode). */
  readonly refitEveryDays: number;
  /** Month mode (the adaptive selection's holdout is then calendar months). */
  readonly months?: boolean;
  /** Shared cache of H3 rings (ring spread only). */
  readonly ringCache?: Map<H3Cell, H3Cell[][]>;
  /** The model's name in error messages (default 'etas'). */
  readonly name?: string;
  /** Polled by every fit (engine/model FitHooks); true abandons the run with E_CANCELLED. */
  readonly shouldCancel?: () => boolean;
}

/** One recency setting: r_n = (1 − a)·(rate with this half-life) + a·(all-history rate). */
export interface RecencyVariant {
  readonly halfLifeDays: number;
  readonly allHistoryWeight: number;
}

/** The recency setting scored by default: the configuration's own (half-life Infinity, weight 0 when recency is off). */
export function configRecency(config: EtasConfig): RecencyVariant {
  return { halfLifeDays: config.recency?.halfLifeDays ?? Infinity, allHistoryWeight: config.recency?.allHistoryWeight ?? 0 };
}

/**
 * The rolling model. Cost per refit: one fit (O(N·iterations)); per window
 * O(C·bins + recent events + C per half-life).
 */
export class EtasRollingModel {
  readonly fits: FitRecord[] = [];
  readonly recencyVariants: readonly RecencyVariant[];
  private s: EtasRollingSetup;
  private byKnown: Int32Array;
  private knownSorted: Float64Array;
  /** Half-lives whose rates each refit computes (those of the variants, plus Infinity for blends). */
  private readonly halfLivesDays: readonly number[];
  private fit: EtasFit | null = null;
  private fitAtMs = -Infinity;
  private rates: Float64Array[] = [];
  private profile: Float64Array | null = null;
  private readonly ringsOf: (cell: H3Cell, depth: number) => H3Cell[][];
  private readonly ringStudy = new Map<number, { idx: Int32Array; dist: Int32Array }>();
  private calendar: BinCalendar | null = null;
  private eventBins: Int32Array | null = null;
  /** The adaptive selection (docs/model.md#adaptive-default): on when the configuration has `adapt` and no recency variants are asked for (tuning). */
  private readonly selection: RollingSelection | null;
  private counts: RunningCounts | null = null;
  /** False when the chosen variant has no triggering (the forecast is then the background alone). */
  private triggering = true;

  constructor(setup: EtasRollingSetup) {
    this.s = setup;
    this.recencyVariants = setup.recencyVariants ?? [configRecency(setup.config)];
    const adapt = setup.recencyVariants === undefined ? (setup.config.adapt ?? null) : null;
    const halfLives = new Set(this.recencyVariants.map((v) => v.halfLifeDays));
    if (this.recencyVariants.some((v) => v.allHistoryWeight > 0)) halfLives.add(Infinity);
    this.halfLivesDays = [...halfLives];
    [this.byKnown, this.knownSorted] = knownOrder(setup.eventKnownMs);
    const cache = setup.ringCache ?? new Map<H3Cell, H3Cell[][]>();
    this.ringsOf = (cell, depth) => {
      let r = cache.get(cell);
      if (r === undefined || r.length < depth + 1) cache.set(cell, (r = ringsFromGrid(cell, depth)));
      return r;
    };
    this.selection = adapt === null ? null : new RollingSelection(adapt, selectionContext(setup, this.ringsOf));
  }

  /** One calendar for every refit (from the first event to a year past the first refit, rebuilt beyond). */
  private calendarFor(endMs: number): { calendar: BinCalendar } | null {
    const prof = this.s.config.profile;
    if (prof === null) return null;
    const from = this.s.events.originMs;
    if (this.calendar === null || this.calendar.toMs < endMs) {
      this.calendar = binCalendar(this.s.tz, prof.shiftStarts, prof.weekend, from, endMs + 366 * DAY_MS);
      this.eventBins = null;
    }
    if (this.eventBins === null) {
      const cal = this.calendar;
      const ev = this.s.events;
      const bins = (this.eventBins = new Int32Array(ev.cell.length));
      // bins of events past the calendar's end are never used: they are not known yet
      for (let k = 0; k < bins.length; k++) {
        const ms = from + ev.tHours[k]! * HOUR_MS;
        bins[k] = ms < cal.toMs ? binAt(cal, ms) : -1;
      }
    }
    return { calendar: this.calendar };
  }

  /** New events (same origin), keeping the fit to warm-start from and the adaptive choice (discovery.ts appends found incidents). O(N log N). */
  replaceEvents(events: EventSet, eventKnownMs: Float64Array, timeUnknown: Uint8Array, studyOfCell: Int32Array): void {
    if (events.originMs !== this.s.events.originMs)
      throw new EvaluateError('E_ARGUMENT', 'new events must keep the origin', events.originMs);
    this.s = { ...this.s, events, eventKnownMs, timeUnknown, studyOfCell };
    [this.byKnown, this.knownSorted] = knownOrder(eventKnownMs);
    this.eventBins = null;
    this.counts = null;
    this.ringStudy.clear();
  }

  /** Background rate per study cell (per hour, before the profile) of the latest window (empty before the first). */
  get backgroundRates(): Float64Array {
    return this.rates[0] ?? new Float64Array(0);
  }

  /** The fit serving the latest window (null before the first). */
  get currentFit(): EtasFit | null {
    return this.fit;
  }

  /** The events known at `startMs` (same order), their time-unknown flags and, with a profile, their calendar bins. O(N). */
  private trainingSet(startMs: number): {
    training: EventSet;
    unknown: Uint8Array;
    knownMs: Float64Array;
    cal: { calendar: BinCalendar } | null;
    bins: Int32Array | null;
  } {
    const { events, eventKnownMs, timeUnknown } = this.s;
    const n = events.cell.length;
    let m = 0;
    for (let k = 0; k < n; k++) if (eventKnownMs[k]! <= startMs) m++;
    const cell = new Int32Array(m);
    const tHours = new Float64Array(m);
    const incidentIndex = new Int32Array(m);
    const unknown = new Uint8Array(m);
    const knownMs = new Float64Array(m);
    const cal = this.calendarFor(startMs);
    const bins = cal === null ? null : new Int32Array(m);
    let j = 0;
    for (let k = 0; k < n; k++) {
      if (!(eventKnownMs[k]! <= startMs)) continue;
      cell[j] = events.cell[k]!;
      tHours[j] = events.tHours[k]!;
      incidentIndex[j] = events.incidentIndex[k]!;
      unknown[j] = timeUnknown[k]!;
      knownMs[j] = eventKnownMs[k]!;
      if (bins !== null) bins[j] = this.eventBins![k]!;
      j++;
    }
    return { training: { originMs: events.originMs, cells: events.cells, cell, tHours, incidentIndex }, unknown, knownMs, cal, bins };
  }

  /**
   * Refits on the events known at the window's start, warm-started from the previous fit's θ, ω
   * and ring weights (a cold start, with its search over starting delays, when there is none or
   * its θ is 0: EM cannot leave θ = 0).
   * @throws {EvaluateError} E_FIT, E_CANCELLED
   */
  private refit(w: EvalWindow, windowIndex: number): void {
    const { training, unknown, knownMs, cal, bins } = this.trainingSet(w.startMs);
    const selected = this.selection?.update(w.startMs, w.label, training, unknown, knownMs) ?? null;
    const prev = this.fit;
    const initial =
      prev && prev.theta > 0 ? { theta: prev.theta, omegaPerHour: prev.omegaPerHour, ringWeights: prev.ringWeights } : undefined;
    const name = this.s.name ?? 'etas';
    let result: EtasFitResult;
    try {
      const inputs: EtasFitInputs = {
        tz: this.s.tz,
        timeUnknown: unknown,
        ...(this.s.districtOf ? { districtOf: this.s.districtOf } : {}),
        ...(initial ? { initial } : {}),
        ringsOf: this.ringsOf,
        extraHalfLivesDays: this.selection?.choice ? variantHalfLives(this.selection.choice.variant) : this.halfLivesDays,
        lean: true,
        ...(cal && bins ? { calendar: cal.calendar, eventBin: bins } : {}),
      };
      const window = { startMs: training.originMs, endMs: w.startMs };
      result = fitEtasDetailed(
        training,
        window,
        this.s.res,
        this.s.config,
        inputs,
        this.s.shouldCancel ? { shouldCancel: this.s.shouldCancel } : {},
      );
    } catch (err) {
      if ((err as { code?: unknown }).code === 'E_CANCELLED')
        throw new EvaluateError('E_CANCELLED', `cancelled during the ${name} fit for ${w.label}`, err);
      throw new EvaluateError(
        'E_FIT',
        `the ${name} fit on incidents known before ${new Date(w.startMs).toISOString()} failed: ${(err as Error).message}`,
        err,
      );
    }
    this.fit = result.fit;
    this.fitAtMs = w.startMs;
    this.keepRates(result, training, (w.startMs - training.originMs) / HOUR_MS);
    const record = fitRecord(w.startMs, windowIndex, training.cell.length, result.fit);
    this.fits.push(selected ? { ...record, adapt: selected } : record);
  }

  /** The background rate of each recency variant (or the chosen variant's) and the profiles, moved onto the study cells. O(cells · (variants + bins)). */
  private keepRates(result: EtasFitResult, training: EventSet, windowHours: number): void {
    const fit = result.fit;
    const C = this.s.studyCells.length;
    const studyOf = this.s.studyOfCell;
    const chosen = this.selection?.choice?.variant ?? null;
    this.triggering = chosen === null || (chosen.kind === 'model' && chosen.triggering);
    const flat = chosen !== null && !(chosen.kind === 'model' && chosen.profile);
    this.rates = this.recencyVariants.map(({ halfLifeDays, allHistoryWeight }) => {
      const recent = (): Float64Array => result.ratesByHalfLife.get(halfLifeDays)!;
      const src =
        chosen !== null
          ? variantRate(result, training, windowHours, chosen)
          : allHistoryWeight > 0
            ? blendRates(recent(), result.ratesByHalfLife.get(Infinity)!, allHistoryWeight)
            : recent();
      const out = new Float64Array(C);
      for (let c = 0; c < src.length; c++) {
        const st = studyOf[c]!;
        if (st >= 0) out[st] = src[c]!;
      }
      return out;
    });
    if (fit.profile !== null && result.profileByCell !== null && !flat) {
      const B = fit.profile.labels.length;
      const h = new Float64Array(C * B).fill(1);
      const src = result.profileByCell;
      for (let c = 0; c < this.s.events.cells.length; c++) {
        const st = studyOf[c]!;
        if (st >= 0) for (let b = 0; b < B; b++) h[st * B + b] = src[c * B + b]!;
      }
      this.profile = h;
    } else {
      this.profile = null;
    }
  }

  /**
   * Expected counts per study cell in window `w`, one array per setting of `recencyVariants`.
   * Windows must come in time order. Refits first when the schedule says so: before the first
   * window, before every window when `refitEveryDays` is 0, else at the first window starting at
   * least `refitEveryDays` days (less a 2-hour tolerance, so that "daily" stays daily across DST
   * changes) after the last refit.
   * @throws {EvaluateError} E_FIT when a refit fails, E_CANCELLED when `shouldCancel` stops it
   */
  forecast(w: EvalWindow, windowIndex: number): Float64Array[] {
    const refitMs = this.s.refitEveryDays * DAY_MS;
    const toleranceMs = Math.min(2 * HOUR_MS, refitMs / 2);
    if (this.fit === null || refitMs === 0 || w.startMs >= this.fitAtMs + refitMs - toleranceMs) this.refit(w, windowIndex);
    const fit = this.fit!;
    const rec = this.fits[this.fits.length - 1]!;
    this.fits[this.fits.length - 1] = { ...rec, lastShift: windowIndex };
    const C = this.s.studyCells.length;
    const cal = this.calendarFor(w.startMs + w.hours * HOUR_MS);
    const binHours =
      cal === null ? shiftBinHours(fit, w.startMs, w.hours) : binExposureHours(cal.calendar, w.startMs, w.startMs + w.hours * HOUR_MS);
    const B = binHours.length;
    const factor = new Float64Array(C);
    if (this.profile === null) {
      // flat: the window's hours (the sum over the bins when the fit has a calendar but the chosen variant no profile)
      let hours = 0;
      for (let b = 0; b < B; b++) hours += binHours[b]!;
      factor.fill(hours);
    } else {
      const h = this.profile;
      for (let c = 0; c < C; c++) {
        let f = 0;
        for (let b = 0; b < B; b++) f += h[c * B + b]! * binHours[b]!;
        factor[c] = f;
      }
    }
    const trig = new Float64Array(C);
    if (this.triggering && fit.theta > 0 && fit.ringWeights.length > 0) {
      const omega = fit.omegaPerHour;
      const lookBackMs = (ETAS_HISTORY_MEAN_DELAYS / omega) * HOUR_MS;
      const lo = upperBound(this.knownSorted, w.startMs - lookBackMs);
      const hi = upperBound(this.knownSorted, w.startMs);
      const sHours = (w.startMs - this.s.events.originMs) / HOUR_MS;
      const integral = shiftIntegral(fit.theta, omega, w.hours);
      const depth = fit.ringWeights.length - 1;
      const w0 = fit.ringWeights[0]!;
      const { cell, tHours } = this.s.events;
      const studyOf = this.s.studyOfCell;
      for (let e = lo; e < hi; e++) {
        const k = this.byKnown[e]!;
        const t = tHours[k]!;
        if (!(t < sHours)) continue;
        const v = integral(sHours - t);
        const src = cell[k]!;
        const st = studyOf[src]!;
        if (st >= 0) trig[st]! += v * w0;
        if (depth > 0) {
          const ring = this.studyRing(src, depth);
          for (let r = 0; r < ring.idx.length; r++) {
            const d = ring.dist[r]!;
            trig[ring.idx[r]!]! += (v * fit.ringWeights[d]!) / (6 * d);
          }
        }
      }
    }
    if (this.selection?.choice?.variant.kind === 'counts') {
      this.counts ??= new RunningCounts(this.byKnown, this.knownSorted, this.s.events.cell, this.s.studyOfCell, C);
      this.rates = [this.counts.rateAt(w.startMs, this.s.events.originMs)];
    }
    return this.rates.map((rate) => {
      const out = new Float64Array(C);
      for (let c = 0; c < C; c++) out[c] = rate[c]! * factor[c]! + trig[c]!;
      return out;
    });
  }

  /** Study cells at ring distance 1..depth of source cell `src`, with their distance. */
  private studyRing(src: number, depth: number): { idx: Int32Array; dist: Int32Array } {
    let r = this.ringStudy.get(src);
    if (r === undefined) {
      const rings = this.ringsOf(this.s.events.cells[src]!, depth);
      const idx: number[] = [];
      const dist: number[] = [];
      const index = this.studyIndex();
      for (let d = 1; d <= depth; d++) {
        for (const c of rings[d] ?? []) {
          const st = index.get(c);
          if (st !== undefined) {
            idx.push(st);
            dist.push(d);
          }
        }
      }
      r = { idx: Int32Array.from(idx), dist: Int32Array.from(dist) };
      this.ringStudy.set(src, r);
    }
    return r;
  }

  private studyIndexMap: Map<H3Cell, number> | null = null;
  private studyIndex(): Map<H3Cell, number> {
    return (this.studyIndexMap ??= new Map(this.s.studyCells.map((c, i) => [c, i])));
  }
}
