/**
 * The commands on a history of 1,000,000 incidents (one generated, seeded .csv.gz shared by the
 * tests): ingest, fit, forecast (from the saved fit) and a short backtest all run
 * without a data-sized spread overflowing the call stack ("Maximum call stack size exceeded"
 * from about 125,000 elements). The fits are limited to a few EM iterations: the point is the
 * data paths, not convergence.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../engine/random.ts';
import { runCli } from '../support/cli.ts';

const N = 1_000_000;
const TZ = ['--tz', 'America/Chicago'];
let dir: string;
let file: string;
/** Rows dated before 2016-06-01 00:00 CDT (05:00Z), counted while generating. */
let beforeJune = 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'patrolcast-1m-'));
  file = join(dir, 'million.csv.gz');
  // Two years at 400 points of a 20 × 20 lattice in Chicago (about 110 m apart), minute times, in time order.
  const rnd = seededRandom(20240601);
  const start = Date.UTC(2014, 5, 1, 5);
  const span = 2 * 365 * 86_400_000;
  const lines = ['id,datetime,lat,lon,category'];
  const june = Date.UTC(2016, 5, 1, 5);
  for (let i = 0; i < N; i++) {
    const t = start + Math.floor(((i / N) * span) / 60_000) * 60_000;
    if (t < june) beforeJune++;
    const p = Math.floor(rnd() * 400);
    const local = new Date(t - 5 * 3_600_000).toISOString().slice(0, 16); // CDT all year is close enough for a minute-precise local time
    lines.push(`m${i},${local},${(41.85 + 0.001 * (p % 20)).toFixed(4)},${(-87.65 + 0.0013 * Math.floor(p / 20)).toFixed(4)},theft`);
  }
  writeFileSync(file, gzipSync(`${lines.join('\n')}\n`));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a history of 1,000,000 incidents', () => {
  it('ingest reads every row', async () => {
    const r = await runCli(['ingest', file, ...TZ, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as { rowsRead: number; accepted: number };
    expect([s.rowsRead, s.accepted]).toEqual([N, N]);
  }, 60_000);

  it('fit and forecast (from the saved fit) run on it', async () => {
    const fit = join(dir, 'fit.json');
    const f = await runCli([
      'fit',
      file,
      ...TZ,
      '--until',
      '2016-06-01T00:00',
      '--model',
      'etas-2015',
      '--max-iterations',
      '3',
      '--out',
      fit,
    ]);
    expect(f.code, f.stderr).toBe(0);
    expect((JSON.parse(readFileSync(fit, 'utf8')) as { events: number }).events).toBe(beforeJune);
    const c = await runCli(['forecast', file, ...TZ, '--at', '2016-06-01T00:00', '--fit-in', fit, '--top', '3']);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout).toMatch(/^Shift 2016-06-01 00:00 \(night\), America\/Chicago: 8 h, 2016-06-01T00:00 CDT to 2016-06-01T08:00 CDT/);
    expect(c.stdout.match(/^ {2,}\d+ {2}8[0-9a-f]{14} /gm)).toHaveLength(3);
  }, 120_000);

  it('a short backtest replays a day on it', async () => {
    const out = join(dir, 'backtest.json');
    const b = await runCli([
      'backtest',
      file,
      ...TZ,
      '--from',
      '2016-05-20',
      '--to',
      '2016-05-21',
      '--models',
      'naive-all,random',
      '--out',
      out,
    ]);
    expect(b.code, b.stderr).toBe(0);
    // Three shifts a day (06:00, 14:00, 22:00) on 20 May.
    expect((JSON.parse(readFileSync(out, 'utf8')) as { shifts: number }).shifts).toBe(3);
  }, 120_000);
});
