/**
 * The evaluation suite (issue 11, items 4 and 5): the real `patrolcast backtest` command, run
 * in-process (cli/main.ts `main`), on every shared data set and on the thin slices, with the
 * models that separate the gain of placement from the gain of the model:
 *
 *   npx tsx bench/evaluation-suite.ts                     # every case, one after another
 *   npx tsx bench/evaluation-suite.ts --only chicago-2016,kent-months
 *   npx tsx bench/evaluation-suite.ts --write-docs        # also replace the block in docs/evaluation.md
 *   npx tsx bench/evaluation-suite.ts --list              # the cases and their commands
 *   npx tsx bench/evaluation-suite.ts --reuse --write-docs  # tables from the reports of the last run, no backtest
 *
 * Options: --only a,b (case names), --models (default etas,etas-grid,naive-all-placed,naive-all;
 * add etas-2015 to see the 2015 model too), --config FILE (an etas configuration passed to every
 * backtest as --config), --out DIR (default /tmp/patrolcast-eval: <case>.json is each backtest's
 * report, <case>.txt its printed table, <case>.meta.json its command and run time, evaluation-suite.md
 * the tables, data/ the filtered copies), --reuse (read the reports in --out instead of running).
 *
 * The shared data is read from $PATROLCAST_DATA (default ../shared/data next to the repository);
 * a case whose files are absent is skipped, saying so, and the exit code is then 1. This is a
 * bench, not a test: it needs the shared data and takes minutes. Cases run one at a time.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { main } from '../cli/main.ts';
import type { BacktestReport } from '../engine/evaluate/index.ts';
import { suiteCases, type SuiteCase } from './evaluation-cases.ts';
import { caseSection, overview, type CaseResult } from './evaluation-markdown.ts';

const REPO = resolve(import.meta.dirname, '..');
const DOCS = join(REPO, 'docs', 'evaluation.md');
export const BEGIN = '<!-- evaluation-suite:begin -->';
export const END = '<!-- evaluation-suite:end -->';
const DEFAULT_MODELS = 'etas,etas-grid,naive-all-placed,naive-all';

interface Options {
  only: string[] | null;
  models: string;
  config: string | null;
  out: string;
  writeDocs: boolean;
  list: boolean;
  reuse: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  const o: Options = {
    only: null,
    models: DEFAULT_MODELS,
    config: null,
    out: '/tmp/patrolcast-eval',
    writeDocs: false,
    list: false,
    reuse: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--only')
      o.only = value()
        .split(',')
        .filter((s) => s !== '');
    else if (a === '--models') o.models = value();
    else if (a === '--config') o.config = resolve(value());
    else if (a === '--out') o.out = resolve(value());
    else if (a === '--write-docs') o.writeDocs = true;
    else if (a === '--list') o.list = true;
    else if (a === '--reuse') o.reuse = true;
    else throw new Error(`unknown argument ${a} (see the comment at the top of bench/evaluation-suite.ts)`);
  }
  return o;
}

/** An argument as a shell would need it (single quotes around anything unusual). */
const shellWord = (s: string): string => (/^[\w@%+=:,./{}*$-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The command line the docs show for a case. */
function shownCommand(c: SuiteCase, o: Options): string {
  const extra = ['--models', o.models, ...(o.config === null ? [] : ['--config', o.config])];
  return `patrolcast backtest ${c.shownFiles} ${[...c.args, ...extra].map(shellWord).join(' ')}`;
}

/** A writer that keeps what it is given. */
function capture(): { write(text: string): boolean; text(): string } {
  const parts: string[] = [];
  return { write: (t: string) => (parts.push(t), true), text: () => parts.join('') };
}

/** Runs one case through the real CLI; null (and a message) when it fails. */
async function runCase(c: SuiteCase, data: string, o: Options): Promise<CaseResult | null> {
  const files = await c.files(data, o.out);
  const json = join(o.out, `${c.name}.json`);
  const argv = ['backtest', ...files, ...c.args, '--models', o.models, '--out', json, ...(o.config === null ? [] : ['--config', o.config])];
  const stdout = capture();
  const stderr = capture();
  const t0 = performance.now();
  const code = await main(argv, { stdout, stderr, env: {} });
  const seconds = (performance.now() - t0) / 1000;
  writeFileSync(join(o.out, `${c.name}.txt`), `${stdout.text()}${stderr.text()}`);
  if (code !== 0) {
    process.stderr.write(`evaluation-suite: ${c.name} failed (exit ${code}):\n${stderr.text()}\n`);
    return null;
  }
  const meta: Meta = { command: shownCommand(c, o), seconds, commit: gitCommit(), loadAverage: Number(loadavg()[0]!.toFixed(1)) };
  writeFileSync(join(o.out, `${c.name}.meta.json`), `${JSON.stringify(meta)}\n`);
  return reuseCase(c, o);
}

/** What the suite records of a run beside its report: the command shown, the time, where and when. */
interface Meta {
  readonly command: string;
  readonly seconds: number;
  readonly commit?: string;
  /** One-minute load average of the machine when the case ended. */
  readonly loadAverage?: number;
}

/** The short commit of the repository (with "+changes" when engine/, cli/ or bench/ differ from it), or "unknown". */
function gitCommit(): string {
  try {
    const head = execFileSync('git', ['-C', REPO, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['-C', REPO, 'status', '--porcelain', '--untracked-files=no', '--', 'engine', 'cli', 'bench'], {
      encoding: 'utf8',
    });
    return dirty.trim() === '' ? head : `${head}+changes`;
  } catch {
    return 'unknown';
  }
}

const metas = new Map<string, Meta>();

/** A case's result from the files of an earlier run in --out. */
function reuseCase(c: SuiteCase, o: Options): CaseResult {
  // The CLI writes the report itself (plus an `input` record of the files and options).
  const report = JSON.parse(readFileSync(join(o.out, `${c.name}.json`), 'utf8')) as BacktestReport;
  const meta = JSON.parse(readFileSync(join(o.out, `${c.name}.meta.json`), 'utf8')) as Meta;
  metas.set(c.name, meta);
  return { title: c.title, command: meta.command, filterNote: c.filterNote, report, seconds: meta.seconds };
}

/** The header of the generated block: how to regenerate it, at which commit, on what machine. */
function blockHeader(o: Options, totalSeconds: number): string {
  const all = [...metas.values()];
  const commit = [...new Set(all.map((m) => m.commit ?? 'unknown'))].join(', ');
  let lo = Infinity;
  let hi = -Infinity;
  for (const m of all) {
    if (m.loadAverage === undefined) continue;
    lo = Math.min(lo, m.loadAverage);
    hi = Math.max(hi, m.loadAverage);
  }
  const load = Number.isFinite(lo) ? ` (one-minute load average ${lo === hi ? lo : `${lo}-${hi}`} at the end of the cases)` : '';
  const machine = `${cpus()[0]?.model.trim() ?? '?'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  return (
    `*Generated by \`npx tsx bench/evaluation-suite.ts --write-docs\`${o.models === DEFAULT_MODELS ? '' : ` --models ${o.models}`}` +
    `${o.config === null ? '' : ` --config ${o.config}`} at commit ${commit}, ${new Date().toISOString().slice(0, 10)}; ` +
    `${machine}; ${Math.round(totalSeconds)} s for all the cases, one at a time${load}. Do not edit by hand: rerun the suite. ` +
    `Hit rates in per cent, differences in percentage points with paired 95% intervals (positive: etas better); ` +
    `\`$EVAL\` is the suite's output folder (default /tmp/patrolcast-eval).*`
  );
}

/** Replaces the text between the markers of docs/evaluation.md. */
function writeDocs(block: string): void {
  const text = readFileSync(DOCS, 'utf8');
  const b = text.indexOf(BEGIN);
  const e = text.indexOf(END);
  if (b < 0 || e < b) throw new Error(`${DOCS}: no ${BEGIN} ... ${END} markers to write between`);
  writeFileSync(DOCS, `${text.slice(0, b + BEGIN.length)}\n${block}\n${text.slice(e)}`);
}

async function run(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  const data = resolve(process.env.PATROLCAST_DATA ?? join(REPO, '..', 'shared', 'data'));
  const all = suiteCases(data);
  if (o.list) {
    for (const c of all) process.stdout.write(`${c.name}\n    ${shownCommand(c, o)}\n`);
    return 0;
  }
  const unknown = (o.only ?? []).filter((n) => !all.some((c) => c.name === n));
  if (unknown.length > 0) throw new Error(`no case named ${unknown.join(', ')}; cases: ${all.map((c) => c.name).join(', ')}`);
  if (o.writeDocs && o.only !== null) throw new Error('--write-docs writes every case: run it without --only');
  if (!existsSync(data)) {
    process.stderr.write(
      `evaluation-suite: no shared data at ${data}: set PATROLCAST_DATA to the folder holding vancouver/, chicago/, ...\n`,
    );
    return 1;
  }
  mkdirSync(o.out, { recursive: true });
  const results: CaseResult[] = [];
  let failed = 0;
  for (const c of all.filter((x) => o.only === null || o.only.includes(x.name))) {
    const missing = c.sources.filter((f) => !existsSync(join(data, f)));
    if (missing.length > 0) {
      process.stderr.write(`evaluation-suite: ${c.name} skipped: absent in ${data}: ${missing.join(', ')}\n`);
      failed++;
      continue;
    }
    process.stderr.write(`evaluation-suite: ${c.name} ...`);
    const result = o.reuse ? reuseCase(c, o) : await runCase(c, data, o);
    if (result === null) failed++;
    else {
      results.push(result);
      process.stderr.write(` ${result.seconds.toFixed(1)} s\n`);
      process.stdout.write(`${caseSection(result)}\n\n`);
    }
  }
  // The sum of the cases' own times (so that --reuse gives the time of the run it reads).
  let totalSeconds = 0;
  for (const r of results) totalSeconds += r.seconds;
  const block = [blockHeader(o, totalSeconds), '', overview(results), '', ...results.map((r) => `${caseSection(r)}\n`)].join('\n');
  writeFileSync(join(o.out, 'evaluation-suite.md'), `${block}\n`);
  process.stdout.write(`${overview(results)}\n\nAll: ${totalSeconds.toFixed(0)} s. Tables in ${join(o.out, 'evaluation-suite.md')}\n`);
  if (o.writeDocs) {
    if (failed > 0) throw new Error(`${failed} case(s) failed or were skipped: docs/evaluation.md left as it was`);
    writeDocs(block);
    process.stdout.write(`Wrote the block in ${DOCS}\n`);
  }
  return failed > 0 ? 1 : 0;
}

run().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    process.stderr.write(`evaluation-suite: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
