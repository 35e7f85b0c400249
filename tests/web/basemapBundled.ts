/**
 * Browser tests of the bundled base map (web/basemap.ts), run by tests/web/basemapSources.test.ts
 * on its page (one build and one browser for both): with the bundled Vancouver data loaded,
 * the shift map draws water and parks under the boxes and credits the City of Vancouver.
 * Canvas positions of known places come from the local-area name markers: each sits at a
 * lng/lat written in fixtures/vancouver/basemap.geojson, and Web Mercator is linear in x and in
 * y = ln(tan(π/4 + φ/2)), so two of them give the projection (no hook into the page's map).
 */
import { readFileSync } from 'node:fs';
import type { FeatureCollection } from 'geojson';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import type { Served } from './harness.ts';

const BASEMAP = JSON.parse(readFileSync('fixtures/vancouver/basemap.geojson', 'utf8')) as FeatureCollection;
const LABELS = new Map(
  BASEMAP.features
    .filter((f) => f.properties!['layer'] === 'area')
    .map((f) => [String(f.properties!['name']), [Number(f.properties!['labelLon']), Number(f.properties!['labelLat'])] as const]),
);

/** Water #a8cbe6 and park #c5e0b0 (web/basemap.ts), possibly under the districts' white veil. */
const isWater = ([r, g, b]: number[]): boolean => b! - r! > 25 && b! > g! && g! > r!;
const isPark = ([r, g, b]: number[]): boolean => g! - r! > 15 && g! - b! > 25;

const mercatorY = (latDeg: number): number => Math.log(Math.tan(Math.PI / 4 + (latDeg * Math.PI) / 360));

interface Labelled {
  readonly name: string;
  readonly x: number;
  readonly y: number;
}

/** Screen positions (CSS px from the canvas's top-left) of the local-area names. */
async function labelPositions(page: Page): Promise<Labelled[]> {
  return page.$$eval('#sg-map .area-label', (labels) => {
    const canvas = document.querySelector('#sg-map canvas')!.getBoundingClientRect();
    return labels.map((label) => {
      const r = label.getBoundingClientRect();
      return { name: label.textContent ?? '', x: (r.left + r.right) / 2 - canvas.left, y: (r.top + r.bottom) / 2 - canvas.top };
    });
  });
}

/** lng/lat → CSS px, fitted on the two labels furthest apart in x and in y. */
function projection(labels: readonly Labelled[]): (lngLat: readonly [number, number]) => [number, number] {
  const at = (l: Labelled): readonly [number, number] => LABELS.get(l.name)!;
  const pick = (key: (l: Labelled) => number): [Labelled, Labelled] => {
    let lo = labels[0]!;
    let hi = labels[0]!;
    for (const l of labels) {
      if (key(l) < key(lo)) lo = l;
      if (key(l) > key(hi)) hi = l;
    }
    return [lo, hi];
  };
  const [xa, xb] = pick((l) => l.x);
  const [ya, yb] = pick((l) => l.y);
  const sx = (xb.x - xa.x) / (at(xb)[0] - at(xa)[0]);
  const sy = (yb.y - ya.y) / (mercatorY(at(yb)[1]) - mercatorY(at(ya)[1]));
  return ([lng, lat]) => [xa.x + sx * (lng - at(xa)[0]), ya.y + sy * (mercatorY(lat) - mercatorY(at(ya)[1]))];
}

/** The map canvas's RGB at CSS-pixel points (also used by basemapSources.test.ts). */
export async function pixelsAt(page: Page, points: readonly [number, number][]): Promise<number[][]> {
  return page.evaluate((pts) => {
    const source = document.querySelector<HTMLCanvasElement>('#sg-map canvas')!;
    const canvas = document.createElement('canvas');
    canvas.width = source.width;
    canvas.height = source.height;
    const context = canvas.getContext('2d')!;
    context.drawImage(source, 0, 0);
    const scale = source.width / source.getBoundingClientRect().width;
    return pts.map(([x, y]) => [...context.getImageData(Math.round(x * scale), Math.round(y * scale), 1, 1).data].slice(0, 3));
  }, points);
}

/** The page under test, opened on the bundled data with the shift map drawn. */
export interface BundledPage {
  readonly page: Page;
  readonly served: Served;
  /** Every URL the page's context requested. */
  readonly requests: readonly string[];
}

/** Registers the bundled base map's tests (call inside a describe, before the page's Settings change). */
export function bundledBasemapTests(current: () => BundledPage): void {
  it('writes the 22 local-area names and credits the City of Vancouver', async () => {
    const { page } = current();
    const names = await page.$$eval('#sg-map .area-label', (labels) => labels.map((l) => l.textContent));
    expect(names).toHaveLength(22);
    expect(names).toContain('Kitsilano');
    expect(names).toContain('Downtown');
    expect(await page.textContent('#sg-map .maplibregl-ctrl-attrib')).toContain(
      'Contains information licensed under the Open Government Licence – Vancouver',
    );
  });

  it('paints water and parks under the boxes at known places', async () => {
    const { page } = current();
    // The whole city in view: every district's boxes.
    await page.evaluate(() => delete document.body.dataset['sergeantReady']);
    await page.selectOption('#sg-district', '');
    await page.waitForSelector('body[data-sergeant-ready]', { timeout: 60_000 });
    const project = projection(await labelPositions(page));
    const places: Record<string, [number, number]> = {
      // Open water of English Bay, west of the West End's beaches.
      englishBay: [-123.165, 49.285],
      // Burrard Inlet north of Crab Park.
      burrardInlet: [-123.09, 49.293],
      // Stanley Park's forest, inland of the seawall.
      stanleyPark: [-123.143, 49.302],
      // Queen Elizabeth Park, the lawns east of the conservatory.
      queenElizabethPark: [-123.11, 49.24],
      // Land, not a park: Main Street at 41st Avenue.
      mainAnd41st: [-123.1013, 49.2331],
    };
    const names = Object.keys(places);
    const screen = names.map((name) => project(places[name]!));
    for (const [x, y] of screen) {
      expect(x).toBeGreaterThan(0);
      expect(y).toBeGreaterThan(0);
      expect(x).toBeLessThan(1280);
      expect(y).toBeLessThan(720);
    }
    const rgb = Object.fromEntries((await pixelsAt(page, screen)).map((pixel, i) => [names[i]!, pixel]));
    expect(isWater(rgb['englishBay']!), `English Bay ${rgb['englishBay']}`).toBe(true);
    expect(isWater(rgb['burrardInlet']!), `Burrard Inlet ${rgb['burrardInlet']}`).toBe(true);
    expect(isPark(rgb['stanleyPark']!), `Stanley Park ${rgb['stanleyPark']}`).toBe(true);
    expect(isPark(rgb['queenElizabethPark']!), `Queen Elizabeth Park ${rgb['queenElizabethPark']}`).toBe(true);
    const street = rgb['mainAnd41st']!;
    expect(isWater(street) || isPark(street), `Main and 41st ${street}`).toBe(false);
  });

  it('fetches the base map from the page itself', () => {
    const { requests, served } = current();
    expect(requests.some((url) => url.includes('basemap') && url.endsWith('.geojson'))).toBe(true);
    expect(requests.filter((url) => !url.startsWith(served.origin) && !url.startsWith('data:') && !url.startsWith('blob:'))).toEqual([]);
  });
}
