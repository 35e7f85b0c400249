/**
 * The one rule for files that are mostly rejected rows: every command that fits or forecasts
 * (CLI and web app) says how many rows were rejected, by reason, and refuses a file of which
 * more than MOSTLY_REJECTED_SHARE of the rows were rejected for a reason other than `duplicate`, unless the
 * caller allows it: such a file was most likely read with the wrong format, columns or zone, or
 * is damaged, and a model fitted on its remnant would be quietly wrong.
 */
import type { IngestResult } from '../types.ts';
import { IngestError } from './errors.ts';

/** Above this share of a file's rows rejected (duplicates not counted), the file is refused. */
export const MOSTLY_REJECTED_SHARE = 0.5;

/** One file's rejections. */
export interface FileRejections {
  readonly file: string;
  readonly rowsRead: number;
  readonly rejected: number;
  /** Rejected rows by reason, largest first (ties by name). */
  readonly byReason: readonly (readonly [string, number])[];
  /** The first rejected row's message (an example; duplicates aside), or null. */
  readonly example: string | null;
}

/**
 * Per-file rejection counts, in the order files first appear. A file's rows read is its
 * accepted plus rejected rows (the ingest invariant). O(rows).
 */
export function rejectionsByFile(result: IngestResult): FileRejections[] {
  const files = new Map<string, { rows: number; byReason: Map<string, number>; example: string | null }>();
  const entry = (file: string) => {
    let e = files.get(file);
    if (e === undefined) files.set(file, (e = { rows: 0, byReason: new Map(), example: null }));
    return e;
  };
  for (const inc of result.incidents) entry(inc.source.file).rows++;
  for (const r of result.rejected) {
    const e = entry(r.source.file);
    e.rows++;
    e.byReason.set(r.reason, (e.byReason.get(r.reason) ?? 0) + 1);
    if (r.reason !== 'duplicate') e.example ??= r.message;
  }
  return [...files].map(([file, e]) => {
    const byReason = [...e.byReason].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    let rejected = 0;
    for (const [, n] of byReason) rejected += n;
    return { file, rowsRead: e.rows, rejected, byReason, example: e.example };
  });
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** "3 of 31,485 rows rejected (unclosed_quote 1, wrong_field_count 2)". */
export function describeRejections(f: FileRejections): string {
  const reasons = f.byReason.map(([r, n]) => `${r} ${fmt(n)}`).join(', ');
  return `${f.file}: ${fmt(f.rejected)} of ${fmt(f.rowsRead)} rows rejected (${reasons})`;
}

/**
 * Checks every file of `result` against the rule above and returns one warning line per file
 * with rejected rows (for the caller to show).
 * @throws IngestError E_MOSTLY_REJECTED naming the first such file, the counts and the way out
 *   (value: its FileRejections), unless `allowRejected`.
 */
export function checkRejections(result: IngestResult, allowRejected = false, flag = '--allow-rejected'): string[] {
  const warnings: string[] = [];
  for (const f of rejectionsByFile(result)) {
    if (f.rejected === 0) continue;
    warnings.push(describeRejections(f));
    let dup = 0;
    for (const [r, n] of f.byReason) if (r === 'duplicate') dup += n;
    // Duplicates are not a sign of a misread file (and a file given twice is all duplicates).
    const bad = f.rejected - dup;
    if (!allowRejected && f.rowsRead > 0 && bad / f.rowsRead > MOSTLY_REJECTED_SHARE) {
      throw new IngestError(
        'E_MOSTLY_REJECTED',
        f.file,
        `${describeRejections(f)}: more than half of the file was rejected, so it is probably the wrong format, columns or time zone, or damaged (e.g. ${f.example}); fix the file or pass ${flag} to go on with the ${fmt(f.rowsRead - f.rejected)} accepted rows`,
        null,
        null,
        f,
      );
    }
  }
  return warnings;
}
