/**
 * The published package, as a user gets it: `npm pack` (whose prepack builds lib/ with
 * `npm run build:lib`), the tarball installed into an empty project with its runtime dependencies
 * only, then the README's example, the `patrolcast` binary and the typed API used there, with
 * neither tsx nor TypeScript installed in that project.
 *
 * No network: `npm install --offline <tarball>` cannot work from a cache filled by `npm ci`, which
 * fetches the dependencies' tarballs but never their registry documents (npm needs those to
 * resolve `^x.y.z` ranges: ENOTCACHED). So the empty project gets a package-lock.json made of
 * this repository's lockfile entries that are not dev-only (the runtime dependency tree, pinned
 * by version and integrity) plus the tarball, and `npm ci --offline` installs exactly that from
 * the cache. Skipped, with a message, where npm itself cannot run.
 */
import { execFile, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestCsvText, shiftAt, shiftBoxes } from '../engine/index.ts';

const ROOT = join(import.meta.dirname, '..');
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
};
const EXAMPLE = join(ROOT, 'examples/forecast.mjs');
const VANCOUVER = 'fixtures/vancouver/property_2023.csv.gz';
const ASHFORD = 'fixtures/kent/ashford_2014.csv.gz';
const AT = '2023-12-15T22:00';
const MAX_TARBALL_BYTES = 5 * 1024 * 1024;

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment without the npm lifecycle variables of a surrounding `npm test` (npm's own config kept). */
function childEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) || /^npm_config_/i.test(k)));
}

/** Runs a command; resolves with its exit code and output (never rejects on a non-zero exit). */
function run(cmd: string, args: readonly string[], cwd: string): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env: childEnv(), encoding: 'utf8', maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr: err !== null && code === -1 ? `${stderr}${err.message}` : stderr });
    });
  });
}

const npmWorks = spawnSync('npm', ['--version'], { encoding: 'utf8' }).status === 0;
if (!npmWorks) console.warn('tests/package.test.ts: skipped: `npm --version` does not run here, so the package cannot be packed');

describe('README "Use the engine from code"', () => {
  it('shows examples/forecast.mjs verbatim', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.split(/^## /m).find((s) => s.startsWith('Use the engine from code\n'));
    expect(section, 'README has no "## Use the engine from code" section').toBeDefined();
    const block = /^```js\n([\s\S]*?)^```$/m.exec(section!);
    expect(block, 'the section has no ```js block').not.toBeNull();
    expect(block![1]).toBe(readFileSync(EXAMPLE, 'utf8'));
  });
});

