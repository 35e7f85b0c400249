/**
 * What `patrolcast publish` puts on the site, as plain data (no I/O here): each shift's boxes as
 * a sanitized projection of the service's result, and the manifest naming the run.
 *
 * Nothing incident-level may reach the site. The engine's GeoJSON export (boxesToGeoJSON) carries
 * each box's `contributors` (incident ids, categories and ages) and `explanation` (which names
 * them), `placeDetail` (every location text) and `reasonCounts.latestAgeHours` (the newest
 * incident's age to the minute). So the site's boxes are built here from an allow-list of
 * aggregate fields: the box's cells and outline, its rank, place, reason in words (with the
 * newest incident's age coarsened to days), its counts and expected crimes, and its patrol order.
 * Outline coordinates are rounded to 6 decimals (about 0.1 m), which also keeps the files small.
 */
import { boxesToGeoJSON, withRouteStops } from '../engine/index.ts';
import type { DistrictRoute, RankingWarning, ShiftBoxes, ShiftWindow } from '../engine/index.ts';
import type { PublicationRun } from './publishLog.ts';

/** The shift as the site and the log name it. */
export interface PublishedShift {
  readonly label: string;
  readonly startMs: number;
  /** Real hours (7 or 9 across a clock change). */
  readonly hours: number;
  /** Local wall-clock start, e.g. "2023-12-15T06:00". */
  readonly startLocal: string;
  readonly tz: string;
}

/** One box on the site: aggregates only (module comment). */
export interface PublishedBox {
  readonly rank: number;
  readonly h3: string;
  /** The box's cells (a placed box's seven; a grid box's one). */
  readonly cells: readonly string[];
  readonly district: string;
  readonly place: string | null;
  readonly reason: string | null;
  /** Past-year incidents in the box, those on this shift of the day, those in the last 14 days. */
  readonly counts: { readonly year: number; readonly sameShift: number; readonly recent: number } | null;
  /** Expected crimes in the box during the shift. */
  readonly expected: number;
  /** Place in the district's patrol order (1 = start) and straight-line metres from the box before. */
  readonly visit: number | null;
  readonly legM: number | null;
}

export interface PublishedDistrict {
  readonly district: string;
  readonly boxes: {
    readonly type: 'FeatureCollection';
    readonly features: readonly {
      readonly type: 'Feature';
      readonly geometry: { readonly type: 'Polygon'; readonly coordinates: number[][][] };
      readonly properties: PublishedBox;
    }[];
  };
  readonly route: { readonly ranks: readonly number[]; readonly legsM: readonly number[]; readonly totalM: number } | null;
  /** Why this district's boxes are not a confident ranking, in words; null when they are. */
  readonly warning: string | null;
}

/**
 * One shift's boxes: all its districts as the service made them ({@link shiftFile}); on the site,
 * one file per shift and district (shifts/<id>/<district>.json, {@link districtFiles}) holding
 * that one district, so a sergeant's bookmarked district loads only its own boxes (about 20 kB
 * rather than 0.5 MB for Vancouver's 24 districts).
 */
export interface PublishedShiftFile {
  readonly kind: 'patrolcast-shift';
  /** 2: one district per file (version 1, of the first release, held every district in one file). */
  readonly version: 2;
  readonly shift: PublishedShift;
  readonly placement: string;
  readonly res: number;
  readonly districts: readonly PublishedDistrict[];
}

/** "40 minutes ago", "5 hours ago" (the newest incident's age, in the engine's reason words) become "in the last 2 days". */
const FINE_AGE = /\b\d+ (?:minute|minutes|hour|hours) ago\b/g;

