/**
 * The published package, as a user gets it: `npm pack` (whose prepack builds lib/ with
 * `npm run build:lib`), the tarball installed into an empty project with its runtime dependencies
 * only, then the README's example, the `patrolcast` binary and the typed API used there, with
 * neither tsx nor TypeScript installed in that project.
 *
 * No network: the install runs from npm's cache (tests/support/pack.ts says how). Skipped, with a
 * message, where npm itself cannot run.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestCsvText, shiftAt, shiftBoxes } from '../engine/index.ts';
import { packAndInstall, PKG, ROOT, run } from './support/pack.ts';

const EXAMPLE = join(ROOT, 'examples/forecast.mjs');
const VANCOUVER = 'fixtures/vancouver/property_2023.csv.gz';
const ASHFORD = 'fixtures/kent/ashford_2014.csv.gz';
const AT = '2023-12-15T22:00';
const MAX_TARBALL_BYTES = 5 * 1024 * 1024;

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
  let files: readonly string[];
  let tarballBytes: number;

  beforeAll(async () => {
    ({ dir, project, files, tarballBytes } = await packAndInstall());
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
