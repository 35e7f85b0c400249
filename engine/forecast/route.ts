/**
 * A patrol order (issue 12): the boxes of one district ordered into a short walking or driving
 * route. The route is an open path that starts at box 1 (the highest-ranked box, where the
 * officer should be first) and visits every box once; it does not return to box 1, because a
 * patrol ends wherever the shift takes it.
 *
 * Finding the shortest such path is NP-hard (it is a travelling-salesman path), but a district has
 * at most a few dozen boxes, so a heuristic is enough: nearest neighbour from box 1, then 2-opt
 * (reverse a stretch) and Or-opt (move a run of 1 to 3 boxes, either way round) improvements
 * until neither helps. Against the brute-force optimum on seeded random cases (tests/forecast/
 * route.test.ts) it is within a few per cent. Distances are great-circle (haversine) metres
 * between box centres: a straight-line guide, not a street distance.
 *
 * Deterministic: the first improving move in a fixed scan order is taken, nearest-neighbour ties
 * go to the lower index, and an improvement must exceed 1 mm (`IMPROVE_EPS_M`) so that rounding
 * cannot make it cycle.
 */
import { cellCenter } from '../grid/index.ts';
import type { PatrolBox } from '../types.ts';
import { ForecastError } from './errors.ts';

/** Mean Earth radius (IUGG), metres. */
export const EARTH_RADIUS_M = 6_371_008.8;
/**
 * Up to this many points the route restarts from every second stop (~20 ms for 60); above it
 * (a district given hundreds of boxes) one descent from plain nearest neighbour, to stay fast.
 */
export const RESTARTS_MAX_BOXES = 60;
/** Smallest saving (metres) that counts as an improvement: 1 mm, far below any box spacing. */
export const IMPROVE_EPS_M = 1e-3;

/** A point in degrees. */
export interface LatLng {
  readonly lat: number;
  readonly lng: number;
}

/** A visiting order over points. */
export interface PatrolRoute {
  /** Indices into the input points in visiting order; `order[0]` is 0 (box 1). */
  readonly order: readonly number[];
  /** `legsM[i]` is the distance from `order[i]` to `order[i + 1]`, metres (length n − 1). */
  readonly legsM: readonly number[];
  /** The sum of the legs, metres. */
  readonly totalM: number;
}

const RAD = Math.PI / 180;

/** Great-circle distance in metres between two points (haversine; exact on a sphere, ±0.5 % on the Earth). */
export function haversineM(a: LatLng, b: LatLng): number {
  const dLat = (b.lat - a.lat) * RAD;
  const dLng = (b.lng - a.lng) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The n×n distance matrix (row-major), metres. O(n²). */
export function distanceMatrix(points: readonly LatLng[]): Float64Array {
  const n = points.length;
  const d = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const p = points[i]!;
    if (!Number.isFinite(p.lat) || !Number.isFinite(p.lng) || Math.abs(p.lat) > 90) {
      throw new ForecastError(
        'E_ARGUMENT',
        `route point ${i} must have a finite latitude in [-90, 90] and a finite longitude, got ${String(p.lat)}, ${String(p.lng)}`,
        p,
      );
    }
    for (let j = 0; j < i; j++) {
      const v = haversineM(p, points[j]!);
      d[i * n + j] = v;
      d[j * n + i] = v;
    }
  }
  return d;
}

/** The length of an open path over the matrix, metres. */
export function pathLengthM(order: readonly number[], d: Float64Array, n: number): number {
  let sum = 0;
  for (let i = 1; i < order.length; i++) sum += d[order[i - 1]! * n + order[i]!]!;
  return sum;
}

/** The point nearest to `from` (ties: the lower index). O(n). */
function nearestTo(from: number, d: Float64Array, n: number): number {
  let best = -1;
  for (let j = 0; j < n; j++) if (j !== from && (best < 0 || d[from * n + j]! < d[from * n + best]!)) best = j;
  return best;
}

/** Nearest neighbour from point 0 through `second`; ties go to the lower index. O(n²). */
function nearestNeighbour(d: Float64Array, n: number, second: number): number[] {
  const used = new Uint8Array(n);
  const order = [0, second];
  used[0] = 1;
  used[second] = 1;
  for (let step = 2; step < n; step++) {
    const from = order[step - 1]!;
    let best = -1;
    let bestD = Infinity;
    for (let j = 0; j < n; j++) {
      if (used[j] === 0 && d[from * n + j]! < bestD) {
        best = j;
        bestD = d[from * n + j]!;
      }
    }
    used[best] = 1;
    order.push(best);
  }
  return order;
}

