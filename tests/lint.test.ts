/**
 * The lint configuration enforces the project's boundaries: snippets linted as if they were files
 * of each folder (nothing is written) are flagged exactly where a rule says they must be.
 */
import { spawnSync } from 'node:child_process';
import { ESLint } from 'eslint';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: ROOT });
});

/** The rule ids reported for `code` as if it were the file `path`, as "line:rule". */
async function findings(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, path) });
  return result!.messages.map((m) => `${m.line}:${m.ruleId ?? m.message}`);
}

describe('eslint.config.js', () => {
  it('keeps the engine free of Node modules, cli/, web/, tests/, bench/ and application packages', async () => {
    const code = [
      "import fs from 'fs';",
      "import { readFileSync } from 'node:fs';",
      "import p from 'fs/promises';",
      "import a from '../../cli/io.ts';",
      "import b from '../web/app.ts';",
      "import c from '../../tests/x.ts';",
      "import d from 'commander';",
      "import { e } from '../grid/index.ts';",
      "import h from 'h3-js';",
      "export { f } from '../../bench/fit.ts';",
      'const q = await import("node:path");',
      'console.log(fs, readFileSync, p, a, b, c, d, e, h, q);',
    ].join('\n');
    expect(await findings('engine/model/example.ts', code)).toEqual([
      '1:no-restricted-imports',
      '2:no-restricted-imports',
      '3:no-restricted-imports',
      '4:no-restricted-imports',
      '5:no-restricted-imports',
      '6:no-restricted-imports',
      '7:no-restricted-imports',
      '10:no-restricted-imports',
      '11:no-restricted-syntax',
    ]);
  });

  it('lets the CLI reach the engine only through engine/index.ts, and never web/', async () => {
    const code = [
      "import { a } from '../../engine/model/fit.ts';",
      "import { b } from '../../engine/index.ts';",
      "import type { T } from '../../engine/types.ts';",
      "import { readFileSync } from 'node:fs';",
      "import w from '../../web/app.ts';",
      'console.log(a, b, readFileSync, w);',
      'export type { T };',
    ].join('\n');
    expect(await findings('cli/commands/example.ts', code)).toEqual([
      '1:no-restricted-imports',
      '3:no-restricted-imports',
      '5:no-restricted-imports',
    ]);
  });

  it('keeps the web app on the public API, off Node modules and off cli/', async () => {
    const code = [
      "import { a } from '../../engine/grid/index.ts';",
      "import { b } from '../../engine/index.ts';",
      "import { readFileSync } from 'node:fs';",
      "import c from '../../cli/io.ts';",
      "import path from 'path';",
      'console.log(a, b, readFileSync, c, path);',
    ].join('\n');
    expect(await findings('web/views/example.ts', code)).toEqual([
      '1:no-restricted-imports',
      '3:no-restricted-imports',
      '4:no-restricted-imports',
      '5:no-restricted-imports',
    ]);
  });

  it('keeps every CLI command from importing another command (shared code lives in cli/ modules)', async () => {
    const code = [
      "import { registerFit } from './fit.ts';",
      "import { zoneFor } from '../options.ts';",
      "import { shiftBoxes } from '../../engine/index.ts';",
      'console.log(registerFit, zoneFor, shiftBoxes);',
    ].join('\n');
    expect(await findings('cli/commands/example.ts', code)).toEqual(['1:no-restricted-imports']);
  });

  it('forbids spreading into Math.max / Math.min everywhere, tests included', async () => {
    const code = [
      'const xs = [1, 2];',
      'const a = Math.max(...xs);',
      'const b = Math.min(0, ...xs);',
      'const c = Math.max(xs[0]!, xs[1]!);',
      'console.log(a, b, c);',
    ].join('\n');
    expect(await findings('tests/example.test.ts', code)).toEqual(['2:no-restricted-syntax', '3:no-restricted-syntax']);
    expect(await findings('engine/example.ts', code)).toEqual(['2:no-restricted-syntax', '3:no-restricted-syntax']);
  });

  it('forbids passing an array as arguments to push, unshift, fromCharCode and Math.max.apply', async () => {
    const code = [
      'const xs: number[] = [1, 2];',
      'const ys: number[] = [];',
      'ys.push(...xs);',
      'ys.unshift(...xs);',
      'const s = String.fromCharCode(...xs);',
      'const m = Math.max.apply(null, xs);',
      'const z = ys.concat(xs);',
      'ys.push(xs[0]!);',
      'console.log(s, m, z, [...xs]);',
    ].join('\n');
    const expected = ['3:no-restricted-syntax', '4:no-restricted-syntax', '5:no-restricted-syntax', '6:no-restricted-syntax'];
    expect(await findings('engine/example.ts', code)).toEqual(expected);
    expect(await findings('tests/example.test.ts', code)).toEqual(expected);
  });

  it('allows _-prefixed unused arguments and non-null assertions, and still reports other unused names', async () => {
    const code = ['export function f(_unused: number, xs: number[]): number {', '  const unused = 1;', '  return xs[0]!;', '}'].join('\n');
    expect(await findings('engine/example.ts', code)).toEqual(['2:@typescript-eslint/no-unused-vars']);
  });
});

// The whole repository, as `npm run lint` and `npm run format:check` see it: part of `npm test`.
describe('the repository', () => {
  it('has no ESLint error or warning (npx eslint .)', async () => {
    const results = await eslint.lintFiles(['.']);
    const problems = results.flatMap((r) =>
      r.messages.map((m) => `${r.filePath.slice(ROOT.length + 1)}:${m.line} ${m.ruleId ?? ''} ${m.message}`),
    );
    expect(problems).toEqual([]);
  });

  it('is formatted by Prettier (npx prettier --check .)', () => {
    const run = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'prettier', 'bin', 'prettier.cjs'), '--list-different', '.'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.stdout.split('\n').filter((l) => l !== '')).toEqual([]);
  });
});
