/**
 * Placed boxes through the service (issue 11): a hand-worked case on a tiny synthetic data set
 * where the best placed box straddles two grid cells and holds the incidents of both, and the
 * CLI's --placement flag.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { area as turfArea } from '@turf/turf';
import { parse } from 'csv-parse/sync';
import {
  boxesToCsv,
  boxesToGeoJSON,
  cellAreaKm2,
  cellCenter,
  coarseParent,
  incidentCell,
  shiftBoxes,
  districtRoutes,
} from '../../engine/index.ts';
import { makeFit } from '../forecast/helpers.ts';
import { runCli } from '../support/cli.ts';
import { AT, FIXTURE, SHIFT, incidentAt, straddle } from './support.ts';

const HOUR_MS = 3_600_000;
const S = SHIFT.startMs;

const { a: A, b: B, f: F, g: G } = straddle();

const incident = incidentAt;

// Three incidents in F (of A), three in G (of B): each grid cell holds three, the box at F six.
const incidents = [
  incident('f1', F, 10),
  incident('f2', F, 20),
  incident('f3', F, 30),
  incident('g1', G, 5),
  incident('g2', G, 50),
  incident('g3', G, 100),
];
const THETA = 0.5;
const OMEGA = 0.1;
const MU = { [A]: 0.1, [B]: 0.05 };
const fit = { ...makeFit(THETA, OMEGA, MU), window: { startMs: S - 200 * HOUR_MS, endMs: S } };
const request = { incidents, tz: 'America/Vancouver', res: 10, shift: SHIFT, fit, top: 1 } as const;
/** Same-cell triggering over the 8-hour shift of an incident `age` hours before it. */
const trig = (age: number): number => THETA * (Math.exp(-OMEGA * age) - Math.exp(-OMEGA * (age + 8)));
const EA = 0.1 * 8 + trig(10) + trig(20) + trig(30);
const EB = 0.05 * 8 + trig(5) + trig(50) + trig(100);

