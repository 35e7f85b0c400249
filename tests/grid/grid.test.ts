import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { area as turfArea, booleanClockwise, distance as turfDistance, polygon as turfPolygon } from '@turf/turf';
import type { Incident, TimePrecision } from '../../engine/types.ts';
import {
  DEFAULT_RES,
  GridError,
  buildEventSet,
  cellAreaKm2,
  cellBoundaryLngLat,
  cellCenter,
  cellToFeature,
  districtOutlines,
  districtsFromLabels,
  districtsFromPolygons,
  gridDisk,
  gridDistance,
  incidentCell,
  neighboursWithinKm,
  studyArea,
} from '../../engine/grid/index.ts';
import * as h3 from 'h3-js';
import { makeCellIdLookup } from '../../engine/grid/eventSet.ts';
import { seededRandom } from '../../engine/random.ts';

function inc(
  lat: number,
  lng: number,
  timeMs: number,
  extra: { district?: string | null; id?: string; precision?: TimePrecision; line?: number } = {},
): Incident {
  return {
    id: extra.id ?? null,
    timeMs,
    precision: extra.precision ?? 'minute',
    timeOfDayUnknown: false,
    lat,
    lng,
    category: null,
    district: extra.district ?? null,
    source: { file: 'test.csv', line: extra.line ?? 1 },
  };
}

// A point in downtown Vancouver and a small offset that stays in another cell.
const VAN = { lat: 49.2827, lng: -123.1207 };

/** Square of side `km` around a point, as GeoJSON ring (lng, lat), counter-clockwise. */
function square(lat: number, lng: number, km: number): [number, number][] {
  const dLat = km / 2 / 111.32;
  const dLng = km / 2 / (111.32 * Math.cos((lat * Math.PI) / 180));
  return [
    [lng - dLng, lat - dLat],
    [lng + dLng, lat - dLat],
    [lng + dLng, lat + dLat],
    [lng - dLng, lat + dLat],
    [lng - dLng, lat - dLat],
  ];
}

