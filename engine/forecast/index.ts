/**
 * engine/forecast: expected counts per cell for a shift, ranking, patrol boxes with their
 * explanations, and shifts in local wall-clock time.
 */
export { ForecastError } from './errors.ts';
export type { ForecastErrorCode } from './errors.ts';
export { forecastShift, shiftBinHours } from './expected.ts';
export type { ForecastOptions } from './expected.ts';
export { shiftIntegral } from './integral.ts';
export { rankCells, topCellsByArea, compareCells } from './rank.ts';
export {
  patrolBoxes,
  explainBox,
  boxesToGeoJSON,
  boxesToCsv,
  csvCell,
  formatAge,
  NO_DISTRICT,
  DEFAULT_TOP,
  DEFAULT_MAX_CONTRIBUTORS,
  MIN_CONTRIBUTOR_SHARE,
} from './boxes.ts';
export type { PatrolBoxOptions, BoxProperties } from './boxes.ts';
export { fineShares, splitToFine, placeBoxes } from './placement.ts';
export type { FineExpected, PlacedBox, PlaceBoxesOptions } from './placement.ts';
export { BOX, DEFAULT_SHARE_ALPHA, FineCounts, FineLattice } from './lattice.ts';
export { placeGreedy, GreedyOrder } from './greedy.ts';
export type { GreedyBoxes, GreedyOptions } from './greedy.ts';
export { placedPatrolBoxes, PlacementCache } from './placedBoxes.ts';
export { boxPlace, boxIncidentFinder, placeFinder, placeText, rankPlaces } from './place.ts';
export {
  categoryWords,
  latestAgeWords,
  reasonCounts,
  reasonFinder,
  reasonText,
  reasonWindow,
  REASON_RECENT_DAYS,
  REASON_YEAR_DAYS,
} from './reason.ts';
export type { ReasonWindow } from './reason.ts';
export {
  patrolRoute,
  districtRoutes,
  routeStops,
  routeStopKey,
  withRouteStops,
  formatRoute,
  formatDistanceM,
  haversineM,
  distanceMatrix,
  pathLengthM,
  EARTH_RADIUS_M,
} from './route.ts';
export type { LatLng, PatrolRoute, DistrictRoute, RouteStop } from './route.ts';
export type { PlacedPatrolBoxOptions } from './placedBoxes.ts';
export { shiftWindows, shiftAt, shiftName, parseLocalDateTime, DEFAULT_SHIFT_STARTS, DEFAULT_SHIFT_HOURS } from './shifts.ts';
export { allocateBoxes, districtNeeds, rankingWarnings, QUIET_FLOOR_PER_SHIFT } from './allocate.ts';
export type { RankingWarning } from './allocate.ts';