/**
 * One 2-opt move on an open path with a fixed start: reverses `order[i..j]` (1 ≤ i < j ≤ n−1)
 * when that shortens the path; the edge after j is absent when j is the end. Returns whether a
 * move was made. O(n²) per call.
 */
function twoOpt(order: number[], d: Float64Array, n: number): boolean {
  for (let i = 1; i < n - 1; i++) {
    const a = order[i - 1]!;
    const b = order[i]!;
    for (let j = i + 1; j < n; j++) {
      const c = order[j]!;
      const next = j + 1 < n ? order[j + 1]! : -1;
      const before = d[a * n + b]! + (next >= 0 ? d[c * n + next]! : 0);
      const after = d[a * n + c]! + (next >= 0 ? d[b * n + next]! : 0);
      if (before - after > IMPROVE_EPS_M) {
        for (let lo = i, hi = j; lo < hi; lo++, hi--) [order[lo], order[hi]] = [order[hi]!, order[lo]!];
        return true;
      }
    }
  }
  return false;
}

/**
 * One Or-opt move: takes the run `order[i..i+len-1]` (len 1 to 3, never the start) and puts it,
 * forwards or reversed, between two other consecutive stops or at the end, when that shortens the
 * path. Returns whether a move was made. O(n²) per call.
 */
function orOpt(order: number[], d: Float64Array, n: number): boolean {
  const at = (u: number, v: number): number => (u < 0 || v < 0 ? 0 : d[u * n + v]!);
  for (let len = 1; len <= 3; len++) {
    for (let i = 1; i + len <= n; i++) {
      const first = order[i]!;
      const last = order[i + len - 1]!;
      const prev = order[i - 1]!;
      const next = i + len < n ? order[i + len]! : -1;
      const removed = at(prev, first) + at(last, next) - at(prev, next);
      const rest = [...order.slice(0, i), ...order.slice(i + len)];
      // Insert between rest[k] and rest[k + 1] (or after the end when k is the last).
      for (let k = 0; k < rest.length; k++) {
        if (k === i - 1) continue; // its own place
        const u = rest[k]!;
        const v = k + 1 < rest.length ? rest[k + 1]! : -1;
        const forward = at(u, first) + at(last, v) - at(u, v);
        const backward = at(u, last) + at(first, v) - at(u, v);
        const reversed = backward < forward;
        if (removed - (reversed ? backward : forward) > IMPROVE_EPS_M) {
          const run = order.slice(i, i + len);
          if (reversed) run.reverse();
          order.splice(0, n, ...rest.slice(0, k + 1), ...run, ...rest.slice(k + 1));
          return true;
        }
      }
    }
  }
  return false;
}

/** Nearest neighbour through `second`, then 2-opt and Or-opt moves until neither improves. */
function localOptimum(d: Float64Array, n: number, second: number): number[] {
  const order = nearestNeighbour(d, n, second);
  for (;;) {
    if (twoOpt(order, d, n)) continue;
    if (!orOpt(order, d, n)) break;
  }
  return order;
}

/**
 * The patrol order over `points` (point 0 is box 1). For each choice of the second stop, nearest
 * neighbour from there, then 2-opt and Or-opt moves until neither improves by more than
 * 1 mm (`IMPROVE_EPS_M`); the shortest of these n − 1 local optima wins (ties: the lower second
 * stop). The restarts matter: a single start was 9 % above the optimum at worst on the test's
 * cases, the best of them 4 %. Above `RESTARTS_MAX_BOXES` (60) points, one descent from plain
 * nearest neighbour. Each move shortens the path, so each descent ends; a pass costs O(n²) and
 * a descent takes up to a few n passes, so the whole is about O(n⁴) with restarts (~10 ms for
 * n = 50) and O(n³) without (tests/forecast/route.test.ts times both).
 * n = 0 gives an empty route, n = 1 a route of one stop and no legs.
 * @throws {ForecastError} E_ARGUMENT for a point with a non-finite or out-of-range coordinate
 */
export function patrolRoute(points: readonly LatLng[]): PatrolRoute {
  const n = points.length;
  const d = distanceMatrix(points);
  if (n === 0) return { order: [], legsM: [], totalM: 0 };
  let order = [0];
  let bestM = Infinity;
  const seconds = n <= RESTARTS_MAX_BOXES ? Array.from({ length: n - 1 }, (_, i) => i + 1) : [nearestTo(0, d, n)];
  for (const second of seconds) {
    const candidate = localOptimum(d, n, second);
    const m = pathLengthM(candidate, d, n);
    if (m < bestM - IMPROVE_EPS_M) {
      order = candidate;
      bestM = m;
    }
  }
  const legsM: number[] = [];
  for (let i = 1; i < n; i++) legsM.push(d[order[i - 1]! * n + order[i]!]!);
  return { order, legsM, totalM: pathLengthM(order, d, n) };
}

