/**
 * The printed briefing sheet (A4 landscape, web/styles.css @media print): every box of the shift
 * whatever the screen shows. The map image is the shift map fitted to the shift's bounds (the
 * view is put back afterwards); the box numbers are HTML labels laid over the image at each
 * box centre, so they print as sharp text of a set size (9 pt) and not as a few canvas pixels.
 * Below or beside the map, per district: the ranking warning, the patrol order with distances
 * and a table of every box (number, place, expected crimes, reason); the table header repeats on
 * each page. The foot says in plain words what made the sheet, then the audit details in small
 * print (model, version, parameters, training window, options, data fingerprint).
 */
import { localDateTime } from '../app.ts';
import { byId, el, fmt, replaceChildren } from '../dom.ts';
import type { MapView } from '../map.ts';
import type { BoxPlacement } from '../../engine/index.ts';
import type { BoxView, ForecastResult, RouteView } from '../protocol.ts';

/** The reason printed for a box: its counts in words (engine reason.ts), as in the list. */
const reasonOf = (box: BoxView): string => box.reason;

/** The map for the sheet: a PNG of the map canvas and each box centre as a fraction of its width and height. */
export interface PrintMap {
  readonly dataUrl: string;
  readonly width: number;
  readonly height: number;
  /** Box centres in the order given, x from the left and y from the top, in [0, 1] when on the image. */
  readonly points: readonly { readonly x: number; readonly y: number }[];
}

/** What the sheet says that the forecast result does not hold. */
export interface SheetWords {
  /** The last incident of the data set (epoch ms), or null when unknown. */
  readonly lastIncidentMs: number | null;
  /** The shift in words ("Night shift, 2024-01-01 22:00–06:00 (America/Vancouver)"). */
  readonly shift: string;
  /** When the boxes were made (madeAtStamp). */
  readonly madeAt: string;
  /** The data set's name. */
  readonly dataset: string;
  /** The crime types trained on, in words (the chosen preset's label). */
  readonly types: string;
}

/** The padding (CSS px) and largest zoom the shift map is fitted with (MapView.fitBounds). */
const FIT_PADDING_PX = 30;
const FIT_MAX_ZOOM = 16;

/**
 * The map fitted to `bounds` ([west, south, east, north]: the district shown, or every box) as
 * an image, with `centres` ([lng, lat]) projected onto it. A view zoomed or panned away by the
 * user is fitted for the snapshot, drawn, copied and put back; a view already fitted (just after
 * the boxes were drawn) is copied as it is. The copy relies on preserveDrawingBuffer (MapView).
 */
export async function snapshotForPrint(
  view: MapView,
  bounds: readonly [number, number, number, number],
  centres: readonly (readonly [number, number])[],
): Promise<PrintMap> {
  const map = view.map;
  const before = { center: map.getCenter(), zoom: map.getZoom(), bearing: map.getBearing(), pitch: map.getPitch() };
  const [west, south, east, north] = bounds;
  const fitted = [west, south, east, north].every(Number.isFinite)
    ? map.cameraForBounds(
        [
          [west, south],
          [east, north],
        ],
        { padding: FIT_PADDING_PX, maxZoom: FIT_MAX_ZOOM },
      )
    : undefined;
  const moved =
    fitted !== undefined &&
    (Math.abs((fitted.zoom ?? before.zoom) - before.zoom) > 1e-9 ||
      (fitted.center !== undefined && !sameLngLat(map.getCenter().toArray(), toLngLat(fitted.center))) ||
      before.bearing !== 0 ||
      before.pitch !== 0);
  if (moved) {
    map.jumpTo({ ...fitted, bearing: 0, pitch: 0 });
    await view.idle();
  }
  const canvas = map.getCanvas();
  const widthPx = Math.max(1, canvas.clientWidth);
  const heightPx = Math.max(1, canvas.clientHeight);
  const points = centres.map(([lng, lat]) => {
    const point = map.project([lng, lat]);
    return { x: point.x / widthPx, y: point.y / heightPx };
  });
  const dataUrl = canvas.toDataURL('image/png');
  if (moved) map.jumpTo(before);
  return { dataUrl, width: canvas.width, height: canvas.height, points };
}

/**
 * [west, south, east, north] of every box outline of the result (the map then shows every box as
 * large as the sheet allows), or the result's own bounds when it has no boxes. O(corners).
 */
