/**
 * The data screen every training set goes through (the service's fits and forecasts, the
 * backtest and tune): incidents far from the rest in space (a swapped latitude and longitude, a
 * placeholder point) or isolated far before or after the bulk of the data in time (a mistyped
 * year) are left out, with counts and a warning in words. One function, so the CLI, the web app
 * and the backtest agree on what they train on.
 *
 * Why: one incident dated 1923 among 31,485 of 2023 stretches the fit window by a century; the
 * EM then explains the year's incidents as a burst triggered out of nothing (θ 0.03 → 0.95),
 * and one incident 9,000 km away asks for a study area of millions of cells.
 */
import { formatLocalInstant } from '../timezone.ts';
import type { Incident } from '../types.ts';

const DAY_MS = 86_400_000;

/** Incidents outside the central 99.8% of times (0.1% to 99.9% quantile) may be time outliers. */
export const TIME_BULK_QUANTILE = 0.001;
/** An incident is a time outlier when a gap longer than this many days separates it from the bulk... */
export const TIME_GAP_MIN_DAYS = 60;
/** ...or longer than this many median gaps between consecutive incidents, whichever is longer (sparse data). */
export const TIME_GAP_MEDIAN_FACTOR = 20;
/** Distances from the median point: the bulk's radius is this quantile of them. */
export const SPACE_BULK_QUANTILE = 0.99;
/** An incident is far away when farther from the median point than this many bulk radii... */
export const SPACE_RADIUS_FACTOR = 10;
/** ...and farther than this many km (a city's bulk radius can be a few km). */
export const SPACE_MIN_KM = 200;

/** What the screen found among the candidates. */
export interface Screening {
  /** 1 for each candidate kept (not far away, and not a time outlier unless kept by the caller). */
  readonly keep: Uint8Array;
  /** Candidates screened. */
  readonly candidates: number;
  /** Far-away incidents (always left out) and the distance beyond which an incident is far, km. */
  readonly farAway: number;
  readonly farKm: number;
  /** Time outliers before and after the bulk. */
  readonly early: number;
  readonly late: number;
  /** True when the time outliers were kept (the caller asked to). */
  readonly outliersKept: boolean;
  /** The gap that isolates a time outlier, ms. */
  readonly gapMs: number;
  /** Gaps longer than `gapMs` inside the bulk (epoch ms of the incidents either side): warned about, not changed. */
  readonly gaps: readonly { readonly fromMs: number; readonly toMs: number }[];
}

/** The value at quantile q of an ascending array (nearest rank below). */
function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))]!;
}

/** Marks far-away candidates (0 in `keep`): distance from the median point beyond max(SPACE_MIN_KM, factor × bulk radius). O(N log N). */
function screenSpace(incidents: readonly Incident[], idx: Int32Array, keep: Uint8Array): { farAway: number; farKm: number } {
  const n = idx.length;
  const lats = new Float64Array(n);
  const lngs = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    lats[k] = incidents[idx[k]!]!.lat;
    lngs[k] = incidents[idx[k]!]!.lng;
  }
  const lat0 = quantile(lats.slice().sort(), 0.5);
  const lng0 = quantile(lngs.slice().sort(), 0.5);
  const cos0 = Math.cos((lat0 * Math.PI) / 180);
  const dist = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    // Equirectangular distance, km; longitudes wrapped to ±180° around the median.
    let dLng = lngs[k]! - lng0;
    if (dLng > 180) dLng -= 360;
    if (dLng < -180) dLng += 360;
    dist[k] = 111.32 * Math.hypot(lats[k]! - lat0, dLng * cos0);
  }
  const farKm = Math.max(SPACE_MIN_KM, SPACE_RADIUS_FACTOR * quantile(dist.slice().sort(), SPACE_BULK_QUANTILE));
  let farAway = 0;
  for (let k = 0; k < n; k++) {
    if (dist[k]! > farKm) {
      keep[idx[k]!] = 0;
      farAway++;
    }
  }
  return { farAway, farKm };
}

/**
 * Time outliers among the kept candidates: sorted times, the bulk from the 0.1% to the 99.9%
 * quantile, and a gap longer than max(60 days, 20 × the median gap) between an incident and the
 * bulk makes it (and everything beyond it) an outlier; such gaps inside the bulk are listed.
 * O(N log N).
 */
