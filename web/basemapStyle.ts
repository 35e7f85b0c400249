/**
 * The MapLibre layers for a PMTiles archive the analyst supplies (web/basemap.ts draws them),
 * chosen by the archive's schema as its metadata lists it (`vector_layers`):
 * - Protomaps basemap (layers earth, water, landuse, roads, places): water, parks, roads;
 * - OpenMapTiles (layers water, park, landcover, transportation, place): the same;
 * - anything else: every vector layer drawn plainly (faint fills, thin lines).
 * In the muted colours of the bundled base map, under the boxes. There are no glyphs (nothing is
 * fetched from elsewhere), so place names are not a symbol layer: {@link ArchiveStyle.labels} says
 * where they are and web/basemap.ts writes them as DOM markers. Pure: no DOM, testable in Node.
 */
import type { ExpressionSpecification, FilterSpecification, LayerSpecification } from 'maplibre-gl';

export const WATER_COLOUR = '#a8cbe6';
export const PARK_COLOUR = '#c5e0b0';
const ROAD_COLOUR = '#ffffff';
const ROAD_CASING = '#d4d2ca';
const GENERIC_FILL = '#d9d7cf';
const GENERIC_LINE = '#b8b6ae';

/** One layer of the archive's metadata (TileJSON vector_layers). */
export interface VectorLayerInfo {
  readonly id: string;
  readonly fields?: Readonly<Record<string, string>>;
}

export type ArchiveSchema = 'protomaps' | 'openmaptiles' | 'generic';

/** Where the place names are: a source layer, its name field, the features worth naming, best first. */
export interface LabelSpec {
  readonly sourceLayer: string;
  readonly nameField: string;
  readonly filter: FilterSpecification | null;
  /** Orders candidates (smaller first): a property and the order of its values; others last. */
  readonly rankBy: { readonly field: string; readonly order: readonly string[] } | null;
}

export interface ArchiveStyle {
  readonly schema: ArchiveSchema;
  readonly layers: LayerSpecification[];
  readonly labels: LabelSpec | null;
}

/** The schema the archive's layer names match. */
export function archiveSchema(layers: readonly VectorLayerInfo[]): ArchiveSchema {
  const ids = new Set(layers.map((l) => l.id));
  if (ids.has('earth') || (ids.has('roads') && ids.has('places'))) return 'protomaps';
  if (ids.has('transportation') || (ids.has('water') && ids.has('place'))) return 'openmaptiles';
  return 'generic';
}

const widthByZoom = (low: number, high: number): ExpressionSpecification => ['interpolate', ['linear'], ['zoom'], 10, low, 16, high];

function kindIn(field: string, values: readonly string[]): FilterSpecification {
  return ['in', ['get', field], ['literal', [...values]]];
}

/** Water, parks, road casings then roads: the layers both known schemas share in shape. */
function knownLayers(
  prefix: string,
  source: string,
  parts: {
    readonly water: string;
    readonly park: { readonly layer: string; readonly filter: FilterSpecification | null };
    readonly roads: {
      readonly layer: string;
      readonly field: string;
      readonly major: readonly string[];
      readonly minor: readonly string[];
    };
  },
  present: ReadonlySet<string>,
): LayerSpecification[] {
  const layers: LayerSpecification[] = [];
  if (present.has(parts.park.layer)) {
    layers.push({
      id: `${prefix}-park`,
      type: 'fill',
      source,
      'source-layer': parts.park.layer,
      ...(parts.park.filter ? { filter: parts.park.filter } : {}),
      paint: { 'fill-color': PARK_COLOUR },
    });
  }
  if (present.has(parts.water)) {
    layers.push({ id: `${prefix}-water`, type: 'fill', source, 'source-layer': parts.water, paint: { 'fill-color': WATER_COLOUR } });
  }
  const r = parts.roads;
  if (present.has(r.layer)) {
    const road = (id: string, kinds: readonly string[], colour: string, width: ExpressionSpecification): LayerSpecification => ({
      id: `${prefix}-${id}`,
      type: 'line',
      source,
      'source-layer': r.layer,
      filter: kindIn(r.field, kinds),
      layout: { 'line-join': 'round', 'line-cap': 'round' },
      paint: { 'line-color': colour, 'line-width': width },
    });
    layers.push(road('roads-casing', r.major, ROAD_CASING, widthByZoom(2, 9)));
    layers.push(road('roads-minor', r.minor, ROAD_COLOUR, widthByZoom(0.5, 4)));
    layers.push(road('roads-major', r.major, ROAD_COLOUR, widthByZoom(1.2, 7)));
  }
  return layers;
}

