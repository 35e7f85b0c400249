/**
 * The forecast command's readable table of boxes (stdout) and the placement in words.
 */
import { formatLocalInstant, formatRoute, NO_DISTRICT } from '../engine/index.ts';
import type { BoxPlacement, DistrictRoute, ExplainedBox, RankingWarning, ShiftWindow } from '../engine/index.ts';

const HOUR_MS = 3_600_000;

/** The placement in words, for the table and the summary line. */
export function placementWords(placement: BoxPlacement, res: number): string {
  return placement === 'fine'
    ? `placed boxes: each the area of one res-${res} cell, centred on the res-${res + 1} cell shown, with its six neighbours`
    : `grid boxes: the res-${res} cells shown`;
}

function pct(x: number): string {
  const p = 100 * x;
  return p > 0 && p < 1 ? '<1%' : p > 99 && p < 100 ? '>99%' : `${Math.round(p)}%`;
}

/**
 * The readable table: a block per district, one line per box (its model breakdown) followed by
 * its place ("at ...") and its reason in counts ("why: ...") on lines of their own, then the district's patrol order
 * (the visiting order by rank with the straight-line distance of each leg) when `routes` are given.
 */
export function formatBoxesTable(
  boxes: readonly ExplainedBox[],
  shift: ShiftWindow,
  tz: string,
  top: number,
  placement?: { readonly placement: BoxPlacement; readonly res: number },
  routes: readonly DistrictRoute[] = [],
  need: { readonly warnings: readonly RankingWarning[]; readonly allocation: ReadonlyMap<string, number> | null } = {
    warnings: [],
    allocation: null,
  },
): string {
  const out: string[] = [];
  const end = formatLocalInstant(shift.startMs + shift.hours * HOUR_MS, tz);
  out.push(`Shift ${shift.label}, ${tz}: ${shift.hours} h, ${formatLocalInstant(shift.startMs, tz)} to ${end}`);
  const howMany =
    need.allocation === null
      ? `Top ${top} patrol boxes per district`
      : `${top} patrol boxes shared across the districts by their expected crime in the shift (--boxes-total)`;
  out.push(
    `${howMany}, by expected incidents in the shift (background = the box's usual rate for this shift; triggered = raised by recent incidents in it).`,
  );
  const none = need.allocation === null ? [] : [...need.allocation].filter(([, n]) => n === 0).map(([d]) => d);
  if (none.length > 0) out.push(`No boxes by need (their expected crime is too small a share): ${none.join(', ')}.`);
  if (placement !== undefined) out.push(`Placement: ${placementWords(placement.placement, placement.res)}.`);
  const districts = [...new Set(boxes.map((b) => b.district))];
  for (const d of districts) {
    const mine = boxes.filter((b) => b.district === d);
    const sum = mine.reduce((s, b) => s + b.expected, 0);
    out.push('');
    out.push(
      `${d === NO_DISTRICT ? '(no district)' : d}: ${mine.length} box${mine.length === 1 ? '' : 'es'}, ${sum.toFixed(3)} incidents expected in them`,
    );
    for (const w of need.warnings) if (w.district === d) out.push(`  warning: ${w.words}`);
    out.push(`  rank  h3               expected  backgr.  trig.  model`);
    for (const b of mine) {
      out.push(
        `  ${String(b.rank).padStart(4)}  ${b.h3}  ${b.expected.toFixed(4).padStart(8)}  ${pct(b.backgroundShare).padStart(7)}  ${pct(b.triggeredShare).padStart(5)}  ${b.explanation}`,
      );
      // The place on a line of its own: its length varies too much for a column.
      if (b.place !== undefined) out.push(`        at ${b.place}`);
      // Why, in counts a sergeant can check; the row above is the model's breakdown.
      if (b.reason !== undefined) out.push(`        why: ${b.reason}`);
    }
    const route = routes.find((r) => r.district === d);
    if (route !== undefined && route.ranks.length > 1)
      out.push(`  patrol order (by rank, straight-line legs between box centres): ${formatRoute(route)}`);
  }
  return `${out.join('\n')}\n`;
}