export function boxesBounds(result: ForecastResult): readonly [number, number, number, number] {
  let [west, south, east, north] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const feature of result.boxesGeoJSON.features) {
    const geometry = feature.geometry;
    const rings = geometry.type === 'Polygon' ? geometry.coordinates : geometry.type === 'MultiPolygon' ? geometry.coordinates.flat() : [];
    for (const ring of rings) {
      for (const [lng, lat] of ring) {
        if (lng! < west) west = lng!;
        if (lng! > east) east = lng!;
        if (lat! < south) south = lat!;
        if (lat! > north) north = lat!;
      }
    }
  }
  return west <= east && south <= north ? [west, south, east, north] : result.bounds;
}

function toLngLat(center: unknown): [number, number] {
  if (Array.isArray(center)) return [Number(center[0]), Number(center[1])];
  const c = center as { lng: number; lat: number };
  return [c.lng, c.lat];
}

function sameLngLat(a: readonly number[], b: readonly number[]): boolean {
  return Math.abs(a[0]! - b[0]!) < 1e-9 && Math.abs(a[1]! - b[1]!) < 1e-9;
}

/** Fill the sheet's elements (web/index.html #print-sheet) for `result`; `map.points` follow `result.boxes`. */
export function fillPrintSheet(result: ForecastResult, map: PrintMap, words: SheetWords): void {
  const all = !result.district;
  byId('pr-title').textContent = `Patrol boxes: ${result.district || 'all districts'}`;
  const total = result.boxes.reduce((sum, box) => sum + box.expected, 0);
  byId('pr-shift').textContent = `${words.shift}. ${result.boxes.length} boxes; together they expect ${fmt(total, 1)} crimes in the shift.`;
  const districts = byDistrict(result.boxes);
  // A ranking warning names its district first ("District: ..."); one naming none is said at the top.
  const warningsOf = (district: string): string[] => result.rankingWarnings.filter((w) => w.startsWith(`${district}: `));
  const placed = new Set([...districts.keys()].flatMap(warningsOf));
  const general = [...result.warnings, ...result.rankingWarnings.filter((w) => !placed.has(w))];
  replaceChildren(byId('pr-warnings'), ...general.map((w) => el('p', { className: 'pr-warning' }, `Warning: ${w}`)));
  byId('pr-body').classList.toggle('all', all);
  renderMap(result, map);
  // One district: its patrol order under the map, so its boxes start higher on the first page.
  const routeOf = (district: string): HTMLElement | null => routeLine(result.routes.find((r) => r.district === district));
  replaceChildren(byId('pr-route'), all ? null : routeOf(result.district));
  replaceChildren(
    byId('pr-sections'),
    ...[...districts].map(([district, boxes]) =>
      districtSection(district, boxes, warningsOf(district), all ? routeOf(district) : null, all),
    ),
  );
  renderFoot(result, words);
}

/** Boxes grouped by district in the order they come (the engine's district order), each group by rank. */
function byDistrict(boxes: readonly BoxView[]): Map<string, BoxView[]> {
  const groups = new Map<string, BoxView[]>();
  for (const box of boxes) {
    const group = groups.get(box.district);
    if (group) group.push(box);
    else groups.set(box.district, [box]);
  }
  for (const group of groups.values()) group.sort((a, b) => a.rank - b.rank);
  return groups;
}

/** The map image with each box's number over it, just up and right of its centre (as on screen). */
function renderMap(result: ForecastResult, map: PrintMap): void {
  const figure = byId('pr-map-wrap');
  figure.style.setProperty('--aspect', String(map.width / map.height));
  byId<HTMLImageElement>('pr-map').src = map.dataUrl;
  replaceChildren(
    byId('pr-labels'),
    ...result.boxes.map((box, i) => {
      const { x, y } = map.points[i]!;
      return el(
        'span',
        {
          className: 'pr-label',
          attrs: {
            'data-rank': box.rank,
            'data-district': box.district,
            style: `left:${(x * 100).toFixed(3)}%;top:${(y * 100).toFixed(3)}%`,
          },
        },
        String(box.rank),
      );
    }),
  );
}

