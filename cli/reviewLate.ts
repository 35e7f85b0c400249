/**
 * Late-recorded incidents in a review (`patrolcast review`, docs/publish.md "Review").
 *
 * The data has no recording time; what a publication knew is told by the log. Each publish run
 * appends a run line recording which incidents of its crime types its fit knew among those dated
 * in the `--known-days` days before its first shift (cli/knownIncidents.ts). For a reviewed shift
 * [s, e), the run that tells is the first one made after the shift ended (generated at or after
 * e, first shift at or after e, record starting at or before s, recording the reviewed crime
 * types): the incidents the review's files now date in the shift, of the reviewed types, known by
 * the run's first shift (their period ended by then), that this run did not know were recorded late (known only after the next publication); the
 * incidents it knew there that the files no longer hold were removed or edited since (an edited
 * incident shows as one removed and one late). Digests are matched with counts (a multiset):
 * equal rows without an id are several incidents. A shift no run's record covers (the newest
 * shifts, a log from before run lines) has an unknown late status.
 *
 * The review then scores twice with its own code (cli/reviewScore.ts scoreReview with the
 * review's districts, no second catch rule): every incident now, and without the late-recorded ones, over the shifts whose
 * status is known, with the paired bootstrap of the review.
 *
 * For incidents dated before a run's first shift (its whole training data) there is the older,
 * coarser check: the log keeps the fit's data fingerprint (engine/model fingerprintEvents);
 * rebuilding the training set from the review's files at that first shift gives the same
 * fingerprint exactly when the fit's data is unchanged; a different one means incidents were
 * added, removed or edited since, without saying which.
 */
import { EVALUATION_DEFAULTS, fingerprintEvents, formatLocalInstant, pairedBootstrap, periodEndMs, trainingSet } from '../engine/index.ts';
import type { Incident, PairedDifference } from '../engine/index.ts';
import { incidentDigest } from './knownIncidents.ts';
import { ofPublishedTypes, type PublicationLine, type PublicationRunRecord } from './publishLog.ts';
import { pct, plural, reviewBootstrap, type ReviewedShift, type ReviewScores } from './reviewScore.ts';

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

/** One publication run (one `publish` call): its fit's data checked against the review's files. */
export interface RunCheck {
  readonly generatedAt: string;
  /** Start of the run's first published shift (the end of its fit's data), epoch ms. */
  readonly firstShiftMs: number;
  readonly dataTo: string;
  readonly published: string;
  readonly now: string;
  /** True when the review's files give the fit's data exactly (no late-recorded or changed incident before the first shift). */
  readonly same: boolean;
}

/**
 * Checks each run behind the reviewed shifts. `all` is the whole log (a run's first shift may be
 * one the review did not score). Cost: one training set per run, O(N log N) each.
 */
export function checkRuns(all: readonly PublicationLine[], shifts: readonly ReviewedShift[], incidents: readonly Incident[]): RunCheck[] {
  const used = new Set<string>();
  for (const s of shifts) for (const l of s.lines) used.add(`${l.generatedAt}\u0000${l.fingerprint}`);
  const first = new Map<string, PublicationLine>();
  for (const l of all) {
    const key = `${l.generatedAt}\u0000${l.fingerprint}`;
    if (!used.has(key)) continue;
    const f = first.get(key);
    if (f === undefined || l.shift.startMs < f.shift.startMs) first.set(key, l);
  }
  const out: RunCheck[] = [];
  for (const l of first.values()) {
    let now: string;
    try {
      const set = trainingSet({ incidents, tz: l.shift.tz, res: l.res, include: ofPublishedTypes(l.categories) }, l.shift.startMs);
      now = fingerprintEvents(set.events);
    } catch {
      now = 'none';
    }
    out.push({
      generatedAt: l.generatedAt,
      firstShiftMs: l.shift.startMs,
      dataTo: l.dataTo,
      published: l.fingerprint,
      now,
      same: now === l.fingerprint,
    });
  }
  return out.sort((a, b) => a.firstShiftMs - b.firstShiftMs || (a.generatedAt < b.generatedAt ? -1 : 1));
}

