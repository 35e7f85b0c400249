/**
 * The package as a user installs it: `npm pack` (its prepack builds lib/), then the tarball
 * installed into an empty project with its runtime dependencies only, from npm's cache (no
 * network). Used by tests/package.test.ts and bench/startup.ts.
 *
 * Why not `npm install --offline <tarball>`: a cache filled by `npm ci` holds the dependencies'
 * tarballs but not their registry documents, which npm needs to resolve `^x.y.z` ranges
 * (ENOTCACHED). So the empty project gets a package-lock.json made of this repository's lockfile
 * entries that are not dev-only (the runtime dependency tree, pinned by version and integrity)
 * plus the tarball, and `npm ci --offline --omit=dev` installs exactly that from the cache.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '../..');

export interface PackageJson {
  readonly version: string;
  readonly dependencies: Readonly<Record<string, string>>;
}

export const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as PackageJson;

export interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Installed {
  /** The temporary folder holding the tarball and the project (the caller removes it). */
  readonly dir: string;
  /** The empty project the tarball is installed in. */
  readonly project: string;
  /** The tarball's files (sorted) and size in bytes, as `npm pack --json` lists them. */
  readonly files: readonly string[];
  readonly tarballBytes: number;
}

/** The environment without the npm lifecycle variables of a surrounding `npm test` (npm's own config kept). */
function childEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) || /^npm_config_/i.test(k)));
}

/** Runs a command; resolves with its exit code and output (never rejects on a non-zero exit). */
export function run(cmd: string, args: readonly string[], cwd: string): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env: childEnv(), encoding: 'utf8', maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr: err !== null && code === -1 ? `${stderr}${err.message}` : stderr });
    });
  });
}

/** Packs the repository and installs the tarball into a new empty project. @throws Error with npm's output when either fails. */
export async function packAndInstall(): Promise<Installed> {
  const dir = mkdtempSync(join(tmpdir(), 'patrolcast-pack-'));
  const packed = await run('npm', ['pack', '--json', '--pack-destination', dir], ROOT);
  if (packed.code !== 0) throw new Error(`npm pack failed:\n${packed.stderr}`);
  const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as {
    filename: string;
    size: number;
    integrity: string;
    files: { path: string }[];
  }[];
  const project = join(dir, 'project');
  mkdirSync(project);
  const spec = `file:../${info!.filename}`;
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { patrolcast: spec } }),
  );
  writeFileSync(join(project, 'package-lock.json'), JSON.stringify(consumerLock(spec, info!.integrity)));
  const installed = await run('npm', ['ci', '--offline', '--omit=dev', '--no-audit', '--no-fund'], project);
  if (installed.code !== 0) {
    throw new Error(
      `npm ci --offline in the empty project failed (has \`npm ci\` run in the repository, filling npm's cache?):\n${installed.stderr}`,
    );
  }
  return { dir, project, files: info!.files.map((f) => f.path).sort(), tarballBytes: info!.size };
}

/**
 * The empty project's lockfile: the tarball, and this repository's lockfile entries that are not
 * dev-only (the runtime dependency tree, with the versions and integrities `npm ci` installed).
 */
function consumerLock(spec: string, integrity: string): unknown {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean; link?: boolean; license?: string; bin?: unknown; engines?: unknown }>;
  };
  const root = lock.packages['']!;
  const packages: Record<string, unknown> = {
    '': { name: 'consumer', dependencies: { patrolcast: spec } },
    'node_modules/patrolcast': {
      version: PKG.version,
      resolved: spec,
      integrity,
      license: root.license,
      dependencies: PKG.dependencies,
      bin: root.bin,
      engines: root.engines,
    },
  };
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path !== '' && entry.dev !== true && entry.link !== true) packages[path] = entry;
  }
  return { name: 'consumer', lockfileVersion: 3, requires: true, packages };
}