describe('cells', () => {
  it('DEFAULT_RES is 10 (PredPol-sized boxes)', () => {
    expect(DEFAULT_RES).toBe(10);
  });

  it('incidentCell matches the h3-js README example at res 7 and nests at res 10', () => {
    // h3-js README: latLngToCell(37.3615593, -122.0553238, 7) === '87283472bffffff'
    expect(incidentCell(37.3615593, -122.0553238, 7)).toBe('87283472bffffff');
    const c10 = incidentCell(37.3615593, -122.0553238, 10);
    expect(c10).toMatch(/^8a[0-9a-f]{13}$/);
    // The res-10 cell's centre lies in the res-7 cell (hierarchy: H3 digits 8..10 refine res 7).
    const centre = cellCenter(c10);
    expect(incidentCell(centre.lat, centre.lng, 7)).toBe('87283472bffffff');
  });

  it('incidentCell rejects out-of-range coordinates and resolutions with coded errors', () => {
    expect(() => incidentCell(91, 0, 10)).toThrowError(expect.objectContaining({ code: 'E_LATLNG_DOMAIN', value: 91 }));
    expect(() => incidentCell(Number.NaN, 0, 10)).toThrowError(GridError);
    expect(() => incidentCell(0, 181, 10)).toThrowError(expect.objectContaining({ code: 'E_LATLNG_DOMAIN' }));
    expect(() => incidentCell(0, 0, 16)).toThrowError(expect.objectContaining({ code: 'E_RES_DOMAIN', value: 16 }));
    expect(() => incidentCell(0, 0, 9.5)).toThrowError(expect.objectContaining({ code: 'E_RES_DOMAIN' }));
  });

  it('cellAreaKm2 of a res-10 cell is about 0.015 km² and agrees with turf.area of its boundary', () => {
    const c = incidentCell(VAN.lat, VAN.lng, 10);
    const a = cellAreaKm2(c);
    // H3 table: res 10 average hexagon area 0.0150475 km²; cells range about ±30% around it.
    expect(a).toBeGreaterThan(0.011);
    expect(a).toBeLessThan(0.017);
    const turfKm2 = turfArea(turfPolygon([cellBoundaryLngLat(c)])) / 1e6;
    expect(Math.abs(a - turfKm2) / a).toBeLessThan(0.005);
  });

  it('cellBoundaryLngLat is a closed counter-clockwise [lng, lat] ring around the centre', () => {
    const c = incidentCell(VAN.lat, VAN.lng, 10);
    const ring = cellBoundaryLngLat(c);
    expect(ring).toHaveLength(7);
    expect(ring[0]).toEqual(ring[6]);
    expect(booleanClockwise(ring)).toBe(false);
    const { lat, lng } = cellCenter(c);
    for (const [x, y] of ring) {
      expect(Math.abs(x - lng)).toBeLessThan(0.002);
      expect(Math.abs(y - lat)).toBeLessThan(0.002);
    }
  });

  it('cellToFeature is a GeoJSON Polygon feature carrying the properties', () => {
    const c = incidentCell(VAN.lat, VAN.lng, 10);
    const f = cellToFeature(c, { h3: c, rank: 1 });
    expect(f.type).toBe('Feature');
    expect(f.geometry.type).toBe('Polygon');
    expect(f.geometry.coordinates[0]).toEqual(cellBoundaryLngLat(c));
    expect(f.properties).toEqual({ h3: c, rank: 1 });
  });

  it('gridDisk(cell, k) has 3k² + 3k + 1 cells, each within grid distance k', () => {
    const c = incidentCell(VAN.lat, VAN.lng, 10);
    for (const k of [0, 1, 2, 5]) {
      const disk = gridDisk(c, k);
      expect(disk).toHaveLength(3 * k * k + 3 * k + 1);
      expect(disk).toContain(c);
      expect([...disk].sort()).toEqual(disk);
      for (const d of disk) expect(gridDistance(c, d)).toBeLessThanOrEqual(k);
    }
    expect(gridDisk(c, 1).filter((d) => gridDistance(c, d) === 1)).toHaveLength(6);
  });

  it('gridDistance refuses cells of different resolutions', () => {
    const a = incidentCell(VAN.lat, VAN.lng, 10);
    const b = incidentCell(VAN.lat, VAN.lng, 9);
    expect(() => gridDistance(a, b)).toThrowError(expect.objectContaining({ code: 'E_DISTANCE' }));
    expect(() => gridDistance(a, 'nonsense')).toThrowError(expect.objectContaining({ code: 'E_CELL_INVALID' }));
  });

  it('neighboursWithinKm finds exactly the cells a brute-force scan with turf.distance finds', () => {
    const c = incidentCell(VAN.lat, VAN.lng, 10);
    for (const km of [0, 0.2, 0.4]) {
      const got = neighboursWithinKm(c, km);
      const brute = gridDisk(c, 12)
        .map((d) => {
          const p = cellCenter(d);
          const q = cellCenter(c);
          return { cell: d, distanceKm: turfDistance([q.lng, q.lat], [p.lng, p.lat], { units: 'kilometers' }) };
        })
        .filter((x) => x.distanceKm <= km - 1e-6 || x.cell === c);
      const gotCells = new Set(got.map((x) => x.cell));
      for (const b of brute) expect(gotCells.has(b.cell)).toBe(true);
      expect(got[0]).toEqual({ cell: c, distanceKm: 0 });
      for (let i = 1; i < got.length; i++) {
        expect(got[i]!.distanceKm).toBeGreaterThanOrEqual(got[i - 1]!.distanceKm);
        expect(got[i]!.distanceKm).toBeLessThanOrEqual(km);
      }
    }
    // Res-10 centres near Vancouver are about 0.12 km apart: the six neighbours are within 0.2 km,
    // the ring at grid distance 3 (≥ 0.31 km) is not.
    const near = new Set(neighboursWithinKm(c, 0.2).map((x) => x.cell));
    for (const d of gridDisk(c, 1)) expect(near.has(d)).toBe(true);
    for (const d of gridDisk(c, 3)) if (gridDistance(c, d) === 3) expect(near.has(d)).toBe(false);
  });
});