/** One reviewed shift's late status. */
export interface LateShift {
  readonly label: string;
  readonly startMs: number;
  /** `generatedAt` of the run whose record tells; null when none does (status unknown). */
  readonly knownBy: string | null;
  /** Late-recorded incidents among the shift's scored crimes; null when unknown. */
  readonly late: number | null;
  /** Incidents that run knew dated in the shift that the files no longer hold; null when unknown. */
  readonly removed: number | null;
}

/** A late-recorded incident, named (the review's report is not for publishing: docs/publish.md). */
export interface LateIncident {
  readonly shift: string;
  readonly file: string;
  readonly line: number;
  readonly id: string | null;
  readonly category: string | null;
  /** Local time as in the data, e.g. "2023-07-01T06:41". */
  readonly time: string;
}

/** The review's `lateRecorded` block. */
export interface LateRecorded {
  /** True when the log has run lines (late status told incident by incident where they cover a shift). */
  readonly perIncident: boolean;
  readonly shifts: { readonly known: number; readonly unknown: number };
  /** Late-recorded incidents among the known shifts' scored crimes. */
  readonly late: number;
  /** Late-recorded incidents of the reviewed types dated in the known shifts that the review does not score in a shift (a period running past the shift's end, or screened out). */
  readonly lateNotScored: number;
  readonly removed: number;
  readonly perShift: readonly LateShift[];
  readonly incidents: readonly LateIncident[];
  /** The known shifts scored with every incident now (the review's numbers on those shifts). */
  readonly withLate: ReviewScores | null;
  /** The same shifts scored without the late-recorded incidents. */
  readonly withoutLate: ReviewScores | null;
  /** Hit rate of the published boxes, every incident − without the late ones, paired over the known shifts with crime. */
  readonly difference: PairedDifference | null;
  /** The fingerprint check of each run's training data (incidents dated before its first shift). */
  readonly runs: readonly RunCheck[];
}

/**
 * The run whose record tells shift [s, e) (module comment): the first generated, then the first
 * to start; null when none. O(runs).
 */
export function tellingRun(
  runs: readonly PublicationRunRecord[],
  s: number,
  e: number,
  types: readonly string[],
): PublicationRunRecord | null {
  let best: PublicationRunRecord | null = null;
  let bestAt = Infinity;
  for (const r of runs) {
    const at = Date.parse(r.generatedAt);
    if (at < e || r.firstShiftMs < e || r.recentFromMs > s || !types.every((t) => r.categories.includes(t))) continue;
    if (at < bestAt || (at === bestAt && r.firstShiftMs < best!.firstShiftMs)) {
      best = r;
      bestAt = at;
    }
  }
  return best;
}

/** The first index of sorted `xs` whose value is ≥ x. O(log n). */
function lowerBound(xs: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Matches the incidents dated in [s, e) (sorted by time) against the run's record in the same
 * window, with counts. Incidents whose period ends after the run's first shift (a time of day
 * unknown late in the night) are left out: the run could not have known them, and the review
 * does not score them in the shift. O(k log k) for k incidents and entries in the window.
 * @returns the unmatched incidents (late) and the unmatched entries' count (removed)
 */
function matchWindow(
  run: PublicationRunRecord,
  dated: readonly Incident[],
  s: number,
  e: number,
  tz: string,
): { late: Incident[]; removed: number } {
  const m = run.entries.minutes;
  const from = lowerBound(m, Math.ceil((s - run.recentFromMs) / MINUTE_MS));
  const to = lowerBound(m, Math.ceil((e - run.recentFromMs) / MINUTE_MS));
  const counts = new Map<number, number>();
  for (let k = from; k < to; k++) counts.set(run.entries.digests[k]!, (counts.get(run.entries.digests[k]!) ?? 0) + 1);
  const late: Incident[] = [];
  for (const inc of dated) {
    if (periodEndMs(inc, tz) > run.firstShiftMs) continue;
    const d = incidentDigest(inc);
    const c = counts.get(d) ?? 0;
    if (c > 0) counts.set(d, c - 1);
    else late.push(inc);
  }
  let removed = 0;
  for (const c of counts.values()) removed += c;
  return { late, removed };
}

const NO_LATE = { late: 0, lateNotScored: 0, removed: 0, incidents: [], withLate: null, withoutLate: null, difference: null } as const;

