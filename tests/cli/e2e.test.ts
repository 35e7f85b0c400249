/**
 * The real binary, end to end: `node bin/patrolcast.mjs` as a child process (tsx start-up, the
 * process's streams, its exit code). Everything else about the commands is tested in-process
 * through main(); these few cases check that the binary wires main() to the process.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError, type Ran } from '../support/cli.ts';

const run = promisify(execFile);

/** Spawns the binary; resolves with exit code, stdout and stderr (never rejects on a non-zero exit). */
async function spawnCli(...args: string[]): Promise<Ran> {
  try {
    const { stdout, stderr } = await run('node', ['bin/patrolcast.mjs', ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'patrolcast-e2e-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Each case pays the binary's start-up (about 1 s of tsx): run them concurrently.
describe.concurrent('bin/patrolcast.mjs', () => {
  it('--help lists every command on stdout and exits 0', async () => {
    const r = await spawnCli('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: patrolcast \[options\] \[command\]/);
    for (const cmd of ['ingest', 'fit', 'forecast', 'backtest', 'tune']) expect(r.stdout).toMatch(new RegExp(`^  ${cmd} `, 'm'));
    expect(r.stderr).toBe('');
  });

  it('ingest --json prints the verified counts of the Ashford fixture', async () => {
    // 7,855 rows, every one located (see tests/cli/ingest.test.ts)
    const r = await spawnCli('ingest', '--json', 'fixtures/kent/ashford_2014.csv.gz');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ format: 'police-uk', files: 1, rowsRead: 7855, accepted: 7855, rejected: 0 });
    expect(r.stderr).toBe(''); // not a terminal: no progress bar
  });

  it('a coded error exits 2 with one line naming the file; a usage error exits 1', async () => {
    const bad = await spawnCli('ingest', 'fixtures/bad/not_incidents.csv');
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expectOneLineError(bad.stderr, 'fixtures/bad/not_incidents.csv', 'unrecognised header');
    const usage = await spawnCli('ingest', '--bogus', 'fixtures/bad/not_incidents.csv');
    expect(usage.code).toBe(1);
    expect(usage.stderr).toMatch(/^error: unknown option '--bogus'\n/);
  });

  it('forecast writes a GeoJSON of the boxes and says so on stdout', async () => {
    const out = join(dir, 'boxes.geojson');
    const r = await spawnCli(
      'forecast',
      'fixtures/vancouver/property_2023.csv.gz',
      '--at',
      '2023-12-15T22:00',
      '--top',
      '2',
      '--model',
      'etas-2015',
      '--out',
      out,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `^2023-12-15 22:00 \\(night\\) \\(America/Vancouver\\): wrote (\\d+) boxes in 24 districts to ${out.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(geojson; placed boxes: [^)]*\\)\\n$`,
      ),
    );
    const n = Number(/wrote (\d+) boxes/.exec(r.stdout)![1]);
    const gj = JSON.parse(readFileSync(out, 'utf8'));
    expect(gj.type).toBe('FeatureCollection');
    expect(gj.features).toHaveLength(n);
    expect(n).toBeLessThanOrEqual(2 * 24);
    expect(n).toBeGreaterThan(24); // 2 boxes in most of the 24 districts
    expect(gj.features[0].properties).toMatchObject({ rank: 1, shiftStart: '2023-12-16T06:00:00.000Z', shiftHours: 8 });
  });
});
