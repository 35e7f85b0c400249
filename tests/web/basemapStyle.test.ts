/**
 * The style builder for a PMTiles archive (web/basemapStyle.ts): which schema an archive's
 * vector_layers match, the layers drawn for each (valid MapLibre layers, checked by the style
 * spec's own validator), and where the place names are.
 */
import { validateStyleMin } from '@maplibre/maplibre-gl-style-spec';
import type { StyleSpecification } from 'maplibre-gl';
import { describe, expect, it } from 'vitest';
import {
  archiveSchema,
  archiveStyle,
  attributionOf,
  PARK_COLOUR,
  vectorLayersOf,
  WATER_COLOUR,
  type ArchiveStyle,
  type VectorLayerInfo,
} from '../../web/basemapStyle.ts';

const PROTOMAPS: VectorLayerInfo[] = [
  'boundaries',
  'buildings',
  'earth',
  'landcover',
  'landuse',
  'places',
  'pois',
  'roads',
  'transit',
  'water',
].map((id) => ({ id, fields: { kind: 'String', name: 'String' } }));
const OPENMAPTILES: VectorLayerInfo[] = [
  'water',
  'waterway',
  'landcover',
  'landuse',
  'park',
  'boundary',
  'transportation',
  'transportation_name',
  'place',
  'building',
].map((id) => ({ id, fields: { class: 'String', name: 'String' } }));

/** The layers in a style of their own, as the map would hold them, checked by MapLibre's validator. */
function validate(style: ArchiveStyle): string[] {
  const spec = { version: 8, sources: { archive: { type: 'vector', tiles: ['pmtiles://archive/{z}/{x}/{y}'] } }, layers: style.layers };
  return validateStyleMin(spec as StyleSpecification).map((e) => e.message);
}

const byId = (style: ArchiveStyle, id: string): Record<string, unknown> =>
  style.layers.find((l) => l.id === id) as unknown as Record<string, unknown>;

describe('the base map style of a PMTiles archive', () => {
  it('recognises the Protomaps basemap schema and draws water, parks and roads from its layers', () => {
    const style = archiveStyle(PROTOMAPS, 'archive', 'pm');
    expect(style.schema).toBe('protomaps');
    expect(validate(style)).toEqual([]);
    expect(style.layers.map((l) => l.id)).toEqual(['pm-park', 'pm-water', 'pm-roads-casing', 'pm-roads-minor', 'pm-roads-major']);
    expect(byId(style, 'pm-water')).toMatchObject({ 'source-layer': 'water', paint: { 'fill-color': WATER_COLOUR } });
    const park = byId(style, 'pm-park');
    expect(park).toMatchObject({ 'source-layer': 'landuse', paint: { 'fill-color': PARK_COLOUR } });
    expect(JSON.stringify(park['filter'])).toContain('"park"');
    expect(byId(style, 'pm-roads-major')).toMatchObject({
      'source-layer': 'roads',
      filter: ['in', ['get', 'kind'], ['literal', ['highway', 'major_road']]],
    });
    expect(style.labels).toEqual({
      sourceLayer: 'places',
      nameField: 'name',
      filter: null,
      rankBy: { field: 'kind', order: ['locality', 'macrohood', 'neighbourhood'] },
    });
  });

  it('recognises OpenMapTiles and draws its park, water and transportation layers', () => {
    const style = archiveStyle(OPENMAPTILES, 'archive', 'pm');
    expect(style.schema).toBe('openmaptiles');
    expect(validate(style)).toEqual([]);
    expect(style.layers.map((l) => [l.id, (l as { 'source-layer'?: string })['source-layer']])).toEqual([
      ['pm-park', 'park'],
      ['pm-water', 'water'],
      ['pm-roads-casing', 'transportation'],
      ['pm-roads-minor', 'transportation'],
      ['pm-roads-major', 'transportation'],
    ]);
    expect(byId(style, 'pm-roads-minor')['filter']).toEqual(['in', ['get', 'class'], ['literal', ['tertiary', 'minor', 'service']]]);
    expect(style.labels?.sourceLayer).toBe('place');
    // Without a park layer, the parks come from landcover's grass and wood.
    const noPark = archiveStyle(
      OPENMAPTILES.filter((l) => l.id !== 'park'),
      'archive',
      'pm',
    );
    expect(byId(noPark, 'pm-park')).toMatchObject({
      'source-layer': 'landcover',
      filter: ['in', ['get', 'class'], ['literal', ['grass', 'wood']]],
    });
  });

  it('leaves out what a known schema lacks', () => {
    const style = archiveStyle([{ id: 'earth' }, { id: 'water' }], 'archive', 'pm');
    expect(style.schema).toBe('protomaps');
    expect(style.layers.map((l) => l.id)).toEqual(['pm-water']);
    expect(style.labels).toBeNull();
  });

  it('draws every layer of an unknown schema plainly, polygons as fills and lines as lines', () => {
    const layers: VectorLayerInfo[] = [{ id: 'beats' }, { id: 'streets' }, { id: 'place_labels', fields: { name: 'String' } }];
    expect(archiveSchema(layers)).toBe('generic');
    const style = archiveStyle(layers, 'archive', 'pm');
    expect(validate(style)).toEqual([]);
    expect(style.layers.map((l) => l.id)).toEqual(['pm-0-fill', 'pm-0-line', 'pm-1-fill', 'pm-1-line', 'pm-2-fill', 'pm-2-line']);
    expect(byId(style, 'pm-1-fill')).toMatchObject({
      type: 'fill',
      'source-layer': 'streets',
      filter: ['==', ['geometry-type'], 'Polygon'],
    });
    expect(byId(style, 'pm-1-line')).toMatchObject({
      type: 'line',
      'source-layer': 'streets',
      filter: ['==', ['geometry-type'], 'LineString'],
    });
    expect(style.labels).toEqual({ sourceLayer: 'place_labels', nameField: 'name', filter: null, rankBy: null });
  });

  it('reads the layers and the attribution from the metadata, ignoring what is not one', () => {
    expect(vectorLayersOf({ vector_layers: [{ id: 'water', fields: { kind: 'String' } }, { name: 'no id' }, 7, { id: 'roads' }] })).toEqual(
      [{ id: 'water', fields: { kind: 'String' } }, { id: 'roads' }],
    );
    expect(vectorLayersOf({})).toEqual([]);
    expect(vectorLayersOf(null)).toEqual([]);
    expect(attributionOf({ attribution: '© OpenStreetMap' })).toBe('© OpenStreetMap');
    expect(attributionOf({ attribution: ' ' })).toBeNull();
    expect(attributionOf({})).toBeNull();
  });
});