describe('studyArea', () => {
  it('a cell’s own boundary as polygon gives exactly that cell', () => {
    const c = incidentCell(VAN.lat, VAN.lng, 10);
    const res = studyArea({ res: 10, polygon: { type: 'Polygon', coordinates: [cellBoundaryLngLat(c)] } });
    expect(res.cells).toEqual([c]);
    expect(res.areaKm2).toBeCloseTo(cellAreaKm2(c), 12);
  });

  it('a res-9 cell’s boundary at res 10 gives its 7 children (centre child and its ring)', () => {
    const parent = incidentCell(VAN.lat, VAN.lng, 9);
    const centre = cellCenter(parent);
    const centreChild = incidentCell(centre.lat, centre.lng, 10);
    const res = studyArea({ res: 10, polygon: { type: 'Polygon', coordinates: [cellBoundaryLngLat(parent)] } });
    expect(res.cells).toEqual(gridDisk(centreChild, 1));
  });

  it('a 1 km square holds about 1 km / cell area cells; a MultiPolygon of two squares adds up; holes are left out', () => {
    const sq = square(VAN.lat, VAN.lng, 1);
    const one = studyArea({ res: 10, polygon: { type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [sq] } } });
    const perCell = cellAreaKm2(incidentCell(VAN.lat, VAN.lng, 10));
    expect(one.cells.length).toBeGreaterThan((1 / perCell) * 0.9);
    expect(one.cells.length).toBeLessThan((1 / perCell) * 1.1);
    expect(Math.abs(one.areaKm2 - 1)).toBeLessThan(0.1);

    const sq2 = square(VAN.lat + 0.05, VAN.lng, 1);
    const two = studyArea({ res: 10, polygon: { type: 'MultiPolygon', coordinates: [[sq], [sq2]] } });
    const other = studyArea({ res: 10, polygon: { type: 'Polygon', coordinates: [sq2] } });
    expect(two.cells).toEqual([...one.cells, ...other.cells].sort());

    const hole = square(VAN.lat, VAN.lng, 0.4).reverse();
    const holed = studyArea({ res: 10, polygon: { type: 'Polygon', coordinates: [sq, hole] } });
    const inHole = studyArea({ res: 10, polygon: { type: 'Polygon', coordinates: [square(VAN.lat, VAN.lng, 0.4)] } });
    expect(holed.cells.length).toBe(one.cells.length - inHole.cells.length);
    for (const c of inHole.cells) expect(holed.cells).not.toContain(c);
  });

  it('without a polygon, covers the incidents’ convex hull and every incident’s own cell', () => {
    const sq = square(VAN.lat, VAN.lng, 1);
    const corners = sq.slice(0, 4).map(([lng, lat]) => inc(lat, lng, 0));
    const fromHull = studyArea({ res: 10, incidents: corners });
    const fromPolygon = studyArea({ res: 10, polygon: { type: 'Polygon', coordinates: [sq] } });
    for (const c of fromPolygon.cells) expect(fromHull.cells).toContain(c);
    for (const i of corners) expect(fromHull.cells).toContain(incidentCell(i.lat, i.lng, 10));
    expect(fromHull.cells.length - fromPolygon.cells.length).toBeLessThanOrEqual(4);
    // Two points: no hull, only their cells.
    expect(studyArea({ res: 10, incidents: corners.slice(0, 2) }).cells).toHaveLength(2);
  });

  it('needs a polygon or incidents; rejects points as areas', () => {
    expect(() => studyArea({ res: 10 })).toThrowError(expect.objectContaining({ code: 'E_ARGUMENT' }));
    expect(() => studyArea({ res: 10, polygon: { type: 'Point', coordinates: [0, 0] } as unknown as GeoJSON.Polygon })).toThrowError(
      expect.objectContaining({ code: 'E_GEOJSON' }),
    );
  });
});

