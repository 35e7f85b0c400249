/**
 * Bad rows and duplicates through the CLI (issue 10, items 2, 5 and 11): an unclosed quote
 * rejects one line and the rest of the file is read; fit, forecast, backtest and tune say how
 * many rows were rejected and refuse a mostly rejected file unless --allow-rejected; files and
 * rows given twice are dropped as duplicates unless --keep-duplicates; control characters in the
 * data never reach the terminal raw.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError, runCli } from '../support/cli.ts';

const FIXTURE = 'fixtures/vancouver/property_2023.csv.gz';
let dir: string;
let strayQuote: string;
const lines = gunzipSync(readFileSync(FIXTURE)).toString('utf8').split('\n');

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pc-badrows-'));
  // A stray quote opening the HUNDRED_BLOCK field of data row 11 (line 12).
  const stray = [...lines];
  const f = stray[11]!.split(',');
  f[6] = `"${f[6]}`;
  stray[11] = f.join(',');
  strayQuote = join(dir, 'stray.csv');
  writeFileSync(strayQuote, stray.join('\n'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('an unclosed quote (item 2)', () => {
  it('rejects its line only: 31,485 rows read, 1 rejected unclosed_quote at line 12 (was "rows read 10, accepted 9")', async () => {
    const r = await runCli(['ingest', strayQuote, '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as { rowsRead: number; accepted: number; rejected: number; rejectedByReason: Record<string, number> };
    const clean = JSON.parse((await runCli(['ingest', FIXTURE, '--json'])).stdout) as typeof s;
    expect(s.rowsRead).toBe(31485);
    expect(s.accepted + s.rejected).toBe(31485);
    expect(s.rejectedByReason.unclosed_quote).toBe(1);
    expect(s.accepted).toBe(clean.accepted - 1);
    const text = await runCli(['ingest', strayQuote]);
    expect(text.stdout).toContain(
      `${strayQuote} line 12: a quote opened in the record on line 12 is still open 100 lines later: this line is rejected and reading goes on at line 13`,
    );
  });

  it('fit says on stderr how many rows were rejected, by reason', async () => {
    const r = await runCli(['fit', strayQuote, '--until', '2023-12-15T22:00', '--out', join(dir, 'fit.json'), '--max-iterations', '3']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`patrolcast: warning: ${strayQuote}: 1 of 31,485 rows rejected (unclosed_quote 1)`);
  });
});

describe('a mostly rejected file (item 2)', () => {
  let mostly: string;
  beforeAll(() => {
    // 10 good rows, 11 with a day that does not exist: 11 of 21 rejected (52%).
    const rows = ['id,datetime,lat,lon,category'];
    for (let k = 0; k < 21; k++) rows.push(`r${k},2023-0${k < 10 ? 1 : 2}-${k < 10 ? 10 + k : 30}T10:00Z,49.28,-123.12,theft`);
    mostly = join(dir, 'mostly.csv');
    writeFileSync(mostly, `${rows.join('\n')}\n`);
  });

  it.each([
    ['fit', '--until', '2023-03-01T00:00', '--out', 'f.json'],
    ['forecast', '--at', '2023-03-01T22:00', '--tz', 'UTC'],
    ['backtest', '--from', '2023-01-15', '--to', '2023-01-20', '--tz', 'UTC'],
    ['tune', '--tune-from', '2023-01-15', '--tune-to', '2023-01-20', '--out', 'c.json', '--tz', 'UTC'],
  ])('%s refuses it with one line and exit 2', async (cmd, ...rest) => {
    const r = await runCli([cmd, mostly, ...rest.map((a) => (a.endsWith('.json') ? join(dir, a) : a))]);
    expect(r.code).toBe(2);
    expectOneLineError(r.stderr, `${mostly}: 11 of 21 rows rejected (bad_time 11)`, 'more than half', '--allow-rejected');
  });

  it('--allow-rejected goes on, still warning', async () => {
    const r = await runCli(['fit', mostly, '--until', '2023-03-01T00:00', '--out', join(dir, 'f2.json'), '--allow-rejected']);
    expect(r.stderr).toContain(`patrolcast: warning: ${mostly}: 11 of 21 rows rejected (bad_time 11)`);
    expect(r.stderr).not.toContain('more than half');
  });
});

describe('duplicates (item 5)', () => {
  it('a file given twice: the second copy is rejected as duplicate, unless --keep-duplicates', async () => {
    const once = JSON.parse((await runCli(['ingest', FIXTURE, '--json'])).stdout) as {
      rowsRead: number;
      accepted: number;
      rejected: number;
    };
    const copy = join(dir, 'copy.csv');
    writeFileSync(copy, lines.join('\n'));
    const r = JSON.parse((await runCli(['ingest', FIXTURE, copy, '--json'])).stdout) as {
      rowsRead: number;
      accepted: number;
      rejected: number;
      rejectedByReason: Record<string, number>;
    };
    expect(r.rowsRead).toBe(2 * once.rowsRead);
    expect(r.accepted).toBe(once.accepted);
    expect(r.rejectedByReason.duplicate).toBe(once.accepted);
    expect(r.accepted + r.rejected).toBe(r.rowsRead);
    const kept = JSON.parse((await runCli(['ingest', FIXTURE, copy, '--json', '--keep-duplicates'])).stdout) as { accepted: number };
    expect(kept.accepted).toBe(2 * once.accepted);
    const text = await runCli(['ingest', FIXTURE, copy]);
    expect(text.stdout).toContain(`${copy} line 2: duplicate: the file has the same content as ${FIXTURE}`);
  }, 30_000);

  it('rows repeating an earlier id are rejected as duplicate; equal rows without an id are kept', async () => {
    const rows = ['id,datetime,lat,lon,category'];
    for (let k = 0; k < 6; k++) rows.push(`r${k},2023-01-0${k + 1}T10:00Z,49.28,-123.12,theft`);
    rows.push('r2,2023-01-03T10:00Z,49.28,-123.12,theft', 'r4,2023-05-05T10:00Z,49.28,-123.12,theft'); // same ids
    rows.push(',2023-01-09T10:00Z,49.28,-123.12,theft', ',2023-01-09T10:00Z,49.28,-123.12,theft'); // no id: kept
    const path = join(dir, 'dups.csv');
    writeFileSync(path, `${rows.join('\n')}\n`);
    const r = await runCli(['ingest', path]);
    expect(r.stdout).toMatch(/rows read\s+10\n\s+accepted\s+8\n\s+rejected\s+2/);
    expect(r.stdout).toContain(`${path} line 8: duplicate: id "r2" already read at ${path} line 4`);
    expect(r.stdout).toContain(`${path} line 9: duplicate: id "r4" already read at ${path} line 6`);
    const f = await runCli(['fit', path, '--until', '2023-06-01T00:00', '--out', join(dir, 'd.json'), '--max-iterations', '2']);
    expect(f.stderr).toContain(`${path}: 2 of 10 rows rejected (duplicate 2)`);
  });
});

describe('control characters (item 11)', () => {
  it('are written as visible \\uXXXX in the ingest summary, examples and error messages', async () => {
    const path = join(dir, 'esc.csv');
    writeFileSync(
      path,
      'id,datetime,lat,lon,category\nr1,2023-01-01T10:00Z,49.28,-123.12,\x1b[31mred\x07\nr2,2023-01-01T10:00Z,49.28,-123.12,\u009b2J\nr3,bad\x1b]0;owned\x07,49.28,-123.12,x\n',
    );
    const r = await runCli(['ingest', path]);
    const all = r.stdout + r.stderr;
    // eslint-disable-next-line no-control-regex
    expect(all).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(r.stdout).toContain('\\u001b[31mred\\u0007');
    expect(r.stdout).toContain('\\u009b2J');
    expect(r.stdout).toContain('"bad\\u001b]0;owned\\u0007"'); // the example message quotes the value as JSON
    const json = await runCli(['ingest', path, '--json']);
    expect(Object.keys(JSON.parse(json.stdout).categories)).toContain('\u001b[31mred\u0007'); // still valid JSON, same value
    const err = await runCli(['ingest', path, '--format', '\x1b[2Jplain']);
    expect(err.stderr).not.toContain('\x1b');
    expect(err.stderr).toContain('\\u001b[2Jplain');
  });
});
