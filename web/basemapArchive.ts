/**
 * A PMTiles archive as the map's base map: read from the File (Blob) itself through the `pmtiles`
 * package's MapLibre protocol (a range read per tile, nothing fetched), drawn with layers for its
 * schema (web/basemapStyle.ts), credited from its metadata, with its place names as DOM markers
 * (no glyphs), placed largest place first without overlapping.
 */
import * as maplibregl from 'maplibre-gl';
import { PMTiles, Protocol, type RangeResponse, type Source } from 'pmtiles';
import { archiveStyle, attributionOf, vectorLayersOf, type ArchiveSchema, type LabelSpec } from './basemapStyle.ts';

export const ARCHIVE_SOURCE = 'archive';
const LAYER_PREFIX = 'archive';
/** At most this many place names on the map at once. */
const LABELS_MAX = 40;

/** PMTiles tile types (pmtiles TileType): 1 vector (MVT), 2-5 raster images. */
const RASTER_TYPES = new Set([2, 3, 4, 5]);

/** A Blob as a PMTiles source, under a fixed key (a file name may hold characters a URL would change). */
class BlobSource implements Source {
  constructor(
    private readonly blob: Blob,
    private readonly key: string,
  ) {}
  getKey(): string {
    return this.key;
  }
  async getBytes(offset: number, length: number): Promise<RangeResponse> {
    return { data: await this.blob.slice(offset, offset + length).arrayBuffer() };
  }
}

/** What an archive holds, read from its header and metadata. */
export interface ArchiveInfo {
  readonly archive: PMTiles;
  readonly kind: 'vector' | 'raster';
  readonly schema: ArchiveSchema | null;
  readonly layers: readonly string[];
  readonly attribution: string | null;
  readonly minZoom: number;
  readonly maxZoom: number;
  readonly bounds: [number, number, number, number];
  readonly metadata: unknown;
}

let protocol: Protocol | null = null;
let opened = 0;

/**
 * Opens an archive and reads what it holds.
 * @throws Error naming the file: not a PMTiles v3 archive, or tiles of a type MapLibre cannot draw here
 */
