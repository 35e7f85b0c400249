/**
 * The patrol order of each district (issue 12) shaped for the page: in words for the list, and
 * as lines for the map (web/map.ts route layer). Runs in the worker with the engine.
 */
import type { Feature, FeatureCollection, LineString } from 'geojson';
import { cellCenter, formatRoute, routeStopKey, type DistrictRoute, type ExplainedBox } from '../engine/index.ts';
import type { RouteView } from './protocol.ts';

/**
 * The patrol orders of the districts shown, in words and as LineStrings over the box centres
 * (the centre of a placed box's centre cell, as the numbered markers) in visiting order.
 */
export function routeViews(
  all: readonly DistrictRoute[],
  boxes: readonly ExplainedBox[],
  district: string,
): { routes: RouteView[]; routesGeoJSON: FeatureCollection } {
  const routes = all.filter((r) => !district || r.district === district).map((r) => ({ ...r, words: formatRoute(r) }));
  const centreOf = new Map(boxes.map((b) => [routeStopKey(b.district, b.rank), cellCenter(b.h3)]));
  const features: Feature<LineString>[] = routes
    .filter((r) => r.ranks.length > 1)
    .map((r) => ({
      type: 'Feature',
      properties: { district: r.district, totalM: r.totalM },
      geometry: {
        type: 'LineString',
        coordinates: r.ranks.map((rank) => {
          const c = centreOf.get(routeStopKey(r.district, rank))!;
          return [c.lng, c.lat];
        }),
      },
    }));
  return { routes, routesGeoJSON: { type: 'FeatureCollection', features } };
}
