/**
 * Start-up benchmark: `npx tsx bench/startup.ts [--runs 20]`.
 *
 * How long `patrolcast --version` takes as a whole process (Node's start, loading the CLI and
 * every module it imports, commander printing the version), before and after the package build:
 * - tsx: `node bin/patrolcast.mjs --version` in this checkout, where the bin runs the TypeScript
 *   source through tsx (as every installed copy did before 0.2.0);
 * - built: the same bin installed from the packed tarball (tests/support/pack.ts), which runs the
 *   built JavaScript in lib/;
 * - node: `node -e ""`, Node's own start-up, the floor.
 * One warm-up each, then the commands in turn (A B C A B C ...) so drift hits all alike; prints
 * min / median / max wall milliseconds and a Markdown row per command.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { packAndInstall, PKG, ROOT } from '../tests/support/pack.ts';

interface Command {
  readonly name: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly expect: string;
}

function timeOnce(c: Command): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, c.args, { cwd: c.cwd, encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0 || r.stdout !== c.expect)
    throw new Error(`${c.name}: exit ${r.status}, stdout ${JSON.stringify(r.stdout)}\n${r.stderr}`);
  return ms;
}

function quantile(sorted: readonly number[], q: number): number {
  const i = (sorted.length - 1) * q;
  const lo = Math.floor(i);
  return sorted[lo]! + (sorted[Math.ceil(i)]! - sorted[lo]!) * (i - lo);
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--runs');
  const runs = at > 0 ? Number(process.argv[at + 1]) : 20;
  const installed = await packAndInstall();
  try {
    const version = `${PKG.version}\n`;
    const commands: Command[] = [
      { name: 'tsx (checkout: TypeScript source through tsx)', args: ['bin/patrolcast.mjs', '--version'], cwd: ROOT, expect: version },
      {
        name: 'built (installed package: lib/ JavaScript)',
        args: [join(installed.project, 'node_modules/patrolcast/bin/patrolcast.mjs'), '--version'],
        cwd: installed.project,
        expect: version,
      },
      { name: 'node -e "" (Node alone)', args: ['-e', ''], cwd: ROOT, expect: '' },
    ];
    for (const c of commands) timeOnce(c); // warm-up: file cache, tsx's transform cache
    const times: number[][] = commands.map(() => []);
    for (let r = 0; r < runs; r++) commands.forEach((c, i) => times[i]!.push(timeOnce(c)));
    console.log(`patrolcast ${PKG.version}, node ${process.version}, ${runs} runs each after one warm-up; wall ms`);
    console.log('| command | min | median | max |\n|---|---|---|---|');
    commands.forEach((c, i) => {
      const s = times[i]!.slice().sort((a, b) => a - b);
      console.log(`| ${c.name} | ${s[0]!.toFixed(0)} | ${quantile(s, 0.5).toFixed(0)} | ${s[s.length - 1]!.toFixed(0)} |`);
    });
  } finally {
    rmSync(installed.dir, { recursive: true, force: true });
  }
}

await main();
