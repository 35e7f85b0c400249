/**
 * What the commands write, and when they refuse to: an output never overwrites an input (real
 * paths compared), a failed write leaves the old file and no temporary file, and a backtest or
 * tuning period with nothing to score is refused (exit 2, one line, no file written).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { refuseOverwritingInputs, writeFileAtomic } from '../../cli/files.ts';
import { expectOneLineError, runCli } from '../support/cli.ts';

const VAN22 = 'fixtures/vancouver/property_2022.csv.gz';
const dir = mkdtempSync(join(tmpdir(), 'patrolcast-outputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fresh folder holding a copy of a small data file (so overwriting it would be visible). */
function folderWithData(name: string): { folder: string; data: string; original: Buffer } {
  const folder = join(dir, name);
  mkdirSync(folder);
  const data = join(folder, 'data.csv.gz');
  const original = readFileSync(VAN22);
  writeFileSync(data, original);
  return { folder, data, original };
}

describe('an output is never one of the inputs', () => {
  it('fit data --out data: exit 2, one line, the data file untouched', async () => {
    const { folder, data, original } = folderWithData('fit-self');
    const r = await runCli(['fit', data, '--until', '2022-12-01', '--out', data]);
    expect(r.code).toBe(2);
    expectOneLineError(r.stderr, `--out ${data} is an input of this command`, 'refusing to overwrite it');
    expect(readFileSync(data).equals(original)).toBe(true);
    expect(readdirSync(folder)).toEqual(['data.csv.gz']);
  });

  it('compares real paths: ./, .. and a symbolic link to the input are refused too', async () => {
    const { folder, data } = folderWithData('aliases');
    const link = join(folder, 'link.csv.gz');
    symlinkSync(data, link);
    const viaDots = join(folder, '..', 'aliases', '.', 'data.csv.gz');
    for (const [flag, out] of [
      ['--out', link],
      ['--fit-out', viaDots],
    ] as const) {
      const r = await runCli(['forecast', data, '--at', '2022-12-01T22:00', flag, out]);
      expect(r.code, r.stderr).toBe(2);
      expectOneLineError(r.stderr, `${flag} ${out} is an input of this command (${data})`);
    }
    const config = join(folder, 'config.json');
    writeFileSync(config, '{}');
    const tune = await runCli(['tune', data, '--tune-from', '2022-11-01', '--tune-to', '2022-11-08', '--base', config, '--out', config]);
    expect(tune.code).toBe(2);
    expectOneLineError(tune.stderr, `--out ${config} is an input of this command`);
    expect(readFileSync(config, 'utf8')).toBe('{}');
    const both = await runCli([
      'backtest',
      data,
      '--from',
      '2022-11-01',
      '--to',
      '2022-11-02',
      '--out',
      join(folder, 'r'),
      '--html',
      join(folder, 'r'),
    ]);
    expect(both.code).toBe(2);
    expectOneLineError(both.stderr, `--html ${join(folder, 'r')} is also written by --out`);
  });

  it('refuseOverwritingInputs lets distinct new files through', () => {
    expect(() => refuseOverwritingInputs({ '--out': join(dir, 'new.json'), '--html': undefined }, [VAN22, undefined])).not.toThrow();
  });
});

describe('writes are whole or nothing', () => {
  it('a writer failing midway leaves the old file intact and no temporary file', async () => {
    const folder = join(dir, 'midway');
    mkdirSync(folder);
    const target = join(folder, 'fit.json');
    writeFileSync(target, 'the good old fit\n');
    let tempSeen = '';
    const failing = async (path: string, text: string): Promise<void> => {
      tempSeen = path;
      writeFileSync(path, text.slice(0, 5)); // half written...
      throw new Error('ENOSPC: no space left on device'); // ...then the disk fills
    };
    await expect(writeFileAtomic('--out', target, 'a new fit that never lands\n', failing)).rejects.toMatchObject({
      code: 'E_WRITE',
      message: `--out: cannot write ${target}: ENOSPC: no space left on device`,
    });
    expect(tempSeen.startsWith(join(folder, '.fit.json.'))).toBe(true); // the temporary file was in the same folder
    expect(readFileSync(target, 'utf8')).toBe('the good old fit\n');
    expect(readdirSync(folder)).toEqual(['fit.json']);
  });

  it('a directory in the way: E_WRITE, no temporary file left', async () => {
    const folder = join(dir, 'dir-in-way');
    const target = join(folder, 'out.json');
    mkdirSync(join(target, 'inner'), { recursive: true });
    await expect(writeFileAtomic('--out', target, '{}\n')).rejects.toMatchObject({ code: 'E_WRITE' });
    expect(readdirSync(folder)).toEqual(['out.json']);
    expect(readdirSync(target)).toEqual(['inner']);
  });

  it('replaces an existing file whole', async () => {
    const target = join(dir, 'replace.txt');
    writeFileSync(target, 'old contents, longer than the new\n');
    await writeFileAtomic('--out', target, 'new\n');
    expect(readFileSync(target, 'utf8')).toBe('new\n');
  });
});

describe('a period with nothing to score is refused (E_NO_EVENTS)', () => {
  // property_2022 ends on 2022-12-31: February 2023 holds no incident at all.
  it('backtest: exit 2, one line naming the period, no --out or --html written', async () => {
    const out = join(dir, 'empty.json');
    const html = join(dir, 'empty.html');
    const r = await runCli(['backtest', VAN22, '--from', '2023-02-01', '--to', '2023-02-02', '--out', out, '--html', html]);
    expect(r.code, r.stderr).toBe(2);
    expectOneLineError(
      r.stderr,
      'the test period (2023-02-01T14:00:00.000Z to 2023-02-02T14:00:00.000Z) has nothing to score',
      'no incident at all',
    );
    expect(r.stdout).not.toContain('NaN');
    expect(existsSync(out)).toBe(false);
    expect(existsSync(html)).toBe(false);
  }, 60_000);

  it('tune: exit 2, one line, no configuration written', async () => {
    const out = join(dir, 'empty-config.json');
    const r = await runCli(['tune', VAN22, '--tune-from', '2023-02-01', '--tune-to', '2023-02-08', '--out', out]);
    expect(r.code, r.stderr).toBe(2);
    expectOneLineError(r.stderr, 'the tuning period', 'has nothing to score', 'no incident at all');
    expect(existsSync(out)).toBe(false);
  }, 60_000);
});