/** The review's scoring of some shifts on some incidents (scoreReview with the review's districts, without the dosage tally). */
export type Rescore = (shifts: readonly ReviewedShift[], incidents: readonly Incident[]) => ReviewScores;

/**
 * The late-recorded incidents of the reviewed shifts, and the two scorings (module comment).
 * `scores` is the review's scoring of every shift (reused when every shift is known); `rescore`
 * scores as the review does. Cost: one digest per incident of the reviewed types dated in a known
 * shift, and up to two more scorings.
 */
export function lateRecorded(
  records: readonly PublicationRunRecord[],
  shifts: readonly ReviewedShift[],
  incidents: readonly Incident[],
  tz: string,
  scores: ReviewScores | null,
  runs: readonly RunCheck[],
  rescore: Rescore,
): LateRecorded {
  const perIncident = records.length > 0;
  const unknownShift = (s: ReviewedShift): LateShift => ({ label: s.label, startMs: s.startMs, knownBy: null, late: null, removed: null });
  if (scores === null || !perIncident)
    return { perIncident, shifts: { known: 0, unknown: shifts.length }, ...NO_LATE, perShift: shifts.map(unknownShift), runs };
  const sorted = incidents.filter(ofPublishedTypes(scores.categories)).sort((a, b) => a.timeMs - b.timeMs);
  const times = Float64Array.from(sorted, (inc) => inc.timeMs);
  const known: ReviewedShift[] = [];
  const matched: { shift: ReviewedShift; run: PublicationRunRecord; late: Incident[]; removed: number }[] = [];
  for (const s of shifts) {
    const e = s.startMs + s.lines[0]!.shift.hours * HOUR_MS;
    const run = tellingRun(records, s.startMs, e, scores.categories);
    if (run === null) continue;
    known.push(s);
    const dated = sorted.slice(lowerBound(times, s.startMs), lowerBound(times, e));
    matched.push({ shift: s, run, ...matchWindow(run, dated, s.startMs, e, tz) });
  }
  if (known.length === 0)
    return { perIncident, shifts: { known: 0, unknown: shifts.length }, ...NO_LATE, perShift: shifts.map(unknownShift), runs };
  const lateSet = new Set<Incident>(matched.flatMap((x) => x.late));
  const withLate = known.length === shifts.length ? scores : rescore(known, incidents);
  const withoutLate =
    lateSet.size === 0
      ? withLate
      : rescore(
          known,
          incidents.filter((inc) => !lateSet.has(inc)),
        );
  const byStart = new Map(matched.map((x, i) => [x.shift.startMs, { ...x, i }]));
  let late = 0;
  let removed = 0;
  const perShift = shifts.map((s): LateShift => {
    const x = byStart.get(s.startMs);
    if (x === undefined) return unknownShift(s);
    // the late incidents the scoring placed in the shift: the two scorings' crime counts differ by them
    const n = withLate.perShift[x.i]!.events - withoutLate.perShift[x.i]!.events;
    late += n;
    removed += x.removed;
    return { label: s.label, startMs: s.startMs, knownBy: x.run.generatedAt, late: n, removed: x.removed };
  });
  const pairs = withLate.perShift.flatMap((p, i) => {
    const q = withoutLate.perShift[i]!;
    return p.hitRate === null || q.hitRate === null ? [] : [[p.hitRate, q.hitRate] as const];
  });
  const difference = pairedBootstrap(
    pairs.map((p) => p[0]),
    pairs.map((p) => p[1]),
    reviewBootstrap(EVALUATION_DEFAULTS.shiftStarts.length),
  );
  const named = matched.flatMap((x) =>
    x.late.map((inc) => ({
      shift: x.shift.label,
      file: inc.source.file,
      line: inc.source.line,
      id: inc.id,
      category: inc.category,
      time: formatLocalInstant(inc.timeMs, tz).slice(0, 16),
    })),
  );
  return {
    perIncident,
    shifts: { known: known.length, unknown: shifts.length - known.length },
    late,
    lateNotScored: lateSet.size - late,
    removed,
    perShift,
    incidents: named,
    withLate,
    withoutLate,
    difference,
    runs,
  };
}

