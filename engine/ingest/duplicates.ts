/**
 * Duplicate files and duplicate rows, found before anything is counted twice.
 *
 * The rule, per format (measured on the shared data, docs/data.md "Duplicates"):
 * - a file whose content equals an earlier file's (same rows read, same incidents and rejections
 *   line by line: the same file given twice, or a copy) is a duplicate file: all its rows are
 *   duplicates;
 * - a row whose id (data.police.uk Crime ID, the plain/GeoJSON `id`) equals an earlier row's is a
 *   duplicate (data.police.uk republishes a crime in the next month's file when its outcome
 *   changes: 3 Kent rows in 2014, 92 Cheshire rows in 2016-17);
 * - rows without an id are never dropped as duplicates, even when every field is equal: in
 *   Vancouver's GeoDASH files 1,732-1,964 rows a year (about 5%) equal an earlier row (places are
 *   hundred blocks, unknown times are 00:00), in data.police.uk the blank-id rows (anti-social
 *   behaviour) repeat month, point and type 16,154 times in Kent 2014, and Chicago has 82 equal
 *   rows: several real incidents at one published point and time.
 * A duplicate is kept in the accounting: it moves from the incidents to the rejected rows with
 * reason `duplicate`, so accepted + rejected = rows read still holds.
 */
import type { Incident, IngestResult, RejectedRow } from '../types.ts';
import { mergeIngestResults } from './summary.ts';

const FNV_PRIME = 0x01000193;
const INDEX_BITS = 2 ** 23; // room for 8,388,608 incidents below a 30-bit hash in one double

function fnvString(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return Math.imul(h ^ 0x1f, FNV_PRIME);
}

/** A fingerprint of a file's content as read (the file name left out). O(rows). */
export function resultFingerprint(r: IngestResult): string {
  let a = 0x811c9dc5;
  let b = 0x01234567;
  const mix = (s: string) => {
    a = fnvString(a, s);
    b = fnvString(b ^ 0x5bd1e995, s);
  };
  mix(`${r.format}|${r.rowsRead}|${r.incidents.length}|${r.rejected.length}`);
  for (const inc of r.incidents) {
    mix(
      `${inc.source.line}|${inc.timeMs}|${inc.lat}|${inc.lng}|${inc.id ?? ''}|${inc.category ?? ''}|${inc.district ?? ''}|${inc.location ?? ''}|${inc.precision}`,
    );
  }
  for (const rej of r.rejected) mix(`${rej.source.line}|${rej.reason}|${rej.field ?? ''}|${rej.value ?? ''}`);
  return `${(a >>> 0).toString(16).padStart(8, '0')}${(b >>> 0).toString(16).padStart(8, '0')}`;
}

function duplicateRow(inc: Incident, explanation: string): RejectedRow {
  const { file, line } = inc.source;
  return {
    source: inc.source,
    reason: 'duplicate',
    field: null,
    value: inc.id,
    message: `${file} line ${line}: duplicate: ${explanation}`,
  };
}

/**
 * Indices of incidents whose non-null id equals an earlier incident's (the first is kept).
 * Ids are hashed to 30 bits and sorted with their index in one Float64Array, so memory is 8
 * bytes an incident (no Map of millions of strings); equal hashes are compared as strings.
 * O(n log n) time.
 */
function repeatedIds(incidents: readonly Incident[]): Map<number, number> {
  if (incidents.length >= INDEX_BITS) return repeatedIdsByMap(incidents);
  const keys: number[] = [];
  for (let i = 0; i < incidents.length; i++) {
    const id = incidents[i]!.id;
    if (id !== null) keys.push((fnvString(0x811c9dc5, id) >>> 2) * INDEX_BITS + i);
  }
  const sorted = Float64Array.from(keys).sort();
  const out = new Map<number, number>(); // duplicate index -> first index
  let g = 0;
  while (g < sorted.length) {
    const hash = Math.floor(sorted[g]! / INDEX_BITS);
    let e = g + 1;
    while (e < sorted.length && Math.floor(sorted[e]! / INDEX_BITS) === hash) e++;
    for (let k = g + 1; k < e; k++) {
      const i = sorted[k]! % INDEX_BITS;
      for (let m = g; m < k; m++) {
        const j = sorted[m]! % INDEX_BITS;
        if (!out.has(j) && incidents[j]!.id === incidents[i]!.id) {
          out.set(i, j);
          break;
        }
      }
    }
    g = e;
  }
  return out;
}

/** repeatedIds for more incidents than the packed keys hold: a Map of the ids. O(n). */
function repeatedIdsByMap(incidents: readonly Incident[]): Map<number, number> {
  const first = new Map<string, number>();
  const out = new Map<number, number>();
  for (let i = 0; i < incidents.length; i++) {
    const id = incidents[i]!.id;
    if (id === null) continue;
    const j = first.get(id);
    if (j === undefined) first.set(id, i);
    else out.set(i, j);
  }
  return out;
}

/** What dropDuplicates found. */
export interface DuplicateReport {
  /** Files whose content equals an earlier file's: [file, the earlier file, its rows]. */
  readonly files: readonly { readonly file: string; readonly sameAs: string; readonly rows: number }[];
  /** Rows whose id repeats an earlier row's (in the files not already duplicates). */
  readonly rows: number;
}

/**
 * Merges per-file results (in order) and moves duplicates (see the module comment) from the
 * incidents to the rejected rows with reason `duplicate`; with `keep`, only reports them.
 * O(n log n) in the incidents.
 */
export function dropDuplicates(results: readonly IngestResult[], keep = false): { result: IngestResult; report: DuplicateReport } {
  const files: { file: string; sameAs: string; rows: number }[] = [];
  const seen = new Map<string, string>();
  const parts: IngestResult[] = [];
  for (const r of results) {
    const file = r.incidents[0]?.source.file ?? r.rejected[0]?.source.file ?? '';
    const fp = results.length > 1 && r.rowsRead > 0 ? resultFingerprint(r) : null;
    const sameAs = fp === null ? undefined : seen.get(fp);
    if (fp !== null && sameAs === undefined) seen.set(fp, file);
    if (sameAs === undefined || keep) {
      parts.push(r);
      if (sameAs !== undefined) files.push({ file, sameAs, rows: r.rowsRead });
      continue;
    }
    files.push({ file, sameAs, rows: r.rowsRead });
    const why = `the file has the same content as ${sameAs} (given twice?)`;
    parts.push({ ...r, incidents: [], rejected: [...r.rejected, ...r.incidents.map((inc) => duplicateRow(inc, why))] });
  }
  const merged = mergeIngestResults(parts);
  const repeats = repeatedIds(merged.incidents);
  if (repeats.size === 0 || keep) return { result: merged, report: { files, rows: repeats.size } };
  const incidents: Incident[] = [];
  const rejected: RejectedRow[] = [...merged.rejected];
  for (let i = 0; i < merged.incidents.length; i++) {
    const inc = merged.incidents[i]!;
    const first = repeats.get(i);
    if (first === undefined) incidents.push(inc);
    else {
      const f = merged.incidents[first]!.source;
      rejected.push(duplicateRow(inc, `id ${JSON.stringify(inc.id)} already read at ${f.file} line ${f.line}`));
    }
  }
  return { result: { ...merged, incidents, rejected }, report: { files, rows: repeats.size } };
}
