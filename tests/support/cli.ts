/**
 * Runs the CLI in-process, as `patrolcast ARGS...` would run, capturing what it writes.
 * Writers are not terminals, so no progress bar is drawn (as when a user pipes the output).
 */
import { expect } from 'vitest';
import { main, type CliIo } from '../../cli/main.ts';

export interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `patrolcast ...args`: resolves with the exit code and everything written to stdout and stderr. */
export async function runCli(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<Ran> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s), isTTY: false },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    env,
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

/** stderr is one line `patrolcast: ...` containing every part, with no stack trace. */
export function expectOneLineError(stderr: string, ...parts: string[]): void {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^patrolcast: /);
  for (const p of parts) expect(lines[0]).toContain(p);
  expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
}
