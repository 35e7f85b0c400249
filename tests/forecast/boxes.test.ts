import { describe, expect, it } from 'vitest';
import { booleanClockwise } from '@turf/turf';
import { parse } from 'csv-parse/sync';
import {
  MIN_CONTRIBUTOR_SHARE,
  NO_DISTRICT,
  boxesToCsv,
  boxesToGeoJSON,
  csvCell,
  explainBox,
  forecastShift,
  patrolBoxes,
  rankCells,
} from '../../engine/forecast/index.ts';
import { gridDisk, incidentCell } from '../../engine/grid/index.ts';
import { contributorParams } from '../../engine/model/index.ts';
import { seededRandom } from '../../engine/random.ts';
import type { PatrolBox } from '../../engine/types.ts';
import { HOUR_MS, makeEvents, makeFit, makeIncident } from './helpers.ts';

const centre = incidentCell(49.2827, -123.1207, 10);
const disk = gridDisk(centre, 4); // 61 cells, sorted by id
const origin = Date.UTC(2024, 0, 1);
const s = origin + 1000 * HOUR_MS;

/** District by position in the disk: 'East' (30 cells), 'West' (25), 'Port' (3), null (3). */
function districtOf(cell: string): string | null {
  const i = disk.indexOf(cell);
  if (i < 0) return null;
  if (i < 30) return 'East';
  if (i < 55) return 'West';
  if (i < 58) return 'Port';
  return null;
}

function setup(seed: number) {
  const rand = seededRandom(seed);
  const mu: Record<string, number> = {};
  // μ on a coarse lattice so that ties happen; the centre cell has none.
  for (const c of disk) if (c !== centre) mu[c] = Math.floor(rand() * 5) * 0.001;
  const evs: [string, number][] = [];
  for (let i = 0; i < 200; i++) evs.push([disk[Math.floor(rand() * disk.length)]!, rand() * 1000]);
  const history = makeEvents(origin, evs);
  const incidents = evs.map((_, i) => makeIncident(`id${i}`, i % 2 === 0 ? 'Theft from Vehicle' : 'Mischief'));
  const fit = makeFit(0.3, 1 / 16, mu);
  const forecast = forecastShift(fit, history, s, 8);
  return { fit, history, incidents, forecast };
}

