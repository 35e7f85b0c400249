import type { Incident, IngestResult, IngestSummary, RejectedRow } from '../types.ts';
import { IngestError } from './errors.ts';

/** Category key used in summaries for incidents without a category. */
export const NO_CATEGORY = '(none)';

function sortedCounts(counts: Map<string, number>): Record<string, number> {
  // Largest first, ties by name: stable, readable output.
  const entries = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return Object.fromEntries(entries);
}

/**
 * Concatenates results in the order given (incidents keep file order; nothing is sorted).
 * The format is the first result's when they differ.
 * @throws IngestError E_ARGUMENT when `results` is empty.
 */
export function mergeIngestResults(results: readonly IngestResult[]): IngestResult {
  const first = results[0];
  if (first === undefined) throw new IngestError('E_ARGUMENT', '', 'mergeIngestResults: no results to merge', null, null, results);
  if (results.length === 1) return first;
  const incidents: Incident[] = [];
  const rejected: RejectedRow[] = [];
  const notes: string[] = [];
  let rowsRead = 0;
  for (const r of results) {
    rowsRead += r.rowsRead;
    for (const inc of r.incidents) incidents.push(inc);
    for (const rej of r.rejected) rejected.push(rej);
    for (const n of r.notes ?? []) notes.push(n);
  }
  return { format: first.format, rowsRead, incidents, rejected, ...(notes.length > 0 ? { notes } : {}) };
}

/**
 * The numbers `patrolcast ingest` prints: counts by rejection reason, category (NO_CATEGORY for
 * none) and precision, largest first; first/last as ISO 8601 UTC. O(n).
 */
export function summarizeIngest(result: IngestResult): IngestSummary {
  const byReason = new Map<string, number>();
  for (const r of result.rejected) byReason.set(r.reason, (byReason.get(r.reason) ?? 0) + 1);
  const byCategory = new Map<string, number>();
  const byPrecision = new Map<string, number>();
  let minMs = Number.POSITIVE_INFINITY;
  let maxMs = Number.NEGATIVE_INFINITY;
  let unknownTod = 0;
  for (const inc of result.incidents) {
    const cat = inc.category ?? NO_CATEGORY;
    byCategory.set(cat, (byCategory.get(cat) ?? 0) + 1);
    byPrecision.set(inc.precision, (byPrecision.get(inc.precision) ?? 0) + 1);
    if (inc.timeMs < minMs) minMs = inc.timeMs;
    if (inc.timeMs > maxMs) maxMs = inc.timeMs;
    if (inc.timeOfDayUnknown) unknownTod++;
  }
  const any = result.incidents.length > 0;
  return {
    rowsRead: result.rowsRead,
    accepted: result.incidents.length,
    rejected: result.rejected.length,
    rejectedByReason: sortedCounts(byReason),
    categories: sortedCounts(byCategory),
    first: any ? new Date(minMs).toISOString() : null,
    last: any ? new Date(maxMs).toISOString() : null,
    precision: sortedCounts(byPrecision),
    timeOfDayUnknown: unknownTod,
  };
}
