/**
 * Browser test of the base maps a force brings and of district polygons (Settings,
 * web/views/settings.ts): district polygons relabel the boxes; a PMTiles archive made here (one
 * hand-encoded vector tile in the Protomaps schema, tests/web/pmtilesFixture.ts) is kept in the
 * browser and drawn under the boxes after a reload; a MapLibre style on a second local server is
 * refused on an origin the page's Content-Security-Policy does not list, and drawn from the one
 * origin the build allowed (PATROLCAST_BASEMAP_ORIGIN), and a style that cannot be loaded leaves the
 * plain map with the reason on it. Four page loads in all.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledBasemapTests, pixelsAt } from './basemapBundled.ts';
import { HAS_CHROMIUM, NO_CHROMIUM_MESSAGE, type Served, startApp } from './harness.ts';
import { pmtilesArchive, tileOf, vectorTile } from './pmtilesFixture.ts';

if (!HAS_CHROMIUM) console.warn(NO_CHROMIUM_MESSAGE);

const Z = 6;
/** Two place names (their tile positions decoded back exactly give the screen projection), and the water's east edge. */
const WEST_PLACE: [number, number] = [-123.18, 49.24];
const EAST_PLACE: [number, number] = [-123.06, 49.27];
const WATER_EAST_LNG = -123.12;
const TILE = tileOf(WEST_PLACE[0], WEST_PLACE[1], Z);

/** lng/lat of a tile position (the inverse of tileOf). */
function lngLatOf(px: number, py: number): [number, number] {
  const n = 2 ** Z;
  const fx = TILE.x + px / 4096;
  const fy = TILE.y + py / 4096;
  return [(fx / n) * 360 - 180, (Math.atan(Math.sinh(Math.PI * (1 - (2 * fy) / n))) * 180) / Math.PI];
}

function archive(): Buffer {
  const at = (lngLat: [number, number]): [number, number] => {
    const t = tileOf(lngLat[0], lngLat[1], Z);
    expect([t.x, t.y]).toEqual([TILE.x, TILE.y]);
    return [t.px, t.py];
  };
  const waterEdge = tileOf(WATER_EAST_LNG, 49.25, Z).px;
  const tile = vectorTile({
    earth: [],
    water: [
      {
        type: 'polygon',
        coordinates: [
          [-64, -64],
          [waterEdge, -64],
          [waterEdge, 4160],
          [-64, 4160],
        ],
        properties: { kind: 'ocean' },
      },
    ],
    roads: [{ type: 'line', coordinates: [at([-123.3, 49.2]), at([-122.9, 49.3])], properties: { kind: 'major_road' } }],
    places: [
      { type: 'point', coordinates: [at(WEST_PLACE)], properties: { name: 'Westhaven', kind: 'locality' } },
      { type: 'point', coordinates: [at(EAST_PLACE)], properties: { name: 'Eastbury', kind: 'locality' } },
    ],
  });
  const metadata = {
    vector_layers: [
      { id: 'earth', fields: {} },
      { id: 'water', fields: { kind: 'String' } },
      { id: 'roads', fields: { kind: 'String' } },
      { id: 'places', fields: { name: 'String', kind: 'String' } },
    ],
    attribution: 'Test archive made by patrolcast’s tests',
  };
  return Buffer.from(pmtilesArchive(Z, TILE.x, TILE.y, tile, metadata));
}

/** Two rectangular beats split at longitude -123.1. */
const BEATS = {
  type: 'FeatureCollection',
  features: [
    ['West', -123.3, -123.1],
    ['East', -123.1, -122.9],
  ].map(([beat, west, east]) => ({
    type: 'Feature',
    properties: { beat },
    geometry: {
      type: 'Polygon',
      coordinates: [
        [
          [west, 49.19],
          [east, 49.19],
          [east, 49.33],
          [west, 49.33],
          [west, 49.19],
        ],
      ],
    },
  })),
};

