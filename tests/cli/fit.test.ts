/** `patrolcast fit` end to end on bundled fixtures (child process, as a user runs it). */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);

async function cli(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run('node', ['bin/patrolcast.mjs', ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'patrolcast-fit-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('patrolcast fit', () => {
  it('fits Vancouver property crime before --until, prints the parameters in words and writes the JSON', async () => {
    const out = join(dir, 'fit.json');
    const r = await cli('fit', 'fixtures/vancouver/property_2023.csv.gz', '--until', '2023-07-01', '--preset', 'vancouver-burglary-vehicle', '--fixed-delay-hours', '24', '--out', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Each crime raises the chance of another in the same box, decaying with a mean delay of 24 hours; /);
    expect(r.stdout).toContain(`wrote ${out}`);
    const fit = JSON.parse(readFileSync(out, 'utf8'));
    expect(fit.kind).toBe('etas-2015');
    expect(fit.res).toBe(10);
    expect(fit.omegaPerHour).toBeCloseTo(1 / 24, 12);
    // 2023-07-01 local midnight in Vancouver (PDT) is 07:00Z.
    expect(fit.window.endMs).toBe(Date.UTC(2023, 6, 1, 7));
    expect(fit.window.startMs).toBeGreaterThanOrEqual(Date.UTC(2023, 0, 1, 8));
    expect(Object.keys(fit.muPerHour).length).toBeGreaterThan(100);
  }, 30_000);

  it('warns that month-precision data (data.police.uk) cannot support shift forecasts', async () => {
    const r = await cli('fit', 'fixtures/kent/ashford_2014.csv.gz', '--until', '2014-10-01', '--out', join(dir, 'kent.json'));
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/are known only to the month: .*shift-level \(8-hour\) forecasts need times to the hour or minute/);
  }, 30_000);

  it('rejects a bad bound before reading any data', async () => {
    const r = await cli('fit', 'fixtures/vancouver/property_2023.csv.gz', '--until', '2023-07-01', '--theta-max', '2', '--out', join(dir, 'x.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('patrolcast: --theta-max must be a number > 0 and ≤ 0.999, got "2"\n');
  });
});
