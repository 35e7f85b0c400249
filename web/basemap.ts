/**
 * The base maps drawn under the boxes, as chosen in Settings (web/settings.ts `basemap`):
 * - 'bundled': the bundled data's base map (below);
 * - 'pmtiles': a PMTiles archive the analyst chose, kept in IndexedDB (web/basemapStore.ts), read
 *   through the `pmtiles` package's MapLibre protocol from the File itself, drawn with layers made
 *   for its schema (web/basemapStyle.ts);
 * - 'style' / 'tiles': a MapLibre style or raster tiles on the force's own server, allowed only
 *   when the page's Content-Security-Policy lists its origin (web/csp.ts).
 *
 * The bundled data's base map: water, parks and the 22 local areas of Vancouver (City of
 * Vancouver open data, built by bench/basemap-vancouver.ts into fixtures/vancouver/basemap.geojson,
 * about 140 kB), served from the page's own origin like the bundled incidents. Drawn under the
 * boxes; there are no glyphs (nothing is fetched from elsewhere), so the local-area names are DOM
 * markers, and the print snapshot does not carry them.
 */
import * as maplibregl from 'maplibre-gl';
import type { FeatureCollection } from 'geojson';
import basemapUrl from '../fixtures/vancouver/basemap.geojson?url';
import { installArchive, openArchive } from './basemapArchive.ts';
import { loadArchive } from './basemapStore.ts';
import { PARK_COLOUR, WATER_COLOUR } from './basemapStyle.ts';
import { pagePolicy, refusedBasemapUrl } from './csp.ts';
import type { AppSettings } from './settings.ts';

export const BASEMAP_ATTRIBUTION = 'Contains information licensed under the Open Government Licence – Vancouver';
export { PARK_COLOUR, WATER_COLOUR } from './basemapStyle.ts';

const SOURCE = 'basemap';
const LAYERS = ['basemap-water', 'basemap-park', 'basemap-area'] as const;

export interface InstalledBasemap {
  readonly attribution: maplibregl.AttributionControl;
  readonly labels: readonly maplibregl.Marker[];
}

let loading: Promise<FeatureCollection> | null = null;

/** The base map's features (fetched once). @throws Error naming the file on HTTP or JSON failure */
export function loadBasemap(): Promise<FeatureCollection> {
  loading ??= (async () => {
    const response = await fetch(new URL(basemapUrl, document.baseURI).href);
    if (!response.ok) throw new Error(`could not load the base map basemap.geojson: HTTP ${response.status}`);
    return (await response.json()) as FeatureCollection;
  })();
  loading.catch(() => (loading = null));
  return loading;
}

/** Adds the base map's source, layers (below `beforeId`), name labels and attribution. */
export function installBasemap(map: maplibregl.Map, beforeId: string, data: FeatureCollection): InstalledBasemap {
  // Tiles cut up to zoom 12 only and overzoomed beyond: a zoom-12 tile's 4096 units are about
  // 1.6 m here, finer than the data's 5 m simplification, and a shift change that zooms in or
  // out then reuses tiles already cut instead of cutting the base map again at each new zoom.
  map.addSource(SOURCE, { type: 'geojson', data, attribution: BASEMAP_ATTRIBUTION, maxzoom: 12 });
  const layer = (name: string): maplibregl.ExpressionSpecification => ['==', ['get', 'layer'], name];
  map.addLayer({ id: LAYERS[0], type: 'fill', source: SOURCE, filter: layer('water'), paint: { 'fill-color': WATER_COLOUR } }, beforeId);
  map.addLayer({ id: LAYERS[1], type: 'fill', source: SOURCE, filter: layer('park'), paint: { 'fill-color': PARK_COLOUR } }, beforeId);
  map.addLayer(
    {
      id: LAYERS[2],
      type: 'line',
      source: SOURCE,
      filter: layer('area'),
      paint: { 'line-color': '#8c8c8c', 'line-width': 0.8, 'line-dasharray': [3, 2] },
    },
    beforeId,
  );
  const attribution = new maplibregl.AttributionControl({ compact: false });
  map.addControl(attribution, 'bottom-right');
  const labels = data.features
    .filter((f) => f.properties?.['layer'] === 'area')
    .map((f) => {
      const element = document.createElement('div');
      element.className = 'area-label';
      element.textContent = String(f.properties!['name']);
      return new maplibregl.Marker({ element, anchor: 'center' })
        .setLngLat([Number(f.properties!['labelLon']), Number(f.properties!['labelLat'])])
        .addTo(map);
    });
  return { attribution, labels };
}

