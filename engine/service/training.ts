/**
 * The training set of a forecast or a fit: the incidents known before an instant, by the
 * backtest's known-from rule (engine/evaluate/timing.ts `periodEndMs`: an incident joins only
 * once its whole time period has ended), binned into H3 cells, with t = 0 at the training
 * window's start. One rule for the CLI, the web app and the backtest, so the three agree.
 *
 * Default window: ALL history known before the end, starting at the first such incident's time
 * floored to the hour (as the backtest's rolling fits); an optional start limits it.
 */
import { districtsFromLabels, buildEventSet } from '../grid/index.ts';
import { timeUnknownFlags } from '../model/index.ts';
import { periodEndMs } from '../evaluate/timing.ts';
import { screenIncidents, screeningWarnings, type Screening } from '../evaluate/screen.ts';
import { checkTimeZone, formatLocalInstant } from '../timezone.ts';
import type { EventSet, H3Cell, Incident } from '../types.ts';
import { ServiceError } from './errors.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/**
 * Longest time period an incident's time can stand for (a calendar month, 31 days, plus an hour
 * of daylight-saving change): an incident dated this long before an instant is known by then,
 * whatever its precision, so `periodEndMs` is computed only for the last month's incidents.
 */
const LONGEST_PERIOD_MS = 31 * DAY_MS + HOUR_MS;
/**
 * The fit window ends at most this long after the newest training incident became known (its
 * whole time period ended), rather than at the shift start or --until: an empty stretch at the
 * end of the window reads to the EM as a lull after a burst and inflates the triggering
 * (θ 0.03 → 0.68 for an end six months after Vancouver's data). Data that is current (newest
 * incident under a week old, the service's stale-data threshold) keeps the window ending at the
 * shift start, exactly as the backtest's rolling fits.
 */
export const FIT_END_MARGIN_MS = 7 * DAY_MS;

/** What the training set is built from. */
export interface TrainingData {
  /** Incidents as read (any order; not modified). */
  readonly incidents: readonly Incident[];
  /** IANA zone of the data's local days and months (and of the shifts). */
  readonly tz: string;
  /** H3 resolution of the grid. */
  readonly res: number;
  /** Keeps an incident (e.g. a category filter); null or absent keeps all. */
  readonly include?: ((inc: Incident) => boolean) | null;
  /**
   * Start of the training window (epoch ms): only incidents at or after it are used. Default
   * (null or absent): all history known before the end, the backtest's rule.
   */
  readonly trainFromMs?: number | null;
  /** Keep the time outliers (engine/evaluate/screen.ts) in the fit; default false: left out, with a warning. */
  readonly keepOutliers?: boolean;
}

/** The incidents a fit or forecast may learn from, as the model takes them. */
export interface TrainingSet {
  /** The training events, sorted by (cell, time), times in hours since `window.startMs`. */
  readonly events: EventSet;
  /**
   * The fit's window [startMs, endMs), epoch ms: endMs is the requested end (`untilMs`), or
   * {@link FIT_END_MARGIN_MS} after the newest incident became known when that is earlier.
   */
  readonly window: { readonly startMs: number; readonly endMs: number };
  /** The requested end (the shift start, --until), epoch ms. */
  readonly untilMs: number;
  /** What the data screen (far away, time outliers, gaps) found and left out. */
  readonly screening: Screening;
  /** Per event: 1 when its time of day is unknown (it carries no profile information). */
  readonly timeUnknown: Uint8Array;
  /** Time of the newest training event, epoch ms. */
  readonly lastEventMs: number;
  /** Incidents dated before the end but known only after it (their day or month had not ended): left out. */
  readonly knownLater: number;
  /** District of each cell, from the labels of the training incidents (majority label; engine/grid districtsFromLabels). */
  readonly districtOf: ReadonlyMap<H3Cell, string>;
}

/** Whether the incident's whole time period ended at or before `endMs` (the known-from rule). O(1) but for last month's day/month-precision incidents. */
function knownBy(inc: Incident, endMs: number, tz: string): boolean {
  if (inc.timeMs + LONGEST_PERIOD_MS <= endMs) return true;
  return periodEndMs(inc, tz) <= endMs;
}

/** Marks the incidents to train on; returns the marks, the earliest dated-before time and how many are known later. O(N). */
function selectTraining(data: TrainingData, endMs: number): { keep: Uint8Array; kept: number; firstMs: number; knownLater: number } {
  const { incidents, tz, include } = data;
  const fromMs = data.trainFromMs ?? -Infinity;
  const keep = new Uint8Array(incidents.length);
  let kept = 0;
  let firstMs = Infinity;
  let knownLater = 0;
  for (let i = 0; i < incidents.length; i++) {
    const inc = incidents[i]!;
    if (!(inc.timeMs < endMs) || inc.timeMs < fromMs) continue;
    if (include && !include(inc)) continue;
    if (inc.timeMs < firstMs) firstMs = inc.timeMs;
    if (!knownBy(inc, endMs, tz)) {
      knownLater++;
      continue;
    }
    keep[i] = 1;
    kept++;
  }
  return { keep, kept, firstMs, knownLater };
}

/**
 * The kept incidents' count, the window's first time (the earliest kept, or the earliest dated
 * before the end when a screened-out incident was earlier than the known-later ones) and the
 * instant the newest kept incident became known. O(N), periodEndMs only for the last month's.
 */