describe('patrolBoxes', () => {
  const { fit, history, incidents, forecast } = setup(3);
  const base = { districtOf, contributorParams: contributorParams(fit), history, incidents, startMs: s, hours: 8 };

  it('returns exactly K boxes per district, or all its positive cells when it has fewer', () => {
    for (const top of [1, 5, 20, 40]) {
      const boxes = patrolBoxes(forecast, { ...base, top });
      for (const district of ['East', 'West', 'Port', NO_DISTRICT]) {
        const positive = forecast.cells.filter((c, k) => (districtOf(c) ?? NO_DISTRICT) === district && forecast.expected[k]! > 0).length;
        const mine = boxes.filter((b) => b.district === district);
        expect(mine.length).toBe(Math.min(top, positive));
        expect(mine.map((b) => b.rank)).toEqual(mine.map((_, i) => i + 1));
      }
    }
  });

  it('ranks each district by expected count, ties by H3 id, the same as rankCells', () => {
    const boxes = patrolBoxes(forecast, { ...base, top: 1000 });
    const global = rankCells(forecast.cells, forecast.expected).map((k) => forecast.cells[k]!);
    for (const district of ['East', 'West', 'Port', NO_DISTRICT]) {
      const expectedOrder = global.filter(
        (c) => (districtOf(c) ?? NO_DISTRICT) === district && forecast.expected[forecast.cells.indexOf(c)]! > 0,
      );
      expect(boxes.filter((b) => b.district === district).map((b) => b.h3)).toEqual(expectedOrder);
    }
  });

  it('puts districts in name order with "(none)" last, and can drop cells without a district', () => {
    const boxes = patrolBoxes(forecast, { ...base, top: 2 });
    expect([...new Set(boxes.map((b) => b.district))]).toEqual(['East', 'Port', 'West', NO_DISTRICT]);
    const dropped = patrolBoxes(forecast, { ...base, top: 2, unassigned: 'drop' });
    expect(dropped.some((b) => b.district === NO_DISTRICT)).toBe(false);
    expect(dropped).toEqual(boxes.filter((b) => b.district !== NO_DISTRICT));
  });

  it('never makes a box of a cell with an expected count of 0', () => {
    const f = forecastShift(makeFit(0.3, 1, { [disk[0]!]: 0.01 }), makeEvents(origin, [[disk[1]!, 1e6]]), s, 8);
    const boxes = patrolBoxes(f, {
      ...base,
      contributorParams: { theta: 0.3, omegaPerHour: 1 },
      history: makeEvents(origin, [[disk[1]!, 1e6]]),
      incidents: [makeIncident('x', null)],
    });
    expect(boxes.map((b) => b.h3)).toEqual([disk[0]]);
  });

  it('splits each box into background and triggered parts that add up', () => {
    for (const b of patrolBoxes(forecast, base)) {
      expect(b.background + b.triggered).toBeCloseTo(b.expected, 15);
      expect(b.backgroundShare + b.triggeredShare).toBeCloseTo(1, 14);
      expect(b.background).toBeCloseTo((fit.muPerHour[b.h3] ?? 0) * 8, 15);
    }
  });

  it('lists the incidents contributing most, with their age and hand-computed contribution', () => {
    // One cell, μ = 0.01/h; θ = 0.5, ω = ln 2 (half-life 1 h); H = 8 h. Events at ages
    // 1 h (#b), 2 h (#a, #c: a tie broken by incident index), 3 h (#d) and 40 h (#e).
    // Contribution at age a: 0.5 (2^−a − 2^−(a+8)) → 1 h: 0.2490234375, 2 h: 0.12451171875,
    // 3 h: 0.062255859375; 40 h: ≈ 4.5e−13, under 0.1% of the box, so never listed.
    const c = disk[5]!;
    const f2 = makeFit(0.5, Math.LN2, { [c]: 0.01 });
    const h2 = makeEvents(origin, [
      [c, 998],
      [c, 999],
      [c, 998],
      [c, 997],
      [c, 960],
      [c, 1000],
      [c, 1003],
    ]);
    const inc2 = [
      makeIncident('a', 'Mischief'),
      makeIncident('b', 'Theft from Vehicle'),
      makeIncident('c', 'Other Theft'),
      makeIncident('d', 'Theft of Bicycle'),
      makeIncident('e', 'Mischief'),
      makeIncident('f', 'at s'),
      makeIncident('g', 'later'),
    ];
    const fc2 = forecastShift(f2, h2, s, 8);
    const [box] = patrolBoxes(fc2, {
      districtOf: () => 'D',
      contributorParams: contributorParams(f2),
      history: h2,
      incidents: inc2,
      startMs: s,
      hours: 8,
    });
    expect(box!.contributors).toEqual([
      { incidentId: 'b', category: 'Theft from Vehicle', ageHours: 1, contribution: expect.closeTo(0.2490234375, 14) },
      { incidentId: 'a', category: 'Mischief', ageHours: 2, contribution: expect.closeTo(0.12451171875, 14) },
      { incidentId: 'c', category: 'Other Theft', ageHours: 2, contribution: expect.closeTo(0.12451171875, 14) },
    ]);
    const [five] = patrolBoxes(fc2, {
      districtOf: () => 'D',
      contributorParams: contributorParams(f2),
      history: h2,
      incidents: inc2,
      startMs: s,
      hours: 8,
      maxContributors: 10,
    });
    expect(five!.contributors.map((x) => x.incidentId)).toEqual(['b', 'a', 'c', 'd']);
    expect(4.5e-13).toBeLessThan(MIN_CONTRIBUTOR_SHARE * five!.expected);
  });

  it('fails clearly when the incidents do not match the EventSet', () => {
    expect(() => patrolBoxes(forecast, { ...base, incidents: incidents.slice(0, 3) })).toThrow(
      expect.objectContaining({ code: 'E_HISTORY' }),
    );
  });

  it('rejects top < 1', () => {
    expect(() => patrolBoxes(forecast, { ...base, top: 0 })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
  });
});

function box(over: Partial<PatrolBox>): PatrolBox {
  return {
    h3: centre,
    district: 'D',
    rank: 1,
    expected: 1,
    background: 1,
    triggered: 0,
    backgroundShare: 1,
    triggeredShare: 0,
    contributors: [],
    ...over,
  };
}

describe('explainBox', () => {
  it('says when a box is background only', () => {
    expect(explainBox(box({}))).toBe('background rate only: no earlier incident in this box still counts');
  });

  it('names the recent incidents when triggering dominates', () => {
    const b = box({
      expected: 0.5,
      background: 0.18,
      triggered: 0.32,
      backgroundShare: 0.36,
      triggeredShare: 0.64,
      contributors: [
        { incidentId: '17', category: 'Theft from Vehicle', ageHours: 5, contribution: 0.21 },
        { incidentId: null, category: 'Mischief', ageHours: 76.8, contribution: 0.05 },
      ],
    });
    expect(explainBox(b)).toBe(
      'mostly triggered (64%) by recent incidents in this box, largest: Theft from Vehicle #17 5 h ago (+0.21), Mischief 3.2 days ago (+0.05); 36% background rate',
    );
  });

  it('says when earlier incidents add something but none is large enough to name', () => {
    const b = box({ backgroundShare: 0.996, triggeredShare: 0.004, triggered: 0.004, background: 0.996 });
    expect(explainBox(b)).toBe('background rate (>99%); older incidents in this box add <1%');
  });

  it('says mostly background when the background dominates', () => {
    const b = box({
      backgroundShare: 0.97,
      triggeredShare: 0.03,
      triggered: 0.03,
      background: 0.97,
      contributors: [{ incidentId: '9', category: 'Mischief', ageHours: 0.5, contribution: 0.004 }],
    });
    expect(explainBox(b)).toBe(
      'mostly background rate (97%); 3% from recent incidents in this box, largest: Mischief #9 30 min ago (+0.004)',
    );
  });
});

describe('boxesToGeoJSON', () => {
  const { fit, history, incidents, forecast } = setup(4);
  const boxes = patrolBoxes(forecast, {
    districtOf,
    contributorParams: contributorParams(fit),
    history,
    incidents,
    startMs: s,
    hours: 8,
    top: 5,
  });
  const gj = boxesToGeoJSON(boxes, { shift: '2024-02-11 16:00 (evening)', rank: 'never overrides' });

  it('writes one closed, counter-clockwise [lng, lat] hexagon per box', () => {
    expect(gj.type).toBe('FeatureCollection');
    expect(gj.features).toHaveLength(boxes.length);
    for (const f of gj.features) {
      expect(f.type).toBe('Feature');
      expect(f.geometry.type).toBe('Polygon');
      const ring = f.geometry.coordinates[0]!;
      expect(f.geometry.coordinates).toHaveLength(1);
      expect(ring).toHaveLength(7); // 6 corners + the closing repeat
      expect(ring[0]).toEqual(ring[6]);
      for (const [lng, lat] of ring) {
        expect(lng).toBeGreaterThan(-123.2); // Vancouver: lng ≈ −123.12, lat ≈ 49.28
        expect(lng).toBeLessThan(-123.0);
        expect(lat).toBeGreaterThan(49.2);
        expect(lat).toBeLessThan(49.4);
      }
      expect(booleanClockwise(ring)).toBe(false); // RFC 7946 §3.1.6: exterior rings counter-clockwise
      // The ring's vertex mean lies inside the cell it claims to be.
      const mLng = ring.slice(0, 6).reduce((t, p) => t + p[0]!, 0) / 6;
      const mLat = ring.slice(0, 6).reduce((t, p) => t + p[1]!, 0) / 6;
      expect(incidentCell(mLat, mLng, 10)).toBe(f.properties.h3);
    }
  });

  it('carries the box fields, the explanation and the extra properties', () => {
    const b = boxes[0]!;
    const p = gj.features[0]!.properties;
    expect(p).toMatchObject({
      h3: b.h3,
      district: b.district,
      rank: 1,
      expected: b.expected,
      backgroundShare: b.backgroundShare,
      triggeredShare: b.triggeredShare,
      shift: '2024-02-11 16:00 (evening)',
    });
    expect(p.contributors).toEqual(b.contributors);
    expect(p.explanation).toBe(explainBox(b));
    expect(JSON.parse(JSON.stringify(gj))).toEqual(gj);
  });
});

describe('csvCell (CSV injection, OWASP rule)', () => {
  it('prefixes a single quote to text starting with = + - @ tab or CR, and quotes it', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell('+1')).toBe(`"'+1"`);
    expect(csvCell('-2+3')).toBe(`"'-2+3"`);
    expect(csvCell('@SUM(A1)')).toBe(`"'@SUM(A1)"`);
    expect(csvCell('\tcmd')).toBe(`"'\tcmd"`);
    expect(csvCell('\rcmd')).toBe(`"'\rcmd"`);
  });

  it('leaves ordinary text, and numbers (negative ones too), as they are', () => {
    expect(csvCell('West End')).toBe('West End');
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell('a, "b"')).toBe(`"a, ""b"""`);
    expect(csvCell(-0.5)).toBe('-0.5');
    expect(csvCell(null)).toBe('');
  });

  it('neutralises a district, a category and an extra column in boxesToCsv; negative coordinates stay numbers', () => {
    const b = box({
      district: '=cmd|"/C calc"!A0',
      contributors: [{ incidentId: '1', category: '@evil', ageHours: 1, contribution: 0.5 }],
    });
    const csv = boxesToCsv([b], { note: '-1+1' });
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    expect(rows[0]!.district).toBe(`'=cmd|"/C calc"!A0`);
    expect(rows[0]!.note).toBe(`'-1+1`);
    expect(rows[0]!.contributors).toMatch(/^'@evil #1/);
    for (const k of ['lat', 'lng', 'expected', 'rank']) expect(rows[0]![k]).toMatch(/^-?\d/);
    expect(Number(rows[0]!.lng)).toBeLessThan(0);
  });
});

