/**
 * The map: MapLibre GL with a plain background and our own GeoJSON layers only (no tiles, no
 * glyphs, no sprite, so nothing is fetched from anywhere). Box numbers are DOM markers (the print
 * sheet lays its own labels over a copy of the canvas: web/views/printSheet.ts).
 * The base map chosen in Settings (web/basemap.ts: bundled, a PMTiles archive, a style or tile
 * URL on the force's own server) is drawn underneath.
 */
import * as maplibregl from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?worker&url';
import 'maplibre-gl/dist/maplibre-gl.css';
import type { FeatureCollection } from 'geojson';
import { loadSettings } from './settings.ts';
import {
  type InstalledBasemap,
  installBasemap,
  installChosenArchive,
  loadBasemap,
  removeBasemap,
  showBasemapErrors,
  startingStyle,
  watchStyleUrl,
} from './basemap.ts';
import { RANK_BREAKS } from './legend.ts';

maplibregl.setWorkerUrl(workerUrl);

export const BACKGROUND_COLOUR = '#f2f1ec';

/**
 * Sequential palette for box rank (1 = darkest), chosen so neighbouring steps differ in
 * lightness and so stay apart when printed in grey. Numbers on the boxes carry the rank anyway.
 */
export const RANK_COLOURS = ['#67000d', '#a50f15', '#cb181d', '#ef3b2c', '#fb6a4a', '#fc9272'] as const;
/** Sequential light-to-dark palette for the background-rate choropleth (Blues, monotone lightness). */
export const MU_COLOURS = ['#eff3ff', '#c6dbef', '#9ecae1', '#6baed6', '#3182bd', '#08519c'] as const;

/** Marker offset from the box centre in CSS pixels (x right, y down). */
const MARKER_OFFSET: [number, number] = [3, -3];

const EMPTY: FeatureCollection = { type: 'FeatureCollection', features: [] };

export interface NumberedMarker {
  readonly lngLat: readonly [number, number];
  readonly label: string;
  readonly title: string;
  /** Called when the number is clicked (or activated with the keyboard). */
  readonly onClick?: () => void;
}

type LayerData = 'districts' | 'boxes' | 'mu' | 'actuals' | 'route';

/** A map panel. */
export class MapView {
  readonly map: maplibregl.Map;
  private markers: maplibregl.Marker[] = [];
  /** The box detail shown (showPopup), or null. */
  private popup: maplibregl.Popup | null = null;
  private readonly data: Record<LayerData, FeatureCollection> = { districts: EMPTY, boxes: EMPTY, mu: EMPTY, actuals: EMPTY, route: EMPTY };
  /** Each layer's features as JSON, to skip setting the same features again. */
  private readonly json: Record<LayerData, string> = { districts: '', boxes: '', mu: '', actuals: '', route: '' };
  private ready: Promise<void>;
  private highlightedDistrict = '';
  private muBreaks: readonly number[] = [];
  /** Another base map chosen in Settings (or none) replaces the bundled one. */
  private readonly ownBaseMap: boolean;
  private basemapShown = false;
  private basemapControls: InstalledBasemap | null = null;

  constructor(container: HTMLElement) {
    const settings = loadSettings();
    const style = startingStyle(settings, BACKGROUND_COLOUR);
    this.ownBaseMap = settings.basemap !== 'bundled';
    this.map = new maplibregl.Map({
      container,
      style,
      center: [-123.12, 49.26],
      zoom: 11,
      attributionControl: false,
      canvasContextAttributes: { preserveDrawingBuffer: true, antialias: true },
      fadeDuration: 0,
      dragRotate: false,
      pitchWithRotate: false,
    });
    this.map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
    this.map.keyboard.enable();
    watchStyleUrl(this.map, style, BACKGROUND_COLOUR);
    showBasemapErrors(this.map);
    this.ready = new Promise((resolve) => {
      const install = (): void => {
        this.installLayers();
        // A PMTiles archive (Settings) under our layers before anything is drawn.
        void installChosenArchive(this.map, 'mu-fill', settings).then(resolve);
      };
      if (this.map.isStyleLoaded()) install();
      else this.map.once('load', install);
    });
  }

