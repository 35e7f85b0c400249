/**
 * The `@example`s of the engine's doc comments run as tests: every `expr // => value` line is
 * checked (deep equality), with the exports of the example's own module and of engine/index.ts in
 * scope. The syntax is described in tests/support/examples.ts. A failing example is reported by
 * file:line, so a doc comment can no longer promise a result the code does not give.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as engine from '../engine/index.ts';
import { assertionCount, extractExamples, runExample, type Example } from './support/examples.ts';

const ROOT = join(import.meta.dirname, '..');

/** The .ts files under `dir`, in a stable order. */
function engineFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) engineFiles(path, out);
    else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out;
}

const examples: Example[] = engineFiles(join(ROOT, 'engine')).flatMap((path) =>
  extractExamples(relative(ROOT, path), readFileSync(path, 'utf8')),
);

/** The names an example of `file` sees: engine/index.ts's exports, then its own module's. */
async function scopeFor(file: string): Promise<Record<string, unknown>> {
  const own = (await import(pathToFileURL(join(ROOT, file)).href)) as Record<string, unknown>;
  return { ...engine, ...own };
}

describe('the engine doc comments’ @examples', () => {
  it('are found (the extractor reads the comments) and each checks at least one result', () => {
    expect(examples.length).toBeGreaterThanOrEqual(35);
    const empty = examples.filter((ex) => assertionCount(ex) === 0).map((ex) => `${ex.file}:${ex.line}`);
    expect(empty, 'examples without a "// =>" or "// throws" line').toEqual([]);
  });

  for (const ex of examples) {
    it(`${ex.file}:${ex.line} ${ex.name}`, async () => {
      runExample(ex, await scopeFor(ex.file));
    });
  }
});

describe('the example runner', () => {
  const source = [
    '/**',
    ' * Adds.',
    ' * @example',
    ' * const two = 2;',
    ' * // a comment',
    ' * add(two, 1) // => 3',
    ' * [add(1, 1)]',
    ' * // => [2]',
    ' * add(NaN, 1) // throws RangeError: not a number',
    ' * @param a - first',
    ' */',
    'export function add(a, b) {}',
    '/** @example add(1, 1) // => 2 */',
    'export const x = 1;',
  ].join('\n');
  const add = (a: number, b: number) => {
    if (Number.isNaN(a)) throw new RangeError('not a number');
    return a + b;
  };

  it('reads setup lines, results on the same or the next line, thrown errors, and the line of each', () => {
    const found = extractExamples('planted.ts', source);
    expect(found.map((e) => [e.name, e.line, e.lines.map((l) => `${l.line}:${l.text}`)])).toEqual([
      [
        'add',
        3,
        [
          '4:const two = 2;',
          '5:// a comment',
          '6:add(two, 1) // => 3',
          '7:[add(1, 1)]',
          '8:// => [2]',
          '9:add(NaN, 1) // throws RangeError: not a number',
        ],
      ],
      ['x', 13, ['13:add(1, 1) // => 2']],
    ]);
    expect(found.map(assertionCount)).toEqual([3, 1]);
    for (const ex of found) runExample(ex, { add, RangeError });
  });

  it('fails on a wrong result, naming the file and line', () => {
    const [ex] = extractExamples('planted.ts', source.replace('// => [2]', '// => [3]'));
    expect(() => runExample(ex!, { add, RangeError })).toThrow(/planted\.ts:8: \[add\(1, 1\)\] \/\/ => \[3\]/);
  });

  it('fails when the error is not thrown, is of another class or says something else', () => {
    const run = (text: string) => () => runExample(extractExamples('planted.ts', text)[0]!, { add, RangeError, TypeError });
    expect(run('/** @example add(1, 1) // throws RangeError */')).toThrow(/planted\.ts:1: .*nothing was thrown/);
    expect(run('/** @example add(NaN, 1) // throws TypeError */')).toThrow(/planted\.ts:1: add\(NaN, 1\) \/\/ throws TypeError/);
    expect(run('/** @example add(NaN, 1) // throws RangeError: other */')).toThrow(/planted\.ts:1: /);
  });

  it('fails on an example that uses an undefined name or does not parse, naming where', () => {
    const run = (text: string) => () => runExample(extractExamples('planted.ts', text)[0]!, { add });
    expect(run('/** @example add(fit, 1) // => 2 */')).toThrow(
      /planted\.ts:1: the example \(\?\) failed: ReferenceError: fit is not defined/,
    );
    expect(run('/** @example add(1, 1) // => 2 (two) */')).toThrow(/planted\.ts:1: /);
  });
});
