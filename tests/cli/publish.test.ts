/**
 * `patrolcast publish`: the site of the next shifts (boxes, manifest with SHA-256 hashes, viewer),
 * with no incident-level record in any file, and the append-only publication log.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { coarseReason, districtSlugs, type Manifest, type ManifestShift, type PublishedShiftFile } from '../../cli/publishSite.ts';
import { readRevisions, revisionKey } from '../../cli/publishLog.ts';
import { logLines, plainIncidents, readJson, runLines, sha256, shiftPaths } from './publishSupport.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const VANCOUVER = ['property_2022.csv.gz', 'property_2023.csv.gz'].map((f) => join(ROOT, 'fixtures', 'vancouver', f));
const VENDORED = ['maplibre-gl.js', 'maplibre-gl-worker.js', 'maplibre-gl.css'];

const dir = mkdtempSync(join(tmpdir(), 'patrolcast-publish-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A shift's districts, read from its files in the manifest's order (each file holds one). */
const shiftDistricts = (site: string, s: ManifestShift): PublishedShiftFile['districts'][number][] =>
  shiftPaths(s).flatMap((f) => readJson<PublishedShiftFile>(join(site, f)).districts);
/** Every hash of a shift's files, for comparing two runs. */
const shiftHashes = (m: Manifest): string[] => m.shifts.flatMap((s) => Object.values(s.files).map((f) => `${f.file} ${f.sha256}`));

/** Every file of the site, relative path → bytes (recursive). */
function siteFiles(site: string, sub = ''): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const e of readdirSync(join(site, sub), { withFileTypes: true })) {
    const rel = sub === '' ? e.name : `${sub}/${e.name}`;
    if (e.isDirectory()) for (const [k, v] of siteFiles(site, rel)) out.set(k, v);
    else out.set(rel, readFileSync(join(site, rel)));
  }
  return out;
}

