/**
 * Late-recorded incidents in a review (`patrolcast review`, docs/publish.md "Review"): the data
 * has no recording time, so which incidents were recorded after a publication cannot be told
 * incident by incident. What can be told: whether the incidents the review's files date before a
 * publication's first shift are the ones its fit saw. The log keeps the fit's data fingerprint
 * (engine/model fingerprintEvents); rebuilding the training set from the review's files at that
 * first shift, with the published crime types, gives the same fingerprint exactly when the fit's
 * data is unchanged. A different fingerprint means incidents were added (recorded late),
 * removed or edited since; the review cannot say which, so it scores once, with every incident
 * the files hold now.
 */
import { fingerprintEvents, trainingSet } from '../engine/index.ts';
import type { Incident } from '../engine/index.ts';
import type { PublicationLine } from './publishLog.ts';
import type { ReviewedShift } from './reviewScore.ts';

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
    const types = new Set(l.categories);
    let now: string;
    try {
      const set = trainingSet(
        { incidents, tz: l.shift.tz, res: l.res, include: (inc) => inc.category !== null && types.has(inc.category) },
        l.shift.startMs,
      );
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
