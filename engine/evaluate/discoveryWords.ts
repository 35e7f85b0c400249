/**
 * The stress test's verdict in one plain sentence (discoveryStudy's report), the same words in
 * the CLI's output and the web app's evaluation view. The report carries no interval (a paired
 * bootstrap of the replays is bench/discovery.ts's), so neither does the sentence; it states the
 * whole-period counts and rates side by side and says which way the places flagged moved, since
 * fewer places as p grows is what lock-in looks like.
 */
import type { DiscoveryReport, DiscoveryRunReport } from './discoveryStudy.ts';

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** "caught 39.5% of real crime" (against the other rate when there is one), or that there was none to catch. */
function caught(rate: number, against?: number): string {
  if (!Number.isFinite(rate)) return 'had no real crime to catch';
  return `caught ${pct(rate)} of real crime${against !== undefined && Number.isFinite(against) ? ` against ${pct(against)}` : ''}`;
}

/** A whole number with thousands separators (1,234), the same in every locale. */
function count(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function find(report: DiscoveryReport, p: number, rotated: boolean): DiscoveryRunReport | undefined {
  return report.runs.find((r) => r.p === p && (r.rotateAfter !== null) === rotated);
}

/** "fewer" / "more" / "as many": how b's places compare with a's. */
function direction(a: number, b: number): string {
  return b < a ? 'narrowed onto fewer places' : b > a ? 'spread over more places' : 'kept as many places';
}

/**
 * One sentence: the places flagged and the boxes' hit rate on real crime at p against p = 0, and
 * with rotation, what resting places did to both at p.
 * @example
 * const period = (places) => ({ week: 0, from: '', shifts: 21, events: 100, hits: 40, hitRate: 0.4, picks: 420, places, top10Share: 0.1, everyShift: 0, found: 0, backgroundShare: 0.5 });
 * const run = (p, places, rate) => ({ p, rotateAfter: null, total: period(places), weeks: [], topKHitRate: rate, hitRate: {}, rested: 0, wallSeconds: null });
 * const report = { p: 0.5, rotateAfter: null, seed: 1, refitEveryDays: 1, top: 20, shiftsPerWeek: 21, flaggedKm2: [1], wallSeconds: null, runs: [run(0, 100, 0.4), run(0.5, 90, 0.39)] };
 * discoveryVerdict(report) // => "With the boxes finding 0.5 extra incidents per expected real one, they narrowed onto fewer places (90 distinct places flagged against 100 at p = 0) and caught 39.0% of real crime against 40.0%."
 */
export function discoveryVerdict(report: DiscoveryReport): string {
  const base = find(report, 0, false);
  const stressed = report.p > 0 ? find(report, report.p, false) : undefined;
  if (base === undefined) return 'The stress test has no p = 0 replay to compare with.';
  let sentence =
    stressed === undefined
      ? `At p = 0 the boxes flagged ${count(base.total.places)} distinct places and ${caught(base.topKHitRate)}`
      : `With the boxes finding ${report.p} extra ${report.p === 1 ? 'incident' : 'incidents'} per expected real one, they ${direction(base.total.places, stressed.total.places)} (${count(stressed.total.places)} distinct places flagged against ${count(base.total.places)} at p = 0) and ${caught(stressed.topKHitRate, base.topKHitRate)}`;
  const rotated = find(report, report.p, true);
  if (rotated !== undefined && report.rotateAfter !== null)
    sentence += `; resting a place after ${report.rotateAfter} ${report.rotateAfter === 1 ? 'day' : 'days'} in the same shift, ${count(rotated.total.places)} places were flagged and they ${caught(rotated.topKHitRate)}`;
  return `${sentence}.`;
}
