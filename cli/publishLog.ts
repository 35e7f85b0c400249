/**
 * The publication log of `patrolcast publish --log published.jsonl`: an append-only JSON Lines
 * file, one line per shift and district each time it is published, so what the sergeants were
 * shown can be reviewed later against what happened, and one run line per publish run saying
 * which recent incidents its fit knew, so the review can tell the late-recorded ones
 * (docs/publish.md).
 *
 * Earlier lines are never rewritten: the file is opened in append mode; the existing log is read
 * only to number revisions (the first line of a shift and district is revision 1, a later
 * publication of the same shift and district revision 2, 3, ...). A malformed existing line is
 * an error naming the file and line, never skipped: a review must be able to trust every line.
 * While a publish runs, the log is locked ({@link withLogLock}), so two runs never number from the same lines.
 */
import { createHash } from 'node:crypto';
import { appendFile, readFile, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname } from 'node:path';
import { NO_CATEGORY, type Incident } from '../engine/index.ts';
import { CliError } from './errors.ts';
import { decodeKnown, type KnownEntries } from './knownIncidents.ts';
import type { PublishedShift } from './publishSite.ts';

/** What one publish run was made from: written into every log line and the site's manifest alike. */
export interface PublicationRun {
  readonly model: string;
  /** The patrolcast release that made it. */
  readonly modelVersion: string;
  readonly config: unknown;
  /** The training data's fingerprint (the fit's: engine/model fingerprintEvents). */
  readonly fingerprint: string;
  /** The training window as local dates (dates only: no incident's time is published). */
  readonly dataFrom: string;
  readonly dataTo: string;
  /** The crime types trained on (sorted; the known incidents' types kept by the filter). */
  readonly categories: readonly string[];
  /**
   * Where the districts came from: the data's own labels, or a polygons file (`--districts`),
   * named by its file name and SHA-256 so a review can check it is given the same one. Absent in
   * logs written before it was recorded: read as labels.
   */
  readonly districtsFrom?: DistrictsSource;
}

/** The districts a publication's boxes were shared among (see PublicationRun.districtsFrom). */
export type DistrictsSource =
  | { readonly kind: 'labels' }
  | { readonly kind: 'polygons'; readonly file: string; readonly property: string | null; readonly sha256: string };

/** One line of the log (docs/publish.md "The publication log"). */
export interface PublicationLine extends PublicationRun {
  readonly kind: 'patrolcast-publication';
  readonly version: 1;
  readonly generatedAt: string;
  readonly shift: PublishedShift;
  readonly district: string;
  readonly revision: number;
  readonly res: number;
  readonly placement: string;
  /** The district's ranking warning in words, as the site showed it; null when none. */
  readonly warning: string | null;
  readonly boxes: readonly {
    readonly rank: number;
    readonly h3: string;
    readonly cells: readonly string[];
    readonly expected: number;
    readonly place: string | null;
  }[];
}

/**
 * The one extra line each run appends (docs/publish.md "The publication log"): which incidents its
 * fit knew among those dated in [recentFromMs, firstShiftMs), of the crime types it published
 * (cli/knownIncidents.ts). Incident-level pseudonyms: the log's only, never the site's.
 */
export interface PublicationRunLine {
  readonly kind: 'patrolcast-publication-run';
  readonly version: 1;
  readonly generatedAt: string;
  /** Start of the run's first shift (its fit knew the incidents whose period ended by then), epoch ms. */
  readonly firstShiftMs: number;
  /** Start of the recorded window (`--known-days` × 24 h before the first shift), epoch ms. */
  readonly recentFromMs: number;
  readonly categories: readonly string[];
  readonly knownCount: number;
  /** The record, base64 (cli/knownIncidents.ts). */
  readonly known: string;
}

/** A run line as read, with its record decoded. */
export interface PublicationRunRecord extends PublicationRunLine {
  readonly entries: KnownEntries;
}

/**
 * The districts source of a run: labels without `--districts`, else the polygons file's name,
 * name property and SHA-256 (of its bytes as read).
 */
