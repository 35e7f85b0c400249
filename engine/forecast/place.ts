/**
 * A patrol box's place in words, from its own incidents' location text (issue 12): a sergeant
 * reads "8XX W GEORGIA ST (62%)" or "On or near Tufton Street (40%); On or near Bank Street
 * (25%)" rather than an H3 id. The text is the one the publisher wrote for the box's history
 * incidents (engine/types Incident.location); where none has any, the box is named by its
 * district and its centre's coordinates.
 */
import { cellCenter } from '../grid/index.ts';
import type { BoxPlace, EventSet, H3Cell, Incident, PlaceCount } from '../types.ts';
import type { EventsByCell } from './contributors.ts';
import { incidentOfEvent } from './contributors.ts';

/**
 * The texts ranked by count (descending), equal counts alphabetically (code units), so the
 * same incidents always give the same place. O(t log t) for t distinct texts.
 */
export function rankPlaces(counts: ReadonlyMap<string, number>): PlaceCount[] {
  let total = 0;
  for (const n of counts.values()) total += n;
  return [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([text, count]) => ({ text, count, share: count / total }));
}

/**
 * The place of a box whose history incidents have these location texts (null: none), centred
 * at `centre`: the most common text, and the second when the first has under half of the texts.
 * O(n + t log t) for n incidents with t distinct texts.
 */
export function boxPlace(texts: Iterable<string | null | undefined>, centre: { lat: number; lng: number }): BoxPlace {
  const counts = new Map<string, number>();
  let incidents = 0;
  let withText = 0;
  for (const t of texts) {
    incidents++;
    if (t === null || t === undefined || t === '') continue;
    withText++;
    counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  const ranked = rankPlaces(counts);
  const first = ranked[0] ?? null;
  const second = first !== null && first.share < 0.5 ? (ranked[1] ?? null) : null;
  return { kind: first === null ? 'centre' : 'text', first, second, incidents, withText, lat: centre.lat, lng: centre.lng };
}

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

/**
 * A place in words: "8XX W GEORGIA ST (62%)", "A (40%); B (25%)" when the first has under
 * half, or "<district>, near <lat>, <lng>" (5 decimals, about a metre) without any text.
 */
export function placeText(place: BoxPlace, district: string): string {
  if (place.first === null) return `${district}, near ${place.lat.toFixed(5)}, ${place.lng.toFixed(5)}`;
  const first = `${place.first.text} (${percent(place.first.share)})`;
  return place.second === null ? first : `${first}; ${place.second.text} (${percent(place.second.share)})`;
}

/**
 * The history incidents of a box made of `cells`: those whose cell (in `byCell`'s index: working
 * cells for grid boxes, fine cells for placed ones) is one of them, cell by cell in time order.
 * The one lookup behind a box's place and its reason (reason.ts). O(e) per box with e incidents.
 * @throws {ForecastError} E_HISTORY when the incidents do not match the EventSet
 */
export function boxIncidentFinder(
  history: EventSet,
  incidents: readonly Incident[],
  byCell: EventsByCell,
): (cells: readonly H3Cell[]) => Incident[] {
  const { order } = byCell;
  return (cells) => {
    const found: Incident[] = [];
    for (const cell of cells) {
      const r = byCell.range.get(cell);
      if (r === undefined) continue;
      for (let k = r[0]; k < r[1]; k++) found.push(incidentOfEvent(history, incidents, order === null ? k : order[k]!));
    }
    return found;
  };
}

/**
 * The place finder of a shift's boxes: for a box of `cells` (centre cell `h3`), the location
 * texts of its history incidents ({@link boxIncidentFinder}). O(e + t log t) per box with e
 * incidents.
 * @throws {ForecastError} E_HISTORY when the incidents do not match the EventSet
 */
export function placeFinder(
  history: EventSet,
  incidents: readonly Incident[],
  byCell: EventsByCell,
): (cells: readonly H3Cell[], h3: H3Cell, district: string) => { place: string; placeDetail: BoxPlace } {
  const incidentsOf = boxIncidentFinder(history, incidents, byCell);
  return (cells, h3, district) => {
    const placeDetail = boxPlace(
      incidentsOf(cells).map((inc) => inc.location),
      cellCenter(h3),
    );
    return { place: placeText(placeDetail, district), placeDetail };
  };
}