export async function openArchive(blob: Blob, name: string): Promise<ArchiveInfo> {
  const archive = new PMTiles(new BlobSource(blob, `patrolcast-${++opened}`));
  try {
    const header = await archive.getHeader();
    if (header.tileType !== 1 && !RASTER_TYPES.has(header.tileType)) {
      throw new Error(`its tiles are of type ${header.tileType}; the base map draws vector (MVT) or raster (PNG, JPEG, WebP, AVIF) tiles`);
    }
    const metadata = header.jsonMetadataLength > 0 ? await archive.getMetadata() : {};
    const vectorLayers = vectorLayersOf(metadata);
    const kind = header.tileType === 1 ? 'vector' : 'raster';
    return {
      archive,
      kind,
      schema: kind === 'vector' ? archiveStyle(vectorLayers, ARCHIVE_SOURCE, LAYER_PREFIX).schema : null,
      layers: vectorLayers.map((l) => l.id),
      attribution: attributionOf(metadata),
      minZoom: header.minZoom,
      maxZoom: header.maxZoom,
      bounds: [header.minLon, header.minLat, header.maxLon, header.maxLat],
      metadata,
    };
  } catch (error) {
    throw new Error(`${name} cannot be drawn as a base map: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export interface InstalledArchive {
  readonly info: ArchiveInfo;
  readonly layerIds: readonly string[];
}

/** Adds the archive's source and layers (below `beforeId`), its attribution and its place names. */
export function installArchive(map: maplibregl.Map, beforeId: string, info: ArchiveInfo): InstalledArchive {
  if (!protocol) {
    protocol = new Protocol();
    maplibregl.addProtocol('pmtiles', protocol.tile);
  }
  protocol.add(info.archive);
  const tiles = [`pmtiles://${info.archive.source.getKey()}/{z}/{x}/{y}`];
  const common = {
    tiles,
    minzoom: info.minZoom,
    maxzoom: info.maxZoom,
    bounds: info.bounds,
    ...(info.attribution ? { attribution: info.attribution } : {}),
  };
  let layers: maplibregl.LayerSpecification[];
  let labels: LabelSpec | null = null;
  if (info.kind === 'raster') {
    map.addSource(ARCHIVE_SOURCE, { type: 'raster', tileSize: 256, ...common });
    layers = [{ id: `${LAYER_PREFIX}-raster`, type: 'raster', source: ARCHIVE_SOURCE, paint: { 'raster-opacity': 0.7 } }];
  } else {
    map.addSource(ARCHIVE_SOURCE, { type: 'vector', ...common });
    const style = archiveStyle(vectorLayersOf(info.metadata), ARCHIVE_SOURCE, LAYER_PREFIX);
    layers = style.layers;
    labels = style.labels;
  }
  for (const layer of layers) map.addLayer(layer, beforeId);
  if (info.attribution) map.addControl(new maplibregl.AttributionControl({ compact: false }), 'bottom-right');
  if (labels) {
    const spec = labels;
    let markers: maplibregl.Marker[] = [];
    map.on('idle', () => (markers = placeLabels(map, spec, markers)));
  }
  return { info, layerIds: layers.map((l) => l.id) };
}

/** The rank of a place for its label (smaller first): its kind's position in the spec's order. */
function rankOf(spec: LabelSpec, properties: Record<string, unknown>): number {
  if (!spec.rankBy) return 0;
  const i = spec.rankBy.order.indexOf(String(properties[spec.rankBy.field]));
  return i < 0 ? spec.rankBy.order.length : i;
}

/**
 * Writes the place names in view as DOM markers, replacing `old`: one per name, the highest-ranked
 * first, skipping any that would overlap one already written. O(F log F + L²) for F features, L labels.
 */
function placeLabels(map: maplibregl.Map, spec: LabelSpec, old: readonly maplibregl.Marker[]): maplibregl.Marker[] {
  for (const marker of old) marker.remove();
  const features = map.querySourceFeatures(ARCHIVE_SOURCE, {
    sourceLayer: spec.sourceLayer,
    ...(spec.filter ? { filter: spec.filter } : {}),
  });
  const byName = new Map<string, { lngLat: [number, number]; rank: number }>();
  for (const f of features) {
    const name = f.properties[spec.nameField];
    if (f.geometry.type !== 'Point' || typeof name !== 'string' || name === '' || byName.has(name)) continue;
    byName.set(name, { lngLat: f.geometry.coordinates as [number, number], rank: rankOf(spec, f.properties) });
  }
  const canvas = map.getCanvas();
  const taken: { x0: number; y0: number; x1: number; y1: number }[] = [];
  const markers: maplibregl.Marker[] = [];
  const sorted = [...byName.entries()].sort((a, b) => a[1].rank - b[1].rank || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (const [name, { lngLat }] of sorted) {
    if (markers.length >= LABELS_MAX) break;
    const p = map.project(lngLat);
    // About 7 px per character of the 11 px label font, 16 px high.
    const half = (name.length * 7 + 8) / 2;
    const box = { x0: p.x - half, y0: p.y - 8, x1: p.x + half, y1: p.y + 8 };
    if (box.x0 < 0 || box.y0 < 0 || box.x1 > canvas.clientWidth || box.y1 > canvas.clientHeight) continue;
    if (taken.some((t) => box.x0 < t.x1 && t.x0 < box.x1 && box.y0 < t.y1 && t.y0 < box.y1)) continue;
    taken.push(box);
    const element = document.createElement('div');
    element.className = 'area-label place-label';
    element.textContent = name;
    markers.push(new maplibregl.Marker({ element, anchor: 'center' }).setLngLat(lngLat).addTo(map));
  }
  return markers;
}