describe('boxesToCsv', () => {
  it('writes a header and one parseable row per box, quoting awkward text', () => {
    const b = box({
      h3: centre,
      triggered: 0.5,
      background: 0.5,
      backgroundShare: 0.5,
      triggeredShare: 0.5,
      contributors: [{ incidentId: 'x"1', category: 'Theft, "other"', ageHours: 2.25, contribution: 0.1234567 }],
    });
    const csv = boxesToCsv([b, box({ rank: 2, district: 'E' })], { shift: '2024-03-01 22:00 (night)' });
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(2);
    expect(Object.keys(rows[0]!)).toEqual([
      'shift',
      'district',
      'rank',
      'place',
      'reason',
      'h3',
      'lat',
      'lng',
      'cells',
      'expected',
      'background',
      'triggered',
      'background_share',
      'triggered_share',
      'contributors',
      'explanation',
    ]);
    expect(rows[0]).toMatchObject({
      shift: '2024-03-01 22:00 (night)',
      district: 'D',
      rank: '1',
      h3: centre,
      expected: '1',
      triggered_share: '0.5',
    });
    expect(rows[0]!.contributors).toBe('Theft, "other" #x"1, 2.3 h, +0.123457');
    expect(Number(rows[0]!.lat)).toBeCloseTo(49.2827, 2);
    expect(rows[1]!.explanation).toBe('background rate only: no earlier incident in this box still counts');
  });
});
