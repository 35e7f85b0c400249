/**
 * The process entry of `patrolcast` (bin/patrolcast.mjs imports it): the only module of cli/
 * that touches `process`. It hands the real streams and environment to main() and sets the
 * exit code (it does not call process.exit, so pending output is flushed).
 */
import type { CliIo } from './context.ts';

/** The real process streams and environment as a CliIo. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/** Runs main() on process.argv and sets process.exitCode. */
export async function runFromProcess(): Promise<void> {
  const { main } = await import('./main.ts'); // imported here: main.ts imports processIo from this module
  process.exitCode = await main(process.argv.slice(2), processIo());
}
