/** `forecast --fit-in` checks the saved fit against the data given: its area (cells), its zone and its fingerprint. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError, runCli } from '../support/cli.ts';

const VAN = 'fixtures/vancouver/property_2023.csv.gz';
const KENT = 'fixtures/kent/ashford_2014.csv.gz';
let dir: string;
let vanFit: string;
let kentFit: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'patrolcast-fitin-'));
  vanFit = join(dir, 'van.json');
  kentFit = join(dir, 'kent.json');
  const a = await runCli(['fit', VAN, '--until', '2023-12-15T22:00', '--out', vanFit, '--model', 'etas-2015', '--max-iterations', '20']);
  const b = await runCli(['fit', KENT, '--until', '2014-12-01T00:00', '--out', kentFit, '--model', 'etas-2015', '--max-iterations', '20']);
  expect([a.code, b.code]).toEqual([0, 0]);
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const forecast = (fit: string, ...extra: string[]) =>
  runCli(['forecast', VAN, '--at', '2023-12-15T22:00', '--top', '2', '--fit-in', fit, ...extra]);

describe('forecast --fit-in against the data', () => {
  it('uses a fit made from the same data without a word', async () => {
    const r = await forecast(vanFit);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('refuses a fit made from another area (a Kent fit for Vancouver data), naming both files', async () => {
    const r = await forecast(kentFit);
    expect(r.code).not.toBe(0);
    expectOneLineError(
      r.stderr,
      `${kentFit} does not fit ${VAN}: the saved fit's `,
      "cells hold only 0 of the data's 30322 training incidents (0.0%, at least 50% expected)",
      'made from data of another area',
    );
  });

  it("warns when the data before the fit's end is not what it was fitted on (here: another category filter)", async () => {
    const r = await forecast(vanFit, '--preset', 'vancouver-burglary-vehicle');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /^patrolcast: warning: the data before the saved fit's end is not what it was fitted on \(fingerprint fnv1a64:[0-9a-f]{16}, the data's now fnv1a64:[0-9a-f]{16}\)/,
    );
  });
});
