/** Instants on the command line: a date-only --at is refused, and every printed instant is local with its zone. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLocalInstant } from '../../engine/index.ts';
import { expectOneLineError, runCli } from '../support/cli.ts';

const VAN = 'fixtures/vancouver/property_2023.csv.gz';
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'patrolcast-instants-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('formatLocalInstant', () => {
  it('prints the wall clock of the zone with its abbreviation or offset (hand-checked values)', () => {
    expect(formatLocalInstant(Date.UTC(2023, 11, 16, 6), 'America/Vancouver')).toBe('2023-12-15T22:00 PST');
    expect(formatLocalInstant(Date.UTC(2024, 5, 16, 5), 'America/Vancouver')).toBe('2024-06-15T22:00 PDT');
    expect(formatLocalInstant(Date.UTC(2014, 6, 1), 'Europe/London')).toBe('2014-07-01T01:00 GMT+1');
    expect(formatLocalInstant(Date.UTC(2016, 0, 1), 'America/Chicago')).toBe('2015-12-31T18:00 CST');
  });
});

describe('--at and --until', () => {
  it('refuses a date-only --at, suggesting a start with a time (it ran 00:00-08:00 labelled "night")', async () => {
    const r = await runCli(['forecast', VAN, '--at', '2023-12-15']);
    expect(r.code).not.toBe(0);
    expectOneLineError(r.stderr, '--at "2023-12-15" is a date without a time', '--at 2023-12-15T22:00 (night)');
    expect(r.stdout).toBe('');
  });

  it('says what a date-only --until was read as, and prints the fit window in local time with the zone', async () => {
    const out = join(dir, 'fit.json');
    const r = await runCli(['fit', VAN, '--until', '2023-12-01', '--out', out, '--model', 'etas-2015', '--max-iterations', '5']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('patrolcast: note: --until 2023-12-01 is read as 2023-12-01T00:00 PST (the start of that day)\n');
    expect(r.stdout).toContain('trained on 2023-01-01T00:00 PST to 2023-12-01T00:00 PST (');
    expect(r.stdout).not.toMatch(/\d\d:\d\d:\d\d\.\d{3}Z/);
  });
});
