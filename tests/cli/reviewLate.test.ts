/**
 * Late-recorded incidents in `patrolcast review`: two publish runs on the Vancouver fixture, the
 * second made from a file without 7 incidents dated in the first run's shifts (so, when the review
 * gets the full file, they were recorded after the next publication); the review names exactly
 * those 7, counts them per shift, and its score without them equals the review of a file without
 * them (an independent path). Also: an edited incident is one removed and one late; a log
 * without run lines still reviews, with every shift's late status unknown; the record's bytes.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError, runCli } from '../support/cli.ts';
import { decodeKnown, encodeKnown } from '../../cli/knownIncidents.ts';
import { readPublicationLog, type PublicationRunLine } from '../../cli/publishLog.ts';
import type { LateRecorded } from '../../cli/reviewLate.ts';
import type { ReviewScores } from '../../cli/reviewScore.ts';
import { readJson } from './publishSupport.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const Y2022 = join(ROOT, 'fixtures', 'vancouver', 'property_2022.csv.gz');
const Y2023 = join(ROOT, 'fixtures', 'vancouver', 'property_2023.csv.gz');
const dir = mkdtempSync(join(tmpdir(), 'patrolcast-late-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Review {
  shiftsReviewed: number;
  scores: ReviewScores;
  lateRecorded: LateRecorded & { note: string };
}

const rows = gunzipSync(readFileSync(Y2023)).toString('utf8').split('\n');
const HEADER = rows[0]!;
/** Fields of a fixture row: TYPE,YEAR,MONTH,DAY,HOUR,MINUTE,HUNDRED_BLOCK,NEIGHBOURHOOD,X,Y (no quoted commas in this slice). */
const fields = (row: string): string[] => row.split(',');
const rest = (row: string): string => fields(row).slice(6).join(',');

/**
 * File indices (0 = header) of the first `n` rows dated 2023-07-`day` with HOUR in [from, to),
 * a point (not a withheld one), a known minute, and no other row equal to it.
 */
function pick(day: number, from: number, to: number, n: number): number[] {
  const count = new Map<string, number>();
  for (const r of rows) count.set(r, (count.get(r) ?? 0) + 1);
  const out: number[] = [];
  for (let i = 1; i < rows.length && out.length < n; i++) {
    const f = fields(rows[i]!);
    const hour = Number(f[4]);
    if (f[1] !== '2023' || f[2] !== '7' || Number(f[3]) !== day || hour < from || hour >= to) continue;
    if (f[8] === '' || f[8] === '0' || (hour === 0 && f[5] === '0') || count.get(rows[i]!) !== 1) continue;
    out.push(i);
  }
  expect(out).toHaveLength(n);
  return out;
}

// Run 1 publishes 6 shifts from 2023-07-01 06:00 (local): 1 July day, evening, night, 2 July day,
// evening, night. Withheld from run 2's data: 3 incidents on the 1 July day shift, 2 in the small
// hours of 2 July (the 1 July night shift), 2 on the 2 July evening shift.
const WITHHELD = [...pick(1, 6, 14, 3), ...pick(2, 1, 6, 2), ...pick(2, 14, 22, 2)];
const LATE_PER_SHIFT = [3, 0, 2, 0, 2, 0];
// An incident of the 2 July day shift whose time is edited (moved one hour later, still in the shift).
const EDITED = pick(2, 7, 12, 1)[0]!;

function writeCsv(name: string, change: (i: number, row: string) => string | null): string {
  const out: string[] = [HEADER];
  for (let i = 1; i < rows.length; i++) {
    if (rows[i] === '') continue;
    const r = change(i, rows[i]!);
    if (r !== null) out.push(r);
  }
  const path = join(dir, name);
  writeFileSync(path, `${out.join('\n')}\n`);
  return path;
}