function keptSpan(data: TrainingData, keep: Uint8Array, firstDatedMs: number): { kept: number; firstMs: number; lastKnownMs: number } {
  let kept = 0;
  let firstMs = Infinity;
  let lastMs = -Infinity;
  for (let i = 0; i < keep.length; i++) {
    if (keep[i] !== 1) continue;
    kept++;
    const t = data.incidents[i]!.timeMs;
    if (t < firstMs) firstMs = t;
    if (t > lastMs) lastMs = t;
  }
  let lastKnownMs = lastMs;
  for (let i = 0; i < keep.length; i++) {
    const inc = data.incidents[i]!;
    if (keep[i] === 1 && inc.timeMs + LONGEST_PERIOD_MS > lastMs) lastKnownMs = Math.max(lastKnownMs, periodEndMs(inc, data.tz));
  }
  // Incidents known only later (the last day or month) start the window when no kept one is earlier.
  return { kept, firstMs: firstDatedMs < firstMs && firstDatedMs >= lastMs - LONGEST_PERIOD_MS ? firstDatedMs : firstMs, lastKnownMs };
}

/**
 * The training set for a fit ending at `endMs` (the shift start of a forecast): the incidents
 * kept by `include` whose whole time period ended at or before `endMs` and that are dated at or
 * after the window's start. Window start: `trainFromMs`, else the earliest incident dated before
 * `endMs` (kept by `include`), floored to the hour, as the backtest does.
 *
 * Cost O(N) plus buildEventSet's O(N log N) and the district labels' O(N).
 * @throws {ServiceError} E_ARGUMENT (non-finite end, window start not before the end),
 *   E_NO_EVENTS (no incident known before the end; value: endMs); {TimeZoneError} E_TIMEZONE;
 *   {GridError} for bad coordinates or resolution (naming the file and line)
 */
export function trainingSet(data: TrainingData, endMs: number): TrainingSet {
  checkTimeZone(data.tz);
  if (!Number.isFinite(endMs))
    throw new ServiceError('E_ARGUMENT', `the training end must be a finite epoch ms, got ${String(endMs)}`, endMs);
  const fromMs = data.trainFromMs ?? null;
  if (fromMs !== null && !(Number.isFinite(fromMs) && fromMs < endMs)) {
    throw new ServiceError(
      'E_ARGUMENT',
      `the training window must start before it ends (${new Date(endMs).toISOString()}), got ${String(fromMs)}`,
      fromMs,
    );
  }
  const selected = selectTraining(data, endMs);
  const screening = screenIncidents(data.incidents, selected.keep, { keepTimeOutliers: data.keepOutliers === true });
  const { keep } = screening;
  const { kept, firstMs, lastKnownMs } = keptSpan(data, keep, selected.firstMs);
  if (kept === 0) {
    const what = data.include ? ' of the chosen categories' : '';
    const since = fromMs !== null ? ` since ${formatLocalInstant(fromMs, data.tz)}` : '';
    throw new ServiceError(
      'E_NO_EVENTS',
      `no incident${what} known before ${formatLocalInstant(endMs, data.tz)}${since}: nothing to fit`,
      endMs,
    );
  }
  const startMs = fromMs ?? Math.floor(firstMs / HOUR_MS) * HOUR_MS;
  const fitEndMs = Math.max(Math.min(endMs, lastKnownMs + FIT_END_MARGIN_MS), startMs + HOUR_MS);
  const events = buildEventSet(data.incidents, data.res, startMs, { include: (_inc, i) => keep[i] === 1 });
  const labelled: Incident[] = [];
  for (let i = 0; i < keep.length; i++) if (keep[i] === 1) labelled.push(data.incidents[i]!);
  let lastHours = -Infinity;
  for (const t of events.tHours) if (t > lastHours) lastHours = t;
  return {
    events,
    window: { startMs, endMs: Math.min(fitEndMs, endMs) },
    untilMs: endMs,
    screening,
    timeUnknown: timeUnknownFlags(events, data.incidents),
    lastEventMs: startMs + lastHours * HOUR_MS,
    knownLater: selected.knownLater,
    districtOf: districtsFromLabels(labelled, data.res),
  };
}

/** A sentence warning that month-precision data cannot support shift forecasts, or null. */
export function monthPrecisionWarning(events: EventSet): string | null {
  const month = events.precisionCounts?.month ?? 0;
  if (month === 0) return null;
  const n = events.tHours.length;
  return `${month} of ${n} training incidents (${Math.round((100 * month) / n)}%) are known only to the month: the fit can support month-ahead forecasts, but shift-level (8-hour) forecasts need times to the hour or minute.`;
}

/** Warnings on the training set: what the data screen left out, and a window ended before the requested end. */
export function trainingWarnings(set: TrainingSet, tz: string): string[] {
  const local = (ms: number): string => formatLocalInstant(ms, tz);
  const out = screeningWarnings(set.screening, tz);
  if (set.window.endMs < set.untilMs) {
    const days = (set.untilMs - set.window.endMs) / DAY_MS;
    out.push(
      `the newest incident is long before ${local(set.untilMs)}: the fit window ends at ${local(set.window.endMs)} (${FIT_END_MARGIN_MS / DAY_MS} days after the newest incident became known, ${days.toFixed(1)} days before the requested end), so the empty stretch does not inflate the triggering; the forecast still runs at the requested time.`,
    );
  }
  return out;
}

/** Notes on the training set in words: what was used, and what the known-from rule left out. */
export function trainingNotes(set: TrainingSet, limited: boolean, tz: string): string[] {
  const { startMs } = set.window;
  const endMs = set.untilMs;
  const local = (ms: number): string => formatLocalInstant(ms, tz);
  const n = set.events.tHours.length;
  const notes = [
    `Trained on the ${n} incidents known before ${local(endMs)}${limited ? `, from ${local(startMs)} (a limited training window)` : ` (all history, from ${local(startMs)})`}.`,
  ];
  if (set.knownLater > 0) {
    notes.push(
      `${set.knownLater} incidents dated before ${local(endMs)} are left out: their time is known only to the day or month, which had not ended by then (they join once it has).`,
    );
  }
  return notes;
}
