/**
 * `patrolcast forecast` end to end on the bundled Vancouver fixture (2023 property crime).
 * The CLI runs in-process through main(), with the arguments a user types. One fit is made (with --fit-out)
 * and reused through --fit-in by the other runs, to keep the suite fast.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { cellToLatLng } from 'h3-js';
import { buildEventSet, districtsFromLabels } from '../../engine/grid/index.ts';
import { ingestCsvText } from '../../engine/ingest/index.ts';
import { runCli, type Ran } from '../support/cli.ts';

const FIXTURE = 'fixtures/vancouver/property_2023.csv.gz';
const AT = '2023-12-15T22:00';
const SHIFT_START_MS = Date.UTC(2023, 11, 16, 6); // 22:00 PST = 06:00Z next day

/** Great-circle metres between two cells' centres (haversine, mean Earth radius), independent of engine/forecast/route.ts. */
function greatCircleM(a: string, b: string): number {
  const [lat1, lng1] = cellToLatLng(a).map((x) => (x * Math.PI) / 180) as [number, number];
  const [lat2, lng2] = cellToLatLng(b).map((x) => (x * Math.PI) / 180) as [number, number];
  const h = Math.sin((lat2 - lat1) / 2) ** 2 + Math.cos(lat1) * Math.cos(lat2) * Math.sin((lng2 - lng1) / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.sqrt(h));
}

/** Runs the CLI in-process, as `patrolcast ...args`. */
const cli = (...args: string[]): Promise<Ran> => runCli(args);

let dir: string;
let first: Ran; // fits and writes fit.json + boxes1.geojson
let table: Ran;

/**
 * Boxes each district should get, computed without the forecast code: every cell with an
 * incident before the shift has μ > 0 (its events' background probabilities are positive), so
 * a district gets min(20, its cells with an incident before the shift); districts are the
 * majority NEIGHBOURHOOD label of each cell (engine/grid).
 */
