/**
 * engine/grid: incidents to H3 cells (the only module that imports h3-js), the study area,
 * districts and neighbour rings.
 */
export { GridError } from './errors.ts';
export type { GridErrorCode } from './errors.ts';
export {
  DEFAULT_RES,
  incidentCell,
  cellAreaKm2,
  cellCenter,
  cellBoundaryLngLat,
  cellToFeature,
  gridDisk,
  gridDistance,
  neighboursWithinKm,
} from './cells.ts';
export { fineChildren, coarseParent, boxCells, isPentagonCell, cellResolution, cellsOutlineLngLat } from './fine.ts';
export { buildEventSet } from './eventSet.ts';
export type { BuildEventSetOptions } from './eventSet.ts';
export { studyArea, polygonsOf } from './area.ts';
export type { AreaGeoJson } from './area.ts';
export type { NamedAreas } from './districts.ts';
export { districtsFromLabels, majorityLabels, districtsFromPolygons, districtOutlines } from './districts.ts';
