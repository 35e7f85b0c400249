/**
 * The bin calendar of the background profile: which shift type (and weekday/weekend) each
 * instant belongs to, in the local wall-clock time of a zone, right across DST changes.
 *
 * A shift type starts at a local time (e.g. 06:00, 14:00, 22:00); an instant belongs to the
 * shift type of the last start at or before it, and to the weekday or weekend of the local date
 * that start fell on (the night shift starting Friday 22:00 is a weekday shift until Saturday
 * 06:00). Wall-clock starts are resolved with the project's DST rule (engine/ingest ZoneClock:
 * a start inside the spring-forward gap moves forward by the gap; a start in the repeated hour
 * takes its first occurrence), so the segment starts are exactly engine/forecast `shiftWindows`'s
 * shift starts.
 */
import { ZoneClock } from '../ingest/index.ts';
import { ModelError } from './errors.ts';
import { upperBound } from '../search.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Segments [startsMs[k], startsMs[k+1]) of constant bin `bin[k]`, covering [fromMs, toMs). */
export interface BinCalendar {
  readonly startsMs: Float64Array;
  readonly bin: Int32Array;
  /** Number of bins: shift types × (2 with weekend, else 1). */
  readonly bins: number;
  /** Bin labels, e.g. "06:00 weekday", "22:00 weekend" (or "06:00" without the weekend split). */
  readonly labels: readonly string[];
  /** The range the calendar was built for: instants in [fromMs, toMs) can be binned. */
  readonly fromMs: number;
  readonly toMs: number;
}

function parseHHMM(s: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(s.trim());
  if (m === null || Number(m[1]) > 23 || Number(m[2]) > 59)
    throw new ModelError('E_OPTIONS', `shift start must be a local time HH:MM, got "${s}"`, s);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** Bin labels for shift starts (sorted by time of day) and the weekend split. */
export function binLabels(shiftStarts: readonly string[], weekend: boolean): string[] {
  const sorted = [...shiftStarts].sort((a, b) => parseHHMM(a) - parseHHMM(b));
  const norm = sorted.map((s) => {
    const m = parseHHMM(s);
    return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  });
  return weekend ? [...norm.map((s) => `${s} weekday`), ...norm.map((s) => `${s} weekend`)] : norm;
}

/**
 * The calendar of shift-type bins covering [fromMs, toMs) in zone `tz`.
 *
 * Cost O(days × starts) time and memory (one ZoneClock conversion per shift start).
 * @throws {ModelError} E_OPTIONS (bad start), E_WINDOW (non-finite or empty range); {TimeZoneError} E_TIMEZONE
 * @example
 * const cal = binCalendar('America/Vancouver', ['06:00', '14:00', '22:00'], false, Date.UTC(2023, 6, 1, 7), Date.UTC(2023, 6, 2, 7));
 * // 22:00Z is 15:00 in Vancouver (PDT, UTC−7): the 14:00 shift, bin 1
 * binAt(cal, Date.UTC(2023, 6, 1, 22)) // => 1
 */
export function binCalendar(tz: string, shiftStarts: readonly string[], weekend: boolean, fromMs: number, toMs: number): BinCalendar {
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || !(toMs > fromMs)) {
    throw new ModelError('E_WINDOW', `calendar range must be finite with from < to, got [${fromMs}, ${toMs})`, [fromMs, toMs]);
  }
  const clock = new ZoneClock(tz); // an unknown zone: TimeZoneError E_TIMEZONE (checkTimeZone)
  if (shiftStarts.length === 0) throw new ModelError('E_OPTIONS', 'at least one shift start is needed for the profile', shiftStarts);
  const minutes = [...new Set(shiftStarts.map(parseHHMM))].sort((a, b) => a - b);
  const S = minutes.length;
  // Local dates from two days before `from` (the segment containing `from` may start the day
  // before, and zones are within ±14 h of UTC) to one day after `to`.
  const firstDay = Math.floor(fromMs / DAY_MS) * DAY_MS - 2 * DAY_MS;
  const lastDay = Math.floor(toMs / DAY_MS) * DAY_MS + DAY_MS;
  const starts: number[] = [];
  const bins: number[] = [];
  let prev = -Infinity;
  for (let day = firstDay; day <= lastDay; day += DAY_MS) {
    const d = new Date(day);
    const y = d.getUTCFullYear();
    const mo = d.getUTCMonth() + 1;
    const da = d.getUTCDate();
    const dow = d.getUTCDay(); // of the local calendar date
    const isWeekend = weekend && (dow === 0 || dow === 6);
    for (let s = 0; s < S; s++) {
      const m = minutes[s]!;
      const t = clock.toEpochMs(y, mo, da, Math.floor(m / 60), m % 60, 0);
      if (t <= prev) continue; // two starts in one spring-forward gap: keep the first
      starts.push(t);
      bins.push(s + (isWeekend ? S : 0));
      prev = t;
    }
  }
  // Keep the segment containing fromMs and everything up to toMs.
  let lo = 0;
  while (lo + 1 < starts.length && starts[lo + 1]! <= fromMs) lo++;
  let hi = starts.length;
  while (hi > lo + 1 && starts[hi - 1]! >= toMs) hi--;
  return {
    startsMs: Float64Array.from(starts.slice(lo, hi)),
    bin: Int32Array.from(bins.slice(lo, hi)),
    bins: weekend ? 2 * S : S,
    labels: binLabels(shiftStarts, weekend),
    fromMs,
    toMs,
  };
}

