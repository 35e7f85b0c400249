import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('patrolcast CLI', () => {
  it('--help lists every command', () => {
    const out = execFileSync('node', ['bin/patrolcast.mjs', '--help'], { encoding: 'utf8' });
    for (const cmd of ['ingest', 'fit', 'forecast', 'backtest']) expect(out).toContain(cmd);
  });
});