/** The patrol order of one district's boxes. */
export interface DistrictRoute {
  readonly district: string;
  /** The boxes' ranks in visiting order; starts with 1. */
  readonly ranks: readonly number[];
  /** `legsM[i]` is the distance from box `ranks[i]` to box `ranks[i + 1]`, metres between box centres. */
  readonly legsM: readonly number[];
  /** The sum of the legs, metres. */
  readonly totalM: number;
}

/**
 * The patrol order of each district's boxes over their centres (a placed box's centre cell, a
 * grid box's cell), from box 1 ({@link patrolRoute}); districts in the order they first appear in
 * `boxes`. Cost: {@link patrolRoute} per district.
 */
export function districtRoutes(boxes: readonly PatrolBox[]): DistrictRoute[] {
  const byDistrict = new Map<string, PatrolBox[]>();
  for (const b of boxes) {
    const list = byDistrict.get(b.district);
    if (list === undefined) byDistrict.set(b.district, [b]);
    else list.push(b);
  }
  const routes: DistrictRoute[] = [];
  for (const [district, list] of byDistrict) {
    const mine = [...list].sort((a, b) => a.rank - b.rank);
    const route = patrolRoute(mine.map((b) => cellCenter(b.h3)));
    routes.push({ district, ranks: route.order.map((i) => mine[i]!.rank), legsM: route.legsM, totalM: route.totalM });
  }
  return routes;
}

/** Metres in words for a route: "850 m", "1.2 km". */
export function formatDistanceM(m: number): string {
  return m < 1000 ? `${Math.round(m)} m` : `${(m / 1000).toFixed(1)} km`;
}

/**
 * A district's route in words, e.g. "1 → 4 (320 m) → 2 (510 m); 830 m in all": what the CLI
 * prints and the web list shows.
 */
export function formatRoute(route: DistrictRoute): string {
  const stops = route.ranks.map((r, i) => (i === 0 ? String(r) : `${r} (${formatDistanceM(route.legsM[i - 1]!)})`));
  return `${stops.join(' → ')}; ${formatDistanceM(route.totalM)} in all`;
}

/**
 * Where a box stands in its district's route: 1-based `visit`, and `legM`, metres from the stop
 * before (null for the first), rounded to the millimetre so that files written by different
 * JavaScript engines agree (their sin/cos may differ in the last bits, which the haversine's
 * short distances amplify to about 1e-11 relative).
 */
export interface RouteStop {
  readonly visit: number;
  readonly legM: number | null;
}

/**
 * Each box's place in its district's route, keyed by {@link routeStopKey}: the `visit` and
 * `legM` properties the GeoJSON export adds to each box (chosen over a LineString per district
 * so that the file stays one Polygon Feature per box; a map draws the path by joining the
 * centres in `visit` order).
 */
export function routeStops(routes: readonly DistrictRoute[]): Map<string, RouteStop> {
  const stops = new Map<string, RouteStop>();
  for (const r of routes) {
    r.ranks.forEach((rank, i) =>
      stops.set(routeStopKey(r.district, rank), { visit: i + 1, legM: i === 0 ? null : roundMm(r.legsM[i - 1]!) }),
    );
  }
  return stops;
}

/** Metres rounded to the millimetre. */
function roundMm(m: number): number {
  return Math.round(m * 1000) / 1000;
}

/** The key of a box in {@link routeStops}. */
export function routeStopKey(district: string, rank: number): string {
  return `${district}\u0000${rank}`;
}

/**
 * The boxes' GeoJSON (engine/forecast boxesToGeoJSON) with each box's place in its district's
 * patrol order added to its properties: `visit` (1 = first, always box 1) and `legM` (straight-line
 * metres from the box visited before; null for the first). A box of no route is left as it is.
 * Returns a new collection; O(boxes).
 */
export function withRouteStops<
  P extends { readonly district: string; readonly rank: number },
  C extends { readonly features: readonly { readonly properties: P }[] },
>(collection: C, routes: readonly DistrictRoute[]): C {
  const stops = routeStops(routes);
  const features = collection.features.map((f) => {
    const stop = stops.get(routeStopKey(f.properties.district, f.properties.rank));
    return stop === undefined ? f : { ...f, properties: { ...f.properties, visit: stop.visit, legM: stop.legM } };
  });
  return { ...collection, features };
}
