/**
 * The worker's data loading (web/dataset.ts) run in Node (DecompressionStream exists in Node 20):
 * a whole .gz loads, a truncated one says so instead of the browser's "Failed to fetch".
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gunzipIfNeeded, loadSource } from '../../web/dataset.ts';

const GZ = readFileSync('fixtures/vancouver/property_2023.csv.gz');
/** The bytes in an ArrayBuffer of their own (a Buffer's .slice() shares, and .buffer may be a larger pool). */
const copy = (b: Uint8Array): ArrayBuffer => new Uint8Array(b).buffer;
const noProgress = (): void => undefined;

describe('loading a .gz file in the worker', () => {
  it('a whole file loads (31,485 rows of the fixture)', async () => {
    const loaded = await loadSource({ kind: 'files', files: [{ name: 'property_2023.csv.gz', bytes: copy(GZ) }] }, noProgress);
    expect(loaded.info.summary.rowsRead).toBe(31_485);
  });

  it('a truncated file: E_GZIP "the file is truncated (gzip stream ended early)", naming the file', async () => {
    const cut = copy(GZ.subarray(0, Math.floor(GZ.length / 2)));
    await expect(loadSource({ kind: 'files', files: [{ name: 'half.csv.gz', bytes: cut }] }, noProgress)).rejects.toMatchObject({
      code: 'E_GZIP',
      message: 'half.csv.gz: the file is truncated (gzip stream ended early); download it again',
    });
  });

  it('a gzip header with garbage after it: E_GZIP "not a valid gzip file"', async () => {
    const bad = new Uint8Array(64).fill(0xff);
    bad.set([0x1f, 0x8b, 0x08, 0x00]);
    await expect(gunzipIfNeeded(bad.buffer, 'bad.gz')).rejects.toMatchObject({
      code: 'E_GZIP',
      message: expect.stringMatching(/^bad\.gz: not a valid gzip file/),
    });
  });

  it('bytes that are not gzip pass through untouched', async () => {
    const plain = new TextEncoder().encode('a,b\n1,2\n');
    expect(new Uint8Array(await gunzipIfNeeded(copy(plain), 'plain.csv'))).toEqual(plain);
  });
});