export function removeBasemap(map: maplibregl.Map, installed: InstalledBasemap): void {
  for (const label of installed.labels) label.remove();
  map.removeControl(installed.attribution);
  for (const id of LAYERS) map.removeLayer(id);
  map.removeSource(SOURCE);
}

/** The event the page's views hear a base-map failure by (web/views/settings.ts shows it in the banner). */
export const BASEMAP_ERROR_EVENT = 'patrolcast:basemap-error';

/** A base map that cannot be drawn: the map stays plain, and the page says why. */
export function reportBasemapError(message: string): void {
  console.warn(message);
  document.body.dataset['basemapError'] = message;
  window.dispatchEvent(new CustomEvent<string>(BASEMAP_ERROR_EVENT, { detail: message }));
}

/** A background only. */
function plainStyle(background: string): maplibregl.StyleSpecification {
  return { version: 8, sources: {}, layers: [{ id: 'background', type: 'background', paint: { 'background-color': background } }] };
}

/**
 * The map's starting style for the settings: the plain background (also under the bundled map or
 * an archive, added later), raster tiles over it, or the force's style URL for MapLibre to fetch.
 * A URL the page's Content-Security-Policy does not allow gives the plain style, and says why.
 */
export function startingStyle(settings: AppSettings, background: string): maplibregl.StyleSpecification | string {
  const url = settings.basemap === 'style' ? settings.styleUrl : settings.basemap === 'tiles' ? settings.tileUrl : '';
  if (!url) return plainStyle(background);
  const refused = refusedBasemapUrl(url, document.baseURI, pagePolicy());
  if (refused) {
    reportBasemapError(`Base map not drawn: ${refused}`);
    return plainStyle(background);
  }
  if (settings.basemap === 'style') return url;
  const style = plainStyle(background);
  style.sources['base-tiles'] = { type: 'raster', tiles: [url], tileSize: 256 };
  style.layers.push({ id: 'base-tiles', type: 'raster', source: 'base-tiles', paint: { 'raster-opacity': 0.6 } });
  return style;
}

/**
 * A style URL that fails to load (unreachable, not a style) would leave the map without a style
 * and the page waiting for it: fall back to the plain style and say why.
 */
export function watchStyleUrl(map: maplibregl.Map, style: maplibregl.StyleSpecification | string, background: string): void {
  if (typeof style !== 'string') return;
  const onError = (event: maplibregl.ErrorEvent): void => {
    if (map.isStyleLoaded()) return;
    map.off('error', onError);
    reportBasemapError(`Base map not drawn: the style ${style} could not be loaded (${event.error?.message ?? 'unknown error'})`);
    map.setStyle(plainStyle(background));
  };
  map.on('error', onError);
  map.once('load', () => map.off('error', onError));
}

/** The archive kept in the browser, drawn under `beforeId` when the settings choose it; failures reported, never thrown. */
export async function installChosenArchive(map: maplibregl.Map, beforeId: string, settings: AppSettings): Promise<void> {
  if (settings.basemap !== 'pmtiles') return;
  try {
    const stored = await loadArchive();
    if (!stored) {
      reportBasemapError('Base map not drawn: no PMTiles archive is kept in this browser; choose one in Settings.');
      return;
    }
    installArchive(map, beforeId, await openArchive(stored.blob, stored.name));
    // For the page's tests: what is drawn, and every layer of the map's style, bottom first.
    document.body.dataset['basemap'] = `pmtiles:${stored.name}`;
    document.body.dataset['mapLayers'] = map
      .getStyle()
      .layers.map((l) => l.id)
      .join(',');
  } catch (error) {
    reportBasemapError(`Base map not drawn: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Writes base-map failures on the map itself (top left), those already reported and any later. */
export function showBasemapErrors(map: maplibregl.Map): void {
  let box: HTMLElement | null = null;
  const show = (text: string): void => {
    if (!box) {
      box = document.createElement('p');
      box.className = 'basemap-error';
      box.setAttribute('role', 'status');
      map.getContainer().appendChild(box);
    }
    box.textContent = text;
  };
  if (document.body.dataset['basemapError']) show(document.body.dataset['basemapError']);
  window.addEventListener(BASEMAP_ERROR_EVENT, (event) => show((event as CustomEvent<string>).detail));
}