describe('districts', () => {
  const a = incidentCell(VAN.lat, VAN.lng, 10);
  const bPoint = { lat: VAN.lat + 0.01, lng: VAN.lng };
  const b = incidentCell(bPoint.lat, bPoint.lng, 10);

  it('districtsFromLabels takes the majority label of each cell', () => {
    const incs = [
      inc(VAN.lat, VAN.lng, 0, { district: 'Zeta' }),
      inc(VAN.lat, VAN.lng, 0, { district: 'Zeta' }),
      inc(VAN.lat, VAN.lng, 0, { district: 'Alpha' }),
      inc(bPoint.lat, bPoint.lng, 0, { district: 'Alpha' }),
    ];
    const m = districtsFromLabels(incs, 10);
    expect(m.get(a)).toBe('Zeta');
    expect(m.get(b)).toBe('Alpha');
  });

  it('districtsFromLabels breaks ties by name, ignoring missing labels', () => {
    const incs = [
      inc(VAN.lat, VAN.lng, 0, { district: 'Mount Pleasant' }),
      inc(VAN.lat, VAN.lng, 0, { district: 'Kitsilano' }),
      inc(VAN.lat, VAN.lng, 0, { district: null }),
      inc(VAN.lat, VAN.lng, 0, { district: null }),
      inc(bPoint.lat, bPoint.lng, 0, { district: null }),
    ];
    for (const order of [incs, [...incs].reverse()]) {
      const m = districtsFromLabels(order, 10);
      expect(m.get(a)).toBe('Kitsilano');
      expect(m.has(b)).toBe(false);
    }
  });

  it('districtsFromLabels does not depend on the order of the incidents (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.constantFrom('A', 'B', 'C', null)), { minLength: 1, maxLength: 30 }),
        (specs) => {
          const incs = specs.map(([k, d]) => inc(VAN.lat + 0.01 * k, VAN.lng, 0, { district: d }));
          const forward = districtsFromLabels(incs, 10);
          const backward = districtsFromLabels([...incs].reverse(), 10);
          expect([...backward]).toEqual([...forward]);
          // Each label is a most frequent one in its cell, and the first by name among those.
          for (const [cell, label] of forward) {
            const counts = new Map<string, number>();
            for (const i of incs)
              if (i.district && incidentCell(i.lat, i.lng, 10) === cell) counts.set(i.district, (counts.get(i.district) ?? 0) + 1);
            const max = [...counts.values()].reduce((m, c) => Math.max(m, c), 0);
            expect(label).toBe(
              [...counts]
                .filter(([, c]) => c === max)
                .map(([l]) => l)
                .sort()[0],
            );
          }
        },
      ),
      { numRuns: 100, seed: 11 },
    );
  });

  it('districtsFromPolygons assigns cells by centre, first polygon wins, name property auto-detected', () => {
    const west = square(VAN.lat, VAN.lng - 0.005, 2); // spans ±0.0137° of longitude, ±0.009° of latitude
    const all = square(VAN.lat, VAN.lng, 10);
    const fcoll = {
      type: 'FeatureCollection' as const,
      features: [
        { type: 'Feature' as const, properties: { name: 'West' }, geometry: { type: 'Polygon' as const, coordinates: [west] } },
        { type: 'Feature' as const, properties: { name: 'City' }, geometry: { type: 'Polygon' as const, coordinates: [all] } },
      ],
    };
    const farAway = incidentCell(VAN.lat + 1, VAN.lng, 10);
    const m = districtsFromPolygons(fcoll, [a, b, farAway]);
    expect(m.get(a)).toBe('West');
    expect(m.get(b)).toBe('City');
    expect(m.has(farAway)).toBe(false);
    const renamed = { ...fcoll, features: fcoll.features.map((f) => ({ ...f, properties: { beat: f.properties.name } })) };
    expect(() => districtsFromPolygons(renamed, [a])).toThrowError(expect.objectContaining({ code: 'E_NAME_PROPERTY' }));
    expect(districtsFromPolygons(renamed, [a], 'beat').get(a)).toBe('West');
  });

  it('districtOutlines gives one MultiPolygon per district, sorted by name', () => {
    const m = new Map([
      [b, 'B'],
      [a, 'A'],
    ]);
    const out = districtOutlines(m);
    expect(out.features.map((f) => f.properties.district)).toEqual(['A', 'B']);
    expect(out.features[0]!.geometry.type).toBe('MultiPolygon');
    expect(out.features[0]!.properties.cells).toBe(1);
  });
});

