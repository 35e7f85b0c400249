/**
 * District polygons in the web app's worker (web/engineHost.ts), with the CLI's --districts
 * rules (cli/io.ts readDistrictPolygons): the engine's districtsFromPolygons labels each cell by
 * the first polygon containing its centre; cells outside every polygon have no district. Worker
 * side only: it imports the engine.
 */
import type { FeatureCollection } from 'geojson';
import {
  districtOutlines,
  districtsFromLabels,
  districtsFromPolygons,
  incidentCell,
  type H3Cell,
  type Incident,
  type NamedAreas,
} from '../engine/index.ts';
import type { DatasetInfo, DistrictsRequest } from './protocol.ts';
import { WorkerError } from './workerErrors.ts';

/** District polygons checked once, ready to label cells. */
export interface DistrictPolygons {
  /** The file name, for messages. */
  readonly name: string;
  /** cell → district, the labeller the engine's service takes (`districts`). */
  readonly label: (cells: readonly H3Cell[]) => Map<H3Cell, string>;
  /** The polygons to draw, each with its name in `properties.district` (as engine districtOutlines). */
  readonly outlines: FeatureCollection;
}

/**
 * Checks the polygons at once (a FeatureCollection of named Polygon/MultiPolygon features), so a
 * bad file fails when it is chosen, not at the next forecast.
 * @throws WorkerError E_DISTRICTS naming the file and what is wrong (the engine's GridError message)
 */
export function districtPolygons(request: DistrictsRequest): DistrictPolygons {
  const fc = request.geojson as NamedAreas;
  const label = (cells: readonly H3Cell[]): Map<H3Cell, string> => {
    try {
      return districtsFromPolygons(fc, cells, request.nameProperty);
    } catch (err) {
      throw new WorkerError('E_DISTRICTS', `${request.name}: ${(err as Error).message}`, request.name);
    }
  };
  label([]);
  // The name property the engine picked (label([]) checked that one exists): the same rule.
  const property = request.nameProperty ?? (['name', 'district', 'NAME'] as const).find((p) => fc.features.every((f) => hasName(f, p)))!;
  const outlines: FeatureCollection = {
    type: 'FeatureCollection',
    features: fc.features.map((f) => ({
      type: 'Feature',
      geometry: f.geometry,
      properties: { district: String(f.properties![property]) },
    })),
  };
  return { name: request.name, label, outlines };
}

function hasName(f: NamedAreas['features'][number], property: string): boolean {
  const value = f.properties?.[property];
  return typeof value === 'string' || typeof value === 'number';
}

/**
 * Each incident's district at resolution `res` (the district of its cell), and the number of
 * incidents per district, most first (ties by name). O(N) cell look-ups plus the labelling of
 * the distinct cells (O(cells × polygons), pruned by bounding boxes).
 * @throws WorkerError E_DISTRICTS when no incident lies inside any polygon
 */
export function incidentDistricts(
  polygons: DistrictPolygons,
  incidents: readonly Incident[],
  res: number,
): { readonly byCell: Map<H3Cell, string>; readonly counts: { name: string; count: number }[] } {
  const cells: H3Cell[] = [];
  const incidentCells: H3Cell[] = [];
  const seen = new Set<H3Cell>();
  for (const incident of incidents) {
    const cell = incidentCell(incident.lat, incident.lng, res);
    incidentCells.push(cell);
    if (!seen.has(cell)) {
      seen.add(cell);
      cells.push(cell);
    }
  }
  const byCell = polygons.label(cells);
  const counts = new Map<string, number>();
  for (const cell of incidentCells) {
    const district = byCell.get(cell);
    if (district !== undefined) counts.set(district, (counts.get(district) ?? 0) + 1);
  }
  if (counts.size === 0) {
    throw new WorkerError(
      'E_DISTRICTS',
      `${polygons.name}: no incident of the loaded data lies inside these district polygons`,
      polygons.name,
    );
  }
  const list = [...counts.entries()]
    .map(([name, count]) => ({ name, count }))
    .sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1));
  return { byCell, counts: list };
}

/**
 * The data set's description with the polygons' districts and their incident counts (at
 * resolution 10, the app's default box size), for the page's district list.
 * @throws WorkerError E_DISTRICTS when no incident lies inside any polygon
 */
export function withPolygonDistricts(info: DatasetInfo, polygons: DistrictPolygons, incidents: readonly Incident[]): DatasetInfo {
  return { ...info, districts: incidentDistricts(polygons, incidents, 10).counts, districtsFrom: polygons.name };
}

/**
 * The districts of the loaded data's cells, by resolution, and their outlines: from district
 * polygons when chosen, else from the incidents' own labels (engine districtsFromLabels). Cached
 * until {@link DistrictLabels.reset}.
 */
export class DistrictLabels {
  private chosen: DistrictPolygons | null = null;
  private readonly byRes = new Map<number, ReadonlyMap<H3Cell, string>>();
  private outlineCache: FeatureCollection | null = null;

  /** The polygons in use, or null (the data's labels). */
  get polygons(): DistrictPolygons | null {
    return this.chosen;
  }

  /** Forgets what was labelled (new data or new polygons) and uses `polygons` from now on (null: the labels). */
  reset(polygons: DistrictPolygons | null): void {
    this.chosen = polygons;
    this.byRes.clear();
    this.outlineCache = null;
  }

  /** cell → district of every incident's cell at `res`. */
  at(res: number, incidents: readonly Incident[]): ReadonlyMap<H3Cell, string> {
    let labels = this.byRes.get(res);
    if (!labels) {
      labels = this.chosen ? incidentDistricts(this.chosen, incidents, res).byCell : districtsFromLabels(incidents, res);
      this.byRes.set(res, labels);
    }
    return labels;
  }

  /** The polygons themselves, or the outline of each district's resolution-9 cells (smoother than res 10). */
  outlines(incidents: readonly Incident[]): FeatureCollection {
    this.outlineCache ??= this.chosen ? this.chosen.outlines : (districtOutlines(this.at(9, incidents)) as FeatureCollection);
    return this.outlineCache;
  }
}