function expectedBoxCounts(): Map<string, number> {
  const text = gunzipSync(readFileSync(FIXTURE)).toString('utf8');
  const { incidents } = ingestCsvText(text, { file: FIXTURE });
  const districts = districtsFromLabels(incidents, 10);
  const cells = buildEventSet(incidents, 10, 0, { endMs: SHIFT_START_MS }).cells;
  const counts = new Map<string, number>();
  for (const c of cells) {
    const d = districts.get(c) ?? '(no district)';
    counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  for (const [d, n] of counts) counts.set(d, Math.min(20, n));
  return counts;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'patrolcast-forecast-'));
  first = await cli('forecast', FIXTURE, '--at', AT, '--fit-out', join(dir, 'fit.json'), '--out', join(dir, 'boxes1.geojson'));
  table = await cli('forecast', FIXTURE, '--at', AT, '--fit-in', join(dir, 'fit.json'));
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('patrolcast forecast on the Vancouver fixture', () => {
  it("prints 20 boxes per district (all of a district's cells when it has fewer), each with an explanation", () => {
    expect(table.code).toBe(0);
    const blocks = table.stdout.split('\n\n').slice(1);
    const got = new Map<string, number>();
    for (const block of blocks) {
      // A district's warning lines (quiet or within noise) follow its heading (checked below).
      const [head, , ...lines] = block
        .trimEnd()
        .split('\n')
        .filter((line) => !line.startsWith('  warning: '));
      // The last line of a district of 2 or more boxes is its patrol order (checked below).
      if (lines.length > 0 && lines[lines.length - 1]!.startsWith('  patrol order')) lines.pop();
      const name = /^(.*): \d+ box/.exec(head!)![1]!;
      // each box's row (the model's breakdown) is followed by its place and its reason in counts
      const rows = lines.filter((_, k) => k % 3 === 0);
      for (let k = 1; k < lines.length; k += 3) expect(lines[k]).toMatch(/^ {8}at \S/);
      for (let k = 2; k < lines.length; k += 3) {
        expect(lines[k]).toMatch(/^ {8}why: (\d+ .* here in the past year|no recorded crime here in the past year)/);
      }
      got.set(name, rows.length);
      rows.forEach((row, i) => {
        const m = /^\s+(\d+)\s+([0-9a-f]{15})\s+(\d+\.\d{4})\s+(\S+%)\s+(\S+%)\s+(.+)$/.exec(row);
        expect(m, row).not.toBeNull();
        expect(Number(m![1])).toBe(i + 1);
        expect(m![6]).toMatch(/background|triggered/);
      });
    }
    const want = expectedBoxCounts();
    expect(got).toEqual(want);
    expect(got.size).toBe(24); // Vancouver's 22 local planning areas + Stanley Park + Musqueam in the data
    expect([...got.values()].filter((n) => n === 20).length).toBeGreaterThanOrEqual(22);
    expect(table.stdout).toMatch(
      /^Shift 2023-12-15 22:00 \(night\), America\/Vancouver: 8 h, 2023-12-15T22:00 PST to 2023-12-16T06:00 PST/,
    );
  });

  it("prints each district's patrol order from box 1 with its legs, the same as the GeoJSON visit and legM", () => {
    const gj = JSON.parse(readFileSync(join(dir, 'boxes1.geojson'), 'utf8')) as {
      features: { properties: { district: string; rank: number; h3: string; visit: number; legM: number | null } }[];
    };
    const blocks = table.stdout.split('\n\n').slice(1);
    let routes = 0;
    for (const block of blocks) {
      const lines = block.trimEnd().split('\n');
      const name = /^(.*): \d+ box/.exec(lines[0]!)![1]!;
      const mine = gj.features.map((f) => f.properties).filter((p) => p.district === name);
      const m = /^ {2}patrol order \(by rank, straight-line legs between box centres\): (.+); ([\d.]+) (m|km) in all$/.exec(
        lines[lines.length - 1]!,
      );
      if (mine.length < 2) {
        expect(m).toBeNull();
        continue;
      }
      expect(m, name).not.toBeNull();
      routes++;
      const stops = m![1]!.split(' → ');
      const ranks = stops.map((x) => Number(/^\d+/.exec(x)![0]));
      // Every box once, starting at box 1; the GeoJSON gives the same order in `visit`.
      expect(ranks[0]).toBe(1);
      expect([...ranks].sort((a, b) => a - b)).toEqual(mine.map((p) => p.rank).sort((a, b) => a - b));
      const byVisit = [...mine].sort((a, b) => a.visit - b.visit);
      expect(byVisit.map((p) => p.rank)).toEqual(ranks);
      expect(byVisit.map((p) => p.visit)).toEqual(mine.map((_, i) => i + 1));
      // Each leg is the great-circle distance between the centres, recomputed here with h3-js.
      expect(byVisit[0]!.legM).toBeNull();
      let totalM = 0;
      let rankOrderM = 0;
      const byRank = [...mine].sort((a, b) => a.rank - b.rank);
      for (let i = 1; i < byVisit.length; i++) {
        const legM = greatCircleM(byVisit[i - 1]!.h3, byVisit[i]!.h3);
        expect(Math.abs(byVisit[i]!.legM! - legM)).toBeLessThanOrEqual(0.0005 + 1e-9); // to the millimetre
        totalM += legM;
        rankOrderM += greatCircleM(byRank[i - 1]!.h3, byRank[i]!.h3);
      }
      const printed = Number(m![2]) * (m![3] === 'km' ? 1000 : 1);
      expect(Math.abs(printed - totalM)).toBeLessThanOrEqual(m![3] === 'km' ? 50 : 0.5);
      // Shorter than walking the boxes in rank order (a check that the route is optimised at all).
      expect(totalM).toBeLessThan(rankOrderM);
    }
    expect(routes).toBeGreaterThanOrEqual(22);
  });

  it("--boxes-total shares the boxes by expected crime (Sainte-Laguë over the districts' cells) and warns of quiet districts", async () => {
    const r = await cli(
      'forecast',
      FIXTURE,
      '--at',
      AT,
      '--fit-in',
      join(dir, 'fit.json'),
      '--boxes-total',
      '60',
      '--out',
      join(dir, 'total.geojson'),
    );
    expect(r.code, r.stderr).toBe(0);
    const shared = JSON.parse(readFileSync(join(dir, 'total.geojson'), 'utf8')) as {
      features: { properties: { district: string; rank: number; expected: number } }[];
    };
    expect(shared.features).toHaveLength(60);
    // Each district's count by the divisor rule recomputed here from the fixed-number run's
    // forecast: its need is the sum of its cells' expected counts, read from --top 1000 boxes
    // (every positive cell a grid box, so the boxes tile the district's expected crime).
    const g = await cli(
      'forecast',
      FIXTURE,
      '--at',
      AT,
      '--fit-in',
      join(dir, 'fit.json'),
      '--placement',
      'grid',
      '--top',
      '1000',
      '--out',
      join(dir, 'all.geojson'),
    );
    expect(g.code, g.stderr).toBe(0);
    const all = JSON.parse(readFileSync(join(dir, 'all.geojson'), 'utf8')) as typeof shared;
    const need = new Map<string, number>();
    for (const f of all.features) need.set(f.properties.district, (need.get(f.properties.district) ?? 0) + f.properties.expected);
    const given = new Map([...need.keys()].map((d) => [d, 0]));
    for (let k = 0; k < 60; k++) {
      const [best] = [...given].sort(([a, x], [b, y]) => need.get(b)! / (y + 0.5) - need.get(a)! / (x + 0.5) || (a < b ? -1 : 1))[0]!;
      given.set(best, given.get(best)! + 1);
    }
    const counts = new Map<string, number>();
    for (const f of shared.features) counts.set(f.properties.district, (counts.get(f.properties.district) ?? 0) + 1);
    expect(counts).toEqual(new Map([...given].filter(([, n]) => n > 0)));
    // The busiest district gets the most; ranks within a district run 1..n.
    for (const n of counts.values()) expect(n).toBeLessThanOrEqual(counts.get('Central Business District')!);
    // Quiet districts are named on stderr: each box under 0.05 expected crimes.
    expect(r.stderr).toMatch(/patrolcast: warning: [A-Za-z -]+: every box expects fewer than 0\.05 crimes this shift/);
    const refused = await cli('forecast', FIXTURE, '--at', AT, '--fit-in', join(dir, 'fit.json'), '--boxes-total', '60', '--top', '5');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/either --top .* or --boxes-total/);
  });

  it("warns under a district's heading when its boxes are not a confident ranking, and only then", () => {
    const blocks = table.stdout.split('\n\n').slice(1);
    let warned = 0;
    for (const block of blocks) {
      const lines = block.trimEnd().split('\n');
      const name = /^(.*): \d+ box/.exec(lines[0]!)![1]!;
      const box1 = Number(/^\s+1\s+[0-9a-f]{15}\s+(\d+\.\d{4})/m.exec(block)![1]);
      const warning = lines[1]!.startsWith('  warning: ') ? lines[1]! : null;
      if (box1 < 0.05) {
        expect(warning, name).toMatch(/every box expects fewer than 0\.05 crimes/);
        warned++;
      } else if (warning !== null) expect(warning).toMatch(/box 1 and box \d+ are within the noise/);
    }
    expect(warned).toBeGreaterThan(0);
  });

  it('names the recent incidents behind the triggered part of some boxes', () => {
    // e.g. "... from recent incidents in this box, largest: Other Theft 3 h ago (+0.01)"
    expect(table.stdout).toMatch(
      /recent incidents in this box, largest: (Theft from Vehicle|Theft of Vehicle|Theft of Bicycle|Other Theft|Mischief|Break and Enter [A-Za-z/]+)( #\S+)? [\d.]+ (min|h|days) ago \(\+[\d.e-]+\)/,
    );
  });

  it('gives identical boxes from --fit-out and then --fit-in', async () => {
    expect(first.code).toBe(0);
    const second = await cli('forecast', FIXTURE, '--at', AT, '--fit-in', join(dir, 'fit.json'), '--out', join(dir, 'boxes2.geojson'));
    expect(second.code).toBe(0);
    const a = readFileSync(join(dir, 'boxes1.geojson'), 'utf8');
    expect(readFileSync(join(dir, 'boxes2.geojson'), 'utf8')).toBe(a);
    const gj = JSON.parse(a);
    expect(gj.type).toBe('FeatureCollection');
    const want = expectedBoxCounts();
    expect(gj.features).toHaveLength([...want.values()].reduce((s, n) => s + n, 0));
    const f = gj.features[0];
    expect(f.geometry.type).toBe('Polygon');
    // A placed box (the default): the outline of seven res-11 hexagons, 18 corners and the closing repeat.
    expect(f.geometry.coordinates[0]).toHaveLength(19);
    expect(f.properties.cells).toHaveLength(7);
    expect(f.properties.cells).toContain(f.properties.h3);
    expect(f.properties).toMatchObject({
      district: 'Arbutus Ridge',
      rank: 1,
      placement: 'fine',
      shift: '2023-12-15 22:00 (night)',
      shiftStart: '2023-12-16T06:00:00.000Z',
      shiftHours: 8,
    });
    for (const key of [
      'h3',
      'reason',
      'reasonCounts',
      'expected',
      'background',
      'triggered',
      'backgroundShare',
      'triggeredShare',
      'contributors',
      'explanation',
    ])
      expect(f.properties).toHaveProperty(key);
    const fit = JSON.parse(readFileSync(join(dir, 'fit.json'), 'utf8'));
    expect(fit.window.endMs).toBe(SHIFT_START_MS);
  });

  it('writes CSV when --out ends in .csv, the same boxes as the GeoJSON', async () => {
    const r = await cli('forecast', FIXTURE, '--at', AT, '--fit-in', join(dir, 'fit.json'), '--out', join(dir, 'boxes.csv'));
    expect(r.code).toBe(0);
    const rows = parse(readFileSync(join(dir, 'boxes.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    const gj = JSON.parse(readFileSync(join(dir, 'boxes1.geojson'), 'utf8'));
    expect(rows.map((r) => `${r.district}|${r.rank}|${r.h3}|${r.reason}`)).toEqual(
      gj.features.map(
        (f: { properties: { district: string; rank: number; h3: string; reason: string } }) =>
          `${f.properties.district}|${f.properties.rank}|${f.properties.h3}|${f.properties.reason}`,
      ),
    );
  });

  it('refuses a saved fit trained on data after the shift start', async () => {
    const r = await cli('forecast', FIXTURE, '--at', '2023-12-01T06:00', '--fit-in', join(dir, 'fit.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/trained on data up to 2023-12-15T22:00 PST, after the shift start 2023-12-01T06:00 PST/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // one line, no stack trace
  });

  it('asks for --tz when plain data has no zone and --at is local', async () => {
    const plain = join(dir, 'plain.csv');
    writeFileSync(
      plain,
      'id,datetime,lat,lon,category\n1,2024-01-01T10:00:00Z,41.88,-87.63,theft\n2,2024-01-02T10:00:00Z,41.88,-87.63,theft\n',
    );
    const r = await cli('forecast', plain, '--at', '2024-01-03T06:00');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--at 2024-01-03T06:00 is a local time, but plain data has no time zone of its own: give --tz/);
  });
});
