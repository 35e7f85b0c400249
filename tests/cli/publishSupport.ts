/**
 * What the publish tests share (not a test file): a deterministic plain incident file with ids,
 * and readers of the site and the log.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ManifestShift } from '../../cli/publishSite.ts';
import type { PublicationLine } from '../../cli/publishLog.ts';

export const sha256 = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');
export const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
/** The publication lines of a log (its run lines, one per run, are tested in tests/cli/reviewLate.test.ts). */
export const logLines = (path: string): PublicationLine[] =>
  readFileSync(path, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as PublicationLine)
    .filter((l) => l.kind === 'patrolcast-publication');
/** How many run lines a log has. */
export const runLines = (path: string): number =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"patrolcast-publication-run"')).length;

/** A shift's files (one per district), as the manifest lists them. */
export const shiftPaths = (s: ManifestShift): string[] => Object.values(s.files).map((f) => f.file);

/** A deterministic plain CSV of `n` incidents with ids, in three districts near Chicago, through 2023 and into January 2024. */
export function plainIncidents(n: number): { id: string; datetime: string; lat: string; lon: string }[] {
  let seed = 12345;
  const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const rows = [];
  const from = Date.UTC(2023, 0, 1, 6);
  const to = Date.UTC(2024, 0, 10, 6);
  for (let i = 0; i < n; i++) {
    // Hotspots so that boxes exist: half the incidents near one of three points.
    const hot = i % 2 === 0 ? [41.88, -87.63] : i % 3 === 0 ? [41.9, -87.66] : [41.87 + 0.04 * rand(), -87.68 + 0.06 * rand()];
    const lat = (hot[0]! + 0.004 * (rand() - 0.5)).toFixed(6);
    const lon = (hot[1]! + 0.004 * (rand() - 0.5)).toFixed(6);
    const t = new Date(from + Math.floor((rand() * (to - from)) / 60_000) * 60_000 + 60_000 * 7);
    const datetime = t.toISOString().slice(0, 16);
    rows.push({ id: `CASE-${String(100000 + i)}`, datetime, lat, lon });
  }
  return rows;
}

/** The CSV text of {@link plainIncidents}' rows, all burglaries, in districts D0, D1, ... (`districts` of them, in turn). */
export function plainCsv(rows: ReturnType<typeof plainIncidents>, districts: number): string {
  const body = rows.map((r, i) => `${r.id},${r.datetime}Z,${r.lat},${r.lon},burglary,D${i % districts}`).join('\n');
  return `id,datetime,lat,lon,category,district\n${body}\n`;
}
