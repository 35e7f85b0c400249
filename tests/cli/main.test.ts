/**
 * main(argv, io): the CLI in-process. Exit codes and where each kind of output goes, that it
 * can run many times in one process, and that it writes only to the io it is given.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { main, type CliIo } from '../../cli/main.ts';
import { expectOneLineError, runCli } from '../support/cli.ts';

const ASHFORD = 'fixtures/kent/ashford_2014.csv.gz';

describe('main(argv, io)', () => {
  it('--help goes to io.stdout with exit 0, the same on every call', async () => {
    const a = await runCli(['--help']);
    const b = await runCli(['--help']);
    expect(a.code).toBe(0);
    expect(a.stdout).toMatch(/^Usage: patrolcast \[options\] \[command\]\n/);
    for (const cmd of ['ingest', 'fit', 'forecast', 'backtest', 'tune']) expect(a.stdout).toMatch(new RegExp(`^  ${cmd} `, 'm'));
    expect(a.stderr).toBe('');
    expect(b).toEqual(a);
    const sub = await runCli(['forecast', '--help']);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toMatch(/^Usage: patrolcast forecast \[options\] <files\.\.\.>/);
    expect(sub.stdout).toContain('--fit-in <file>');
    // the version is package.json's, read at run time (cli/version.ts)
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    expect((await runCli(['--version'])).stdout).toBe(`${version}\n`);
  });

  it('a usage error goes to io.stderr with the help after it, exit 1', async () => {
    const r = await runCli(['ingest', '--bogus', ASHFORD]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: unknown option '--bogus'\n\nUsage: patrolcast ingest \[options\] <files\.\.\.>/);
    const none = await runCli(['frob']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^error: unknown command 'frob'/);
  });

  it('a coded error is one line on io.stderr, exit 2; the next call in the same process runs clean', async () => {
    const bad = await runCli(['ingest', 'fixtures/nope.csv']);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expectOneLineError(bad.stderr, 'cannot read fixtures/nope.csv: no such file');
    const good = await runCli(['ingest', '--json', ASHFORD]);
    expect(good.code).toBe(0);
    expect(good.stderr).toBe('');
    expect(JSON.parse(good.stdout)).toMatchObject({ rowsRead: 7855, accepted: 7855 });
  });

  it('an unexpected error says so, exit 1, with the stack only when PATROLCAST_DEBUG is set', async () => {
    // A writer that fails (as a closed pipe would): not a coded error.
    let stderr = '';
    const io = (env: Record<string, string>): CliIo => ({
      stdout: {
        write: () => {
          throw new Error('stdout is closed');
        },
      },
      stderr: { write: (s: string) => (stderr += s) },
      env,
    });
    expect(await main(['ingest', '--json', ASHFORD], io({}))).toBe(1);
    expect(stderr).toBe('patrolcast: unexpected error: stdout is closed\n');
    stderr = '';
    expect(await main(['ingest', '--json', ASHFORD], io({ PATROLCAST_DEBUG: '1' }))).toBe(1);
    const [first, ...stack] = stderr.trimEnd().split('\n');
    expect(first).toBe('patrolcast: unexpected error: stdout is closed');
    expect(stack[0]).toBe('Error: stdout is closed');
    expect(stack.slice(1).every((l) => /^\s+at /.test(l))).toBe(true);
    expect(stack.length).toBeGreaterThan(1);
  });

  it('draws the progress bar on io.stderr only when it is a terminal', async () => {
    const run = async (isTTY: boolean): Promise<string> => {
      let stderr = '';
      const io: CliIo = { stdout: { write: () => true }, stderr: { write: (s: string) => (stderr += s), isTTY, columns: 100 } };
      expect(await main(['ingest', ASHFORD], io)).toBe(0);
      return stderr;
    };
    expect(await run(false)).toBe('');
    expect(await run(true)).toMatch(/reading \[.*\] 100% \| \d+\/\d+ \| ETA/);
  });
});
