/**
 * Layout of a report chart's end labels, shared by the web app's charts and the HTML report
 * (which inlines `placeLabels` into its page as source text: the function must stay
 * self-contained, with no imports, helpers or closures).
 */

/**
 * Vertical positions for labels drawn at the ends of lines, so that no two overlap: each label
 * starts at its line's end (`ysPx`, pixels, down the page) and is pushed apart from its
 * neighbours until consecutive labels are at least `gapPx` apart, keeping their top-to-bottom
 * order (ties keep the input order) and staying within [topPx, bottomPx]. When the labels do not
 * fit in the band they are spread evenly over it (then closer than `gapPx`). A label that needs no
 * room keeps its own y. Non-finite inputs are returned unchanged and take no room.
 *
 * Each start clamped to the band, one pass down (push each label below the one above), one pass
 * up (pull back from the bottom edge; with room for every gap this never crosses the top edge):
 * O(n log n) for the sort.
 *
 * @returns the labels' y positions, in the order of `ysPx`
 */
export function placeLabels(ysPx: readonly number[], gapPx: number, topPx: number, bottomPx: number): number[] {
  const out = ysPx.slice();
  const order: number[] = [];
  for (let i = 0; i < ysPx.length; i++) if (Number.isFinite(ysPx[i])) order.push(i);
  order.sort((a, b) => ysPx[a]! - ysPx[b]! || a - b);
  const n = order.length;
  if (n === 0) return out;
  if ((n - 1) * gapPx > bottomPx - topPx) {
    // No room for the full gap: spread the labels evenly over the band, order kept.
    for (let k = 0; k < n; k++) out[order[k]!] = n === 1 ? topPx : topPx + ((bottomPx - topPx) * k) / (n - 1);
    return out;
  }
  const ys: number[] = [];
  for (let k = 0; k < n; k++) {
    const own = Math.min(bottomPx, Math.max(topPx, ysPx[order[k]!]!));
    ys.push(k === 0 ? own : Math.max(own, ys[k - 1]! + gapPx));
  }
  for (let k = n - 1; k >= 0; k--) {
    const limit = k === n - 1 ? bottomPx : ys[k + 1]! - gapPx;
    if (ys[k]! > limit) ys[k] = limit;
  }
  for (let k = 0; k < n; k++) out[order[k]!] = ys[k]!;
  return out;
}
