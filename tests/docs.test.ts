/**
 * The code's citations of the model's derivation resolve: every `docs/model.md#<anchor>` cited in
 * engine/, cli/, web/, tests/ or bench/ (and every `model.md#<anchor>` link in the other docs) is an
 * explicit `<a id="anchor">` in docs/model.md, and nothing cites the specification outside the
 * repository any more.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const CODE_DIRS = ['engine', 'cli', 'web', 'tests', 'bench'];
const CODE_FILE = /\.(ts|js|mjs|html)$/;
/** Built from parts so that this file does not cite it itself. */
const OUTSIDE_SPEC = ['MODEL', 'md'].join('.');

function filesUnder(dir: string, keep: (path: string) => boolean): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) for (const f of filesUnder(path, keep)) out.push(f);
    else if (keep(path)) out.push(path);
  }
  return out.sort();
}

/** The explicit anchors `<a id="...">` of a markdown text. */
function explicitAnchors(markdown: string): Set<string> {
  return new Set(Array.from(markdown.matchAll(/<a id="([^"]+)"><\/a>/g), (m) => m[1]!));
}

/** Every `docs/model.md#<anchor>` in a text, as [anchor, line number]. */
function modelCitations(text: string, pattern = /docs\/model\.md#([A-Za-z0-9_-]+)/g): [string, number][] {
  const out: [string, number][] = [];
  text.split('\n').forEach((line, i) => {
    for (const m of line.matchAll(pattern)) out.push([m[1]!, i + 1]);
  });
  return out;
}

const modelDoc = readFileSync(join(ROOT, 'docs', 'model.md'), 'utf8');
const anchors = explicitAnchors(modelDoc);
const codeFiles = CODE_DIRS.flatMap((d) => filesUnder(join(ROOT, d), (p) => CODE_FILE.test(p)));
const docFiles = [join(ROOT, 'README.md'), ...filesUnder(join(ROOT, 'docs'), (p) => p.endsWith('.md'))];

describe('docs/model.md anchors', () => {
  it('finds anchors and citations at all (the checks below are not vacuous)', () => {
    expect(anchors.has('recursion')).toBe(true);
    expect(anchors.size).toBeGreaterThanOrEqual(30);
    expect(explicitAnchors('x <a id="a-b"></a>\n## A\n<a id="c"></a>')).toEqual(new Set(['a-b', 'c']));
    expect(modelCitations(' * see docs/model.md#m-step and\n * docs/model.md#ties.')).toEqual([
      ['m-step', 1],
      ['ties', 2],
    ]);
    const cited = codeFiles.flatMap((f) => modelCitations(readFileSync(f, 'utf8')));
    expect(cited.length).toBeGreaterThanOrEqual(20);
  });

  it('resolves every docs/model.md#<anchor> cited in engine, cli, web, tests and bench', () => {
    const missing: string[] = [];
    for (const file of codeFiles) {
      for (const [anchor, line] of modelCitations(readFileSync(file, 'utf8'))) {
        if (!anchors.has(anchor)) missing.push(`${relative(ROOT, file)}:${line} cites docs/model.md#${anchor}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("resolves every model.md#<anchor> link in the README and docs (including the page's own #links)", () => {
    const missing: string[] = [];
    for (const file of docFiles) {
      const text = readFileSync(file, 'utf8');
      const own = file.endsWith(join('docs', 'model.md'));
      const pattern = own ? /\]\(#([A-Za-z0-9_-]+)\)/g : /model\.md#([A-Za-z0-9_-]+)/g;
      for (const [anchor, line] of modelCitations(text, pattern)) {
        if (!anchors.has(anchor)) missing.push(`${relative(ROOT, file)}:${line} links model.md#${anchor}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('has no anchor twice', () => {
    const all = Array.from(modelDoc.matchAll(/<a id="([^"]+)"><\/a>/g), (m) => m[1]!);
    expect(all.length).toBe(anchors.size);
  });

  it(`leaves no citation of ${OUTSIDE_SPEC} (a file outside the repository)`, () => {
    const citing = [...codeFiles, ...docFiles].filter((f) => readFileSync(f, 'utf8').includes(OUTSIDE_SPEC)).map((f) => relative(ROOT, f));
    expect(citing).toEqual([]);
  });
});