export async function districtsSourceOf(path: string | undefined, property: string | undefined): Promise<DistrictsSource> {
  if (path === undefined) return { kind: 'labels' };
  const bytes = await readFile(path);
  return { kind: 'polygons', file: basename(path), property: property ?? null, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/**
 * The incidents of a publication's crime types (its `categories`, as publish wrote them:
 * NO_CATEGORY, "(none)", standing for incidents without a category, which plain data may have).
 * The review scores and checks exactly these.
 */
export function ofPublishedTypes(categories: readonly string[]): (inc: Incident) => boolean {
  const types = new Set(categories);
  return (inc) => types.has(inc.category ?? NO_CATEGORY);
}

/** A publication's crime types in words: NO_CATEGORY as "incidents without a type". */
export function publishedTypesWords(categories: readonly string[]): string {
  return categories.map((c) => (c === NO_CATEGORY ? 'incidents without a type' : c)).join(', ');
}

/** The key a revision is counted by: the shift's start instant and the district. */
export function revisionKey(startMs: number, district: string): string {
  return `${startMs}\u0000${district}`;
}

function bad(path: string, line: number, why: string): never {
  throw new CliError(
    `${path}, line ${line}: ${why}: not a patrolcast publication line (the log is never repaired silently; fix or move the file)`,
    'E_BAD_LOG',
  );
}

/** Checks a run line (module comment of knownIncidents.ts for the record). */
function runRecord(path: string, line: number, o: Partial<PublicationRunLine>): PublicationRunRecord {
  if (o.version !== 1) bad(path, line, `field "version" is ${JSON.stringify(o.version)}, expected 1`);
  if (typeof o.generatedAt !== 'string' || !Number.isFinite(Date.parse(o.generatedAt)))
    bad(path, line, 'field "generatedAt" is not a date and time');
  if (!Number.isFinite(o.firstShiftMs)) bad(path, line, 'field "firstShiftMs" is not a number');
  if (!Number.isFinite(o.recentFromMs) || o.recentFromMs! > o.firstShiftMs! || (o.firstShiftMs! - o.recentFromMs!) % 60_000 !== 0)
    bad(path, line, 'field "recentFromMs" is not a whole number of minutes at or before "firstShiftMs"');
  if (!Array.isArray(o.categories) || !o.categories.every((c) => typeof c === 'string'))
    bad(path, line, 'field "categories" is not a list of crime types');
  if (!Number.isInteger(o.knownCount) || o.knownCount! < 0) bad(path, line, 'field "knownCount" is not an integer ≥ 0');
  if (typeof o.known !== 'string') bad(path, line, 'field "known" is not text');
  let entries: KnownEntries;
  try {
    entries = decodeKnown(o.known, o.knownCount!, (o.firstShiftMs! - o.recentFromMs!) / 60_000);
  } catch (err) {
    bad(path, line, (err as Error).message);
  }
  return { ...(o as PublicationRunLine), entries };
}

/** Checks a publication line. */
function publicationLine(path: string, line: number, o: Partial<PublicationLine>): PublicationLine {
  if (o.version !== 1) bad(path, line, `field "version" is ${JSON.stringify(o.version)}, expected 1`);
  if (typeof o.district !== 'string') bad(path, line, 'field "district" is not text');
  if (typeof o.shift !== 'object' || o.shift === null || !Number.isFinite(o.shift.startMs))
    bad(path, line, 'field "shift.startMs" is not a number');
  if (!Number.isInteger(o.revision) || o.revision! < 1) bad(path, line, 'field "revision" is not an integer ≥ 1');
  return o as PublicationLine;
}

/**
 * Every line of the log at `path`, checked: the publication lines, and the run lines (one per
 * run since run lines were added; an older log has none). An absent file is an empty log. Cost
 * O(lines).
 * @throws CliError E_BAD_LOG naming the file and line of the first malformed line
 */
export async function readPublicationLog(path: string): Promise<{ lines: PublicationLine[]; runs: PublicationRunRecord[] }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { lines: [], runs: [] };
    throw new CliError(`cannot read the log ${path}: ${(err as Error).message}`, 'E_BAD_LOG');
  }
  const out: PublicationLine[] = [];
  const runs: PublicationRunRecord[] = [];
  const lines = text.split('\n');
  if (text.length > 0 && !text.endsWith('\n')) bad(path, lines.length, 'the last line is not complete (no newline at its end)');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw === '' && i === lines.length - 1) break;
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch {
      bad(path, i + 1, 'not JSON');
    }
    const o = v as { kind?: unknown } | null;
    if (o !== null && typeof o === 'object' && o.kind === 'patrolcast-publication-run')
      runs.push(runRecord(path, i + 1, o as Partial<PublicationRunLine>));
    else if (o !== null && typeof o === 'object' && o.kind === 'patrolcast-publication')
      out.push(publicationLine(path, i + 1, o as Partial<PublicationLine>));
    else bad(path, i + 1, 'field "kind" is not "patrolcast-publication" (nor "patrolcast-publication-run")');
  }
  return { lines: out, runs };
}