function screenTime(
  incidents: readonly Incident[],
  keep: Uint8Array,
  dropOutliers: boolean,
): Pick<Screening, 'early' | 'late' | 'gapMs' | 'gaps'> {
  let n = 0;
  for (let i = 0; i < keep.length; i++) if (keep[i] === 1) n++;
  const times = new Float64Array(n);
  for (let i = 0, k = 0; i < keep.length; i++) if (keep[i] === 1) times[k++] = incidents[i]!.timeMs;
  times.sort();
  const diffs = new Float64Array(Math.max(0, n - 1));
  for (let k = 1; k < n; k++) diffs[k - 1] = times[k]! - times[k - 1]!;
  const medianGap = diffs.length > 0 ? quantile(diffs.slice().sort(), 0.5) : 0;
  const gapMs = Math.max(TIME_GAP_MIN_DAYS * DAY_MS, TIME_GAP_MEDIAN_FACTOR * medianGap);
  // The bulk's first and last index: at least one incident in from either end, so a lone
  // outlier is never its own bulk; with fewer than 3 incidents there is no bulk to tell from.
  const lo = Math.max(1, Math.floor(TIME_BULK_QUANTILE * n));
  const hi = n - 1 - lo;
  if (hi < lo) return { early: 0, late: 0, gapMs, gaps: [] };
  // Outliers before the bulk: everything at or before the last long gap below index lo.
  let firstMs = -Infinity;
  for (let k = lo; k > 0; k--) {
    if (times[k]! - times[k - 1]! > gapMs) {
      firstMs = times[k]!;
      break;
    }
  }
  let lastMs = Infinity;
  for (let k = hi; k < n - 1; k++) {
    if (times[k + 1]! - times[k]! > gapMs) {
      lastMs = times[k]!;
      break;
    }
  }
  const gaps: { fromMs: number; toMs: number }[] = [];
  for (let k = lo; k < hi; k++) if (times[k + 1]! - times[k]! > gapMs) gaps.push({ fromMs: times[k]!, toMs: times[k + 1]! });
  let early = 0;
  let late = 0;
  for (let i = 0; i < keep.length; i++) {
    if (keep[i] !== 1) continue;
    const t = incidents[i]!.timeMs;
    const out = t < firstMs ? ++early : t > lastMs ? ++late : 0;
    if (out > 0 && dropOutliers) keep[i] = 0;
  }
  return { early, late, gapMs, gaps };
}

/**
 * Screens the candidates (`candidate[i] === 1`; null: every incident): far-away incidents are
 * always left out; time outliers are left out unless `keepTimeOutliers` (then only counted).
 * The space rule runs first, so a far-away row with a mistyped year counts once.
 * Rules (module comment for why), with the constants above: the median point of the candidates,
 * the bulk radius = the 99% quantile of distances from it, far = beyond max(200 km, 10 × the bulk
 * radius); time: the bulk = the 0.1% to 99.9% quantiles of times, an outlier lies beyond a gap
 * longer than max(60 days, 20 × the median gap) from the bulk. On the clean real data (Vancouver,
 * Kent, Chicago, Houston fixtures) nothing is flagged (tests/evaluate/screen.test.ts).
 * Cost O(N log N).
 */
export function screenIncidents(
  incidents: readonly Incident[],
  candidate: Uint8Array | null,
  options: { readonly keepTimeOutliers?: boolean } = {},
): Screening {
  const keep = candidate === null ? new Uint8Array(incidents.length).fill(1) : candidate.slice();
  let n = 0;
  for (let i = 0; i < keep.length; i++) if (keep[i] === 1) n++;
  const idx = new Int32Array(n);
  for (let i = 0, k = 0; i < keep.length; i++) if (keep[i] === 1) idx[k++] = i;
  if (n === 0) return { keep, candidates: 0, farAway: 0, farKm: Infinity, early: 0, late: 0, outliersKept: false, gapMs: 0, gaps: [] };
  const space = screenSpace(incidents, idx, keep);
  const kept = options.keepTimeOutliers === true;
  const time = screenTime(incidents, keep, !kept);
  return { keep, candidates: n, ...space, ...time, outliersKept: kept };
}

/** The local date of `ms` in `tz` (UTC without a zone). */
const day = (ms: number, tz: string | undefined): string =>
  tz === undefined ? new Date(ms).toISOString().slice(0, 10) : formatLocalInstant(ms, tz).slice(0, 10);

/** The screen's findings as warnings, the same words for the CLI, the web app and the backtest report. */
export function screeningWarnings(s: Screening, tz?: string): string[] {
  const out: string[] = [];
  if (s.farAway > 0) {
    out.push(
      `${s.farAway} of ${s.candidates} incidents lie more than ${Math.round(s.farKm)} km from the bulk of the data (probably swapped latitude and longitude, or a placeholder point): left out.`,
    );
  }
  const outliers = s.early + s.late;
  if (outliers > 0) {
    out.push(
      `${outliers} of ${s.candidates} incidents are isolated in time (${s.early} before and ${s.late} after the bulk of the data, separated from it by more than ${Math.round(s.gapMs / DAY_MS)} days: probably a mistyped year): ${s.outliersKept ? 'kept, as asked (--keep-outliers)' : 'left out (--keep-outliers keeps them)'}.`,
    );
  }
  for (const g of s.gaps) {
    out.push(
      `the data has no incident from ${day(g.fromMs, tz)} to ${day(g.toMs, tz)} (${Math.round((g.toMs - g.fromMs) / DAY_MS)} days): missing data there lowers the fitted rates; consider a training window after the gap.`,
    );
  }
  return out;
}

/**
 * The incidents a backtest or tune trains and scores on: {@link screenIncidents} over all of them
 * (time outliers left out), with the warnings for the report's notes. O(N log N).
 */
export function screenedIncidents(incidents: readonly Incident[], tz?: string): { kept: Incident[]; warnings: string[] } {
  const s = screenIncidents(incidents, null);
  const kept: Incident[] = [];
  for (let i = 0; i < incidents.length; i++) if (s.keep[i] === 1) kept.push(incidents[i]!);
  return { kept, warnings: screeningWarnings(s, tz) };
}
