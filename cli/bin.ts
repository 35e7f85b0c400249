/**
 * The process entry of `patrolcast` (bin/patrolcast.mjs imports it): the only module of cli/
 * that touches `process`. It hands the real streams and environment to main() and sets the
 * exit code (it does not call process.exit, so pending output is flushed; except on EPIPE, below).
 */
import type { CliIo } from './context.ts';

let quietOnEpipe = false;

/**
 * The real process streams and environment as a CliIo. A reader that stops reading early
 * (`patrolcast ingest x.csv --json | head -c 100`) closes the pipe: stdout then fails with
 * EPIPE, and the process ends at once and quietly (exit 0, as `head` asked for no more), instead
 * of dying with a stack trace from the unhandled stream error.
 */
export function processIo(): CliIo {
  if (!quietOnEpipe) {
    quietOnEpipe = true;
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0);
      throw err;
    });
  }
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/** Runs main() on process.argv and sets process.exitCode. */
export async function runFromProcess(): Promise<void> {
  const { main } = await import('./main.ts'); // imported here: main.ts imports processIo from this module
  process.exitCode = await main(process.argv.slice(2), processIo());
}
