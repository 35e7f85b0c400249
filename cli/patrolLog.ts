/**
 * The patrol log of `patrolcast review --patrol-log patrols.csv` (docs/publish.md "Dosage"): a
 * CSV the force fills in, one row per box visited on a shift, with the minutes spent there.
 *
 * Columns (a header line is required; names are compared case-insensitively, with spaces,
 * hyphens and dots read as `_`, and a few common synonyms; `--patrol-columns` maps others):
 * - `shift`: the shift as the sergeant's sheet or the log names it: its local start
 *   (`2023-07-01 06:00`, `2023-07-01T06:00`, or an ISO instant with an offset), its label exactly
 *   as the site prints it (`2023-07-01 06:00 (day)`), or its file id (`2023-07-01_0600`);
 * - `district` (optional when the shift has one district, or the box is named by its H3 id and
 *   that id is in one district only);
 * - `box`: the box's rank on the sheet (1..N) or its H3 id;
 * - `minutes`: minutes spent in the box, a number ≥ 0.
 *
 * Nothing is lost silently, and a missing value is never read as 0 minutes: every row read is
 * either accepted or rejected with its line, field and reason (accepted + rejected = rows read;
 * blank lines are not rows). Rows naming the same box on the same shift again are summed, and
 * counted as summed. The CSV is read by the engine's tokenizer (the incident readers' own, with
 * its recovery from a stray quote: that row is rejected, the next line read again; as no value of
 * a patrol log holds a line break, any quote left open at a line's end is taken for a stray one).
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { createCsvTokenizer, formatLocalInstant, parseLocalDateTime } from '../engine/index.ts';
import { CliError } from './errors.ts';
import { parseColumnMapping } from './io.ts';
import type { PublicationLine } from './publishLog.ts';
import { shiftId } from './publishSite.ts';
import type { ReviewedShift } from './reviewScore.ts';

export type PatrolKey = 'shift' | 'district' | 'box' | 'minutes';
export const PATROL_KEYS: readonly PatrolKey[] = ['shift', 'district', 'box', 'minutes'];

/** Header names taken for each column when it is not mapped, in this order (after {@link headerName}). */
export const PATROL_SYNONYMS: Readonly<Record<PatrolKey, readonly string[]>> = {
  shift: ['shift', 'shift_start', 'shift_label', 'shift_id', 'start'],
  district: ['district', 'sector', 'beat', 'area', 'neighbourhood', 'neighborhood'],
  box: ['box', 'rank', 'box_rank', 'box_no', 'box_number', 'box_id', 'h3'],
  minutes: ['minutes', 'minutes_spent', 'mins', 'minutes_in_box', 'time_spent_minutes', 'dosage_minutes'],
};

/** A header cell as compared: BOM and blanks trimmed, lower case, runs of other characters than letters and digits as one `_`. */
export function headerName(cell: string): string {
  return cell
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '_')
    .replace(/^_+|_+$/g, '');
}

/** Parses `--patrol-columns shift=Start,box=Box No,...`. @throws CliError E_BAD_OPTION on a bad pair or key */
export function parsePatrolColumns(spec: string): Partial<Record<PatrolKey, string>> {
  return parseColumnMapping('--patrol-columns', spec, PATROL_KEYS);
}

/** A row as read: its first line and its values (blank → ''). */
export interface PatrolRow {
  readonly line: number;
  readonly shift: string;
  readonly district: string;
  readonly box: string;
  readonly minutes: string;
}

/** A rejected row: its first line, the field at fault ('row' for the row's shape) and why. */
export interface PatrolRejection {
  readonly line: number;
  readonly field: PatrolKey | 'row';
  readonly reason: string;
  readonly why: string;
}

/** A patrol log as read, before its rows are matched with the published boxes. */
export interface PatrolFile {
  readonly file: string;
  /** The header's names of the columns used (as written); district null when there is none. */
  readonly columns: Readonly<Record<PatrolKey, string | null>>;
  readonly rows: readonly PatrolRow[];
  /** Rows rejected for their shape (a stray quote, too many fields). */
  readonly rejected: readonly PatrolRejection[];
  /** Every row read: rows + rejected. */
  readonly rowsRead: number;
}

const DATA_LIKE = /^\s*(\d{4}-\d{2}-\d{2}|\d+(\.\d+)?)\s*$/;

/** The columns used, from the header (module comment). @throws CliError E_BAD_PATROL_LOG */
function resolveColumns(file: string, header: readonly string[], mapping: Partial<Record<PatrolKey, string>>) {
  const names = header.map(headerName);
  const index = {} as Record<PatrolKey, number>;
  for (const key of PATROL_KEYS) {
    const wanted = mapping[key] !== undefined ? [headerName(mapping[key])] : PATROL_SYNONYMS[key];
    let at = -1;
    for (const w of wanted) if (at < 0) at = names.indexOf(w);
    index[key] = at;
    if (at >= 0 || key === 'district') continue;
    const shown = header.join(',');
    const why = header.some((h) => DATA_LIKE.test(h))
      ? 'the first line looks like data, not a header: add a header line such as shift,district,box,minutes'
      : mapping[key] !== undefined
        ? `no column "${mapping[key]}" for ${key} (--patrol-columns)`
        : `no column for ${key} (named ${PATROL_SYNONYMS[key].join(', ')}); map yours with --patrol-columns ${key}=NAME`;
    throw new CliError(
      `${file}, line 1: ${why}; the header is "${shown.length > 200 ? `${shown.slice(0, 200)}…` : shown}"`,
      'E_BAD_PATROL_LOG',
    );
  }
  return index;
}

