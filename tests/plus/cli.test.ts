/**
 * `patrolcast tune`, and the etas configuration read by `backtest --config` and
 * `forecast --config`, run in-process through main() with the arguments a user types (the bundled
 * Vancouver fixtures).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEtasConfig } from '../../engine/model/index.ts';
import { runCli } from '../support/cli.ts';

const V22 = 'fixtures/vancouver/property_2022.csv.gz';
const V23 = 'fixtures/vancouver/property_2023.csv.gz';

/** Runs the CLI in-process, as `patrolcast ...args`. */
const cli = (...args: string[]) => runCli(args);

let dir: string;
let tuned: Awaited<ReturnType<typeof cli>>;
const GRID =
  '{"halfLifeDays":[null,90],"profile":[true,false],"priorStrength":[10],"blend":[0.1],"weekend":[false],"prior":["district"],"triggering":[true],"minMeanDelayHours":[1],"ringDepth":[0]}';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'patrolcast-tune-'));
  tuned = await cli(
    'tune',
    V22,
    V23,
    '--tune-from',
    '2023-06-01',
    '--tune-to',
    '2023-06-15',
    '--eval-from',
    '2023-07-01',
    '--grid',
    GRID,
    '--out',
    join(dir, 'etas.json'),
  );
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('patrolcast tune', () => {
  it('writes a configuration that records its tuning period and reads back as valid', () => {
    expect(tuned.code, tuned.stderr).toBe(0);
    expect(tuned.stdout).toMatch(/^naive-all /m);
    expect(tuned.stdout).toMatch(/^Chosen \([+−]\d+\.\d\d% over naive-all/m);
    const config = checkEtasConfig(JSON.parse(readFileSync(join(dir, 'etas.json'), 'utf8')));
    expect(config.tuning!.to).toBe('2023-06-15T07:00:00.000Z');
    expect(config.tuning!.shifts).toBe(41); // 14 days × 3, less the last night shift, which ends after --tune-to
    expect(config.tuning!.command).toMatch(/^patrolcast tune /);
  });

  it('refuses a tuning period that overlaps the evaluation period, in one line', async () => {
    const r = await cli(
      'tune',
      V23,
      '--tune-from',
      '2023-06-01',
      '--tune-to',
      '2023-07-02',
      '--eval-from',
      '2023-07-01',
      '--out',
      join(dir, 'x.json'),
    );
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^patrolcast: the tuning period \(to 2023-07-02\) overlaps the evaluation period \(from 2023-07-01\)/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('names a bad grid key', async () => {
    const r = await cli(
      'tune',
      V23,
      '--tune-from',
      '2023-06-01',
      '--tune-to',
      '2023-06-02',
      '--grid',
      '{"halfLife":[3]}',
      '--out',
      join(dir, 'x.json'),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--grid: grid key "halfLife" is unknown/);
  });
});

describe('--config', () => {
  it('backtest uses it for etas and runs etas-2015 beside it', async () => {
    const r = await cli(
      'backtest',
      V22,
      V23,
      '--from',
      '2023-07-01',
      '--to',
      '2023-07-02',
      '--models',
      'etas,etas-2015,naive-all',
      '--config',
      join(dir, 'etas.json'),
      '--out',
      join(dir, 'r.json'),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^etas-2015 /m);
    const report = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
    expect(report.modelNames).toEqual(['etas', 'etas-2015', 'naive-all']);
    expect(report.notes.join('\n')).toMatch(/etas: (recency half-life 90 d|no recency)/);
  });

  it('backtest refuses a configuration tuned on a period reaching past --from', async () => {
    const r = await cli('backtest', V23, '--from', '2023-06-10', '--to', '2023-06-11', '--config', join(dir, 'etas.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /was tuned on 2023-06-01T07:00:00.000Z to 2023-06-15T07:00:00.000Z, which reaches past the start of the test period/,
    );
  });

  it('forecast uses it, saves an etas fit, and gives the same boxes from the saved fit', async () => {
    const a = await cli(
      'forecast',
      V23,
      '--at',
      '2023-12-15T22:00',
      '--top',
      '3',
      '--config',
      join(dir, 'etas.json'),
      '--fit-out',
      join(dir, 'fit.json'),
      '--out',
      join(dir, 'a.geojson'),
    );
    expect(a.code, a.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'fit.json'), 'utf8')).kind).toBe('patrolcast-etas-fit');
    const b = await cli(
      'forecast',
      V23,
      '--at',
      '2023-12-15T22:00',
      '--top',
      '3',
      '--fit-in',
      join(dir, 'fit.json'),
      '--out',
      join(dir, 'b.geojson'),
    );
    expect(b.code, b.stderr).toBe(0);
    expect(readFileSync(join(dir, 'b.geojson'), 'utf8')).toBe(readFileSync(join(dir, 'a.geojson'), 'utf8'));
  });

  it('forecast --model etas-2015 refuses --config, and a fit of one model cannot be used as the other', async () => {
    const r = await cli('forecast', V23, '--at', '2023-12-15T22:00', '--model', 'etas-2015', '--config', join(dir, 'etas.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--config sets up the etas model/);
    const s = await cli('forecast', V23, '--at', '2023-12-15T22:00', '--model', 'etas-2015', '--fit-in', join(dir, 'fit.json'));
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/is a fit of the etas model, but --model is etas-2015/);
  });
});
