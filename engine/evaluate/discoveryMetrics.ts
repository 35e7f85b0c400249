/**
 * The stress test's measures (discovery.ts), week by week and over the whole period, from what
 * each shift placed and caught: the spread of the flags (distinct box centres, the share of the
 * flags taken by the most-picked places), the hit rate on real crime, and the share of the
 * model's fitted background lying in the cells its boxes ever sat on.
 */

/** What one shift of a stress-test run placed and caught. */
export interface DiscoveryShift {
  /** Box centres (fine ids), the run's patrol boxes of the shift. */
  readonly centres: readonly number[];
  /** Real incidents of the shift inside its boxes, and real incidents scored in it (actuals, outside the area included). */
  readonly hits: number;
  readonly events: number;
  /** Incidents the boxes found in the shift (training data only). */
  readonly found: number;
}

/** One week (or the whole period) of a stress-test run. */
export interface DiscoveryWeek {
  /** 1-based week number (0 for the whole period). */
  readonly week: number;
  /** Label of the week's first shift. */
  readonly from: string;
  readonly shifts: number;
  /** Real incidents scored, and those inside the shift's boxes. */
  readonly events: number;
  readonly hits: number;
  /** hits / events (pooled over the week's shifts; NaN when no event). */
  readonly hitRate: number;
  /** Boxes placed (flags), and distinct box centres among them. */
  readonly picks: number;
  readonly places: number;
  /** Share of the flags taken by the 10 most-picked centres (TOP_PLACES) (NaN when no flag). */
  readonly top10Share: number;
  /** Places boxed in every shift of the period (locked in, as far as one period shows). */
  readonly everyShift: number;
  /** Incidents the boxes found. */
  readonly found: number;
  /**
   * Share of the fitted background (summed over the study cells, averaged over the week's shifts)
   * in the study cells that held a box centre at any time of the run (NaN when the background is 0).
   */
  readonly backgroundShare: number;
}

/** How many of the most-picked places the concentration measure sums. */
export const TOP_PLACES = 10;

/**
 * The share of `picks` taken by the `top` largest counts (ties do not matter: only the sum of
 * the largest counts is used). O(P log P) for P distinct places.
 * @example
 * topShare(new Map([[1, 5], [2, 3], [3, 2]]), 10, 2) // => 0.8
 */
export function topShare(counts: ReadonlyMap<number, number>, picks: number, top: number): number {
  if (!(picks > 0)) return NaN;
  const sorted = [...counts.values()].sort((a, b) => b - a);
  let sum = 0;
  for (let i = 0; i < Math.min(top, sorted.length); i++) sum += sorted[i]!;
  return sum / picks;
}

/**
 * The measures of shifts [from, to) (a week or the whole period). `background` is the fitted
 * background summed over those shifts per study cell, `everBox` marks the study cells that held
 * a box centre during the run. O(shifts · boxes + C).
 */
export function periodMeasures(
  shifts: readonly DiscoveryShift[],
  range: { readonly from: number; readonly to: number; readonly week: number; readonly label: string },
  background: Float64Array,
  everBox: Uint8Array,
): DiscoveryWeek {
  const counts = new Map<number, number>();
  let events = 0;
  let hits = 0;
  let picks = 0;
  let found = 0;
  for (let w = range.from; w < range.to; w++) {
    const s = shifts[w]!;
    events += s.events;
    hits += s.hits;
    found += s.found;
    picks += s.centres.length;
    for (const f of s.centres) counts.set(f, (counts.get(f) ?? 0) + 1);
  }
  let everyShift = 0;
  for (const n of counts.values()) if (n === range.to - range.from) everyShift++;
  let total = 0;
  let inBoxes = 0;
  for (let c = 0; c < background.length; c++) {
    total += background[c]!;
    if (everBox[c] === 1) inBoxes += background[c]!;
  }
  return {
    week: range.week,
    from: range.label,
    shifts: range.to - range.from,
    events,
    hits,
    hitRate: events > 0 ? hits / events : NaN,
    picks,
    places: counts.size,
    top10Share: topShare(counts, picks, TOP_PLACES),
    everyShift,
    found,
    backgroundShare: total > 0 ? inBoxes / total : NaN,
  };
}
