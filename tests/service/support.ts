/** The bundled Vancouver fixture and the shift the service tests forecast (not a test file itself). */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import {
  boxCells,
  cellCenter,
  coarseParent,
  fineChildren,
  incidentCell,
  ingestCsvText,
  shiftAt,
  type H3Cell,
  type Incident,
} from '../../engine/index.ts';

export const FIXTURE = 'fixtures/vancouver/property_2023.csv.gz';
export const TZ = 'America/Vancouver';
/** The night shift 2023-12-15 22:00 PST (06:00Z on the 16th), 8 hours. */
export const AT = '2023-12-15T22:00';
export const SHIFT = shiftAt(AT, TZ, 8);

let cached: readonly Incident[] | null = null;

/** The fixture's incidents (31,485 rows, every one located and timed), read once per test file. */
export function vancouver(): readonly Incident[] {
  if (cached === null) cached = ingestCsvText(gunzipSync(readFileSync(FIXTURE)).toString('utf8'), { file: FIXTURE }).incidents;
  return cached;
}

/** A fine cell f of A and a neighbour g of f in another coarse cell B, each holding its own centre (the placement tests' two-cell case). */
export function straddle(): { a: H3Cell; b: H3Cell; f: H3Cell; g: H3Cell } {
  const a = incidentCell(49.28, -123.12, 10);
  const at = (c: H3Cell): H3Cell => incidentCell(cellCenter(c).lat, cellCenter(c).lng, 10);
  for (const f of fineChildren(a)) {
    if (at(f) !== a) continue;
    for (const g of boxCells(f)) {
      const b = coarseParent(g);
      if (b !== a && at(g) === b) return { a, b, f, g };
    }
  }
  throw new Error('no straddling pair');
}

/** A synthetic theft at a cell's centre, `hoursBefore` the shift start, in district "D" (location text left out when undefined). */
export function incidentAt(id: string, cell: H3Cell, hoursBefore: number, location?: string | null): Incident {
  const { lat, lng } = cellCenter(cell);
  return {
    id,
    timeMs: SHIFT.startMs - hoursBefore * 3_600_000,
    precision: 'minute',
    timeOfDayUnknown: false,
    lat,
    lng,
    category: 'Theft',
    district: 'D',
    ...(location === undefined ? {} : { location }),
    source: { file: 'synthetic.csv', line: 2 },
  };
}
