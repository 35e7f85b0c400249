/**
 * Which placement of patrol boxes a fit or a configuration was made for (issue 11): 'fine',
 * boxes of one cell's area centred on any cell of the next finer resolution, or 'grid', the
 * working grid's own cells. An optional field of both files (EtasConfig.placement,
 * EtasFit.placement): files without it are read as before, and the forecast then uses its own
 * default ('fine').
 */

/** Where patrol boxes may sit: on the finer lattice ('fine') or on the working grid ('grid'). */
export type BoxPlacement = 'fine' | 'grid';

/** The placements, for messages and checks. */
export const BOX_PLACEMENTS: readonly BoxPlacement[] = ['fine', 'grid'];

/**
 * An optional placement field: undefined when absent, else 'fine' or 'grid'.
 * @param fail throws the file's coded error naming the field (config E_OPTIONS, fit E_FIT)
 */
export function readPlacementField(value: unknown, fail: (why: string) => never): BoxPlacement | undefined {
  if (value === undefined) return undefined;
  if (value === 'fine' || value === 'grid') return value;
  return fail(`must be "fine" or "grid" (where the patrol boxes were placed)`);
}
