/**
 * `patrolcast publish` run after run, as a nightly job runs it: the publication log is locked
 * while a run uses it (a held lock, a stale lock, two runs at once), and publishing into a folder
 * that holds an earlier site removes the earlier run's shift files that this run does not write,
 * and nothing else.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import type { Manifest } from '../../cli/publishSite.ts';
import { maplibreDist } from '../../cli/publishFiles.ts';
import { logLines, plainCsv, plainIncidents, readJson, sha256, shiftPaths } from './publishSupport.ts';

const dir = mkdtempSync(join(tmpdir(), 'patrolcast-publish-runs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('publish: the log is locked while a run uses it', () => {
  const csv = join(dir, 'lock.csv');
  const rows = plainIncidents(600);
  const args = (log: string, out: string): string[] => [
    'publish',
    csv,
    '--tz',
    'America/Chicago',
    '--from',
    '2024-01-01T06:00',
    '--shifts',
    '2',
    '--top',
    '3',
    '--out',
    out,
    '--log',
    log,
  ];
  beforeAll(() => {
    writeFileSync(csv, plainCsv(rows, 2));
  });

  it('refuses to run while another process holds the lock, naming the lock file, and writes nothing', async () => {
    const log = join(dir, 'held.jsonl');
    const lock = `${log}.lock`;
    const holder = JSON.stringify({ pid: process.pid, host: hostname(), at: '2026-11-30T01:00:00.000Z' });
    writeFileSync(lock, `${holder}\n`);
    const ran = await runCli(args(log, join(dir, 'held-site')));
    expect(ran.code).toBe(2);
    expect(ran.stderr).toBe(
      `patrolcast: --log is locked: ${lock} is held by process ${process.pid} on ${hostname()} since 2026-11-30T01:00:00.000Z, still running: another publish is using this log; run again when it has finished\n`,
    );
    expect(existsSync(log)).toBe(false);
    expect(existsSync(join(dir, 'held-site'))).toBe(false);
    expect(readFileSync(lock, 'utf8')).toBe(`${holder}\n`); // not someone else's to remove
  });

  it('a log in a folder that does not exist is refused before the fit, saying which folder', async () => {
    const log = join(dir, 'no-such-folder', 'published.jsonl');
    const ran = await runCli(args(log, join(dir, 'no-folder-site')));
    expect(ran.code).toBe(2);
    expect(ran.stderr).toBe(
      `patrolcast: --log ${log}: the folder ${join(dir, 'no-such-folder')} does not exist: create it (the log is kept there, beside the data)\n`,
    );
    expect(existsSync(join(dir, 'no-folder-site'))).toBe(false);
  });

  it('says how many incidents it left out as dated after --from, and calls a date past the clock a mistyped year', async () => {
    const typo = join(dir, 'typo.csv');
    // the file's last row mistyped 2203 for 2023 (line 602: the header, 600 rows, then this one)
    writeFileSync(typo, `${plainCsv(rows, 2)}CASE-TYPO,2203-07-01T10:00Z,41.88,-87.63,burglary,D0\n`);
    const ran = await runCli(args(join(dir, 'typo.jsonl'), join(dir, 'typo-site')).map((a) => (a === csv ? typo : a)));
    expect(ran.code, ran.stderr).toBe(0);
    const from = Date.parse('2024-01-01T12:00Z'); // 06:00 CST
    const after = rows.filter((r) => Date.parse(`${r.datetime}Z`) >= from).length + 1;
    expect(ran.stderr).toContain(
      `patrolcast: note: ${after} incidents are dated after --from (not yet known at the first shift's start) and left out; the latest is dated 2203-07-01T05:00 CDT, later than this machine's clock: a mistyped year? (${typo}, line 602)`,
    );
  });

  it('reports a lock left by a process that is gone, with how to remove it, and leaves it in place', async () => {
    const log = join(dir, 'stale-lock.jsonl');
    const lock = `${log}.lock`;
    const gone = spawnSync(process.execPath, ['-e', '']).pid!; // it has exited: its pid names no process
    writeFileSync(lock, `${JSON.stringify({ pid: gone, host: hostname(), at: '2026-11-29T03:00:00.000Z' })}\n`);
    const ran = await runCli(args(log, join(dir, 'stale-lock-site')));
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain(
      `${lock} was left by process ${gone} on ${hostname()} since 2026-11-29T03:00:00.000Z, which is no longer running`,
    );
    expect(ran.stderr).toContain(`then remove the lock (rm ${lock}) and publish again`);
    expect(existsSync(lock)).toBe(true);
    rmSync(lock);
    const again = await runCli(args(log, join(dir, 'stale-lock-site')));
    expect(again.code).toBe(0);
    expect(existsSync(lock)).toBe(false);
  });

  it('lets one of two runs started at once have the log: the other fails on the lock, and revisions stay 1 per shift and district', async () => {
    const log = join(dir, 'race.jsonl');
    const [a, b] = await Promise.all([runCli(args(log, join(dir, 'race-a'))), runCli(args(log, join(dir, 'race-b')))]);
    expect([a.code, b.code].sort()).toEqual([0, 2]);
    const loser = a.code === 2 ? a : b;
    expect(loser.stderr).toContain(`--log is locked: ${log}.lock is held by process ${process.pid}`);
    const lines = logLines(log);
    expect(lines).toHaveLength(2 * 2); // 2 shifts × 2 districts, once
    expect(lines.every((l) => l.revision === 1)).toBe(true);
    expect(existsSync(`${log}.lock`)).toBe(false);
  }, 60_000);
});

describe('publish: publishing again into the same folder', () => {
  const csv = join(dir, 'again.csv');
  const rows = plainIncidents(600);
  const site = join(dir, 'again-site');
  const run = (from: string, shifts: string, out = site): Promise<Awaited<ReturnType<typeof runCli>>> =>
    runCli(['publish', csv, '--tz', 'America/Chicago', '--from', from, '--shifts', shifts, '--top', '3', '--out', out]);
  beforeAll(() => {
    writeFileSync(csv, plainCsv(rows, 2));
  });

  it("removes the earlier run's shift files that this run does not write, and nothing the manifest does not name", async () => {
    expect((await run('2024-01-01T06:00', '3')).code).toBe(0);
    const first = readJson<Manifest>(join(site, 'manifest.json'));
    expect(first.shifts.map((s) => s.id)).toEqual(['2024-01-01_0600', '2024-01-01_1400', '2024-01-01_2200']);
    // Someone's own files in the folder, one of them among the shifts.
    writeFileSync(join(site, 'notes.txt'), 'ours\n');
    writeFileSync(join(site, 'shifts', 'keep.json'), '{}\n');
    writeFileSync(join(site, 'shifts', '2024-01-01_2200', 'extra.json'), '{}\n');
    const again = await run('2024-01-01T14:00', '1');
    expect(again.code).toBe(0);
    // 2 districts in each of the 06:00 and 22:00 shifts.
    expect(again.stdout).toContain(`to ${site} (4 files of the earlier run removed)`);
    const second = readJson<Manifest>(join(site, 'manifest.json'));
    const kept = shiftPaths(second.shifts[0]!);
    expect(kept).toEqual(['shifts/2024-01-01_1400/d0.json', 'shifts/2024-01-01_1400/d1.json']);
    // Refitted from what was known before 14:00: new files in place of the first run's for that shift.
    for (const f of Object.values(second.shifts[0]!.files)) expect(sha256(readFileSync(join(site, f.file)))).toBe(f.sha256);
    expect(readdirSync(join(site, 'shifts')).sort()).toEqual(['2024-01-01_1400', '2024-01-01_2200', 'keep.json']);
    expect(readdirSync(join(site, 'shifts', '2024-01-01_2200'))).toEqual(['extra.json']); // not the earlier run's: kept, and so its folder
    expect(existsSync(join(site, 'shifts', '2024-01-01_0600'))).toBe(false); // emptied: removed
    expect(readFileSync(join(site, 'notes.txt'), 'utf8')).toBe('ours\n');
  }, 60_000);

  it('refuses a folder whose manifest.json is not a site, or names a file outside shifts/, before the fit and deleting nothing', async () => {
    const foreign = join(dir, 'foreign');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'manifest.json'), '{"name": "an app"}\n');
    const ran = await run('2024-01-01T06:00', '1', foreign);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain(`--out: ${join(foreign, 'manifest.json')} is not a patrolcast site manifest`);
    expect(readdirSync(foreign)).toEqual(['manifest.json']);

    const edited = join(dir, 'edited');
    mkdirSync(edited);
    writeFileSync(join(dir, 'precious.json'), '{}\n');
    writeFileSync(
      join(edited, 'manifest.json'),
      JSON.stringify({ kind: 'patrolcast-site', version: 1, shifts: [{ file: '../precious.json' }] }),
    );
    const ran2 = await run('2024-01-01T06:00', '1', edited);
    expect(ran2.code).toBe(2);
    expect(ran2.stderr).toContain('lists a shift file "../precious.json" outside shifts/');
    expect(existsSync(join(dir, 'precious.json'))).toBe(true);
    expect(readdirSync(edited)).toEqual(['manifest.json']);
  });

  it("removes a first release's one-file-per-shift files (version 1 manifest) and its base map when publishing over them without one", async () => {
    const old = join(dir, 'old-site');
    mkdirSync(join(old, 'shifts'), { recursive: true });
    writeFileSync(join(old, 'shifts', '2023-12-15_0600.json'), '{}\n');
    writeFileSync(join(old, 'basemap.geojson'), '{}\n');
    writeFileSync(
      join(old, 'manifest.json'),
      JSON.stringify({
        kind: 'patrolcast-site',
        version: 1,
        shifts: [{ file: 'shifts/2023-12-15_0600.json' }],
        basemap: 'basemap.geojson',
      }),
    );
    const ran = await run('2024-01-01T06:00', '1', old);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain('(2 files of the earlier run removed)');
    expect(readdirSync(join(old, 'shifts'))).toEqual(['2024-01-01_0600']);
    expect(existsSync(join(old, 'basemap.geojson'))).toBe(false); // the plain CSV's site has no base map
    expect(readJson<Manifest>(join(old, 'manifest.json')).basemap).toBeNull();
  }, 60_000);
});

describe('publish: the map library', () => {
  it('finds MapLibre GL in this checkout, and names what to install where it is missing', () => {
    expect(existsSync(join(maplibreDist(), 'maplibre-gl-worker.mjs'))).toBe(true);
    const empty = join(dir, 'no-packages');
    mkdirSync(empty);
    expect(() => maplibreDist([empty])).toThrow(
      `the site's viewer needs MapLibre GL ^6.17.0, which is not installed (no node_modules/maplibre-gl/dist/maplibre-gl.mjs above ${empty}): install it beside patrolcast, npm install maplibre-gl@^6.17.0`,
    );
  });
});