/**
 * The bin of instant `ms` (binary search), or −1 when it lies before the calendar's first segment.
 * Cost O(log segments).
 */
export function binAt(cal: BinCalendar, ms: number): number {
  const after = upperBound(cal.startsMs, ms);
  return after === 0 ? -1 : cal.bin[after - 1]!;
}

/**
 * A constant-time {@link binAt} for instants in [fromMs, toMs): a table of the segment at each
 * whole hour from `fromMs`, then a step forward past any segment start before the instant (shift
 * segments last hours, so rarely more than one). Build O(hours of the range + segments), then
 * O(1) per look-up instead of a binary search: the bins of a million events cost milliseconds.
 * Returns −1 for an instant the calendar does not cover.
 */
export function binIndex(cal: BinCalendar, fromMs: number, toMs: number): (ms: number) => number {
  const a = cal.startsMs;
  const hours = Math.max(0, Math.ceil((toMs - fromMs) / HOUR_MS)) + 1;
  const segAt = new Int32Array(hours);
  let seg = -1;
  for (let h = 0; h < hours; h++) {
    const ms = fromMs + h * HOUR_MS;
    while (seg + 1 < a.length && a[seg + 1]! <= ms) seg++;
    segAt[h] = seg;
  }
  return (ms) => {
    const h = Math.floor((ms - fromMs) / HOUR_MS);
    if (!(h >= 0 && h < hours)) return binAt(cal, ms);
    let k = segAt[h]!;
    while (k + 1 < a.length && a[k + 1]! <= ms) k++;
    return k < 0 ? -1 : cal.bin[k]!;
  };
}

/**
 * Hours of [fromMs, toMs) spent in each bin (the exposure). The calendar must cover the range.
 * Cost O(segments overlapping the range + log segments).
 * @throws {ModelError} E_WINDOW when the calendar does not cover the range
 */
export function binExposureHours(cal: BinCalendar, fromMs: number, toMs: number): Float64Array {
  const out = new Float64Array(cal.bins);
  if (!(toMs > fromMs)) return out;
  const a = cal.startsMs;
  if (a.length === 0 || a[0]! > fromMs || toMs > cal.toMs) {
    throw new ModelError(
      'E_WINDOW',
      `the bin calendar [${new Date(cal.fromMs).toISOString()}, ${new Date(cal.toMs).toISOString()}) does not cover [${new Date(fromMs).toISOString()}, ${new Date(toMs).toISOString()})`,
      [fromMs, toMs],
    );
  }
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! <= fromMs) lo = mid + 1;
    else hi = mid;
  }
  for (let k = lo - 1; k < a.length && a[k]! < toMs; k++) {
    const s = Math.max(fromMs, a[k]!);
    const e = Math.min(toMs, k + 1 < a.length ? a[k + 1]! : Infinity);
    if (e > s) out[cal.bin[k]!]! += (e - s) / HOUR_MS;
  }
  return out;
}
