/**
 * `patrolcast ... | head`: the reader closes the pipe after the first chunk, stdout fails with
 * EPIPE, and the binary must end quietly (exit 0, no stack trace) rather than die on an
 * unhandled stream error (issue 10, item 11).
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('bin/patrolcast.mjs with stdout closed early', () => {
  it.each([
    ['ingest', 'fixtures/kent/ashford_2014.csv.gz', '--json'],
    ['ingest', 'fixtures/kent/ashford_2014.csv.gz', '--format', 'auto'],
  ])(
    '%s %s %s: exits 0 with nothing on stderr',
    async (...args) => {
      const child = spawn('node', ['bin/patrolcast.mjs', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
      // `| head -c 0`: the reader is gone before the first write, which then fails with EPIPE.
      child.stdout.destroy();
      const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      expect(stderr).toBe('');
      expect(code).toBe(0);
    },
    30_000,
  );
});