/** The style a force hosts: one magenta square over Vancouver from a GeoJSON file on the same server. */
const MAGENTA = '#ff00ff';
function styleServer(): Promise<Server> {
  const server = createServer((request, response) => {
    const port = (server.address() as AddressInfo).port;
    const body =
      request.url === '/style.json'
        ? {
            version: 8,
            sources: { square: { type: 'geojson', data: `http://127.0.0.1:${port}/square.geojson` } },
            layers: [{ id: 'force-square', type: 'fill', source: 'square', paint: { 'fill-color': MAGENTA } }],
          }
        : request.url === '/square.geojson'
          ? BEATS.features[0]
          : null;
    response.writeHead(body ? 200 : 404, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
    response.end(JSON.stringify(body));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Screen positions (CSS px from the canvas's top-left) of the place names written on the map. */
async function placeLabels(page: Page): Promise<Record<string, [number, number]>> {
  return page.$$eval('#sg-map .place-label', (labels) => {
    const canvas = document.querySelector('#sg-map canvas')!.getBoundingClientRect();
    return Object.fromEntries(
      labels.map((label) => {
        const r = label.getBoundingClientRect();
        return [label.textContent ?? '', [(r.left + r.right) / 2 - canvas.left, (r.top + r.bottom) / 2 - canvas.top]];
      }),
    );
  });
}

const mercatorY = (latDeg: number): number => Math.log(Math.tan(Math.PI / 4 + (latDeg * Math.PI) / 360));
const isWater = ([r, g, b]: number[]): boolean => b! - r! > 25 && b! > g! && g! > r!;
const isMagenta = ([r, g, b]: number[]): boolean => r! - g! > 60 && b! - g! > 60;

/** Waits for the shift map drawn after `action` (which must make it redraw). */
async function redrawn(page: Page, action: () => Promise<unknown>): Promise<void> {
  await page.evaluate(() => delete document.body.dataset['sergeantReady']);
  await action();
  await page.waitForSelector('body[data-sergeant-ready]', { timeout: 90_000 });
}

describe.skipIf(!HAS_CHROMIUM)('base maps and districts from Settings in Chromium', () => {
  let served: Served;
  let styles: Server;
  let stylesOrigin: string;
  let context: BrowserContext;
  let page: Page;
  const requests: string[] = [];

  beforeAll(async () => {
    styles = await styleServer();
    stylesOrigin = `http://127.0.0.1:${(styles.address() as AddressInfo).port}`;
    process.env['PATROLCAST_BASEMAP_ORIGIN'] = stylesOrigin;
    try {
      served = await startApp();
    } finally {
      delete process.env['PATROLCAST_BASEMAP_ORIGIN'];
    }
    context = await served.browser.newContext({ viewport: { width: 1280, height: 720 } });
    context.on('request', (request) => requests.push(request.url()));
    page = await context.newPage();
    await page.goto(served.url);
    await page.waitForSelector('body[data-sergeant-ready]', { timeout: 90_000 });
  }, 180_000);

  afterAll(async () => {
    await served?.close();
    await new Promise((done) => styles?.close(done));
  });

  // The bundled base map first, on the page as it opens (the tests below change its Settings).
  bundledBasemapTests(() => ({ page, served, requests }));

  it('relabels the boxes with district polygons, with the local areas, and back', async () => {
    const options = (): Promise<string[]> => page.$$eval('#sg-district option', (o) => o.map((x) => (x as HTMLOptionElement).value));
    const before = await options();
    expect(before.length).toBeGreaterThan(20);
    await page.evaluate(() => (location.hash = '#settings'));
    await page.fill('#set-district-property', 'beat');
    const beats = { name: 'beats.geojson', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(BEATS)) };
    await redrawn(page, () => page.setInputFiles('#set-districts', beats));
    expect((await options()).sort()).toEqual(['', 'East', 'West']);
    expect(await page.textContent('#set-districts-status')).toMatch(
      /^2 districts from beats\.geojson, with [\d,]+ of the [\d,]+ incidents inside them\.$/,
    );
    await page.evaluate(() => (location.hash = '#sergeant'));
    await redrawn(page, () => page.selectOption('#sg-district', ''));
    const rows = await page.$$eval('#sg-boxes li', (items) => items.map((li) => li.textContent ?? ''));
    expect(rows.length).toBe(40);
    expect(rows.filter((r) => r.includes(' · West')).length).toBe(20);
    expect(rows.filter((r) => r.includes(' · East')).length).toBe(20);
    // The bundled base map's 22 local areas as districts, then the data's own districts again.
    await page.evaluate(() => (location.hash = '#settings'));
    await redrawn(page, () => page.click('#set-local-areas'));
    const areas = await options();
    expect(areas).toHaveLength(23);
    expect(areas).toContain('Kitsilano');
    expect(await page.textContent('#set-districts-status')).toMatch(/^22 districts from the 22 local areas of Vancouver, with /);
    await redrawn(page, () => page.click('#set-districts-clear'));
    expect(await options()).toEqual(before);
  });

  it('keeps a PMTiles archive in the browser and draws it under the boxes after a reload', async () => {
    await page.evaluate(() => (location.hash = '#settings'));
    await page.setInputFiles('#set-pmtiles', { name: 'test.pmtiles', mimeType: 'application/octet-stream', buffer: archive() });
    await page.waitForFunction(() => document.getElementById('set-pmtiles-info')!.textContent!.includes('Protomaps basemap schema'));
    expect(await page.textContent('#set-pmtiles-info')).toMatch(
      /^Kept in this browser: test\.pmtiles \(0\.\d kB\)\. Vector tiles, Protomaps basemap schema \(layers earth, water, roads, places\)\.$/,
    );
    expect(await page.isChecked('input[name="set-basemap"][value="pmtiles"]')).toBe(true);
    await Promise.all([page.waitForEvent('load'), page.click('#set-save')]);
    await page.waitForSelector('body[data-sergeant-ready][data-basemap="pmtiles:test.pmtiles"]', { timeout: 90_000 });
    const layers = (await page.getAttribute('body', 'data-map-layers'))!.split(',');
    const archiveLayers = ['archive-water', 'archive-roads-casing', 'archive-roads-minor', 'archive-roads-major'];
    expect(layers.filter((l) => l.startsWith('archive-'))).toEqual(archiveLayers);
    expect(layers.indexOf('archive-roads-major')).toBeLessThan(layers.indexOf('boxes-fill'));
    expect(layers.some((l) => l.startsWith('basemap-'))).toBe(false);
    await redrawn(page, () => page.selectOption('#sg-district', ''));
    await page.waitForFunction(() => document.querySelectorAll('#sg-map .place-label').length === 2);
    expect(await page.textContent('#sg-map .maplibregl-ctrl-attrib')).toContain('Test archive made by patrolcast’s tests');
    // The projection from the two names' decoded positions; water west of its edge, none east of it.
    const labels = await placeLabels(page);
    const west = lngLatOf(tileOf(...WEST_PLACE, Z).px, tileOf(...WEST_PLACE, Z).py);
    const east = lngLatOf(tileOf(...EAST_PLACE, Z).px, tileOf(...EAST_PLACE, Z).py);
    const [wx, wy] = labels['Westhaven']!;
    const [ex, ey] = labels['Eastbury']!;
    const project = ([lng, lat]: [number, number]): [number, number] => [
      wx + ((ex - wx) * (lng - west[0])) / (east[0] - west[0]),
      wy + ((ey - wy) * (mercatorY(lat) - mercatorY(west[1]))) / (mercatorY(east[1]) - mercatorY(west[1])),
    ];
    const edge = lngLatOf(tileOf(WATER_EAST_LNG, 49.25, Z).px, 0)[0];
    const lats = [49.215, 49.23, 49.25, 49.265, 49.28];
    const waterSide = await pixelsAt(
      page,
      lats.map((lat) => project([edge - 0.015, lat])),
    );
    const landSide = await pixelsAt(
      page,
      lats.map((lat) => project([edge + 0.015, lat])),
    );
    // A box may cover a point or two; the base map itself is water on one side only.
    expect(waterSide.filter(isWater).length, JSON.stringify(waterSide)).toBeGreaterThanOrEqual(3);
    expect(landSide.filter(isWater), JSON.stringify(landSide)).toEqual([]);
    // The archive is read from the File kept in IndexedDB: nothing was fetched for it.
    expect(requests.filter((u) => u.includes('pmtiles'))).toEqual([]);
  });

  it('refuses a style on an origin the page does not allow, and draws one from the origin the build allowed', async () => {
    await page.evaluate(() => (location.hash = '#settings'));
    // The archive kept since the last page load, then forgotten.
    const size = `${(archive().length / 1000).toFixed(1)} kB`;
    expect(await page.textContent('#set-pmtiles-info')).toBe(`Kept in this browser: test.pmtiles (${size}).`);
    await page.click('#set-pmtiles-forget');
    await page.waitForFunction(() => document.getElementById('set-pmtiles-info')!.textContent === 'No archive kept.');
    expect(await page.isDisabled('#set-pmtiles-forget')).toBe(true);
    expect(await page.textContent('#set-policy')).toContain(`and from ${stylesOrigin}.`);
    const otherOrigin = stylesOrigin.replace('127.0.0.1', 'localhost');
    await page.check('input[name="set-basemap"][value="style"]');
    await page.fill('#set-style', `${otherOrigin}/style.json`);
    await page.click('#set-save');
    const message = await page.textContent('#set-basemap-message');
    expect(message).toContain(`on another server, ${otherOrigin}, and this page's Content-Security-Policy`);
    expect(message).toContain(`PATROLCAST_BASEMAP_ORIGIN=${otherOrigin} npm run build`);
    expect(requests.some((u) => u.startsWith(otherOrigin))).toBe(false);
    await page.fill('#set-style', `${stylesOrigin}/style.json`);
    await Promise.all([page.waitForEvent('load'), page.click('#set-save')]);
    await page.waitForSelector('body[data-sergeant-ready]', { timeout: 90_000 });
    expect(requests).toContain(`${stylesOrigin}/style.json`);
    expect(requests).toContain(`${stylesOrigin}/square.geojson`);
    // The force's square (the West beat's rectangle) fills the map's west, under the boxes.
    const canvas = await page.$eval('#sg-map canvas', (c) => c.getBoundingClientRect().toJSON() as DOMRect);
    const corners = await pixelsAt(page, [
      [20, canvas.height - 20],
      [canvas.width / 4, canvas.height / 2],
    ]);
    expect(corners.filter(isMagenta).length, JSON.stringify(corners)).toBeGreaterThanOrEqual(1);
    expect(requests.filter((u) => !u.startsWith(served.origin) && !u.startsWith(stylesOrigin) && !/^(data|blob):/.test(u))).toEqual([]);
  });

  it('draws the plain map and says why when the style cannot be loaded', async () => {
    await page.evaluate(() => (location.hash = '#settings'));
    await page.fill('#set-style', `${stylesOrigin}/missing.json`);
    await Promise.all([page.waitForEvent('load'), page.click('#set-save')]);
    // The boxes are drawn all the same, on the plain background.
    await page.waitForSelector('body[data-sergeant-ready]', { timeout: 90_000 });
    expect(await page.textContent('#sg-map .basemap-error')).toMatch(
      new RegExp(`^Base map not drawn: the style ${stylesOrigin}/missing\\.json could not be loaded \\(.+\\)$`),
    );
    expect(Number(await page.getAttribute('body', 'data-boxes'))).toBeGreaterThan(0);
  });
});
