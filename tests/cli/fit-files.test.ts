/**
 * `forecast --fit-in` reads the fit files of the previous release (fixtures/fits, kinds
 * 'etas-2015' and 'etas-plus' version 1) and writes the same boxes that release wrote from them.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

const CHICAGO = [
  'fixtures/chicago/district1_2010_2016.csv.gz',
  '--columns',
  'datetime=date,lat=latitude,lon=longitude,category=loc_cat,district=district',
  '--tz',
  'America/Chicago',
];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'patrolcast-fit-files-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('forecast --fit-in with fit files of the previous release', () => {
  for (const kind of ['etas-2015', 'etas-plus']) {
    it(`a version 1 '${kind}' fit gives byte-identical boxes`, async () => {
      const out = join(dir, `${kind}.geojson`);
      const r = await runCli([
        'forecast',
        ...CHICAGO,
        '--at',
        '2016-06-01T22:00',
        '--fit-in',
        `fixtures/fits/chicago-${kind}-v1.json`,
        // The previous release's boxes were grid cells.
        '--placement',
        'grid',
        '--out',
        out,
      ]);
      expect(r.code, r.stderr).toBe(0);
      // Byte-identical but for the placement now recorded in each box's properties, and each
      // box's place in its district's patrol order (`visit`, `legM`) added at the end of them.
      const want = readFileSync(`fixtures/fits/chicago-${kind}-boxes-v1.geojson`, 'utf8').replaceAll(
        '"shiftHours":8,',
        '"shiftHours":8,"placement":"grid",',
      );
      // ... and the place of each box (issue 12): Chicago's file has no location text, so the
      // district and the centre; the reason in counts (reason, reasonCounts); and the patrol order
      // (visit, legM); removed, the rest is as written before, key order included.
      const got = JSON.parse(readFileSync(out, 'utf8')) as { features: { properties: Record<string, unknown> }[] };
      for (const f of got.features) {
        expect(f.properties['place']).toMatch(/^\S+, near \d+\.\d{5}, -\d+\.\d{5}$/);
        expect(f.properties['visit']).toEqual(expect.any(Number));
        expect(f.properties['reason']).toMatch(/here in the past year/);
        for (const key of ['place', 'placeDetail', 'reason', 'reasonCounts', 'visit', 'legM']) delete f.properties[key];
      }
      expect(JSON.stringify(got)).toBe(JSON.stringify(JSON.parse(want)));
    }, 30_000);
  }
});