/**
 * Reads a patrol log's text (module comment): the header, then every row, or its rejection for
 * its shape. Cost O(characters).
 * @throws CliError E_BAD_PATROL_LOG naming the file when it has no header or lacks a column
 */
export function parsePatrolLog(text: string, file: string, mapping: Partial<Record<PatrolKey, string>> = {}): PatrolFile {
  let index: Record<PatrolKey, number> | null = null;
  let header: readonly string[] = [];
  const rows: PatrolRow[] = [];
  const rejected: PatrolRejection[] = [];
  const tokenizer = createCsvTokenizer(
    (fields, line, multiLine) => {
      if (fields.length === 1 && fields[0]!.trim() === '') return true; // a blank line is not a row
      if (index === null) {
        header = fields;
        index = resolveColumns(file, fields, mapping);
        return true;
      }
      // no patrol-log value holds a line break: a record over several lines was opened by a stray
      // quote (the tokenizer then rejects its first line and reads the next lines again)
      if (multiLine) return false;
      let extra = false;
      for (let i = header.length; i < fields.length; i++) if (fields[i]!.trim() !== '') extra = true;
      if (extra) {
        rejected.push({
          line,
          field: 'row',
          reason: 'wrong_field_count',
          why: `${fields.length} fields, the header has ${header.length} (an unquoted comma in a value?)`,
        });
        return true;
      }
      const at = index;
      const get = (key: PatrolKey): string => (at[key] >= 0 && at[key] < fields.length ? fields[at[key]]!.trim() : '');
      rows.push({ line, shift: get('shift'), district: get('district'), box: get('box'), minutes: get('minutes') });
      return true;
    },
    (line, reason, why) => rejected.push({ line, field: 'row', reason, why }),
  );
  tokenizer.write(text);
  tokenizer.end();
  if (index === null)
    throw new CliError(`${file}: no header line (the file is empty): expected shift,district,box,minutes`, 'E_BAD_PATROL_LOG');
  const used = index as Record<PatrolKey, number>;
  const columns = {} as Record<PatrolKey, string | null>;
  for (const key of PATROL_KEYS) columns[key] = used[key] >= 0 ? header[used[key]]!.replace(/^\uFEFF/, '').trim() : null;
  rejected.sort((a, b) => a.line - b.line);
  return { file, columns, rows, rejected, rowsRead: rows.length + rejected.length };
}

