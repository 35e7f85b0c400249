/** The sergeant view's words about boxes: a box's detail popup, and how the boxes were shared out. */
import { el, fmt } from '../dom.ts';
import type { BoxView, ForecastResult } from '../protocol.ts';

/** A box's detail for the map's popup: number, district (`withDistrict`), place, expected crime, the reason in counts, the model's breakdown. */
export function boxPopup(box: BoxView, withDistrict: boolean): HTMLElement {
  return el(
    'div',
    { className: 'box-popup', attrs: { 'data-rank': String(box.rank) } },
    el('strong', {}, `Box ${box.rank}`),
    withDistrict ? ` · ${box.district}` : '',
    el('div', { className: 'place' }, box.place),
    el('div', { className: 'expected' }, `${fmt(box.expected, 2)} expected crimes this shift`),
    el('div', { className: 'why' }, box.reason),
    el('div', { className: 'model-why' }, `Model: ${box.why}`),
  );
}

/** With boxes shared by need: how many of the total the boxes shown are ("; 7 of 460 shared by need"). */
export function allocationWords(result: ForecastResult): string {
  if (!result.allocation) return '';
  let total = 0;
  for (const n of Object.values(result.allocation)) total += n;
  return `; ${result.boxes.length} of ${total} shared by need across ${Object.keys(result.allocation).length} districts`;
}