/** One district: its heading (every district shown), its ranking warning, its patrol order and its boxes. */
function districtSection(
  district: string,
  boxes: readonly BoxView[],
  warnings: readonly string[],
  route: HTMLElement | null,
  heading: boolean,
): HTMLElement {
  const total = boxes.reduce((sum, box) => sum + box.expected, 0);
  return el(
    'section',
    { className: 'pr-district', attrs: { 'data-district': district } },
    heading ? el('h2', {}, `${district}: ${boxes.length} boxes, together ${fmt(total, 1)} expected crimes`) : null,
    ...warnings.map((w) => el('p', { className: 'pr-warning' }, `Warning: ${w}`)),
    route,
    el(
      'table',
      { className: 'print-table' },
      el('thead', {}, el('tr', {}, el('th', {}, 'Box'), el('th', {}, 'Place'), el('th', {}, 'Expected crimes'), el('th', {}, 'Reason'))),
      el(
        'tbody',
        {},
        ...boxes.map((box) =>
          el(
            'tr',
            { attrs: { 'data-rank': box.rank } },
            el('td', {}, String(box.rank)),
            el('td', {}, box.place),
            el('td', {}, fmt(box.expected, 2)),
            el('td', {}, reasonOf(box)),
          ),
        ),
      ),
    ),
  );
}

/** A district's patrol order with the distance of each leg; null for a district of one box. */
function routeLine(route: RouteView | undefined): HTMLElement | null {
  if (!route || route.ranks.length < 2) return null;
  return el(
    'p',
    { className: 'pr-route', attrs: { 'data-district': route.district } },
    el('strong', {}, 'Patrol order'),
    ` (straight-line distances between box centres): ${route.words}`,
  );
}

/** Plain words first (when, from what), then the audit details in small print. */
function renderFoot(result: ForecastResult, words: SheetWords): void {
  const fit = result.fit;
  const day = (ms: number): string => localDateTime(ms, result.tz).slice(0, 10);
  // The training window is [start, end): its last day is the one before the end, or the data's last.
  const lastMs = words.lastIncidentMs === null ? fit.windowEndMs - 1 : Math.min(fit.windowEndMs - 1, words.lastIncidentMs);
  byId('pr-made').textContent =
    `Made ${words.madeAt} by patrolcast from ${fit.events.toLocaleString('en')} incidents recorded ` +
    `${day(fit.windowStartMs)} to ${day(lastMs)}${words.dataset ? ` in the data set “${words.dataset}”` : ''}, ` +
    `crime types: ${words.types || 'all'}; no rotation of boxes between shifts. ` +
    `Expected crimes are the model's forecast for this shift; the boxes are ranked by it within each district.`;
  const options = Object.entries(fit.options)
    .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
    .join(', ');
  // The model, its ingredients (etas) and its fitted parameters, so the sheet says what made it.
  const ingredients = fit.ingredients !== null ? ` (${fit.ingredients})` : '';
  const rings =
    fit.model === 'etas' && fit.ringWeights.length > 1 ? `, ring weights ${fit.ringWeights.map((w) => fmt(w, 2)).join('/')}` : '';
  const bins = fit.profileBins.length > 0 ? `, shift profile ${fit.profileBins.join('/')}` : '';
  byId('pr-audit').textContent =
    `Model ${fit.model} version ${fit.version}${ingredients}: ` +
    `θ = ${fmt(fit.theta, 3)}, ω = ${fmt(fit.omegaPerHour, 4)} per hour (mean delay ${fmt(fit.meanDelayHours, 1)} h)${rings}${bins}, ` +
    `background in ${fit.cellsWithBackground} boxes, H3 resolution ${fit.res}, ${placementWords(result.placement, fit.res)}, ` +
    `trained on ${fit.events} incidents ${localDateTime(fit.windowStartMs, result.tz)} to ${localDateTime(fit.windowEndMs, result.tz)}, ` +
    `${fit.iterations} EM iterations (${fit.stopReason}), fingerprint ${fit.fingerprint}` +
    `${options ? `, options: ${options}` : ''}. ${words.dataset}`;
}

/** The placement in words for the printed sheet: what a box is. */
function placementWords(placement: BoxPlacement, res: number): string {
  return placement === 'fine'
    ? `boxes centred on hot spots (each the area of one resolution-${res} cell: a resolution-${res + 1} cell and its six neighbours)`
    : `boxes on the fixed grid (resolution-${res} cells)`;
}
