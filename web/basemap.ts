/**
 * The bundled data's base map: water, parks and the 22 local areas of Vancouver (City of
 * Vancouver open data, built by bench/basemap-vancouver.ts into fixtures/vancouver/basemap.geojson,
 * about 140 kB), served from the page's own origin like the bundled incidents. Drawn under the
 * boxes; there are no glyphs (nothing is fetched from elsewhere), so the local-area names are DOM
 * markers, and the print snapshot does not carry them.
 */
import * as maplibregl from 'maplibre-gl';
import type { FeatureCollection } from 'geojson';
import basemapUrl from '../fixtures/vancouver/basemap.geojson?url';

export const BASEMAP_ATTRIBUTION = 'Contains information licensed under the Open Government Licence – Vancouver';
export const WATER_COLOUR = '#a8cbe6';
export const PARK_COLOUR = '#c5e0b0';

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
