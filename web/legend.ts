/**
 * The box-rank colour steps, shared by the map's fill expression and the legend under it, so the
 * legend names exactly the ranks the map can show (no "21+" step when every district has 20 boxes).
 */

/** The first rank of each colour step after the first (rank 1 starts step 0). */
export const RANK_BREAKS = [4, 7, 11, 16, 21] as const;

/**
 * The legend's labels for boxes ranked 1..`maxRank` (the largest rank on the map): one label per
 * colour step that holds at least one shown rank, the last step closed at `maxRank`:
 * 20 -> 1–3, 4–6, 7–10, 11–15, 16–20; 8 -> 1–3, 4–6, 7–8; 35 -> ..., 21–35; 1 -> 1.
 * Empty for no boxes. The i-th label is drawn in the i-th rank colour.
 */
export function rankLegendSteps(maxRank: number): string[] {
  const labels: string[] = [];
  const starts = [1, ...RANK_BREAKS];
  for (let i = 0; i < starts.length; i++) {
    const lo = starts[i]!;
    if (lo > maxRank) break;
    const next = starts[i + 1];
    const hi = next === undefined ? maxRank : Math.min(next - 1, maxRank);
    labels.push(lo === hi ? String(lo) : `${lo}–${hi}`);
  }
  return labels;
}