/**
 * The highest revision of each shift and district in the log at `path` (an absent file is an
 * empty log). Cost O(lines).
 * @throws CliError E_BAD_LOG naming the file and line of the first malformed line
 */
export async function readRevisions(path: string): Promise<Map<string, number>> {
  const revisions = new Map<string, number>();
  for (const o of (await readPublicationLog(path)).lines) {
    const key = revisionKey(o.shift.startMs, o.district);
    revisions.set(key, Math.max(revisions.get(key) ?? 0, o.revision));
  }
  return revisions;
}

/**
 * Appends the run's line (when given) and the publication lines (numbered from `revisions`) to
 * the log in one write, in append mode.
 * @returns the publication lines as written
 */
export async function appendPublications(
  path: string,
  lines: readonly Omit<PublicationLine, 'revision'>[],
  revisions: ReadonlyMap<string, number>,
  run?: PublicationRunLine,
): Promise<PublicationLine[]> {
  const numbered = lines.map((l) => {
    const { kind, version, generatedAt, shift, district, ...rest } = l;
    const revision = (revisions.get(revisionKey(shift.startMs, district)) ?? 0) + 1;
    return { kind, version, generatedAt, shift, district, revision, ...rest };
  });
  const text = (run === undefined ? '' : `${JSON.stringify(run)}\n`) + numbered.map((l) => `${JSON.stringify(l)}\n`).join('');
  await appendFile(path, text, { encoding: 'utf8', flag: 'a' });
  return numbered;
}

/** What the lock file says, in words: who holds it since when, and whether that process is gone. */
async function lockHolder(lock: string): Promise<string> {
  let held: { pid?: unknown; host?: unknown; at?: unknown };
  try {
    held = JSON.parse(await readFile(lock, 'utf8')) as typeof held;
  } catch {
    return `${lock} exists but cannot be read as a patrolcast lock; if no publish is running, remove it (rm ${lock})`;
  }
  const who = `process ${String(held.pid)} on ${String(held.host)} since ${String(held.at)}`;
  if (held.host !== hostname() || !Number.isInteger(held.pid))
    return `${lock} is held by ${who}; if no publish is running there, remove it (rm ${lock})`;
  try {
    process.kill(held.pid as number, 0); // signal 0: only asks whether the process exists
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH')
      return `${lock} was left by ${who}, which is no longer running (it stopped before removing its lock): check that its run finished (the log's last lines, the site), then remove the lock (rm ${lock}) and publish again`;
  }
  return `${lock} is held by ${who}, still running: another publish is using this log; run again when it has finished`;
}

/**
 * Runs `run` while holding the log's lock: `<log>.lock`, created exclusively (flag 'wx') holding
 * the process id, host and time, removed when `run` ends or fails. Two publish runs at once on one
 * log would otherwise both number revisions from the same lines. A lock left behind by a process
 * that died is reported with how to remove it, never broken silently (the dead run may have
 * written half of its work). Without a log (undefined) it just runs.
 * @throws CliError E_LOG_LOCKED naming the lock file and its holder
 */
export async function withLogLock<T>(log: string | undefined, run: () => Promise<T>): Promise<T> {
  if (log === undefined) return run();
  const lock = `${log}.lock`;
  const holder = { pid: process.pid, host: hostname(), at: new Date().toISOString() };
  try {
    await writeFile(lock, `${JSON.stringify(holder)}\n`, { flag: 'wx' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new CliError(
        `--log ${log}: the folder ${dirname(log)} does not exist: create it (the log is kept there, beside the data)`,
        'E_WRITE',
      );
    if (code !== 'EEXIST') throw new CliError(`--log: cannot create the lock file ${lock}: ${(err as Error).message}`, 'E_WRITE');
    throw new CliError(`--log is locked: ${await lockHolder(lock)}`, 'E_LOG_LOCKED');
  }
  try {
    return await run();
  } finally {
    await unlink(lock).catch(() => undefined);
  }
}