/** Reads the patrol log at `path` (gunzipped when it ends in .gz). @throws CliError E_READ, E_BAD_PATROL_LOG */
export async function readPatrolLog(path: string, mapping: Partial<Record<PatrolKey, string>> = {}): Promise<PatrolFile> {
  let text: string;
  try {
    let buf = await readFile(path);
    if (path.toLowerCase().endsWith('.gz')) buf = gunzipSync(buf);
    text = buf.toString('utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new CliError(`cannot read the patrol log ${path}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`, 'E_READ');
  }
  return parsePatrolLog(text, path, mapping);
}

/** The key of one published box on one shift: shift start, district, rank. */
export function boxShiftKey(startMs: number, district: string, rank: number): string {
  return `${startMs}\u0000${district}\u0000${rank}`;
}

/** A patrol log matched with the reviewed shifts' boxes. */
export interface PatrolMinutes {
  /** Minutes per box-shift ({@link boxShiftKey}), rows naming the same box summed. */
  readonly minutes: ReadonlyMap<string, number>;
  readonly rowsRead: number;
  readonly accepted: number;
  /** Every rejected row, in line order. */
  readonly rejected: readonly PatrolRejection[];
  /** Accepted rows that named a box already named on the same shift (their minutes added). */
  readonly summed: number;
}

type Box = PublicationLine['boxes'][number];
type Found = { readonly ok: true; readonly line: PublicationLine; readonly box: Box } | PatrolRejection;

const MINUTES_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const H3_RE = /^[0-9a-f]{15}$/i;

/** Minutes as written, or the rejection (blank is missing, never 0). */
function readMinutes(row: PatrolRow): number | PatrolRejection {
  const reject = (reason: string, why: string): PatrolRejection => ({ line: row.line, field: 'minutes', reason, why });
  if (row.minutes === '')
    return reject('minutes_missing', 'blank (a missing value is not read as 0 minutes; write 0 for a box not visited)');
  if (!MINUTES_RE.test(row.minutes)) return reject('minutes_not_a_number', `"${row.minutes}" is not a number of minutes`);
  const m = Number(row.minutes);
  if (m < 0) return reject('minutes_negative', `${row.minutes} is negative`);
  return m;
}

/** The published box a row names on its shift (module comment), or the rejection. */
function findBox(row: PatrolRow, shift: ReviewedShift): Found {
  const reject = (field: PatrolKey, reason: string, why: string): PatrolRejection => ({ line: row.line, field, reason, why });
  let lines = shift.lines;
  if (row.district !== '') {
    const exact = shift.lines.filter((l) => l.district === row.district);
    const named = exact.length > 0 ? exact : shift.lines.filter((l) => l.district.toLowerCase() === row.district.toLowerCase());
    if (named.length === 0)
      return reject(
        'district',
        'unknown_district',
        `no district "${row.district}" among the ${shift.lines.length} published on ${shift.label}`,
      );
    lines = named;
  }
  if (row.box === '') return reject('box', 'box_missing', 'blank');
  const h3 = H3_RE.test(row.box) ? row.box.toLowerCase() : null;
  const rank = /^\d+$/.test(row.box) ? Number(row.box) : null;
  if (h3 === null && rank === null) return reject('box', 'unknown_box', `"${row.box}" is neither a box's rank (1, 2, ...) nor its H3 id`);
  // a rank is a place on one district's list: it names a box only with the district (or when the shift has one)
  if (h3 === null && lines.length > 1)
    return reject(
      'district',
      'district_needed',
      `box ${row.box} is a rank on each of the ${lines.length} districts' lists on ${shift.label}: give the district`,
    );
  const hits: { line: PublicationLine; box: Box }[] = [];
  for (const l of lines) for (const b of l.boxes) if (h3 !== null ? b.h3 === h3 : b.rank === rank) hits.push({ line: l, box: b });
  const where = row.district !== '' ? `in ${lines[0]!.district}` : 'in any district';
  if (hits.length === 0) {
    const n = lines.length === 1 ? ` (boxes 1 to ${lines[0]!.boxes.length})` : '';
    return reject('box', 'unknown_box', `box ${row.box} was not published ${where} on ${shift.label}${n}`);
  }
  if (hits.length > 1)
    return reject(
      'district',
      'district_needed',
      `box ${row.box} was published in ${hits.length} districts on ${shift.label}: give the district`,
    );
  return { ok: true, ...hits[0]! };
}

/** Shift starts by every name a row may give them (label, label with its zone, local start, file id), lower case. */
function shiftNames(all: readonly PublicationLine[]): Map<string, number> {
  const names = new Map<string, number>();
  for (const l of all) {
    const s = l.shift;
    for (const n of [s.label, `${s.label} (${s.tz})`, s.startLocal, shiftId(s.startLocal)]) names.set(n.toLowerCase(), s.startMs);
  }
  return names;
}

/**
 * Matches the rows with the reviewed shifts' boxes (the revision the review counts for each
 * shift and district). `all` is the whole publication log, to tell a shift that was never
 * published from one published but not reviewed. Cost O(rows × boxes per shift).
 */
export function matchPatrolLog(file: PatrolFile, all: readonly PublicationLine[], reviewed: readonly ReviewedShift[]): PatrolMinutes {
  const tz = all[0]!.shift.tz;
  const names = shiftNames(all);
  const published = new Set(all.map((l) => l.shift.startMs));
  const byStart = new Map(reviewed.map((s) => [s.startMs, s]));
  const minutes = new Map<string, number>();
  const rejected: PatrolRejection[] = [...file.rejected];
  let accepted = 0;
  let summed = 0;
  for (const row of file.rows) {
    const reject = (field: PatrolKey, reason: string, why: string) => rejected.push({ line: row.line, field, reason, why });
    if (row.shift === '') {
      reject('shift', 'shift_missing', 'blank');
      continue;
    }
    let startMs = names.get(row.shift.toLowerCase());
    if (startMs === undefined) {
      try {
        startMs = parseLocalDateTime(row.shift, tz);
      } catch (err) {
        reject('shift', 'shift_unreadable', (err as Error).message);
        continue;
      }
    }
    const shift = byStart.get(startMs);
    if (shift === undefined) {
      if (published.has(startMs))
        reject(
          'shift',
          'shift_not_reviewed',
          `the shift starting ${formatLocalInstant(startMs, tz)} was published but is not reviewed (not yet passed, before --since, or published only after it started without --allow-replays)`,
        );
      else reject('shift', 'unknown_shift', `no published shift starts at ${formatLocalInstant(startMs, tz)}`);
      continue;
    }
    const found = findBox(row, shift);
    if (!('ok' in found)) {
      rejected.push(found);
      continue;
    }
    const m = readMinutes(row);
    if (typeof m !== 'number') {
      rejected.push(m);
      continue;
    }
    const key = boxShiftKey(shift.startMs, found.line.district, found.box.rank);
    const before = minutes.get(key);
    if (before !== undefined) summed++;
    minutes.set(key, (before ?? 0) + m);
    accepted++;
  }
  rejected.sort((a, b) => a.line - b.line);
  return { minutes, rowsRead: file.rowsRead, accepted, rejected, summed };
}
