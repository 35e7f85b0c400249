#!/usr/bin/env node
// Entry point of `patrolcast`.
// - Installed from the package: runs the built JavaScript (lib/cli/bin.js, which `npm pack`
//   builds through `prepack`); nothing is compiled at start-up, no TypeScript toolchain needed.
// - In a checkout of the repository (the TypeScript source cli/bin.ts sits beside bin/): runs the
//   source through tsx, a dev dependency, so the command never runs a stale build of edited
//   source and needs no build step. Without tsx (installed with --omit=dev) it falls back to
//   lib/ when it has been built.
import { existsSync } from 'node:fs';

const source = new URL('../cli/bin.ts', import.meta.url);
const built = new URL('../lib/cli/bin.js', import.meta.url);

/** tsx's loader, or null when tsx is not installed. */
async function tsxRegister() {
  try {
    return (await import('tsx/esm/api')).register;
  } catch (err) {
    if (err?.code === 'ERR_MODULE_NOT_FOUND') return null;
    throw err;
  }
}

let entry;
const register = existsSync(source) ? await tsxRegister() : null;
if (register !== null) {
  register();
  entry = await import(source.href);
} else if (existsSync(built)) {
  entry = await import(built.href);
} else {
  process.stderr.write('patrolcast: neither lib/cli/bin.js nor tsx is installed: run `npm run build:lib` (or `npm install` for tsx)\n');
  process.exit(2);
}
await entry.runFromProcess();