/** What cannot be told of late-recorded incidents, in words (the report carries it). */
export const LATE_NOTE =
  "Late-recorded incidents are told one by one only for the shifts a later publication run's record covers (its run line in the log: the incidents its fit knew among those dated in the --known-days days before its first shift, 14 by default); the incident data has no recording time, so for the other shifts (the newest, those older than the record, every shift of a log written before run lines) every incident the files hold now is scored, once";

/** The fingerprint check in words: per publication run, whether the fit's data is what the files hold now. */
export function fitCheckWords(runs: readonly RunCheck[]): string {
  const changed = runs.filter((r) => !r.same);
  const n = `${runs.length} publication run${runs.length === 1 ? '' : 's'}`;
  return changed.length === 0
    ? `the data each of the ${n} was fitted on is unchanged in these files (same fingerprint): no incident dated before its first shift was recorded late`
    : `${changed.length} of ${n} were fitted on data these files no longer give (fingerprint ${changed[0]!.published}, now ${changed[0]!.now}): incidents dated before their first shift were recorded late, removed or edited since`;
}

/** The report's words for the late-recorded incidents (one paragraph). */
export function lateNote(l: LateRecorded): string {
  let head = l.perIncident
    ? `${l.shifts.known} of ${plural(l.shifts.known + l.shifts.unknown, 'reviewed shift')} have a known late status: ${l.late} of their scored crimes were recorded late and ${plural(l.removed, 'incident')} known then are no longer in the files`
    : 'the log has no run lines (written before they were added), so no shift has a known late status';
  if (l.withLate !== null && l.withoutLate !== null && l.difference !== null) {
    const d = l.difference.diff;
    head += `; on those shifts the published boxes' hit rate is ${pct(l.withLate.hitRate.mean)} with every incident and ${pct(l.withoutLate.hitRate.mean)} without the late-recorded (difference ${pct(d.mean)}, paired 95% ${pct(d.lo)} to ${pct(d.hi)})`;
  }
  return `${head}. Fit data check: ${fitCheckWords(l.runs)}. ${LATE_NOTE}`;
}

/** The stdout lines for the late-recorded incidents. */
export function lateLines(l: LateRecorded): string[] {
  const out: string[] = [];
  if (!l.perIncident)
    out.push('late-recorded incidents: unknown for every shift: the log has no run lines (written before they were added)');
  else {
    out.push(
      `late-recorded incidents: ${l.shifts.known} of ${plural(l.shifts.known + l.shifts.unknown, 'shift')} known, ${l.shifts.unknown} unknown (no later publication run's record covers them)`,
    );
    if (l.shifts.known > 0) {
      const crimes = l.withLate!.perShift.reduce((s, p) => s + p.events, 0);
      out.push(
        `  ${l.late} of the known shifts' ${crimes} crimes were recorded late (known only after the next publication)${l.lateNotScored > 0 ? `, and ${l.lateNotScored} more dated in them that the review does not place in a shift` : ''}; ${plural(l.removed, 'incident')} known then no longer in the files (removed or edited since)`,
      );
      out.push(`  ${'shift'.padEnd(26)}     late  removed`);
      for (const p of l.perShift)
        out.push(
          `  ${p.label.padEnd(26)}  ${(p.late === null ? 'unknown' : String(p.late)).padStart(7)}  ${(p.removed === null ? '' : String(p.removed)).padStart(7)}`.trimEnd(),
        );
      const a = l.withLate!;
      const b = l.withoutLate!;
      const d = l.difference!.diff;
      out.push(
        `  hit rate of the published boxes on the ${plural(l.shifts.known, 'known shift')}: every incident ${pct(a.hitRate.mean)} (95% ${pct(a.hitRate.lo)} to ${pct(a.hitRate.hi)}); without the late-recorded ${pct(b.hitRate.mean)} (95% ${pct(b.hitRate.lo)} to ${pct(b.hitRate.hi)}); difference ${pct(d.mean)} (paired 95% ${pct(d.lo)} to ${pct(d.hi)})`,
      );
      out.push(
        `  naive-all-placed on the same shifts: every incident ${pct(a.naiveAllHitRate.mean)}; without the late-recorded ${pct(b.naiveAllHitRate.mean)}`,
      );
    }
  }
  out.push(`  fit data check (incidents dated before each run's first shift): ${fitCheckWords(l.runs)}`);
  return out;
}
