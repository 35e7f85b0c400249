/** `patrolcast fit` on bundled fixtures, run in-process through main() with the arguments a user types. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ETAS_DEFAULTS } from '../../engine/model/index.ts';
import { runCli } from '../support/cli.ts';

/** Runs the CLI in-process, as `patrolcast ...args`. */
const cli = (...args: string[]) => runCli(args);

const VAN = 'fixtures/vancouver/property_2023.csv.gz';
const AT = '2023-12-15T22:00';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'patrolcast-fit-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('patrolcast fit', () => {
  it('--model etas-2015 fits Vancouver property crime before --until, prints the parameters in words and writes the JSON', async () => {
    const out = join(dir, 'fit.json');
    const r = await cli(
      'fit',
      'fixtures/vancouver/property_2023.csv.gz',
      '--until',
      '2023-07-01',
      '--model',
      'etas-2015',
      '--preset',
      'vancouver-burglary-vehicle',
      '--fixed-delay-hours',
      '24',
      '--out',
      out,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^Model etas-2015 \(Mohler et al\. 2015\): no recency \(all history\); no profile; triggering same cell, mean delay fixed at 24 h\.\nEach crime raises the chance of another in the same box, decaying with a mean delay of 24 hours; /,
    );
    expect(r.stdout).toContain(`wrote ${out}`);
    const fit = JSON.parse(readFileSync(out, 'utf8'));
    expect([fit.kind, fit.version]).toEqual(['patrolcast-etas-fit', 2]);
    expect(fit.config.triggering.fixedMeanDelayHours).toBe(24);
    expect(fit.res).toBe(10);
    expect(fit.omegaPerHour).toBeCloseTo(1 / 24, 12);
    // 2023-07-01 local midnight in Vancouver (PDT) is 07:00Z.
    expect(fit.window.endMs).toBe(Date.UTC(2023, 6, 1, 7));
    expect(fit.window.startMs).toBeGreaterThanOrEqual(Date.UTC(2023, 0, 1, 8));
    expect(Object.keys(fit.muPerHour).length).toBeGreaterThan(100);
  }, 30_000);

  it('fits the etas model by default; forecast --fit-in on it gives the same boxes as forecast fitting directly', async () => {
    const out = join(dir, 'etas.json');
    const config = join(dir, 'cfg.json');
    // The default configuration with a different half-life and 30 EM iterations: --config is read.
    writeFileSync(
      config,
      JSON.stringify({ ...ETAS_DEFAULTS, recency: { halfLifeDays: 90 }, em: { ...ETAS_DEFAULTS.em, maxIterations: 30 } }),
    );
    const r = await cli('fit', VAN, '--until', AT, '--config', config, '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Model etas \(beyond 2015\): /);
    expect(r.stdout).toMatch(/recency half-life 90 d/);
    expect(r.stdout).toMatch(/ring weights 1\.000, \d+ cells at H3 resolution 10, profile bins /);
    expect(r.stdout).toContain(`wrote ${out}`);
    const fit = JSON.parse(readFileSync(out, 'utf8'));
    expect(fit.kind).toBe('patrolcast-etas-fit');
    expect(fit.config.recency).toEqual({ halfLifeDays: 90 });
    expect(fit.config.em.maxIterations).toBe(30);
    expect(fit.tz).toBe('America/Vancouver');
    // 2023-12-15 22:00 in Vancouver (PST) is 2023-12-16 06:00Z.
    expect(fit.window.endMs).toBe(Date.UTC(2023, 11, 16, 6));
    const direct = await cli('forecast', VAN, '--at', AT, '--config', config, '--out', join(dir, 'direct.geojson'));
    expect(direct.code, direct.stderr).toBe(0);
    const saved = await cli('forecast', VAN, '--at', AT, '--fit-in', out, '--out', join(dir, 'saved.geojson'));
    expect(saved.code, saved.stderr).toBe(0);
    const boxes = readFileSync(join(dir, 'saved.geojson'), 'utf8');
    expect(JSON.parse(boxes).features.length).toBeGreaterThan(10);
    expect(boxes).toBe(readFileSync(join(dir, 'direct.geojson'), 'utf8'));
    // A fit that ends before the shift is a different fit: the boxes change.
    const early = join(dir, 'early.json');
    expect((await cli('fit', VAN, '--until', '2023-12-01', '--config', config, '--out', early)).code).toBe(0);
    expect((await cli('forecast', VAN, '--at', AT, '--fit-in', early, '--out', join(dir, 'early.geojson'))).code).toBe(0);
    expect(readFileSync(join(dir, 'early.geojson'), 'utf8')).not.toBe(boxes);
  }, 90_000);

  it('refuses an unknown --model and --config with etas-2015; fixes parameters of either model', async () => {
    const m = await cli('fit', VAN, '--until', AT, '--model', 'etas-2016', '--out', join(dir, 'x.json'));
    expect(m.code).toBe(2);
    expect(m.stderr).toBe('patrolcast: --model must be etas or etas-2015, got "etas-2016"\n');
    const c = await cli('fit', VAN, '--until', AT, '--model', 'etas-2015', '--config', join(dir, 'cfg.json'), '--out', join(dir, 'x.json'));
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/--config sets up the etas model; it has no effect with --model etas-2015/);
    const f = await cli('fit', VAN, '--until', '2023-03-01', '--fixed-theta', '0.1', '--out', join(dir, 'x.json'));
    expect(f.code, f.stderr).toBe(0);
    const fixed = JSON.parse(readFileSync(join(dir, 'x.json'), 'utf8'));
    expect([fixed.theta, fixed.config.triggering.fixedTheta, fixed.config.recency]).toEqual([0.1, 0.1, ETAS_DEFAULTS.recency]);
  }, 60_000);

  it('warns that month-precision data (data.police.uk) cannot support shift forecasts', async () => {
    const r = await cli('fit', 'fixtures/kent/ashford_2014.csv.gz', '--until', '2014-10-01', '--out', join(dir, 'kent.json'));
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/are known only to the month: .*shift-level \(8-hour\) forecasts need times to the hour or minute/);
  }, 30_000);

  it('rejects a bad bound before reading any data', async () => {
    const r = await cli(
      'fit',
      'fixtures/vancouver/property_2023.csv.gz',
      '--until',
      '2023-07-01',
      '--theta-max',
      '2',
      '--out',
      join(dir, 'x.json'),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('patrolcast: --theta-max must be a number > 0 and ≤ 0.999, got "2"\n');
  });
});
