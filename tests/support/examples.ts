/**
 * The `@example` blocks of the engine's doc comments, as runnable checks (tests/examples.test.ts).
 *
 * An example is plain JavaScript run with the exports of its own module and of engine/index.ts in
 * scope. Its lines are, in order:
 * - setup: any statement (`const cal = binCalendar(...);`), run as written;
 * - `expr // => value`: an assertion, `expr` deep-equal (toStrictEqual) to `value`, both JavaScript
 *   expressions; a line that is only `// => value` asserts the code line just before it;
 * - `expr // throws Name` or `expr // throws Name: message`: evaluating `expr` throws an error whose
 *   class is `Name` (and whose message is exactly `message`);
 * - `// comment`: ignored.
 * Explanations therefore go on their own comment lines, never after a result.
 */
import { expect } from 'vitest';

export interface ExampleLine {
  /** 1-based line in the source file. */
  readonly line: number;
  readonly text: string;
}

export interface Example {
  readonly file: string;
  /** The line of the `@example` tag. */
  readonly line: number;
  /** The documented declaration's name (the first declaration after the comment), or '?'. */
  readonly name: string;
  readonly lines: readonly ExampleLine[];
}

const DOC_COMMENT = /\/\*\*[\s\S]*?\*\//g;
const DECLARATION = /^\s*export\s+(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(?:function\*?|class|const|let)\s+([A-Za-z_$][\w$]*)/;

/** Every `@example` block of the doc comments in `source` (a file's text), with source line numbers. */
export function extractExamples(file: string, source: string): Example[] {
  const out: Example[] = [];
  for (const m of source.matchAll(DOC_COMMENT)) {
    const startLine = source.slice(0, m.index).split('\n').length;
    const rest = source.slice(m.index + m[0].length).replace(/^\s*\n/, '');
    const name = DECLARATION.exec(rest.split('\n')[0] ?? '')?.[1] ?? '?';
    const body = m[0].split('\n').map((raw, i) => ({
      line: startLine + i,
      text: raw
        .replace(/^\s*\/\*\*\s?/, '')
        .replace(/\s*\*\/\s*$/, '')
        .replace(/^\s*\*(?!\/) ?/, ''),
    }));
    let current: { line: number; lines: ExampleLine[] } | null = null;
    for (const { line, text } of body) {
      const tag = /^\s*@(\w+)\s*(.*)$/.exec(text);
      if (tag) {
        if (current) out.push({ file, name, ...current });
        current = null;
        if (tag[1] === 'example') {
          current = { line, lines: [] };
          if (tag[2]!.trim() !== '') current.lines.push({ line, text: tag[2]! });
        }
        continue;
      }
      if (current && text.trim() !== '') current.lines.push({ line, text });
    }
    if (current) out.push({ file, name, ...current });
  }
  return out;
}

type Step =
  | { readonly kind: 'code'; readonly line: number; readonly code: string }
  | { readonly kind: 'equal'; readonly line: number; readonly expr: string; readonly value: string }
  | { readonly kind: 'throws'; readonly line: number; readonly expr: string; readonly error: string; readonly message: string | null };

/** The example's lines as setup code and assertions; throws on a line it cannot read. */
export function exampleSteps(ex: Example): Step[] {
  const steps: Step[] = [];
  for (const { line, text } of ex.lines) {
    const where = `${ex.file}:${line}`;
    const t = text.trim();
    const result = /^(.*?)\/\/\s*(=>|throws\b)\s*(.*)$/.exec(t);
    if (!result) {
      if (!t.startsWith('//')) steps.push({ kind: 'code', line, code: t });
      continue;
    }
    let expr = result[1]!.trim();
    if (expr === '') {
      const prev = steps.pop();
      if (prev?.kind !== 'code') throw new Error(`${where}: a "// ${result[2]}" line needs a code line just before it`);
      expr = prev.code.replace(/;\s*$/, '');
    }
    const rhs = result[3]!.trim();
    if (result[2] === '=>') {
      if (rhs === '') throw new Error(`${where}: "// =>" without a value`);
      steps.push({ kind: 'equal', line, expr, value: rhs });
    } else {
      const thrown = /^([A-Za-z_$][\w$]*)(?::\s*(.*))?$/.exec(rhs);
      if (!thrown) throw new Error(`${where}: "// throws" must name the error class, e.g. "// throws ModelError: message"`);
      steps.push({ kind: 'throws', line, expr, error: thrown[1]!, message: thrown[2] ?? null });
    }
  }
  return steps;
}

/** The number of assertions in an example. */
export function assertionCount(ex: Example): number {
  return exampleSteps(ex).filter((s) => s.kind !== 'code').length;
}

/**
 * Runs an example with `scope`'s names defined; throws an error naming file:line on the first
 * assertion that does not hold (or on code that does not run).
 */
export function runExample(ex: Example, scope: Readonly<Record<string, unknown>>): void {
  const steps = exampleSteps(ex);
  const js = steps
    .map((s, i) => {
      if (s.kind === 'code') return s.code;
      if (s.kind === 'equal') return `__equal(${i}, () => (${s.expr}), () => (${s.value}));`;
      return `__throws(${i}, () => { ${s.expr}; });`;
    })
    .join('\n');
  const at = (i: number) => `${ex.file}:${steps[i]!.line}`;
  const equal = (i: number, actual: () => unknown, expected: () => unknown) => {
    const s = steps[i] as Extract<Step, { kind: 'equal' }>;
    expect(actual(), `${at(i)}: ${s.expr} // => ${s.value}`).toStrictEqual(expected());
  };
  const throws = (i: number, run: () => void) => {
    const s = steps[i] as Extract<Step, { kind: 'throws' }>;
    let caught: unknown = undefined;
    let threw = false;
    try {
      run();
    } catch (e) {
      threw = true;
      caught = e;
    }
    const label = `${at(i)}: ${s.expr} // throws ${s.error}`;
    expect(threw, `${label}: nothing was thrown`).toBe(true);
    const cls = scope[s.error];
    if (typeof cls !== 'function') throw new Error(`${label}: ${s.error} is not an exported class`);
    expect(caught, label).toBeInstanceOf(cls);
    expect((caught as Error).constructor.name, label).toBe(s.error);
    if (s.message !== null) expect((caught as Error).message, label).toBe(s.message);
  };
  const names = Object.keys(scope).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n) && n !== 'default');
  let fn: (...args: unknown[]) => void;
  try {
    fn = new Function(...names, '__equal', '__throws', `'use strict';\n${js}`) as typeof fn;
  } catch (e) {
    throw new Error(`${ex.file}:${ex.line}: the example (${ex.name}) does not parse as JavaScript: ${(e as Error).message}`);
  }
  try {
    fn(...names.map((n) => scope[n]), equal, throws);
  } catch (e) {
    const err = e as Error;
    if (err.message.includes(`${ex.file}:`)) throw err;
    throw new Error(`${ex.file}:${ex.line}: the example (${ex.name}) failed: ${err.name}: ${err.message}`, { cause: e });
  }
}