describe('buildEventSet', () => {
  const t0 = Date.UTC(2023, 0, 1);
  const H = 3.6e6;

  it('sorts by (cell, time, incident index), lists cells in sorted order and measures hours from the origin', () => {
    const incs = [
      inc(bPointLat(), VAN.lng, t0 + 5 * H, { id: 'b5' }),
      inc(VAN.lat, VAN.lng, t0 + 3 * H, { id: 'a3' }),
      inc(VAN.lat, VAN.lng, t0 + 1 * H, { id: 'a1' }),
      inc(VAN.lat, VAN.lng, t0 + 3 * H, { id: 'a3bis' }),
      inc(bPointLat(), VAN.lng, t0 + 2 * H, { id: 'b2' }),
    ];
    const ev = buildEventSet(incs, 10, t0 - 10 * H);
    expect(ev.cells).toEqual([...ev.cells].sort());
    expect(ev.cells).toHaveLength(2);
    const ids = [...ev.incidentIndex].map((k) => incs[k]!.id);
    const aFirst = ev.cells[0] === incidentCell(VAN.lat, VAN.lng, 10);
    const aIds = ['a1', 'a3', 'a3bis'];
    const bIds = ['b2', 'b5'];
    expect(ids).toEqual(aFirst ? [...aIds, ...bIds] : [...bIds, ...aIds]);
    const byId = new Map(ids.map((id, k) => [id, k]));
    expect(ev.tHours[byId.get('a1')!]).toBe(11);
    expect(ev.tHours[byId.get('b5')!]).toBe(15);
    expect(ev.cells[ev.cell[byId.get('b2')!]!]).toBe(incidentCell(bPointLat(), VAN.lng, 10));
    expect(ev.precisionCounts).toEqual({ minute: 5 });
  });

  it('bins every incident into the cell incidentCell gives (thousands of points, repeated)', () => {
    let seed = 12345;
    const rand = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
    const pts = Array.from({ length: 3000 }, () => [49.2 + 0.1 * rand(), -123.2 + 0.15 * rand()] as const);
    const incs = Array.from({ length: 9000 }, (_, k) => {
      const [lat, lng] = pts[k % pts.length]!;
      return inc(lat, lng, t0 + k * H, { id: String(k) });
    });
    const ev = buildEventSet(incs, 10, t0);
    expect(ev.cell.length).toBe(9000);
    for (let k = 0; k < ev.cell.length; k++) {
      const i = incs[ev.incidentIndex[k]!]!;
      expect(ev.cells[ev.cell[k]!]).toBe(incidentCell(i.lat, i.lng, 10));
    }
  });

  it('keeps only incidents strictly before endMs and those include() accepts', () => {
    const incs = [0, 1, 2, 3].map((h) => inc(VAN.lat, VAN.lng, t0 + h * H, { id: String(h) }));
    const ev = buildEventSet(incs, 10, t0, { endMs: t0 + 2 * H });
    expect([...ev.tHours]).toEqual([0, 1]);
    const odd = buildEventSet(incs, 10, t0, { include: (_i, k) => k % 2 === 1 });
    expect([...odd.incidentIndex]).toEqual([1, 3]);
  });

  it('names the file and line of a bad incident', () => {
    const bad = [inc(VAN.lat, VAN.lng, t0), inc(95, VAN.lng, t0, { line: 42 })];
    expect(() => buildEventSet(bad, 10, t0)).toThrowError(/test\.csv, line 42/);
    const noTime = [inc(VAN.lat, VAN.lng, Number.NaN, { line: 7 })];
    expect(() => buildEventSet(noTime, 10, t0)).toThrowError(/line 7/);
  });

  it("monthPlacement 'spread' spreads a cell's month events evenly over the calendar month", () => {
    const feb = Date.UTC(2014, 1, 1); // data.police.uk month start (Europe/London = UTC in February)
    const incs = [0, 1, 2].map(() => inc(VAN.lat, VAN.lng, feb, { precision: 'month' }));
    incs.push(inc(VAN.lat, VAN.lng, Date.UTC(2014, 2, 1), { precision: 'month' }));
    const start = buildEventSet(incs, 10, feb);
    expect([...start.tHours]).toEqual([0, 0, 0, 28 * 24]);
    const spread = buildEventSet(incs, 10, feb, { monthPlacement: 'spread' });
    const febHours = 28 * 24;
    expect([...spread.tHours]).toEqual([febHours / 6, febHours / 2, (5 * febHours) / 6, febHours + (31 * 24) / 2]);
    expect(spread.monthPlacement).toBe('spread');
    expect(spread.precisionCounts).toEqual({ month: 4 });
  });

  it("monthPlacement 'spread' keeps events before endMs when endMs falls inside their month", () => {
    const feb = Date.UTC(2014, 1, 1);
    const incs = [0, 1].map(() => inc(VAN.lat, VAN.lng, feb, { precision: 'month' }));
    const ev = buildEventSet(incs, 10, feb, { monthPlacement: 'spread', endMs: feb + 10 * 24 * H });
    // Spread over the first 10 days only: at 1/4 and 3/4 of 240 h.
    expect([...ev.tHours]).toEqual([60, 180]);
  });

  it('the order of the input does not matter (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 6 })), { minLength: 1, maxLength: 40 }),
        fc.integer(),
        (specs, seed) => {
          const incs = specs.map(([cellK, hour], k) => inc(VAN.lat + cellK * 0.01, VAN.lng, t0 + hour * H, { id: `e${k}` }));
          const shuffled = [...incs];
          let s = seed >>> 0;
          for (let i = shuffled.length - 1; i > 0; i--) {
            s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
            const j = s % (i + 1);
            [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
          }
          const x = buildEventSet(incs, 10, t0);
          const y = buildEventSet(shuffled, 10, t0);
          expect(y.cells).toEqual(x.cells);
          expect([...y.cell]).toEqual([...x.cell]);
          expect([...y.tHours]).toEqual([...x.tHours]);
          // Same multiset of incidents within each (cell, time) group.
          const key = (ev: typeof x, list: Incident[]) =>
            [...ev.incidentIndex].map((k, i) => `${ev.cell[i]}|${ev.tHours[i]}|${list[k]!.id}`).sort();
          expect(key(y, shuffled)).toEqual(key(x, incs));
        },
      ),
      { numRuns: 100, seed: 7 },
    );
  });
});

function bPointLat(): number {
  return VAN.lat + 0.01;
}

describe('makeCellIdLookup with a bounded point cache', () => {
  it('gives the same ids and cells as uncached look-ups when the cache starts afresh many times', () => {
    const rand = seededRandom(7);
    const points = Array.from({ length: 2000 }, () => [49.2 + rand() * 0.05, -123.2 + rand() * 0.05] as const);
    const small = makeCellIdLookup(10, 4); // 8 slots: emptied every 4 new points
    const big = makeCellIdLookup(10);
    for (const pass of [0, 1]) {
      for (const [lat, lng] of points) {
        const id = small.lookup(lat, lng);
        expect(small.cells[id]).toBe(h3.latLngToCell(lat, lng, 10));
        expect(id, `pass ${pass}`).toBe(big.lookup(lat, lng)); // same first-seen numbering
      }
    }
    expect(small.cells).toEqual(big.cells);
    expect(new Set(small.cells).size).toBe(small.cells.length);
  });
});