  private installLayers(): void {
    const map = this.map;
    for (const name of ['mu', 'districts', 'boxes', 'route', 'actuals'] as const) {
      map.addSource(name, { type: 'geojson', data: this.data[name] });
    }
    map.addLayer({
      id: 'mu-fill',
      type: 'fill',
      source: 'mu',
      paint: { 'fill-color': this.muColourExpression(), 'fill-opacity': 0.85 },
    });
    map.addLayer({
      id: 'districts-fill',
      type: 'fill',
      source: 'districts',
      paint: { 'fill-color': '#ffffff', 'fill-opacity': ['case', ['==', ['get', 'district'], this.highlightedDistrict], 0.75, 0.25] },
    });
    map.addLayer({
      id: 'districts-line',
      type: 'line',
      source: 'districts',
      paint: {
        'line-color': '#4d4d4d',
        'line-width': ['case', ['==', ['get', 'district'], this.highlightedDistrict], 2.5, 1],
        'line-opacity': 0.9,
      },
    });
    map.addLayer({
      id: 'boxes-fill',
      type: 'fill',
      source: 'boxes',
      paint: {
        'fill-color': rankColourExpression(),
        'fill-opacity': 0.8,
      },
    });
    map.addLayer({
      id: 'boxes-line',
      type: 'line',
      source: 'boxes',
      paint: { 'line-color': '#1a1a1a', 'line-width': 1.5 },
    });
    // The patrol order: a solid dark blue line with a white casing (solid: a dash pattern drew differently after a redraw) joining the box centres (the
    // numbered markers) in visiting order. It lies under the boxes (drawn before 'boxes-fill'), so
    // it shows plainly between them and faintly through them, and a box keeps its rank colour.
    map.addLayer(
      {
        id: 'route-casing',
        type: 'line',
        source: 'route',
        layout: { 'line-join': 'round', 'line-cap': 'round' },
        paint: { 'line-color': '#ffffff', 'line-width': 5, 'line-opacity': 0.9 },
      },
      'boxes-fill',
    );
    map.addLayer(
      {
        id: 'route-line',
        type: 'line',
        source: 'route',
        layout: { 'line-join': 'round', 'line-cap': 'round' },
        paint: { 'line-color': '#08306b', 'line-width': 2.5 },
      },
      'boxes-fill',
    );
    map.addLayer({
      id: 'actuals-circle',
      type: 'circle',
      source: 'actuals',
      // Hits: black dots ringed in white (visible on the dark boxes); misses: open black rings.
      paint: {
        'circle-radius': ['case', ['get', 'hit'], 5, 4],
        'circle-color': ['case', ['get', 'hit'], '#000000', '#ffffff'],
        'circle-stroke-color': ['case', ['get', 'hit'], '#ffffff', '#000000'],
        'circle-stroke-width': ['case', ['get', 'hit'], 2, 1.5],
      },
    });
  }

  private muColourExpression(): maplibregl.ExpressionSpecification {
    const breaks = this.muBreaks.length === MU_COLOURS.length - 1 ? this.muBreaks : [1, 2, 3, 4, 5].map((i) => i * 1e9);
    const expression: unknown[] = ['step', ['get', 'muPerDay'], MU_COLOURS[0]];
    breaks.forEach((limit, i) => expression.push(limit, MU_COLOURS[i + 1]));
    return expression as maplibregl.ExpressionSpecification;
  }

  /** Resolves once the style and our layers exist. */
  whenReady(): Promise<void> {
    return this.ready;
  }

  /**
   * Replace one layer's features. The same features again (the district outlines, sent with every
   * shift's boxes) are left alone: MapLibre would cut them into tiles again before the map is idle.
   */
  async setData(layer: LayerData, collection: FeatureCollection): Promise<void> {
    const json = JSON.stringify(collection);
    if (json === this.json[layer]) return;
    this.json[layer] = json;
    this.data[layer] = collection;
    await this.ready;
    const source = this.map.getSource(layer) as maplibregl.GeoJSONSource | undefined;
    source?.setData(collection);
  }

  /**
   * Show the bundled Vancouver base map (water, parks, local areas, attribution) under our layers,
   * or take it away (another data set, or the force's own tiles in Settings).
   */
  async setBasemap(show: boolean): Promise<void> {
    const wanted = show && !this.ownBaseMap;
    if (wanted === this.basemapShown) return;
    this.basemapShown = wanted;
    const data = wanted ? await loadBasemap() : null;
    await this.ready;
    // Another call may have changed its mind while the file was loading.
    if (data && this.basemapShown && !this.basemapControls) {
      this.basemapControls = installBasemap(this.map, 'mu-fill', data);
    } else if (!this.basemapShown && this.basemapControls) {
      removeBasemap(this.map, this.basemapControls);
      this.basemapControls = null;
    }
  }

  /** Colour breaks (5 ascending values) for the background-rate choropleth. */
  async setMuBreaks(breaks: readonly number[]): Promise<void> {
    this.muBreaks = breaks;
    await this.ready;
    this.map.setPaintProperty('mu-fill', 'fill-color', this.muColourExpression());
  }