describe.skipIf(!npmWorks)('the packed tarball, installed without dev dependencies or network', () => {
  let dir: string;
  let project: string;
  let files: string[];
  let tarballBytes: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'patrolcast-pack-'));
    const packed = await run('npm', ['pack', '--json', '--pack-destination', dir], ROOT);
    expect(packed.code, `npm pack failed:\n${packed.stderr}`).toBe(0);
    const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as {
      filename: string;
      size: number;
      integrity: string;
      files: { path: string }[];
    }[];
    files = info!.files.map((f) => f.path).sort();
    tarballBytes = info!.size;

    project = join(dir, 'project');
    mkdirSync(project);
    const spec = `file:../${info!.filename}`;
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { patrolcast: spec } }),
    );
    writeFileSync(join(project, 'package-lock.json'), JSON.stringify(consumerLock(spec, info!.integrity)));
    const installed = await run('npm', ['ci', '--offline', '--omit=dev', '--no-audit', '--no-fund'], project);
    expect(
      installed.code,
      `npm ci --offline in the empty project failed (has \`npm ci\` run in the repository, filling npm's cache?):\n${installed.stderr}`,
    ).toBe(0);
    copyFileSync(EXAMPLE, join(project, 'forecast.mjs'));
    for (const f of [VANCOUVER, ASHFORD]) copyFileSync(join(ROOT, f), join(project, f.split('/').pop()!));
  });
  afterAll(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('is under 5 MB and holds the built library, the binary and the docs, no source, tests or fixtures', () => {
    expect(tarballBytes).toBeLessThan(MAX_TARBALL_BYTES);
    for (const f of ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'bin/patrolcast.mjs']) expect(files).toContain(f);
    for (const f of ['lib/engine/index.js', 'lib/engine/index.d.ts', 'lib/cli/main.js', 'lib/cli/main.d.ts', 'lib/cli/bin.js']) {
      expect(files).toContain(f);
    }
    const other = files.filter((f) => !/^lib\/(engine|cli)\/.+\.(js|d\.ts)$/.test(f) && !f.startsWith('bin/'));
    expect(other).toEqual(['CHANGELOG.md', 'LICENSE', 'README.md', 'package.json']);
  });

  it('installs no tsx, TypeScript, Vite or MapLibre (dev and web-app packages)', () => {
    const nm = join(project, 'node_modules');
    expect(existsSync(join(nm, 'patrolcast/lib/engine/index.js'))).toBe(true);
    for (const p of ['tsx', 'typescript', 'tsc7', 'vite', 'maplibre-gl', 'vitest']) expect(existsSync(join(nm, p)), p).toBe(false);
  });

  it('the built code imports only its declared dependencies, each of them used, and the engine no node: module', () => {
    const lib = join(project, 'node_modules/patrolcast/lib');
    const used = new Set<string>();
    for (const file of walk(lib)) {
      const text = readFileSync(file, 'utf8');
      // import/export ... from 'x' (to the statement's end), import 'x', import('x'), require.resolve('x')
      const specs = [
        ...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s*'([^']+)'/gm),
        ...text.matchAll(/^import\s*'([^']+)'/gm),
        ...text.matchAll(/\b(?:import|require\.resolve)\(\s*'([^']+)'\s*\)/g),
      ].map((m) => m[1]!);
      for (const spec of specs) {
        if (spec.startsWith('.')) continue;
        if (spec.startsWith('node:') || builtinModules.includes(spec)) {
          expect(relative(lib, file), `${spec} in the browser-safe engine`).not.toMatch(/^engine\//);
          continue;
        }
        const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        // a declaration's types of a package without its own come from @types (geojson)
        const name = file.endsWith('.d.ts') && !(pkg in PKG.dependencies) ? `@types/${pkg}` : pkg;
        expect(Object.keys(PKG.dependencies), `${relative(lib, file)} imports ${spec}`).toContain(name);
        used.add(name);
      }
    }
    expect([...used].sort()).toEqual(Object.keys(PKG.dependencies).sort());
  });

  it("runs the README's example with node: the same boxes as the engine's source gives", async () => {
    const r = await run('node', ['forecast.mjs', 'property_2023.csv.gz', AT], project);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('31485 incidents read, 0 rows rejected'); // the fixture's verified count (docs/data.md)
    const boxes = lines.filter((l) => / #\d+ [0-9a-f]{15} expected /.test(l)).map((l) => l.slice(0, l.indexOf(':')));
    expect(boxes.length).toBeGreaterThanOrEqual(3 * 20); // 3 boxes in each of Vancouver's 20+ neighbourhoods

    // The oracle: the same request on the TypeScript source, in this process.
    const text = gunzipSync(readFileSync(join(ROOT, VANCOUVER))).toString('utf8');
    const data = ingestCsvText(text, { file: 'property_2023.csv.gz' });
    const tz = 'America/Vancouver';
    const source = shiftBoxes({ incidents: data.incidents, tz, res: 10, shift: shiftAt(AT, tz), top: 3 });
    expect(boxes).toEqual(source.boxes.map((b) => `${b.district} #${b.rank} ${b.h3} expected ${b.expected.toFixed(3)}`));
    expect(lines[1]).toBe(`${AT.replace('T', ' ')} (night): θ = ${source.fit.theta.toFixed(3)}, ${source.training.events} training events`);
  });

  it("npx patrolcast --version prints package.json's version", async () => {
    const r = await run('npx', ['--no', '--', 'patrolcast', '--version'], project);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${PKG.version}\n`);
  });

  it('npx patrolcast ingest reads a fixture with the verified counts', async () => {
    // 7,855 rows of Ashford 2014, every one located (tests/cli/ingest.test.ts)
    const r = await run('npx', ['--no', '--', 'patrolcast', 'ingest', '--json', 'ashford_2014.csv.gz'], project);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ format: 'police-uk', files: 1, rowsRead: 7855, accepted: 7855, rejected: 0 });
    expect(r.stderr).toBe('');
  });

  it("exports 'patrolcast/cli' (main) and types that a TypeScript consumer checks against", async () => {
    const cli = await run(
      'node',
      [
        '--input-type=module',
        '-e',
        "const { main } = await import('patrolcast/cli'); process.exitCode = await main(['--version'], process);",
      ],
      project,
    );
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toBe(`${PKG.version}\n`);

    // TypeScript from this repository (the project has none), on a file using the typed API.
    writeFileSync(
      join(project, 'check.ts'),
      [
        "import { ingestCsvText, shiftAt, shiftBoxes, type ShiftBoxes } from 'patrolcast';",
        "import { main, type CliIo } from 'patrolcast/cli';",
        "const data = ingestCsvText('id,datetime,lat,lon,category\\n', { file: 'x.csv', tz: 'UTC' });",
        "const r: ShiftBoxes = shiftBoxes({ incidents: data.incidents, tz: 'UTC', res: 10, shift: shiftAt('2023-01-01T22:00', 'UTC') });",
        'const expected: number = r.boxes[0]!.expected;',
        'const io: CliIo | null = null;',
        'export { expected, io, main };',
        "// @ts-expect-error: a wrong option's type is caught through the package's declarations",
        "shiftBoxes({ incidents: data.incidents, tz: 'UTC', res: '10', shift: r.shift });",
      ].join('\n'),
    );
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          target: 'es2022',
          lib: ['es2023'],
          strict: true,
          noEmit: true,
          types: [],
          skipLibCheck: false,
        },
        files: ['check.ts'],
      }),
    );
    const tsc = await run('node', [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', '.'], project);
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.code).toBe(0);
  });
});

/** Every file under `dir`. */
function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
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