/** Every vector layer drawn plainly: polygons as faint fills, lines as thin lines (points are left out). */
function genericLayers(prefix: string, source: string, vectorLayers: readonly VectorLayerInfo[]): LayerSpecification[] {
  return vectorLayers.flatMap((l, i): LayerSpecification[] => [
    {
      id: `${prefix}-${i}-fill`,
      type: 'fill',
      source,
      'source-layer': l.id,
      filter: ['==', ['geometry-type'], 'Polygon'],
      paint: { 'fill-color': GENERIC_FILL, 'fill-opacity': 0.5 },
    },
    {
      id: `${prefix}-${i}-line`,
      type: 'line',
      source,
      'source-layer': l.id,
      filter: ['==', ['geometry-type'], 'LineString'],
      paint: { 'line-color': GENERIC_LINE, 'line-width': 0.8 },
    },
  ]);
}

/** A layer with a `name` field whose id speaks of places, for the generic schema's labels. */
function genericLabels(vectorLayers: readonly VectorLayerInfo[]): LabelSpec | null {
  const layer = vectorLayers.find((l) => /place|label/i.test(l.id) && l.fields !== undefined && 'name' in l.fields);
  return layer ? { sourceLayer: layer.id, nameField: 'name', filter: null, rankBy: null } : null;
}

/**
 * The layers drawing an archive of vector tiles from `source` (ids prefixed `prefix`), for its
 * schema, bottom first, and where its place names are.
 */
export function archiveStyle(vectorLayers: readonly VectorLayerInfo[], source: string, prefix: string): ArchiveStyle {
  const schema = archiveSchema(vectorLayers);
  const present = new Set(vectorLayers.map((l) => l.id));
  if (schema === 'protomaps') {
    const layers = knownLayers(
      prefix,
      source,
      {
        water: 'water',
        park: {
          layer: 'landuse',
          filter: kindIn('kind', [
            'park',
            'national_park',
            'nature_reserve',
            'garden',
            'golf_course',
            'forest',
            'wood',
            'grass',
            'cemetery',
            'playground',
          ]),
        },
        roads: { layer: 'roads', field: 'kind', major: ['highway', 'major_road'], minor: ['medium_road', 'minor_road'] },
      },
      present,
    );
    const labels: LabelSpec | null = present.has('places')
      ? {
          sourceLayer: 'places',
          nameField: 'name',
          filter: null,
          rankBy: { field: 'kind', order: ['locality', 'macrohood', 'neighbourhood'] },
        }
      : null;
    return { schema, layers, labels };
  }
  if (schema === 'openmaptiles') {
    const layers = knownLayers(
      prefix,
      source,
      {
        water: 'water',
        park: present.has('park') ? { layer: 'park', filter: null } : { layer: 'landcover', filter: kindIn('class', ['grass', 'wood']) },
        roads: {
          layer: 'transportation',
          field: 'class',
          major: ['motorway', 'trunk', 'primary', 'secondary'],
          minor: ['tertiary', 'minor', 'service'],
        },
      },
      present,
    );
    const labels: LabelSpec | null = present.has('place')
      ? {
          sourceLayer: 'place',
          nameField: 'name',
          filter: null,
          rankBy: { field: 'class', order: ['city', 'town', 'suburb', 'quarter', 'village', 'neighbourhood'] },
        }
      : null;
    return { schema, layers, labels };
  }
  return { schema, layers: genericLayers(prefix, source, vectorLayers), labels: genericLabels(vectorLayers) };
}

/** The archive's layers from its metadata (a JSON object with `vector_layers`), checked. */
export function vectorLayersOf(metadata: unknown): VectorLayerInfo[] {
  const list = (metadata as { vector_layers?: unknown } | null)?.vector_layers;
  if (!Array.isArray(list)) return [];
  return list
    .filter((l): l is { id: string; fields?: unknown } => typeof (l as { id?: unknown })?.id === 'string')
    .map((l) => ({ id: l.id, ...(l.fields && typeof l.fields === 'object' ? { fields: l.fields as Record<string, string> } : {}) }));
}

/** The archive's attribution from its metadata, or null. */
export function attributionOf(metadata: unknown): string | null {
  const text = (metadata as { attribution?: unknown } | null)?.attribution;
  return typeof text === 'string' && text.trim() !== '' ? text : null;
}