  /** Draw one district's outline heavier ('' = none). */
  async highlightDistrict(name: string): Promise<void> {
    this.highlightedDistrict = name;
    await this.ready;
    this.map.setPaintProperty('districts-fill', 'fill-opacity', ['case', ['==', ['get', 'district'], name], 0.75, 0.25]);
    this.map.setPaintProperty('districts-line', 'line-width', ['case', ['==', ['get', 'district'], name], 2.5, 1]);
  }

  /** Numbered labels as DOM markers (no glyphs needed). */
  setMarkers(markers: readonly NumberedMarker[]): void {
    for (const marker of this.markers) marker.remove();
    this.markers = markers.map((item) => {
      const element = document.createElement('div');
      element.className = 'box-marker';
      element.textContent = item.label;
      element.title = item.title;
      const onClick = item.onClick;
      if (onClick) {
        element.setAttribute('role', 'button');
        element.tabIndex = 0;
        element.addEventListener('click', (event) => {
          event.stopPropagation();
          onClick();
        });
        element.addEventListener('keydown', (event) => {
          if (event.key === 'Enter' || event.key === ' ') {
            event.preventDefault();
            onClick();
          }
        });
      }
      // Anchored at its bottom-left corner a little up and right of the box centre, so the
      // number sits beside the hexagon instead of hiding it.
      return new maplibregl.Marker({ element, anchor: 'bottom-left', offset: MARKER_OFFSET })
        .setLngLat([item.lngLat[0], item.lngLat[1]])
        .addTo(this.map);
    });
  }

  fitBounds(bounds: readonly [number, number, number, number], padding = 30): void {
    const [west, south, east, north] = bounds;
    if (![west, south, east, north].every(Number.isFinite)) return;
    this.map.fitBounds(
      [
        [west, south],
        [east, north],
      ],
      { padding, animate: false, maxZoom: 16 },
    );
  }

  /** Call after the container was shown or resized. */
  resize(): void {
    this.map.resize();
  }

  /** Resolves when the map has drawn everything it has (after setData/fitBounds). */
  idle(): Promise<void> {
    return new Promise((resolve) => {
      if (this.map.loaded() && !this.map.isMoving() && this.map.areTilesLoaded()) {
        this.map.once('idle', () => resolve());
        this.map.triggerRepaint();
      } else {
        this.map.once('idle', () => resolve());
      }
    });
  }

  /**
   * Call `handler` with the properties of the top feature of `layer` under a click (the boxes:
   * rank and district), and show a pointer over the layer's features.
   */
  onLayerClick(layer: string, handler: (properties: Record<string, unknown>) => void): void {
    this.map.on('click', layer, (event) => {
      const properties = event.features?.[0]?.properties;
      if (properties) handler(properties);
    });
    this.map.on('mouseenter', layer, () => (this.map.getCanvas().style.cursor = 'pointer'));
    this.map.on('mouseleave', layer, () => (this.map.getCanvas().style.cursor = ''));
  }

  /** One popup at a time: `content` at `lngLat` (null closes it). */
  showPopup(lngLat: readonly [number, number] | null, content?: HTMLElement): void {
    this.popup?.remove();
    this.popup = null;
    if (!lngLat || !content) return;
    this.popup = new maplibregl.Popup({ closeButton: true, maxWidth: '320px', offset: 12 })
      .setLngLat([lngLat[0], lngLat[1]])
      .setDOMContent(content)
      .addTo(this.map);
  }

  /**
   * Keep the map sized to its container (a window resize, a tablet turned, the side panel moving
   * under the map) and call `refit` after each change of size, at most once per frame.
   */
  followContainerSize(refit: () => void): void {
    let width = this.map.getContainer().clientWidth;
    let height = this.map.getContainer().clientHeight;
    let frame = 0;
    new ResizeObserver(() => {
      const container = this.map.getContainer();
      // Hidden (another view, or print media) is not a new size: shown again at the same size, the
      // map keeps the user's view.
      if (container.clientWidth === 0 || container.clientHeight === 0) return;
      if (container.clientWidth === width && container.clientHeight === height) return;
      width = container.clientWidth;
      height = container.clientHeight;
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        this.map.resize();
        refit();
      });
    }).observe(this.map.getContainer());
  }
}

/** Box fill by rank: RANK_COLOURS stepped at RANK_BREAKS (the legend's steps). */
function rankColourExpression(): maplibregl.ExpressionSpecification {
  const expression: unknown[] = ['step', ['get', 'rank'], RANK_COLOURS[0]];
  RANK_BREAKS.forEach((rank, i) => expression.push(rank, RANK_COLOURS[i + 1]));
  return expression as maplibregl.ExpressionSpecification;
}
