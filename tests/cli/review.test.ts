/**
 * `patrolcast review`: the prospective evaluation of published boxes. The central check: for the
 * same shifts and data, the review's catches of the published boxes equal the backtest's catches
 * of its placed etas top-20-per-district boxes (fitted once at the first shift, as publish fits),
 * and its naive-all-placed numbers equal the backtest's.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError, runCli } from '../support/cli.ts';
import { logLines, readJson } from './publishSupport.ts';
import type { PublicationLine } from '../../cli/publishLog.ts';
import { selectPublications } from '../../cli/reviewScore.ts';
import type { BacktestReport } from '../../engine/index.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const VANCOUVER = ['property_2022.csv.gz', 'property_2023.csv.gz'].map((f) => join(ROOT, 'fixtures', 'vancouver', f));
const dir = mkdtempSync(join(tmpdir(), 'patrolcast-review-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Review {
  shiftsReviewed: number;
  skipped: { notYetPassed: number; laterRevisionsIgnored: number; publishedAfterStart: number };
  scores: {
    categories: string[];
    top: number;
    perShift: { label: string; events: number; boxes: number; catches: number; hitRate: number; naiveAllHitRate: number }[];
    hitRate: { mean: number };
    naiveAllHitRate: { mean: number };
    paired: { diff: { mean: number; lo: number; hi: number; n: number } };
    perDistrict: Record<string, { boxes: number; catches: number; events: number; hitRate: number | null }>;
  };
  concentration: { boxes: number; distinctPlaces: number; mostPublished: { h3: string; times: number }[] };
  lateRecorded: {
    perIncident: boolean;
    shifts: { known: number; unknown: number };
    runs: { same: boolean; published: string; now: string }[];
    note: string;
  };
  dosage: { known: boolean; note: string };
}

describe('review of 2 published days (6 shifts) of Vancouver against the backtest', () => {
  const log = join(dir, 'published.jsonl');
  const out = join(dir, 'review.json');
  let review: Review;
  let bt: BacktestReport;
  let stdout: string;
  let lines: PublicationLine[];

  beforeAll(async () => {
    const pub = await runCli([
      'publish',
      ...VANCOUVER,
      '--from',
      '2023-07-01T06:00',
      '--shifts',
      '6',
      '--out',
      join(dir, 'site'),
      '--log',
      log,
    ]);
    expect(pub.code).toBe(0);
    const ran = await runCli(['review', log, ...VANCOUVER, '--allow-replays', '--out', out]);
    expect(ran.stderr).not.toMatch(/error/);
    expect(ran.code).toBe(0);
    stdout = ran.stdout;
    review = readJson<Review>(out);
    // the backtest fitted once at the first shift (06:00 on 1 July), as publish fits
    const btOut = join(dir, 'bt.json');
    const b = await runCli([
      'backtest',
      ...VANCOUVER,
      '--from',
      '2023-07-01',
      '--to',
      '2023-07-03',
      '--models',
      'etas,naive-all-placed',
      '--refit-every-days',
      '2',
      '--top',
      '20',
      '--out',
      btOut,
    ]);
    expect(b.code).toBe(0);
    bt = readJson<BacktestReport>(btOut);
    lines = logLines(log); // the publication lines, not the run line
  }, 180_000);

  it('scores the same 6 shifts with the same crime counts as the backtest, which fitted once', () => {
    expect(review.shiftsReviewed).toBe(6);
    expect(review.scores.perShift.map((p) => p.label)).toEqual(bt.perShift.label);
    expect(review.scores.perShift.map((p) => p.events)).toEqual(bt.perShift.events);
    expect(bt.perShift.events).toEqual([26, 45, 30, 30, 39, 28]); // verified by hand from the run
    expect(bt.fits).toHaveLength(1);
    expect(bt.fits[0]!.trainedUntil).toBe('2023-07-01T13:00:00.000Z'); // 06:00 PDT
  });

  it("catches of the published boxes equal the backtest's placed etas top-20 catches, shift by shift", () => {
    const etas = bt.perShift.models['etas']!.topKHitRate.map((x, i) => Math.round(x! * bt.perShift.events[i]!));
    expect(review.scores.perShift.map((p) => p.catches)).toEqual(etas);
    expect(etas).toEqual([12, 27, 6, 15, 20, 8]);
  });

  it("naive-all-placed on the same shifts equals the backtest's", () => {
    const naive = bt.perShift.models['naive-all-placed']!.topKHitRate;
    review.scores.perShift.forEach((p, i) => expect(p.naiveAllHitRate).toBeCloseTo(naive[i]!, 5));
  });

  it('the paired difference is published − naive-all over the 6 shifts, its interval around it', () => {
    const ps = review.scores.perShift;
    const diff = ps.reduce((s, p) => s + p.hitRate - p.naiveAllHitRate, 0) / ps.length;
    expect(review.scores.paired.diff.mean).toBeCloseTo(diff, 12);
    expect(review.scores.paired.diff.n).toBe(6);
    expect(review.scores.paired.diff.lo).toBeLessThanOrEqual(diff);
    expect(review.scores.paired.diff.hi).toBeGreaterThanOrEqual(diff);
    expect(review.scores.categories).toEqual(lines[0]!.categories);
    // in words on stdout, by the backtest's verdict rule, the shift column as wide as its labels
    expect(stdout).toContain(
      'The published map beat all-history counts by +2.34 percentage points (+5.8%; 95% interval +1.85 to +3.93 points)',
    );
    expect(stdout).toMatch(/^2023-07-01 14:00 \(evening\) {2}\s+45 /m);
  });

  it("per district: its boxes, their catches and its own crimes add up to the shifts' totals", () => {
    const d = Object.values(review.scores.perDistrict);
    const sum = (f: (x: (typeof d)[number]) => number): number => d.reduce((s, x) => s + f(x), 0);
    const ps = review.scores.perShift;
    expect(d).toHaveLength(24);
    expect(sum((x) => x.catches)).toBe(ps.reduce((s, p) => s + p.catches, 0));
    expect(sum((x) => x.boxes)).toBe(ps.reduce((s, p) => s + p.boxes, 0));
    // 198 crimes, 8 of them in study cells that no district's labels reach (none outside the study cells)
    expect(sum((x) => x.events)).toBe(190);
    expect(bt.eventsOutsideArea).toBe(0);
    for (const x of d) expect(x.hitRate).toBe(x.events > 0 ? x.catches / x.events : null);
  });

  it('counts the concentration of the published boxes from the log', () => {
    const times = new Map<string, number>();
    for (const l of lines) for (const b of l.boxes) times.set(b.h3, (times.get(b.h3) ?? 0) + 1);
    expect(review.concentration.boxes).toBe(lines.reduce((s, l) => s + l.boxes.length, 0));
    expect(review.concentration.distinctPlaces).toBe(times.size);
    let most = 0;
    for (const t of times.values()) most = Math.max(most, t);
    expect(review.concentration.mostPublished[0]!.times).toBe(most);
  });

  it("says dosage is unknown, and finds the fit's data unchanged (same fingerprint) in the same files", () => {
    expect(review.dosage.known).toBe(false);
    expect(stdout).toMatch(/dosage: unknown: no patrol log/);
    // one run: no later run recorded what was known after these shifts (tests/cli/reviewLate.test.ts has two)
    expect(review.lateRecorded.perIncident).toBe(true);
    expect(review.lateRecorded.shifts).toEqual({ known: 0, unknown: 6 });
    expect(review.lateRecorded.runs).toHaveLength(1);
    expect(review.lateRecorded.runs[0]!.published).toBe(lines[0]!.fingerprint);
    expect(review.lateRecorded.runs[0]!.same).toBe(true);
    expect(stdout).toMatch(/late-recorded incidents: 0 of 6 shifts known, 6 unknown/);
    expect(stdout).toMatch(/fit data check .*: the data each of the 1 publication run was fitted on is unchanged/);
  });

  it('--bbox scores only the incidents inside it: the whole city changes nothing, the west of it fewer crimes; a bad box is named', async () => {
    const whole = join(dir, 'bbox-whole.json');
    const a = await runCli(['review', log, ...VANCOUVER, '--allow-replays', '--bbox=-123.3,49.1,-122.9,49.4', '--out', whole]);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stderr).toContain('patrolcast: --bbox leaves out 0 of ');
    expect(readJson<Review>(whole).scores.perShift).toEqual(review.scores.perShift);
    const west = join(dir, 'bbox-west.json');
    const b = await runCli(['review', log, ...VANCOUVER, '--allow-replays', '--bbox=-123.3,49.1,-123.1,49.4', '--out', west]);
    expect(b.code, b.stderr).toBe(0);
    const w = readJson<Review>(west).scores.perShift;
    const total = (ps: Review['scores']['perShift']): number => ps.reduce((s, p) => s + p.events, 0);
    expect(total(w)).toBeGreaterThan(0);
    expect(total(w)).toBeLessThan(total(review.scores.perShift));
    const bad = await runCli(['review', log, ...VANCOUVER, '--allow-replays', '--bbox=-123.1,49.1,-123.3,49.4']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      '--bbox: expected west,south,east,north in degrees with west < east and south < north, got "-123.1,49.1,-123.3,49.4"',
    );
  });

  it('refuses data dated by month only (data.police.uk): no shift can be scored on it, and says what can', async () => {
    const kent = join(ROOT, 'fixtures', 'kent', 'ashford_2014.csv.gz');
    const ran = await runCli(['review', log, kent, '--allow-replays']);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toBe(
      `patrolcast: every incident in ${kent} is dated by month only (as data.police.uk publishes them): which shift a crime fell in is unknown, so published shifts cannot be scored on them (a month-by-month evaluation: patrolcast backtest --months)\n`,
    );
  });

  it('notes an incident dated before the first shift that the published fit did not see', async () => {
    const late = join(dir, 'late.csv');
    writeFileSync(
      late,
      'TYPE,YEAR,MONTH,DAY,HOUR,MINUTE,HUNDRED_BLOCK,NEIGHBOURHOOD,X,Y\nBreak and Enter Commercial,2023,6,30,12,0,11XX ROBSON ST,West End,490795.6407,5459232.6988\n',
    );
    const lateOut = join(dir, 'review-late.json');
    const ran = await runCli(['review', log, ...VANCOUVER, late, '--allow-replays', '--out', lateOut]);
    expect(ran.code).toBe(0);
    const r = readJson<Review>(lateOut);
    expect(r.lateRecorded.runs[0]!.same).toBe(false);
    expect(r.lateRecorded.runs[0]!.now).not.toBe(lines[0]!.fingerprint);
    expect(ran.stdout).toMatch(/1 of 1 publication run were fitted on data these files no longer give/);
    // an incident before the shifts does not change what the shifts' boxes caught
    expect(r.scores.perShift.map((p) => p.catches)).toEqual(review.scores.perShift.map((p) => p.catches));
  });

  it('without --allow-replays, publications generated after their shift started do not count', async () => {
    const ran = await runCli(['review', log, ...VANCOUVER]);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/^review: 0 published shifts scored; 0 skipped .* 144 shift-district publications generated only after/);
    expect(ran.stderr).toMatch(/--allow-replays/);
  });

  it('--since keeps only the shifts starting on or after the local date', async () => {
    const ran = await runCli(['review', log, ...VANCOUVER, '--allow-replays', '--since', '2023-07-02']);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/^review: 3 published shifts scored/);
    expect(ran.stdout).not.toMatch(/2023-07-01 06:00/);
    const bad = await runCli(['review', log, ...VANCOUVER, '--since', 'July']);
    expect(bad.code).toBe(2);
    expectOneLineError(bad.stderr, '--since', 'July');
  });

  it('a malformed log line is an error naming the file and line', async () => {
    const badLog = join(dir, 'bad.jsonl');
    writeFileSync(badLog, `${JSON.stringify(lines[0])}\n{"kind":"other"}\n`);
    const ran = await runCli(['review', badLog, ...VANCOUVER]);
    expect(ran.code).toBe(2);
    expectOneLineError(ran.stderr, 'bad.jsonl, line 2', 'kind');
  });
});

describe('selectPublications: which revision counts, which shifts have passed', () => {
  const HOUR = 3_600_000;
  const start = Date.UTC(2024, 0, 1, 14);
  const line = (revision: number, generatedAt: string, startMs = start, district = 'A'): PublicationLine =>
    ({
      kind: 'patrolcast-publication',
      version: 1,
      generatedAt,
      shift: { label: 'x', startMs, hours: 8, startLocal: 'x', tz: 'UTC' },
      district,
      revision,
      boxes: [],
    }) as unknown as PublicationLine;
  const before = new Date(start - HOUR).toISOString();
  const after = new Date(start + HOUR).toISOString();

  it('takes the latest revision generated before the shift started, counting the others as ignored', () => {
    const sel = selectPublications(
      [line(1, before), line(2, before), line(3, after), line(1, before, start, 'B')],
      start + 8 * HOUR,
      false,
    );
    expect(sel.shifts).toHaveLength(1);
    expect(sel.shifts[0]!.lines.map((l) => [l.district, l.revision])).toEqual([
      ['A', 2],
      ['B', 1],
    ]);
    expect(sel.laterRevisionsIgnored).toBe(2);
    expect(sel.publishedAfterStart).toBe(0);
  });

  it('skips a shift that ends after the last incident (an end at the last incident has passed)', () => {
    const sel = selectPublications([line(1, before), line(1, before, start + 8 * HOUR)], start + 8 * HOUR, false);
    expect(sel.shifts.map((s) => s.startMs)).toEqual([start]);
    expect(sel.notYetPassed).toBe(1);
  });

  it('counts publications made after the start only with allowReplays', () => {
    expect(selectPublications([line(1, after)], start + 8 * HOUR, false).shifts).toHaveLength(0);
    const sel = selectPublications([line(1, after), line(2, after)], start + 8 * HOUR, true);
    expect(sel.shifts[0]!.lines[0]!.revision).toBe(2);
    expect(sel.publishedAfterStart).toBe(1);
  });
});
