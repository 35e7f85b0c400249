/**
 * Running out of memory says so in one line (cli/memory.ts): the reader's heap check stops a
 * read before V8 would abort, with the rows read and what to do; an allocation failure caught
 * later reads the same way. Run in-process with a small artificial heap limit
 * (PATROLCAST_HEAP_LIMIT_MB).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { afterAll, describe, expect, it } from 'vitest';
import { guardedChunks, MEMORY_STOP_FRACTION, memoryGuard, outOfMemoryMessage } from '../../cli/memory.ts';
import { expectOneLineError, runCli } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'patrolcast-memory-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const MB = 2 ** 20;

describe('memoryGuard', () => {
  const heap = (usedMB: number, limitMB: number) => () => ({ usedBytes: usedMB * MB, limitBytes: limitMB * MB });
  it(`passes at ${MEMORY_STOP_FRACTION * 100}% of the limit, stops above it with the rows read and the advice`, () => {
    expect(() => memoryGuard({}, heap(850, 1000)).check('a.csv', 10)).not.toThrow();
    expect(() => memoryGuard({}, heap(851, 1000)).check('big.csv', 4_200_000)).toThrowError(
      expect.objectContaining({
        code: 'E_OUT_OF_MEMORY',
        message:
          'out of memory while reading big.csv: stopped after 4,200,000 rows, with 851 MB of the 1000 MB heap in use; give Node more memory (e.g. NODE_OPTIONS=--max-old-space-size=2048) or read fewer rows (fewer files, or a shorter period)',
      }),
    );
  });
  it('PATROLCAST_HEAP_LIMIT_MB lowers the limit, never raises it', () => {
    expect(() => memoryGuard({ PATROLCAST_HEAP_LIMIT_MB: '500' }, heap(430, 4000)).check('a.csv', 1)).toThrow(/of the 500 MB heap/);
    expect(() => memoryGuard({ PATROLCAST_HEAP_LIMIT_MB: '8000' }, heap(3500, 4000)).check('a.csv', 1)).toThrow(/of the 4000 MB heap/);
    expect(() => memoryGuard({ PATROLCAST_HEAP_LIMIT_MB: 'lots' }, heap(100, 4000)).check('a.csv', 1)).not.toThrow();
  });
  it('guardedChunks counts the rows before each chunk (lines less the header)', async () => {
    const seen: number[] = [];
    async function* chunks() {
      yield 'h\n1\n2';
      yield '\n3\n';
      yield '4\n';
    }
    const out: string[] = [];
    for await (const c of guardedChunks(chunks(), 'f.csv', { check: (_f, rows) => void seen.push(rows) })) out.push(c);
    expect(out.join('')).toBe('h\n1\n2\n3\n4\n');
    expect(seen).toEqual([0, 1, 3]);
  });
});

describe('an allocation failure reaching the top', () => {
  it('is one line with the heap size and the advice; other RangeErrors are not', () => {
    expect(outOfMemoryMessage(new RangeError('Array buffer allocation failed'))).toMatch(
      /^out of memory \(Array buffer allocation failed\) with a \d+ MB heap: give Node more memory \(e\.g\. NODE_OPTIONS=--max-old-space-size=\d+\)/,
    );
    expect(outOfMemoryMessage(new RangeError('Invalid array length'))).not.toBeNull();
    expect(outOfMemoryMessage(new RangeError('Maximum call stack size exceeded'))).toBeNull();
    expect(outOfMemoryMessage(new Error('Invalid array length'))).toBeNull();
  });
});

describe('patrolcast ingest with a small heap limit (in-process)', () => {
  it('stops partway with E_OUT_OF_MEMORY: exit 2, one line, how many rows were read', async () => {
    const rows = 400_000;
    const lines = ['id,datetime,lat,lon,category'];
    for (let k = 0; k < rows; k++)
      lines.push(`i${k},2023-0${1 + (k % 9)}-1${k % 10}T1${k % 10}:${10 + (k % 50)},49.2${k % 1000},-123.1${k % 997},Mischief`);
    const file = join(dir, 'big.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    // ~230 bytes an accepted incident: 400,000 rows need ~90 MB more; allow 40 MB over today's heap
    const limitMB = Math.ceil((getHeapStatistics().used_heap_size / MB + 40) / MEMORY_STOP_FRACTION);
    const r = await runCli(['ingest', file, '--tz', 'America/Vancouver'], { PATROLCAST_HEAP_LIMIT_MB: String(limitMB) });
    expect(r.code, r.stderr).toBe(2);
    expectOneLineError(r.stderr, `out of memory while reading ${file}: stopped after `, `of the ${limitMB} MB heap in use`);
    const read = Number(/stopped after ([\d,]+) rows/.exec(r.stderr)![1]!.replace(/,/g, ''));
    expect(read).toBeGreaterThan(0);
    expect(read).toBeLessThan(rows);
    // without the limit the same file reads whole
    const whole = await runCli(['ingest', file, '--tz', 'America/Vancouver']);
    expect(whole.code, whole.stderr).toBe(0);
  }, 60_000);
});