describe('shiftBoxes placement (hand-worked, two grid cells)', () => {
  const fine = shiftBoxes(request);
  const grid = shiftBoxes({ ...request, placement: 'grid' });

  it('gives each district its patrol order over its boxes, from box 1 (engine/forecast districtRoutes)', () => {
    for (const cast of [fine, grid, shiftBoxes({ ...request, top: 3, placement: 'grid' })]) {
      expect(cast.routes).toEqual(districtRoutes(cast.boxes));
      expect(cast.routes.map((r) => r.district)).toEqual([...new Set(cast.boxes.map((b) => b.district))]);
      for (const r of cast.routes) {
        expect(r.ranks[0]).toBe(1);
        expect(r.ranks.length).toBe(cast.boxes.filter((b) => b.district === r.district).length);
      }
    }
  });

  it('records the placement; the grid box is cell A with its own expected count', () => {
    expect([fine.placement, grid.placement]).toEqual(['fine', 'grid']);
    expect(grid.boxes.map((b) => [b.h3, b.district])).toEqual([[A, 'D']]);
    expect(grid.boxes[0]!.expected).toBeCloseTo(EA, 12);
    expect(grid.boxes[0]!.cells).toBeUndefined();
  });

  it('places one box over F and G: 6 incidents of history against 3 in either grid cell, and more expected crime', () => {
    const box = fine.boxes[0]!;
    expect(fine.boxes).toHaveLength(1);
    expect(box.cells).toHaveLength(7);
    expect(box.cells).toContain(F);
    expect(box.cells).toContain(G);
    const inBox = new Set(box.cells);
    const held = incidents.filter((i) => inBox.has(incidentCell(i.lat, i.lng, 11))).length;
    expect(held).toBe(6);
    // Shares (n + 1/2)/(3 + 7/2): F and G 3.5/6.5 of their cell's count, every other child 0.5/6.5.
    const others = box.cells!.filter((c) => c !== F && c !== G);
    const nA = others.filter((c) => coarseParent(c) === A).length;
    const nB = others.filter((c) => coarseParent(c) === B).length;
    expect([nA, nB]).toEqual(HAND_NA_NB);
    const want = (EA * (3.5 + 0.5 * nA) + EB * (3.5 + 0.5 * nB)) / 6.5;
    expect(box.expected).toBeCloseTo(want, 12);
    expect(box.expected).toBeCloseTo(HAND_EXPECTED, 9);
    expect(box.expected).toBeGreaterThan(grid.boxes[0]!.expected);
    // Background and triggered parts split as their coarse cells' are.
    const bgA = 0.8 / EA;
    const bgB = 0.4 / EB;
    expect(box.background).toBeCloseTo((EA * bgA * (3.5 + 0.5 * nA) + EB * bgB * (3.5 + 0.5 * nB)) / 6.5, 12);
    expect(box.background + box.triggered).toBeCloseTo(box.expected, 12);
    // Contributors: the three incidents of F and G adding most (the most recent), from both cells.
    expect(box.contributors.map((c) => c.incidentId)).toEqual(['g1', 'f1', 'f2']);
    expect(box.contributors[0]!.contribution).toBeCloseTo(trig(5), 12);
    expect(box.explanation).toMatch(/recent incidents in this box, largest: Theft #g1 5 h ago/);
  });

  it('writes the box as one closed Polygon outlining its seven cells, with the centre in the CSV', () => {
    const box = fine.boxes[0]!;
    const gj = boxesToGeoJSON(fine.boxes, { placement: fine.placement });
    const feature = gj.features[0]!;
    const ring = feature.geometry.coordinates[0]!;
    expect(feature.geometry.coordinates).toHaveLength(1);
    expect(ring[0]).toEqual(ring[ring.length - 1]);
    expect(ring).toHaveLength(19); // 18 corners of seven hexagons' union, and the closing repeat
    let sevenKm2 = 0;
    for (const c of box.cells!) sevenKm2 += cellAreaKm2(c);
    expect(Math.abs(turfArea(feature.geometry) / 1e6 / sevenKm2 - 1)).toBeLessThan(0.01);
    expect(feature.properties).toMatchObject({ rank: 1, h3: box.h3, cells: box.cells, district: 'D', placement: 'fine' });
    const rows = parse(boxesToCsv(fine.boxes), { columns: true }) as Record<string, string>[];
    const { lat, lng } = cellCenter(box.h3);
    expect([Number(rows[0]!.lat), Number(rows[0]!.lng)]).toEqual([Number(lat.toFixed(6)), Number(lng.toFixed(6))]);
    expect(rows[0]!.cells!.split(' ')).toEqual(box.cells);
  });
});

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'patrolcast-placement-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('patrolcast forecast --placement (Vancouver fixture)', () => {
  it('fine (default) and grid: placed outlines of seven res-11 cells against res-10 hexagons, the placement recorded', async () => {
    const out: Record<string, { features: { geometry: { coordinates: number[][][] }; properties: Record<string, unknown> }[] }> = {};
    for (const placement of ['fine', 'grid']) {
      const file = join(dir, `${placement}.geojson`);
      const r = await runCli(['forecast', FIXTURE, '--at', AT, '--top', '2', '--placement', placement, '--out', file]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(placement === 'fine' ? /placed boxes/ : /grid boxes/);
      out[placement] = JSON.parse(readFileSync(file, 'utf8'));
    }
    for (const f of out['fine']!.features) {
      expect(f.properties['placement']).toBe('fine');
      expect(f.properties['cells']).toHaveLength(7);
      expect(f.geometry.coordinates[0]).toHaveLength(19);
    }
    for (const f of out['grid']!.features) {
      expect(f.properties['placement']).toBe('grid');
      expect(f.geometry.coordinates[0]).toHaveLength(7);
    }
    const bad = await runCli(['forecast', FIXTURE, '--at', AT, '--placement', 'square']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--placement must be fine or grid, got "square"/);
  }, 120_000);
});

describe('the placement a fit was made for (forecast --fit-out, --fit-in)', () => {
  it('is recorded in the fit file, used by --fit-in unless --placement is given, and the override is noted', async () => {
    const fitFile = join(dir, 'grid-fit.json');
    const made = await runCli(['forecast', FIXTURE, '--at', AT, '--top', '2', '--placement', 'grid', '--fit-out', fitFile]);
    expect(made.code, made.stderr).toBe(0);
    expect(JSON.parse(readFileSync(fitFile, 'utf8')).placement).toBe('grid');
    const reused = await runCli(['forecast', FIXTURE, '--at', AT, '--top', '2', '--fit-in', fitFile]);
    expect(reused.code, reused.stderr).toBe(0);
    expect(reused.stdout).toMatch(/grid boxes/);
    expect(reused.stderr).not.toMatch(/overrides/);
    const overridden = await runCli(['forecast', FIXTURE, '--at', AT, '--top', '2', '--fit-in', fitFile, '--placement', 'fine']);
    expect(overridden.code, overridden.stderr).toBe(0);
    expect(overridden.stdout).toMatch(/placed boxes/);
    expect(overridden.stderr).toContain(`patrolcast: note: --placement fine overrides the placement ${fitFile} was made for (grid)`);
  }, 120_000);
});

/** Worked by hand for this geometry: the box at F holds F, G, three more children of A and one more of B. */
const HAND_NA_NB = [3, 1];
/** (E_A·(3.5 + 1.5) + E_B·(3.5 + 0.5)) / 6.5 with E_A = 0.8 + Σ trig = 0.95226, E_B = 0.4 + Σ trig = 0.56887. */
const HAND_EXPECTED = 1.0825805682922671;
