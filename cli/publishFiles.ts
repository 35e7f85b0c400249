/**
 * The files of the site `patrolcast publish` writes, besides the shifts: the viewer and the
 * libraries it runs (MapLibre GL, and the pmtiles reader for a PMTiles base map) copied from the
 * installed packages, the base map, and the cleaning of an earlier run's shift files.
 *
 * A site folder is published into again every night (a cron job), so a run removes the shift
 * files of the earlier run that it does not write itself, taking the list from the earlier
 * manifest only: a file no manifest names is never deleted, and a folder whose manifest.json is
 * not a patrolcast site's is refused before anything is written (docs/publish.md "Publishing
 * again into the same folder").
 */
import { copyFile, readFile, rmdir, unlink } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError } from './errors.ts';
import { writeFileAtomic } from './files.ts';
import { VIEWER_CSS, VIEWER_HTML } from './publishViewer.ts';
import { VIEWER_JS } from './publishViewerScript.ts';

/** The MapLibre GL release the viewer is written for (its ESM build, maplibre-gl.mjs, came with 5.0). */
const MAPLIBRE_RANGE = '^6.17.0';

/** Where installed packages are looked for: above this module (a checkout, or patrolcast's own install) and above the working folder. */
const searchFrom = (): string[] => [dirname(fileURLToPath(import.meta.url)), process.cwd()];

