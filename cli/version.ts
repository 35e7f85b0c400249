/**
 * The package's version, read at run time from its own package.json (the one release number,
 * written once): the nearest package.json above this module, which is the repository's in a
 * checkout (cli/version.ts) and the installed package's in node_modules (lib/cli/version.js).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | null = null;

/** The `version` of the nearest package.json above this module. @throws Error when none has one. */
export function packageVersion(): string {
  if (cached !== null) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const path = join(dir, 'package.json');
    if (existsSync(path)) {
      const version: unknown = (JSON.parse(readFileSync(path, 'utf8')) as { version?: unknown }).version;
      if (typeof version !== 'string' || version === '') throw new Error(`${path} has no version`);
      cached = version;
      return version;
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}
