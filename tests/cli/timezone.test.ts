/**
 * An unknown time zone reads the same from every command and every source (a flag or a saved
 * fit): one line `patrolcast: <where>: unknown time zone "X" (use an IANA name ...)`, exit 2,
 * checked by the engine's one check (checkTimeZone) before any data is read.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkZone, CliError } from '../../cli/errors.ts';
import { inputOptionsFrom } from '../../cli/io.ts';
import { runCli } from '../support/cli.ts';

const BAD = 'Mars/Olympus_Mons';
const ENGINE_MESSAGE = `unknown time zone "${BAD}" (use an IANA name such as America/Vancouver or Europe/London)`;
const DATA = 'fixtures/vancouver/raw_2022_slice.csv';

/** `patrolcast ...args` in-process (tests/support/cli.ts). */
async function patrolcast(...args: string[]): Promise<{ code: number; stderr: string }> {
  const { code, stderr } = await runCli(args);
  return { code, stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'patrolcast-tz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the CLI zone check (in-process)', () => {
  it('--tz goes through the engine check: CliError E_TIMEZONE naming the flag and the zone', () => {
    let err: unknown;
    try {
      inputOptionsFrom({ tz: BAD });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).code).toBe('E_TIMEZONE');
    expect((err as CliError).message).toBe(`--tz: ${ENGINE_MESSAGE}`);
    expect(inputOptionsFrom({ tz: 'Europe/London' }).tz).toBe('Europe/London');
  });
  it('checkZone says where the zone came from and passes good zones through', () => {
    expect(() => checkZone('fit.json: field "tz"', BAD)).toThrow(`fit.json: field "tz": ${ENGINE_MESSAGE}`);
    expect(checkZone('--tz', 'America/Chicago')).toBe('America/Chicago');
  });
});

describe.concurrent('every command reports an unknown zone the same way', () => {
  const expectZoneLine = (r: { code: number; stderr: string }, where: string): void => {
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toBe(`patrolcast: ${where}: ${ENGINE_MESSAGE}\n`);
  };

  it('--tz on ingest, fit, forecast, backtest and tune', async () => {
    const out = join(dir, 'out.json');
    const runs = await Promise.all([
      patrolcast('ingest', '--tz', BAD, DATA),
      patrolcast('fit', DATA, '--tz', BAD, '--until', '2022-06-01', '--out', out),
      patrolcast('forecast', DATA, '--tz', BAD, '--at', '2022-06-01T22:00'),
      patrolcast('backtest', DATA, '--tz', BAD, '--from', '2022-06-01', '--to', '2022-06-08'),
      patrolcast('tune', DATA, '--tz', BAD, '--tune-from', '2022-06-01', '--tune-to', '2022-06-08', '--out', out),
    ]);
    for (const r of runs) expectZoneLine(r, '--tz');
  });

  it("a saved fit's zone (forecast --fit-in), naming the file and field", async () => {
    const fitPath = join(dir, 'bad-zone-fit.json');
    // A fit file of the previous release (kind 'etas-plus', with a profile) with its zone broken.
    const fit = { ...JSON.parse(readFileSync('fixtures/fits/chicago-etas-plus-v1.json', 'utf8')), tz: BAD };
    writeFileSync(fitPath, JSON.stringify(fit));
    expectZoneLine(await patrolcast('forecast', DATA, '--at', '2022-06-01T22:00', '--fit-in', fitPath), `${fitPath}: field "tz"`);
  });
});