describe('publish: 3 days of Vancouver shifts', () => {
  const site = join(dir, 'vancouver');
  const log = join(dir, 'vancouver.jsonl');
  let manifest: Manifest;
  let firstLog: string;

  beforeAll(async () => {
    const ran = await runCli(['publish', ...VANCOUVER, '--from', '2023-12-15T06:00', '--shifts', '9', '--out', site, '--log', log]);
    expect(ran.stderr).not.toMatch(/error/);
    expect(ran.code).toBe(0);
    manifest = readJson<Manifest>(join(site, 'manifest.json'));
    firstLog = readFileSync(log, 'utf8');
    expect(existsSync(`${log}.lock`)).toBe(false); // the run's lock is gone with it
  }, 120_000);

  it('publishes the 9 consecutive standard shifts from --from, each file matching its SHA-256', () => {
    expect(manifest.shifts.map((s) => s.startLocal)).toEqual(
      ['15', '16', '17'].flatMap((d) => ['06:00', '14:00', '22:00'].map((t) => `2023-12-${d}T${t}`)),
    );
    expect(manifest.shifts.every((s) => s.hours === 8 && s.tz === 'America/Vancouver')).toBe(true);
    // 06:00 PST is 14:00Z; consecutive shifts are 8 h apart (no clock change in December).
    expect(manifest.shifts[0]!.startMs).toBe(Date.UTC(2023, 11, 15, 14));
    for (let i = 1; i < 9; i++) expect(manifest.shifts[i]!.startMs - manifest.shifts[i - 1]!.startMs).toBe(8 * 3_600_000);
    for (const s of manifest.shifts) {
      // One file per district, named after it, each matching its SHA-256.
      expect(Object.keys(s.files)).toEqual(Object.keys(s.boxes));
      expect(s.files['Mount Pleasant']!.file).toBe(`shifts/${s.id}/mount-pleasant.json`);
      for (const f of Object.values(s.files)) expect(sha256(readFileSync(join(site, f.file)))).toBe(f.sha256);
    }
    expect(readdirSync(join(site, 'shifts')).sort()).toEqual(manifest.shifts.map((s) => s.id));
    expect(manifest.model).toBe('etas');
    expect(manifest.fingerprint).toMatch(/^fnv1a64:[0-9a-f]{16}$/);
    // Training data: the two bundled years, known before the first shift; dates only.
    expect(manifest.dataFrom).toBe('2022-01-01');
    expect(manifest.dataTo).toBe('2023-12-15'); // incidents of 00:00-06:00 that morning were known
    expect(manifest.basemap).toBe('basemap.geojson');
    expect(readFileSync(join(site, 'basemap.geojson'))).toEqual(readFileSync(join(ROOT, 'fixtures', 'vancouver', 'basemap.geojson')));
  });

  it('each shift file has every district with its boxes (counts as the manifest says), places, reasons and routes', () => {
    for (const s of manifest.shifts) {
      for (const f of shiftPaths(s)) {
        const file = readJson<PublishedShiftFile>(join(site, f));
        expect(file.kind).toBe('patrolcast-shift');
        expect(file.version).toBe(2);
        expect(file.shift.label).toBe(s.label);
        expect(file.districts).toHaveLength(1);
      }
      const districts = shiftDistricts(site, s);
      expect(districts.map((d) => d.district)).toEqual(Object.keys(s.boxes));
      expect(districts.length).toBe(manifest.districts.length);
      for (const d of districts) {
        const features = d.boxes.features;
        expect(features.length).toBe(s.boxes[d.district]);
        expect(features.length).toBeLessThanOrEqual(20);
        expect(features.map((f) => f.properties.rank)).toEqual(features.map((_, i) => i + 1));
        for (const f of features) {
          expect(f.properties.cells).toHaveLength(7); // fine placement: a centre and its ring
          expect(f.properties.expected).toBeGreaterThan(0);
          expect(typeof f.properties.place).toBe('string');
          expect(f.properties.reason).toMatch(/here in the past year/);
          expect(f.geometry.coordinates[0]![0]).toEqual(f.geometry.coordinates[0]!.at(-1));
        }
        // The route visits every box once, from box 1.
        expect([...d.route!.ranks].sort((a, b) => a - b)).toEqual(features.map((f) => f.properties.rank));
        expect(d.route!.ranks[0]).toBe(1);
      }
    }
  });

  it('writes no per-incident field: no contributors, explanation, placeDetail or incident ages to the minute', () => {
    for (const s of manifest.shifts) {
      const text = shiftPaths(s)
        .map((f) => readFileSync(join(site, f), 'utf8'))
        .join('\n');
      for (const key of ['contributors', 'explanation', 'incidentId', 'placeDetail', 'latestAgeHours', 'reasonCounts'])
        expect(text).not.toContain(`"${key}"`);
      expect(text).not.toMatch(/\d+ (minutes?|hours?) ago/);
    }
  });

  it('copies the viewer and MapLibre byte for byte from node_modules', () => {
    // the ESM build's .mjs files are copied as .js (every static server serves .js as JavaScript)
    for (const f of VENDORED)
      expect(
        readFileSync(join(site, f)).equals(readFileSync(join(ROOT, 'node_modules', 'maplibre-gl', 'dist', f.replace(/\.js$/, '.mjs')))),
      ).toBe(true);
    const html = readFileSync(join(site, 'index.html'), 'utf8');
    expect(html).toContain("default-src 'self'");
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('logs one line per shift and district, revision 1; publishing again appends revision 2 and leaves the first lines byte-identical', async () => {
    const lines = logLines(log);
    expect(lines).toHaveLength(9 * manifest.districts.length);
    expect(runLines(log)).toBe(1);
    expect(lines.every((l) => l.kind === 'patrolcast-publication' && l.version === 1 && l.revision === 1)).toBe(true);
    const first = lines[0]!;
    expect(first.shift).toEqual({
      label: manifest.shifts[0]!.label,
      startMs: manifest.shifts[0]!.startMs,
      hours: 8,
      startLocal: '2023-12-15T06:00',
      tz: 'America/Vancouver',
    });
    expect(first.boxes.length).toBe(manifest.shifts[0]!.boxes[first.district]);
    expect(first.fingerprint).toBe(manifest.fingerprint);
    expect(first.categories).toEqual(manifest.categories);
    // The site's ranking warning of the district travels with its line (Arbutus Ridge is quiet: every box under 0.05).
    const quiet = lines.find((l) => l.district === 'Arbutus Ridge')!;
    const quietFile = shiftDistricts(site, manifest.shifts[0]!).find((d) => d.district === 'Arbutus Ridge')!;
    expect(quiet.warning).toMatch(/^Arbutus Ridge: every box expects fewer than 0\.05 crimes this shift/);
    expect(quiet.warning).toBe(quietFile.warning);
    expect(first.categories).toContain('Theft from Vehicle');

    const again = await runCli([
      'publish',
      ...VANCOUVER,
      '--from',
      '2023-12-15T06:00',
      '--shifts',
      '2',
      '--out',
      join(dir, 'again'),
      '--log',
      log,
    ]);
    expect(again.code).toBe(0);
    const text = readFileSync(log, 'utf8');
    expect(text.startsWith(firstLog)).toBe(true);
    const added = logLines(log).slice(lines.length);
    expect(added).toHaveLength(2 * manifest.districts.length);
    expect(runLines(log)).toBe(2);
    expect(added.every((l) => l.revision === 2)).toBe(true);
    expect(new Set(added.map((l) => l.shift.startLocal))).toEqual(new Set(['2023-12-15T06:00', '2023-12-15T14:00']));
    // Same data, same fit: the same boxes and shift files as published the first time.
    for (const l of added) {
      const before = lines.find((b) => b.shift.startMs === l.shift.startMs && b.district === l.district)!;
      expect(l.boxes).toEqual(before.boxes);
    }
    const againManifest = readJson<Manifest>(join(dir, 'again', 'manifest.json'));
    expect(shiftHashes(againManifest)).toEqual(shiftHashes({ ...manifest, shifts: manifest.shifts.slice(0, 2) }));
  }, 120_000);
});

describe('publish: no incident-level record on the site (plain CSV with ids)', () => {
  const rows = plainIncidents(900);
  const csv = join(dir, 'plain.csv');
  const site = join(dir, 'plain-site');
  const districts = ['North', 'South', 'West'];
  beforeAll(() => {
    const body = rows.map((r, i) => `${r.id},${r.datetime}Z,${r.lat},${r.lon},burglary,${districts[i % 3]!}`).join('\n');
    writeFileSync(csv, `id,datetime,lat,lon,category,district\n${body}\n`);
  });

  it('finds no incident id, coordinates or time in any file of the site', async () => {
    const ran = await runCli([
      'publish',
      csv,
      '--tz',
      'America/Chicago',
      '--from',
      '2024-01-01T06:00',
      '--shifts',
      '3',
      '--top',
      '5',
      '--out',
      site,
    ]);
    expect(ran.stderr).not.toMatch(/patrolcast: (?!note|warning)/);
    expect(ran.code).toBe(0);
    const manifest = readJson<Manifest>(join(site, 'manifest.json'));
    expect(manifest.shifts).toHaveLength(3);
    expect(manifest.basemap).toBeNull();
    const files = siteFiles(site);
    // MapLibre's files are copies of the package's (checked byte for byte above): the rest is searched.
    for (const f of VENDORED) files.delete(f);
    files.delete('maplibre-gl-LICENSE.txt');
    expect([...files.keys()].sort()).toEqual(
      ['index.html', 'manifest.json', ...manifest.shifts.flatMap(shiftPaths), 'viewer.css', 'viewer.js'].sort(),
    );
    const texts = [...files.values()].map((b) => b.toString('utf8'));
    let boxes = 0;
    for (const s of manifest.shifts) for (const k of Object.keys(s.boxes)) boxes += s.boxes[k]!;
    expect(boxes).toBeGreaterThan(0);
    // Every pair of numbers the site prints, rounded to 5 and 6 decimals: an incident's point would be one.
    const pairs = new Set<string>();
    for (const t of texts) {
      for (const m of t.matchAll(/(-?\d+\.\d+)\s*,\s*(-?\d+\.\d+)/g)) {
        const [a, b] = [Number(m[1]), Number(m[2])];
        for (const d of [5, 6]) pairs.add(`${a.toFixed(d)},${b.toFixed(d)}`).add(`${b.toFixed(d)},${a.toFixed(d)}`);
      }
    }
    const found: string[] = [];
    for (const r of rows) {
      const lat = Number(r.lat);
      const lon = Number(r.lon);
      const instant = new Date(`${r.datetime}Z`);
      const strings = [
        r.id,
        r.id.slice(5),
        r.datetime,
        instant.toISOString(),
        instant.toISOString().slice(0, 19),
        `${r.lat},${r.lon}`,
        `${r.lon},${r.lat}`,
        `${lat.toFixed(5)}, ${lon.toFixed(5)}`,
      ];
      for (const s of strings) if (texts.some((t) => t.includes(s))) found.push(`${r.id}: "${s}"`);
      for (const d of [5, 6]) if (pairs.has(`${lat.toFixed(d)},${lon.toFixed(d)}`)) found.push(`${r.id}: point to ${d} decimals`);
    }
    expect(found).toEqual([]);
  }, 120_000);

  it('forecasts every shift from what was known before the first one: incidents after it change nothing', async () => {
    const cut = join(dir, 'plain-cut.csv');
    const before = readFileSync(csv, 'utf8')
      .trimEnd()
      .split('\n')
      .filter((line, i) => i === 0 || Date.parse(line.split(',')[1]!) < Date.UTC(2024, 0, 1, 12));
    expect(before.length).toBeLessThan(rows.length + 1); // some incidents fall after the first shift
    writeFileSync(cut, `${before.join('\n')}\n`);
    const ran = await runCli([
      'publish',
      cut,
      '--tz',
      'America/Chicago',
      '--from',
      '2024-01-01T06:00',
      '--shifts',
      '3',
      '--top',
      '5',
      '--out',
      join(dir, 'plain-cut-site'),
    ]);
    expect(ran.code).toBe(0);
    const a = readJson<Manifest>(join(site, 'manifest.json'));
    const b = readJson<Manifest>(join(dir, 'plain-cut-site', 'manifest.json'));
    expect(shiftHashes(b)).toEqual(shiftHashes(a));
  }, 60_000);
});

describe('publish: bad input', () => {
  it('refuses a --from that is not a shift start, naming the flag', async () => {
    const ran = await runCli(['publish', ...VANCOUVER, '--from', '2023-12-15T07:00', '--shifts', '3', '--out', join(dir, 'x')]);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain('--from 2023-12-15T07:00 is 2023-12-15T07:00 in America/Vancouver, not the start of a shift');
  });

  it('refuses a malformed log line, naming the file and line, and leaves the log as it was', async () => {
    const log = join(dir, 'bad.jsonl');
    const good = JSON.stringify({ kind: 'patrolcast-publication', version: 1, shift: { startMs: 1 }, district: 'A', revision: 1 });
    writeFileSync(log, `${good}\n{"kind": "patrolcast-publication", "version": 1\n`);
    const ran = await runCli([
      'publish',
      ...VANCOUVER,
      '--from',
      '2023-12-15T06:00',
      '--shifts',
      '1',
      '--out',
      join(dir, 'y'),
      '--log',
      log,
    ]);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain(`${log}, line 2: not JSON`);
    expect(readFileSync(log, 'utf8')).toBe(`${good}\n{"kind": "patrolcast-publication", "version": 1\n`);
  });
});

describe('publish helpers', () => {
  it('names district files after the districts, distinct and safe, falling back to their position', () => {
    expect([
      ...districtSlugs(['Mount Pleasant', 'Kensington-Cedar Cottage', 'Côte-des-Neiges', 'D1', 'd1', '北区', '../x', 'Mount Pleasant']),
    ]).toEqual([
      ['Mount Pleasant', 'mount-pleasant'],
      ['Kensington-Cedar Cottage', 'kensington-cedar-cottage'],
      ['Côte-des-Neiges', 'cote-des-neiges'],
      ['D1', 'd1'],
      ['d1', 'district_5'],
      ['北区', 'district_6'],
      ['../x', 'x'],
    ]);
  });

  it('coarsens ages under two days in a reason and keeps the rest word for word', () => {
    expect(coarseReason('1 burglary here in the past year, on a night shift, 40 minutes ago')).toBe(
      '1 burglary here in the past year, on a night shift, in the last 2 days',
    );
    expect(coarseReason('9 thefts here in the past year; 2 in the last 14 days, the latest 1 hour ago')).toBe(
      '9 thefts here in the past year; 2 in the last 14 days, the latest in the last 2 days',
    );
    const days = '14 incidents here in the past year; none in the last 14 days, the latest 40 days ago';
    expect(coarseReason(days)).toBe(days);
  });

  it('numbers revisions by shift start and district, and refuses an incomplete or foreign line by file and line', async () => {
    const log = join(dir, 'revisions.jsonl');
    const line = (startMs: number, district: string, revision: number): string =>
      JSON.stringify({ kind: 'patrolcast-publication', version: 1, shift: { startMs }, district, revision });
    writeFileSync(log, `${line(1, 'A', 1)}\n${line(1, 'A', 2)}\n${line(1, 'B', 1)}\n${line(2, 'A', 1)}\n`);
    const revisions = await readRevisions(log);
    expect([...revisions.entries()].sort()).toEqual([
      [revisionKey(1, 'A'), 2],
      [revisionKey(1, 'B'), 1],
      [revisionKey(2, 'A'), 1],
    ]);
    expect(await readRevisions(join(dir, 'absent.jsonl'))).toEqual(new Map());
    writeFileSync(log, `${line(1, 'A', 1)}\n${line(1, 'A', 2)}`);
    await expect(readRevisions(log)).rejects.toThrow(`${log}, line 2: the last line is not complete`);
    writeFileSync(log, `${line(1, 'A', 1)}\n{"kind":"other","version":1}\n`);
    await expect(readRevisions(log)).rejects.toThrow(`${log}, line 2: field "kind" is not "patrolcast-publication"`);
    writeFileSync(log, `${line(1, 'A', 0)}\n`);
    await expect(readRevisions(log)).rejects.toThrow(`${log}, line 1: field "revision" is not an integer ≥ 1`);
  });
});
