import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readIncidents } from '../../cli/io.ts';
import { parseLocalDateTime } from '../../engine/forecast/index.ts';
import { cellAreaKm2, cellCenter, gridDisk, incidentCell } from '../../engine/grid/index.ts';
import { runCli } from '../support/cli.ts';

/** The largest value (0 for none), without spreading into Math.max. */
function maxOf(xs: Iterable<number>): number {
  let m = 0;
  for (const x of xs) if (x > m) m = x;
  return m;
}

const VAN22 = 'fixtures/vancouver/property_2022.csv.gz';
const VAN23 = 'fixtures/vancouver/property_2023.csv.gz';
const ASHFORD = 'fixtures/kent/ashford_2014.csv.gz';
const dir = mkdtempSync(join(tmpdir(), 'patrolcast-backtest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `patrolcast backtest ...args`, run in-process. */
const patrolcast = (args: string[]) => runCli(['backtest', ...args]);

/** Rows of a gzipped CSV fixture, parsed independently of the engine's readers. */
function rows(path: string): Record<string, string>[] {
  return parse(gunzipSync(readFileSync(path)).toString('utf8'), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
}

describe('patrolcast backtest on the Vancouver fixture (2 days of shifts)', () => {
  const out = join(dir, 'van.json');
  const html = join(dir, 'van.html');
  let result: { stdout: string; stderr: string; code: number };
  let report: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- the report JSON, read field by field
  beforeAll(async () => {
    result = await patrolcast([VAN22, VAN23, '--from', '2023-07-01', '--to', '2023-07-03', '--out', out, '--html', html]);
    report = JSON.parse(readFileSync(out, 'utf8'));
  }, 120_000);

  it('exits 0 and prints the table with every model and the verdict', () => {
    expect(result.code, result.stderr).toBe(0);
    for (const m of ['etas', 'naive-28', 'naive-365', 'naive-all', 'retro', 'prospective', 'random', 'oracle'])
      expect(result.stdout).toMatch(new RegExp(`^${m} `, 'm'));
    expect(result.stdout).toContain('Backtest: 6 8-hour shifts');
    expect(result.stdout).toMatch(/With the top cells covering 1 km², etas caught/);
  });

  it('scores the incidents counted independently from the raw rows', () => {
    // Local times in [07-01 06:00, 07-03 06:00), excluding 00:00 (unknown time of day);
    // unplaced: 00:00 rows on 07-01, 07-02 and 07-03 (the last shift runs into 07-03).
    const r23 = rows(VAN23).filter((r) => Number(r.X) !== 0 && Number(r.Y) !== 0 && r.X !== '' && r.Y !== '');
    const key = (r: Record<string, string>) => Number(r.MONTH) * 1e6 + Number(r.DAY) * 1e4 + Number(r.HOUR) * 100 + Number(r.MINUTE);
    const midnight = (r: Record<string, string>) => r.HOUR === '0' && r.MINUTE === '0';
    const scored = r23.filter((r) => !midnight(r) && key(r) >= 7010600 && key(r) < 7030600).length;
    const unplaced = r23.filter((r) => midnight(r) && r.MONTH === '7' && ['1', '2', '3'].includes(r.DAY!)).length;
    expect(scored).toBeGreaterThan(100);
    expect(report.events).toBe(scored);
    expect(report.unplacedEvents).toBe(unplaced);
    expect(report.shifts).toBe(6);
  });

  it('writes the report keys the issue asks for, areas keyed as written', () => {
    for (const k of ['shifts', 'events', 'unplacedEvents', 'studyAreaKm2', 'cells', 'wallSeconds', 'fits', 'perShift', 'models'])
      expect(report).toHaveProperty(k);
    const etas = report.models.etas;
    for (const k of [
      'hitRate',
      'pai',
      'pei',
      'coverageHitRate',
      'rri',
      'topKHitRate',
      'logScore',
      'ci',
      'distinctCellsFlagged',
      'mostPicked',
    ])
      expect(etas).toHaveProperty(k);
    expect(Object.keys(etas.hitRate).sort()).toEqual(['0.5', '1', '2', '5']);
    expect(Object.keys(etas.coverageHitRate).sort()).toEqual(['0.01', '0.05', '0.1']);
    expect(report.models['naive-all'].pairedDiff.direction).toBe('reference − model');
    expect(report.fits).toHaveLength(2);
    expect(report.input.files).toEqual([VAN22, VAN23]);
    expect(report.wallSeconds).toBeGreaterThan(0);
  });

  it('writes a self-contained HTML file with d3 inlined and no external references', () => {
    const text = readFileSync(html, 'utf8');
    expect(text.startsWith('<!doctype html>')).toBe(true);
    expect(text).toContain('id="report-data"');
    expect(text).toMatch(/d3js\.org v7/);
    expect(text).not.toMatch(/<script[^>]+src=/);
    expect(text).not.toMatch(/<link[^>]+href=/);
  });
});

describe('patrolcast backtest --months on the Ashford fixture', () => {
  it('backtests June to November month by month and scores every located row', async () => {
    const out = join(dir, 'kent.json');
    const r = await patrolcast([
      ASHFORD,
      '--months',
      '--from',
      '2014-06-01',
      '--to',
      '2014-12-01',
      '--models',
      'etas,naive-28,naive-all,oracle,random',
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.mode).toBe('months');
    expect(report.perShift.label).toEqual(['2014-06', '2014-07', '2014-08', '2014-09', '2014-10', '2014-11']);
    // By default trained and scored on victim-reported crime: data.police.uk's four
    // police-discovered types are left out (the note says how many).
    const discovered = ['Anti-social behaviour', 'Drugs', 'Public order', 'Possession of weapons'];
    expect(r.stderr).toContain('patrolcast: note: Trained on victim-reported crime: left out 4 police-discovered types');
    const located = rows(ASHFORD).filter((row) => row.Longitude !== '' && row.Latitude !== '' && !discovered.includes(row['Crime type']!));
    const expected = located.filter((row) => row.Month! >= '2014-06' && row.Month! <= '2014-11').length;
    expect(report.events).toBe(expected);
    expect(report.perShift.events).toEqual(
      ['06', '07', '08', '09', '10', '11'].map((m) => located.filter((row) => row.Month === `2014-${m}`).length),
    );
    expect(report.unplacedEvents).toBe(0);
    expect(r.stdout).toContain('Backtest: 6 months');
  }, 120_000);

  it('--categories all takes the police-discovered types back: every located row of the months is scored', async () => {
    const out = join(dir, 'all-types.json');
    const r = await patrolcast([
      ASHFORD,
      '--months',
      '--from',
      '2014-06-01',
      '--to',
      '2014-12-01',
      '--models',
      'naive-all',
      '--categories',
      'all',
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('police-discovered');
    const located = rows(ASHFORD).filter((row) => row.Longitude !== '' && row.Latitude !== '');
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.events).toBe(located.filter((row) => row.Month! >= '2014-06' && row.Month! <= '2014-11').length);
    expect(report.input.leftOut).toEqual([]);
  }, 60_000);

  it('refuses --shift-hours with --months, and shift mode on month-only data, saying what to do', async () => {
    const a = await patrolcast([ASHFORD, '--months', '--shift-hours', '8', '--from', '2014-06-01', '--to', '2014-12-01']);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/--shift-hours cannot be used with --months/);
    expect(a.stderr.trim().split('\n')).toHaveLength(1);
    const b = await patrolcast([ASHFORD, '--from', '2014-06-01', '--to', '2014-07-01', '--models', 'naive-all']);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/known only to the month.*--months/);
  }, 60_000);
});

describe('patrolcast backtest input errors', () => {
  it('chooses crime types by the same rule as fit: one of --categories and --preset, and a warning for a name no incident has', async () => {
    const both = await patrolcast([
      ASHFORD,
      '--months',
      '--from',
      '2014-06-01',
      '--to',
      '2014-07-01',
      '--preset',
      'police-uk-property',
      '--categories',
      'Burglary',
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/give either --categories or --preset, not both/);
    const fitBoth = await runCli([
      'fit',
      ASHFORD,
      '--until',
      '2014-07-01',
      '--out',
      join(dir, 'unused-fit.json'),
      '--preset',
      'police-uk-property',
      '--categories',
      'Burglary',
    ]);
    expect(fitBoth.stderr).toBe(both.stderr);
    const out = join(dir, 'burglary.json');
    const r = await patrolcast([
      ASHFORD,
      '--months',
      '--from',
      '2014-06-01',
      '--to',
      '2014-07-01',
      '--models',
      'naive-all',
      '--categories',
      'Burglary,Shoplifitng',
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('patrolcast: warning: no incident has category "Shoplifitng"');
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.input.categories).toEqual(['Burglary', 'Shoplifitng']);
    const burglaries = rows(ASHFORD).filter((row) => row.Longitude !== '' && row.Month === '2014-06' && row['Crime type'] === 'Burglary');
    expect(report.events).toBe(burglaries.length);
  }, 60_000);

  it('names a bad model, a bad area and a missing zone in one line each', async () => {
    const m = await patrolcast([VAN23, '--from', '2023-07-01', '--to', '2023-07-02', '--models', 'etas,psychic']);
    expect(m.stderr).toMatch(/--models: unknown model "psychic"/);
    const a = await patrolcast([VAN23, '--from', '2023-07-01', '--to', '2023-07-02', '--flagged-km2', '1,-2']);
    expect(a.stderr).toMatch(/--flagged-km2: "-2" is not a positive area/);
    const z = await patrolcast([
      'fixtures/chicago/district1_2010_2016.csv.gz',
      '--columns',
      'datetime=date,lat=latitude,lon=longitude',
      '--from',
      '2016-01-01',
      '--to',
      '2016-01-02',
    ]);
    expect(z.code).toBe(2);
    expect(z.stderr).toMatch(/--tz/);
    for (const r of [m, a, z]) expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  }, 60_000);
});

describe('patrolcast backtest --area and --districts (polygons written here)', () => {
  // a ~1.1 × 1.2 km square downtown, split at lng -123.120 into districts West and East
  const [W, S, E, N] = [-123.128, 49.276, -123.112, 49.286];
  const SPLIT = -123.12;
  const RES = 10;
  const ring = (w: number, s: number, e: number, n: number) => [
    [
      [w, s],
      [e, s],
      [e, n],
      [w, n],
      [w, s],
    ],
  ];
  const areaFile = join(dir, 'area.geojson');
  const districtsFile = join(dir, 'districts.geojson');
  const out = join(dir, 'area.json');
  let r: { stdout: string; stderr: string; code: number };
  let report: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- the report JSON, read field by field
  beforeAll(async () => {
    writeFileSync(
      areaFile,
      JSON.stringify({ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: ring(W, S, E, N) } }),
    );
    writeFileSync(
      districtsFile,
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          { type: 'Feature', properties: { beat: 'West' }, geometry: { type: 'Polygon', coordinates: ring(-123.3, 49.1, SPLIT, 49.4) } },
          { type: 'Feature', properties: { beat: 'East' }, geometry: { type: 'Polygon', coordinates: ring(SPLIT, 49.1, -123.0, 49.4) } },
        ],
      }),
    );
    r = await patrolcast([
      VAN23,
      '--from',
      '2023-07-01',
      '--to',
      '2023-07-02',
      '--models',
      'naive-all,oracle',
      '--top',
      '1',
      '--area',
      areaFile,
      '--districts',
      districtsFile,
      '--district-property',
      'beat',
      '--out',
      out,
    ]);
    report = JSON.parse(readFileSync(out, 'utf8'));
  }, 120_000);

  /** The square's cells, independent of h3's polygon fill: cells of a wide disk whose centre is inside. */
  const squareCells = (): Set<string> => {
    const set = new Set<string>();
    for (const c of gridDisk(incidentCell((S + N) / 2, (W + E) / 2, RES), 25)) {
      const { lat, lng } = cellCenter(c);
      if (lat > S && lat < N && lng > W && lng < E) set.add(c);
    }
    return set;
  };

  it('studies the square: its cells and km², the sum of their areas', () => {
    expect(r.code, r.stderr).toBe(0);
    const cells = squareCells();
    let km2 = 0;
    for (const c of cells) km2 += cellAreaKm2(c);
    expect(cells.size).toBeGreaterThan(50);
    expect(report.cells).toBe(cells.size);
    expect(report.studyAreaKm2 / km2).toBeCloseTo(1, 6);
    expect(report.districts).toBe(2);
  });

  it("counts the incidents outside the square as uncatchable and takes the oracle's top box per polygon district", async () => {
    const cells = squareCells();
    const { incidents } = await readIncidents([VAN23], { format: 'auto' });
    const start = parseLocalDateTime('2023-07-01T06:00', 'America/Vancouver');
    const scored = incidents.filter((i) => !i.timeOfDayUnknown && i.timeMs >= start && i.timeMs < start + 24 * 3_600_000);
    const outside = scored.filter((i) => !cells.has(incidentCell(i.lat, i.lng, RES)));
    expect(report.events).toBe(scored.length);
    expect(report.eventsOutsideArea).toBe(outside.length);
    expect(outside.length).toBeLessThan(scored.length);
    for (let w = 0; w < 3; w++) {
      const lo = start + w * 8 * 3_600_000;
      const win = scored.filter((i) => i.timeMs >= lo && i.timeMs < lo + 8 * 3_600_000);
      const byDistrict = { West: new Map<string, number>(), East: new Map<string, number>() };
      for (const i of win) {
        const c = incidentCell(i.lat, i.lng, RES);
        if (!cells.has(c)) continue;
        const m = cellCenter(c).lng < SPLIT ? byDistrict.West : byDistrict.East;
        m.set(c, (m.get(c) ?? 0) + 1);
      }
      const best = maxOf(byDistrict.West.values()) + maxOf(byDistrict.East.values());
      expect(report.perShift.models.oracle.topKHitRate[w]).toBeCloseTo(best / win.length, 6);
    }
  });

  it('names the file when the districts lack the named property', async () => {
    const bad = await patrolcast([
      VAN23,
      '--from',
      '2023-07-01',
      '--to',
      '2023-07-02',
      '--models',
      'oracle',
      '--districts',
      districtsFile,
      '--district-property',
      'nope',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(districtsFile);
    expect(bad.stderr).toMatch(/no "nope" property/);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  }, 60_000);
});