describe('review: incidents recorded after the next publication', () => {
  const log = join(dir, 'published.jsonl');
  let reduced: string;
  let review: Review;
  let stdout: string;
  let runs: PublicationRunLine[];

  const reviewOf = async (logPath: string, files: string[], name: string): Promise<{ r: Review; stdout: string }> => {
    const out = join(dir, `${name}.json`);
    const ran = await runCli(['review', logPath, ...files, '--allow-replays', '--out', out]);
    expect(ran.stderr).not.toMatch(/error/);
    expect(ran.code).toBe(0);
    return { r: readJson<Review>(out), stdout: ran.stdout };
  };

  beforeAll(async () => {
    reduced = writeCsv('reduced_2023.csv', (i, r) => (WITHHELD.includes(i) ? null : r));
    const one = await runCli([
      'publish',
      Y2022,
      Y2023,
      '--from',
      '2023-07-01T06:00',
      '--shifts',
      '6',
      '--out',
      join(dir, 's1'),
      '--log',
      log,
    ]);
    expect(one.code).toBe(0);
    const two = await runCli([
      'publish',
      Y2022,
      reduced,
      '--from',
      '2023-07-03T06:00',
      '--shifts',
      '3',
      '--out',
      join(dir, 's2'),
      '--log',
      log,
    ]);
    expect(two.code).toBe(0);
    runs = readFileSync(log, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as PublicationRunLine)
      .filter((l) => l.kind === 'patrolcast-publication-run');
    ({ r: review, stdout } = await reviewOf(log, [Y2022, Y2023], 'review'));
  }, 240_000);

  it('each run appends one run line: the incidents of the last 14 days its fit knew', async () => {
    expect(runs).toHaveLength(2);
    const DAY = 86_400_000;
    expect(runs.map((r) => r.firstShiftMs)).toEqual([Date.UTC(2023, 6, 1, 13), Date.UTC(2023, 6, 3, 13)]); // 06:00 PDT
    expect(runs.map((r) => r.firstShiftMs - r.recentFromMs)).toEqual([14 * DAY, 14 * DAY]);
    // run 2's data lacks the 7 withheld incidents; a fortnight of Vancouver property crime is about 1,200 incidents
    expect(runs[1]!.knownCount).toBeGreaterThan(1000);
    expect(runs[1]!.knownCount).toBeLessThan(2000);
    // about 5 bytes an incident, as base64
    expect(runs[1]!.known.length).toBeLessThan(runs[1]!.knownCount * 7);
    const { runs: read } = await readPublicationLog(log);
    expect(read.map((r) => r.entries.digests.length)).toEqual(runs.map((r) => r.knownCount));
  });

  it('the site gets no digest: only the log holds the run line', () => {
    for (const [site, run] of [
      ['s1', runs[0]!],
      ['s2', runs[1]!],
    ] as const) {
      const files = readdirSync(join(dir, site), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
      expect(files.length).toBeGreaterThan(5);
      for (const f of files) {
        const text = readFileSync(join(f.parentPath, f.name), 'latin1');
        expect(text).not.toContain(run.known.slice(0, 40));
        expect(text).not.toContain('patrolcast-publication-run');
      }
    }
  });

  it('names exactly the 7 withheld incidents as late, per shift as withheld; none removed', () => {
    const l = review.lateRecorded;
    expect(l.perIncident).toBe(true);
    expect(review.shiftsReviewed).toBe(9);
    // run 1's 6 shifts are told by run 2's record; run 2's own 3 shifts by no later run
    expect(l.shifts).toEqual({ known: 6, unknown: 3 });
    expect(l.perShift.map((p) => p.late)).toEqual([...LATE_PER_SHIFT, null, null, null]);
    expect(l.perShift.map((p) => p.removed)).toEqual([0, 0, 0, 0, 0, 0, null, null, null]);
    expect(l.perShift.slice(0, 6).every((p) => p.knownBy === runs[1]!.generatedAt)).toBe(true);
    expect(l.late).toBe(7);
    expect(l.lateNotScored).toBe(0);
    expect(l.removed).toBe(0);
    // source lines count the header as line 1: the file index of a row is its line - 1
    expect(l.incidents.map((x) => x.line - 1).sort((a, b) => a - b)).toEqual([...WITHHELD].sort((a, b) => a - b));
    expect(l.incidents.every((x) => x.file === Y2023)).toBe(true);
    for (const x of l.incidents) {
      const f = fields(rows[x.line - 1]!);
      expect(x.time).toBe(`2023-07-${f[3]!.padStart(2, '0')}T${f[4]!.padStart(2, '0')}:${f[5]!.padStart(2, '0')}`);
      expect(x.category).toBe(f[0]);
    }
    expect(stdout).toMatch(/late-recorded incidents: 6 of 9 shifts known, 3 unknown/);
    expect(stdout).toMatch(/ {2}7 of the known shifts' \d+ crimes were recorded late/);
  });

  it('scores the known shifts with every incident as the review does, and without the late ones as a review of a file without them', async () => {
    const l = review.lateRecorded;
    // the independent path: the first run's lines alone, reviewed on the full file and on the file without the 7
    const log1 = join(dir, 'run1.jsonl');
    writeFileSync(
      log1,
      readFileSync(log, 'utf8')
        .split('\n')
        .filter((x) => x.includes(`"generatedAt":"${runs[0]!.generatedAt}"`) && !x.includes('"patrolcast-publication-run"'))
        .map((x) => `${x}\n`)
        .join(''),
    );
    const full = await reviewOf(log1, [Y2022, Y2023], 'run1-full');
    const without = await reviewOf(log1, [Y2022, reduced], 'run1-reduced');
    expect(full.r.shiftsReviewed).toBe(6);
    expect(l.withLate).toEqual(full.r.scores);
    expect(l.withoutLate).toEqual(without.r.scores);
    // (a) restricted to the known shifts is the review's own per-shift numbers
    expect(l.withLate!.perShift).toEqual(review.scores.perShift.slice(0, 6));
    const events = (s: ReviewScores): number[] => s.perShift.map((p) => p.events);
    expect(events(l.withLate!).map((e, i) => e - events(l.withoutLate!)[i]!)).toEqual(LATE_PER_SHIFT);
    // the paired difference of hit rates, every incident − without the late ones
    const a = l.withLate!.perShift;
    const b = l.withoutLate!.perShift;
    const diff = a.reduce((s, p, i) => s + p.hitRate! - b[i]!.hitRate!, 0) / a.length;
    expect(l.difference!.diff.mean).toBeCloseTo(diff, 12);
    expect(l.difference!.diff.n).toBe(6);
    expect(l.difference!.diff.lo).toBeLessThanOrEqual(diff);
    expect(l.difference!.diff.hi).toBeGreaterThanOrEqual(diff);
  }, 120_000);

  it('the HTML page carries the counts and the two hit rates, never a late incident', async () => {
    const html = join(dir, 'review.html');
    const ran = await runCli(['review', log, Y2022, Y2023, '--allow-replays', '--html', html]);
    expect(ran.code).toBe(0);
    const page = readFileSync(html, 'utf8');
    const l = review.lateRecorded;
    expect(page).toContain('6 of 9 reviewed shifts have a known late status: 7 of their scored crimes were recorded late and 0 incidents');
    const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
    expect(page).toContain(
      `hit rate is ${pct(l.withLate!.hitRate.mean)} with every incident and ${pct(l.withoutLate!.hitRate.mean)} without the late-recorded`,
    );
    for (const x of l.incidents) {
      expect(page).not.toContain(x.time);
      expect(page).not.toContain(x.time.replace('T', ' '));
    }
  }, 60_000);

  it('an incident whose time was edited since is one removed (as known then) and one late (as now)', async () => {
    const f = fields(rows[EDITED]!);
    const moved = [f[0], f[1], f[2], f[3], String(Number(f[4]) + 1), f[5], rest(rows[EDITED]!)].join(',');
    const edited = writeCsv('edited_2023.csv', (i, r) => (i === EDITED ? moved : r));
    const { r } = await reviewOf(log, [Y2022, edited], 'edited');
    const l = r.lateRecorded;
    expect(l.perShift.slice(0, 6).map((p) => p.late)).toEqual([3, 0, 2, 1, 2, 0]);
    expect(l.perShift.slice(0, 6).map((p) => p.removed)).toEqual([0, 0, 0, 1, 0, 0]);
    expect(l.removed).toBe(1);
    expect(l.incidents.map((x) => x.line - 1).sort((a, b) => a - b)).toEqual([...WITHHELD, EDITED].sort((a, b) => a - b));
  }, 60_000);

  it('a shift the next run did not record (older than its --known-days) has an unknown status', async () => {
    const short = join(dir, 'short.jsonl');
    writeFileSync(
      short,
      readFileSync(log, 'utf8')
        .split('\n')
        .filter((x) => x.includes(`"generatedAt":"${runs[0]!.generatedAt}"`))
        .map((x) => `${x}\n`)
        .join(''),
    );
    const bad = await runCli([
      'publish',
      Y2022,
      reduced,
      '--from',
      '2023-07-03T06:00',
      '--shifts',
      '1',
      '--out',
      join(dir, 's3'),
      '--known-days',
      '0',
    ]);
    expect(bad.code).toBe(2);
    expectOneLineError(bad.stderr, '--known-days', '"0"');
    const ran = await runCli([
      'publish',
      Y2022,
      reduced,
      '--from',
      '2023-07-03T06:00',
      '--shifts',
      '1',
      '--out',
      join(dir, 's3'),
      '--log',
      short,
      '--known-days',
      '1',
    ]);
    expect(ran.code).toBe(0);
    const { r } = await reviewOf(short, [Y2022, Y2023], 'short');
    // the record covers 2 July 06:00 to 3 July 06:00: the 1 July shifts are unknown, as is the new run's own shift
    expect(r.lateRecorded.perShift.map((p) => p.late)).toEqual([null, null, null, 0, 2, 0, null]);
    expect(r.lateRecorded.shifts).toEqual({ known: 3, unknown: 4 });
    expect(r.lateRecorded.late).toBe(2);
  }, 60_000);

  it('a log without run lines (written before them) still reviews, every late status unknown', async () => {
    const old = join(dir, 'old.jsonl');
    writeFileSync(
      old,
      readFileSync(log, 'utf8')
        .split('\n')
        .filter((x) => x !== '' && !x.includes('"patrolcast-publication-run"'))
        .map((x) => `${x}\n`)
        .join(''),
    );
    const { r, stdout: out } = await reviewOf(old, [Y2022, Y2023], 'old');
    expect(r.scores).toEqual(review.scores);
    expect(r.lateRecorded.perIncident).toBe(false);
    expect(r.lateRecorded.shifts).toEqual({ known: 0, unknown: 9 });
    expect(r.lateRecorded.perShift.every((p) => p.late === null && p.knownBy === null)).toBe(true);
    expect(r.lateRecorded.withoutLate).toBeNull();
    expect(out).toMatch(/late-recorded incidents: unknown for every shift: the log has no run lines/);
    // the fingerprint check still runs: run 2's fit data lacks the 7 that the full file holds before its first shift
    expect(r.lateRecorded.runs.map((x) => x.same)).toEqual([true, false]);
  }, 60_000);
});

describe('the run record', () => {
  it('encodes entries as minute increases (LEB128) and 4-byte digests, and decodes them back', () => {
    const entries = { minutes: Uint32Array.from([0, 5, 200]), digests: Uint32Array.from([1, 0xffffffff, 7]) };
    // 200 − 5 = 195 = 0xc3: two varint bytes 0xc3 0x01
    const bytes = [0, 0, 0, 0, 1, 5, 0xff, 0xff, 0xff, 0xff, 0xc3, 0x01, 0, 0, 0, 7];
    expect(encodeKnown(entries)).toBe(Buffer.from(bytes).toString('base64'));
    expect(decodeKnown(encodeKnown(entries), 3, 201)).toEqual(entries);
    expect(() => decodeKnown(encodeKnown(entries), 3, 200)).toThrow('entry 3 is dated after the window');
    expect(() => decodeKnown(encodeKnown(entries), 4, 201)).toThrow('ends inside entry 4 of 4');
    expect(() => decodeKnown(encodeKnown(entries), 2, 201)).toThrow('holds more than its 2 entries');
    expect(() => decodeKnown('not base64!', 0, 1)).toThrow('not base64');
  });

  it('a malformed run line is an error naming the file and line; publication lines around it still read', async () => {
    const log = join(dir, 'bad-run.jsonl');
    const pub = JSON.stringify({ kind: 'patrolcast-publication', version: 1, shift: { startMs: 1 }, district: 'A', revision: 1 });
    const run = (o: Partial<PublicationRunLine>): string =>
      JSON.stringify({
        kind: 'patrolcast-publication-run',
        version: 1,
        generatedAt: '2026-11-30T00:00:00.000Z',
        firstShiftMs: 1_209_600_000,
        recentFromMs: 0,
        categories: ['Mischief'],
        knownCount: 0,
        known: '',
        ...o,
      });
    writeFileSync(log, `${pub}\n${run({})}\n`);
    const ok = await readPublicationLog(log);
    expect(ok.lines).toHaveLength(1);
    expect(ok.runs).toHaveLength(1);
    for (const [o, why] of [
      [{ knownCount: 1 }, 'field "known" ends inside entry 1 of 1'],
      [{ known: 'AAAA*' }, 'field "known" is not base64'],
      [{ recentFromMs: 2_000_000_000 }, 'field "recentFromMs"'],
      [{ generatedAt: 'yesterday' }, 'field "generatedAt"'],
    ] as const) {
      writeFileSync(log, `${pub}\n${run(o)}\n`);
      await expect(readPublicationLog(log)).rejects.toThrow(`${log}, line 2: ${why}`);
    }
    const ran = await runCli(['review', log, Y2023]);
    expect(ran.code).toBe(2);
    expectOneLineError(ran.stderr, 'bad-run.jsonl, line 2', 'generatedAt');
  });
});