/** The reason in words with sub-day ages coarsened (module comment). */
export function coarseReason(reason: string): string {
  return reason.replace(FINE_AGE, 'in the last 2 days');
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/** The shift as published: its label, start (epoch ms and local wall clock), real hours and zone. */
export function publishedShift(shift: ShiftWindow, startLocal: string, tz: string): PublishedShift {
  return { label: shift.label, startMs: shift.startMs, hours: shift.hours, startLocal, tz };
}

function routeOf(routes: readonly DistrictRoute[], district: string): PublishedDistrict['route'] {
  const r = routes.find((x) => x.district === district);
  return r === undefined ? null : { ranks: [...r.ranks], legsM: r.legsM.map((m) => Math.round(m)), totalM: Math.round(r.totalM) };
}

function warningOf(warnings: readonly RankingWarning[], district: string): string | null {
  const w = warnings.filter((x) => x.district === district).map((x) => x.words);
  return w.length === 0 ? null : w.join(' ');
}

/**
 * The shift file: per district (the service's order), the boxes' outlines with their allow-listed
 * properties, the route and the ranking warning. Cost O(boxes).
 */
export function shiftFile(cast: ShiftBoxes, shift: PublishedShift, res: number): PublishedShiftFile {
  const collection = withRouteStops(boxesToGeoJSON(cast.boxes), cast.routes);
  const byDistrict = new Map<string, PublishedDistrict['boxes']['features'][number][]>();
  for (const f of collection.features) {
    const p = f.properties;
    const extra = p as unknown as { visit?: number; legM?: number | null };
    const counts = p.reasonCounts;
    const properties: PublishedBox = {
      rank: p.rank,
      h3: p.h3,
      cells: p.cells !== undefined ? [...p.cells] : [p.h3],
      district: p.district,
      place: p.place ?? null,
      reason: p.reason !== undefined ? coarseReason(p.reason) : null,
      counts: counts !== undefined ? { year: counts.year, sameShift: counts.sameShift, recent: counts.recent } : null,
      expected: p.expected,
      visit: extra.visit ?? null,
      legM: extra.legM === undefined || extra.legM === null ? null : Math.round(extra.legM),
    };
    const ring = f.geometry.coordinates.map((r) => r.map(([lng, lat]) => [round6(lng!), round6(lat!)]));
    const feature = { type: 'Feature' as const, geometry: { type: 'Polygon' as const, coordinates: ring }, properties };
    const list = byDistrict.get(p.district);
    if (list === undefined) byDistrict.set(p.district, [feature]);
    else list.push(feature);
  }
  const districts: PublishedDistrict[] = [...byDistrict].map(([district, features]) => ({
    district,
    boxes: { type: 'FeatureCollection', features },
    route: routeOf(cast.routes, district),
    warning: warningOf(cast.rankingWarnings, district),
  }));
  return { kind: 'patrolcast-shift', version: 2, shift, placement: cast.placement, res, districts };
}

/** A shift's file name on the site: its local start, e.g. "2023-12-15_0600" (no colons: safe on every file system). */
export function shiftId(startLocal: string): string {
  return startLocal.replace('T', '_').replace(':', '');
}

/**
 * Each district's file name on the site: its name in lower-case ASCII letters and digits joined
 * by '-' ("Mount Pleasant" → "mount-pleasant"), or `district_<n>` (n from 1, in the given order)
 * when that is empty or already taken, so every name is distinct and safe on every file system.
 * The same districts in the same order give the same names.
 */
export function districtSlugs(districts: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const taken = new Set<string>();
  districts.forEach((d, i) => {
    if (out.has(d)) return;
    let slug = d
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60);
    if (slug === '' || taken.has(slug)) slug = `district_${i + 1}`; // '_' is never in a name made from letters
    taken.add(slug);
    out.set(d, slug);
  });
  return out;
}

/** One file per district of a shift, each a {@link PublishedShiftFile} holding that district alone, as written (JSON and a newline). */
export function districtFiles(
  file: PublishedShiftFile,
  slugs: ReadonlyMap<string, string>,
  id: string,
): { district: string; path: string; text: string }[] {
  return file.districts.map((d) => ({
    district: d.district,
    path: `shifts/${id}/${slugs.get(d.district)!}.json`,
    text: `${JSON.stringify({ ...file, districts: [d] })}\n`,
  }));
}

/** What the manifest says of one shift. */
export interface ManifestShift extends PublishedShift {
  readonly id: string;
  /** Boxes per district, in the service's order. */
  readonly boxes: Readonly<Record<string, number>>;
  /** Per district: its file (relative to the site's folder) and the SHA-256 of the file's bytes (hex). */
  readonly files: Readonly<Record<string, { readonly file: string; readonly sha256: string }>>;
}

/** The site's manifest.json. */
export interface Manifest extends PublicationRun {
  readonly kind: 'patrolcast-site';
  /** 2: a file per shift and district (version 1 had one file per shift, `shifts[].file` and `sha256`). */
  readonly version: 2;
  /** When the site was made (ISO, from the CLI's clock). */
  readonly generatedAt: string;
  readonly tz: string;
  readonly res: number;
  readonly placement: string;
  readonly top: number;
  readonly districts: readonly string[];
  readonly shifts: readonly ManifestShift[];
  /** The base map's file (basemap.geojson or basemap.pmtiles), or null when the site has none. */
  readonly basemap: string | null;
}