/** The folder `node_modules/<name>/<sub>` nearest above one of `starts` that holds `probe`; null if none. */
function packageFolder(name: string, sub: string, probe: string, starts: readonly string[] = searchFrom()): string | null {
  for (const start of starts) {
    let dir = start;
    for (;;) {
      const folder = join(dir, 'node_modules', name, sub);
      if (existsSync(join(folder, probe))) return folder;
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  return null;
}

/**
 * The folder of MapLibre GL's dist files, copied into the site. maplibre-gl is a development
 * dependency of patrolcast (the web app's map; the built package installs only what its code
 * imports, tests/package.test.ts), so an installed patrolcast that publishes needs it installed
 * beside it: without it (or with a release before the ESM build) publish stops with this message
 * before writing anything, rather than leaving a site that cannot draw its map.
 * @param starts where to look (the tests give a folder without it)
 * @throws CliError E_PUBLISH naming the package and release to install
 */
export function maplibreDist(starts: readonly string[] = searchFrom()): string {
  const dist = packageFolder('maplibre-gl', 'dist', 'maplibre-gl.mjs', starts);
  if (dist === null || !existsSync(join(dist, 'maplibre-gl-worker.mjs')))
    throw new CliError(
      `the site's viewer needs MapLibre GL ${MAPLIBRE_RANGE}, which is not installed (no node_modules/maplibre-gl/dist/maplibre-gl.mjs above ${starts.join(' or ')}): install it beside patrolcast, npm install maplibre-gl@${MAPLIBRE_RANGE}`,
      'E_PUBLISH',
    );
  return dist;
}

/** The bundled Vancouver base map, when this is a checkout that has it; else null. */
export function bundledBasemap(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const path = join(dir, 'fixtures', 'vancouver', 'basemap.geojson');
    if (existsSync(path)) return path;
    dir = dirname(dir);
  }
  return null;
}

/** The base map's file name on the site for the file given: basemap.geojson or basemap.pmtiles. */
export function basemapName(path: string): 'basemap.geojson' | 'basemap.pmtiles' {
  return /\.pmtiles$/i.test(path) ? 'basemap.pmtiles' : 'basemap.geojson';
}

/**
 * Writes the viewer, copies the map library (and the pmtiles reader for an archive) and the base
 * map (if any) into the site folder.
 * @throws CliError E_PUBLISH when a library is not installed
 */
export async function writeViewer(out: string, basemap: string | null): Promise<void> {
  const dist = maplibreDist(); // before anything is written
  const archive = basemap !== null && basemapName(basemap) === 'basemap.pmtiles';
  const pmtiles = archive ? packageFolder('pmtiles', 'dist', 'pmtiles.js') : null;
  if (archive && pmtiles === null)
    throw new CliError(
      'a PMTiles base map needs the pmtiles package, which is not installed: install it beside patrolcast, npm install pmtiles@4.5.0',
      'E_PUBLISH',
    );
  await writeFileAtomic('--out', join(out, 'index.html'), VIEWER_HTML);
  await writeFileAtomic('--out', join(out, 'viewer.js'), VIEWER_JS);
  await writeFileAtomic('--out', join(out, 'viewer.css'), VIEWER_CSS);
  // Copied as .js, not .mjs: a static server sends a module script only with a JavaScript type,
  // and not every server knows .mjs (IIS has no type for it, older nginx and Python's http.server
  // send application/octet-stream), while every one knows .js.
  await copyFile(join(dist, 'maplibre-gl.mjs'), join(out, 'maplibre-gl.js'));
  await copyFile(join(dist, 'maplibre-gl-worker.mjs'), join(out, 'maplibre-gl-worker.js'));
  await copyFile(join(dist, 'maplibre-gl.css'), join(out, 'maplibre-gl.css'));
  await copyFile(join(dist, '..', 'LICENSE.txt'), join(out, 'maplibre-gl-LICENSE.txt'));
  if (pmtiles !== null) {
    await copyFile(join(pmtiles, 'pmtiles.js'), join(out, 'pmtiles.js'));
    const version = (JSON.parse(await readFile(join(pmtiles, '..', 'package.json'), 'utf8')) as { version?: string }).version;
    await writeFileAtomic('--out', join(out, 'pmtiles-LICENSE.txt'), pmtilesLicense(String(version)));
  }
  if (basemap !== null) await copyFile(basemap, join(out, basemapName(basemap)));
}

/**
 * The pmtiles package's licence (BSD-3-Clause, which asks that redistributions in binary form
 * reproduce it); the npm package has no LICENSE file to copy. Text of
 * github.com/protomaps/PMTiles/blob/main/LICENSE.
 */
function pmtilesLicense(version: string): string {
  return `pmtiles.js is dist/pmtiles.js of the npm package pmtiles ${version} (https://github.com/protomaps/PMTiles), unchanged.

Copyright 2021 Protomaps LLC

Redistribution and use in source and binary forms, with or without modification, are permitted provided that the following conditions are met:

1. Redistributions of source code must retain the above copyright notice, this list of conditions and the following disclaimer.

2. Redistributions in binary form must reproduce the above copyright notice, this list of conditions and the following disclaimer in the documentation and/or other materials provided with the distribution.

3. Neither the name of the copyright holder nor the names of its contributors may be used to endorse or promote products derived from this software without specific prior written permission.

THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
`;
}

/** A shift file's path as a manifest may name it: under shifts/, plain names, ending .json (nothing else is ever deleted). */
const SHIFT_PATH = /^shifts\/(?:[A-Za-z0-9_-]+\/)?[A-Za-z0-9_-]+\.json$/;

/**
 * The files the site in `out` was published with, from its manifest.json (an absent manifest: no
 * earlier site, nothing listed): every shift file (a version 1 manifest's `shifts[].file`, a
 * version 2 manifest's `shifts[].files[].file`) and the base map. Paths are checked to be plain
 * names under shifts/ (or basemap.*) so that an edited manifest cannot point a deletion elsewhere.
 * @throws CliError E_PUBLISH when manifest.json is not a patrolcast site's manifest, or lists a path outside the site's shift files
 */
export async function earlierSiteFiles(out: string): Promise<string[]> {
  const path = join(out, 'manifest.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new CliError(`--out: cannot read ${path}: ${(err as Error).message}`, 'E_PUBLISH');
  }
  const refuse = (why: string): never => {
    throw new CliError(
      `--out: ${path} ${why}: this folder holds something other than a patrolcast site; publish into an empty folder or one an earlier publish wrote`,
      'E_PUBLISH',
    );
  };
  let m: { kind?: unknown; shifts?: unknown; basemap?: unknown };
  try {
    m = JSON.parse(text) as typeof m;
  } catch {
    return refuse('is not JSON');
  }
  if (m === null || typeof m !== 'object' || m.kind !== 'patrolcast-site' || !Array.isArray(m.shifts))
    return refuse('is not a patrolcast site manifest (kind "patrolcast-site" with a list of shifts)');
  const files: string[] = [];
  for (const s of m.shifts as { file?: unknown; files?: Record<string, { file?: unknown }> }[]) {
    if (typeof s?.file === 'string') files.push(s.file);
    if (s?.files !== null && typeof s?.files === 'object') for (const f of Object.values(s.files)) files.push(String(f?.file));
  }
  for (const f of files) if (!SHIFT_PATH.test(f)) refuse(`lists a shift file "${f}" outside shifts/`);
  if (m.basemap === 'basemap.geojson' || m.basemap === 'basemap.pmtiles') files.push(m.basemap);
  return files;
}

/**
 * Deletes the files of `earlier` (from {@link earlierSiteFiles}) that this run did not write, then
 * the shift folders they leave empty (a folder with anything else in it stays).
 * @returns the deleted files, relative to `out`, sorted
 */
export async function removeStale(out: string, earlier: readonly string[], written: ReadonlySet<string>): Promise<string[]> {
  const removed: string[] = [];
  const folders = new Set<string>();
  for (const f of earlier) {
    if (written.has(f)) continue;
    try {
      await unlink(join(out, ...f.split('/')));
      removed.push(f);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new CliError(`--out: cannot remove the earlier run's ${join(out, f)}: ${(err as Error).message}`, 'E_WRITE');
    }
    const parts = f.split('/');
    if (parts.length === 3) folders.add(join(out, parts[0]!, parts[1]!));
  }
  for (const folder of folders) await rmdir(folder).catch(() => undefined); // ENOTEMPTY: it holds other files, left alone
  return removed.sort();
}
