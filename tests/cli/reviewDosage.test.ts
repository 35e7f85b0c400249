/**
 * `patrolcast review --patrol-log` (dosage bands) and `--html`, on the review's fixture: 6 shifts
 * published from the Vancouver fixture from 2023-07-01 06:00. The bands' crimes are checked
 * against an independent naive loop over the raw incidents (a crime is caught by a box when it
 * happened during the shift, to the minute, and its fine H3 cell is one of the box's seven), the
 * box-shifts and expected crimes against the hand-made patrol log and the publication log; every
 * bad row of the patrol log is reported with its line, field and reason.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError, runCli } from '../support/cli.ts';
import { incidentCell, ingestCsvText } from '../../engine/index.ts';
import type { Incident } from '../../engine/index.ts';
import { logLines, readJson } from './publishSupport.ts';
import type { PublicationLine } from '../../cli/publishLog.ts';
import { parsePatrolLog } from '../../cli/patrolLog.ts';
import { parseDosageBands, type DosageKnown } from '../../cli/reviewDosage.ts';
import { reviewHeadline } from '../../cli/reviewHtml.ts';
import type { ReviewScores } from '../../cli/reviewScore.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const VANCOUVER = ['property_2022.csv.gz', 'property_2023.csv.gz'].map((f) => join(ROOT, 'fixtures', 'vancouver', f));
const dir = mkdtempSync(join(tmpdir(), 'patrolcast-dosage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const CBD = 'Central Business District';
const HOUR = 3_600_000;

interface Review {
  scores: {
    perShift: { label: string; events: number; boxes: number; catches: number; hitRate: number; naiveAllHitRate: number }[];
    hitRate: { mean: number; lo: number; hi: number };
    naiveAllHitRate: { mean: number };
    paired: { diff: { mean: number; lo: number; hi: number } };
    perDistrict: Record<string, { boxes: number; catches: number; events: number; hitRate: number | null }>;
  };
  concentration: { boxes: number; distinctPlaces: number };
  dosage: DosageKnown;
}

/** The hand-made patrol log: [line text, what the review must make of it]. Lines are numbered from 1 (the header). */
function patrolLog(uniqueH3: string): { text: string; bad: { line: number; field: string; reason: string }[] } {
  const rows: [string, { field: string; reason: string } | null][] = [
    ['Shift Start,Sector,Rank,Minutes Spent', null],
    [`2023-07-01 06:00,${CBD},1,10`, null],
    [`2023-07-01 06:00,${CBD},1,10`, null], // the same box again: summed to 20
    [`2023-07-01 06:00,${CBD},2,0`, null],
    [`2023-07-01 14:00 (evening),${CBD},1,45`, null], // the label as the site prints it
    [`2023-07-01T22:00,central business district,1,5`, null], // startLocal; district in other case
    ['2023-07-02T06:00-07:00,West End,1,60', null], // an instant with its offset
    ['2023-07-02_1400,West End,2,12.5', null], // the site's file id
    [`2023-07-02 22:00,,${uniqueH3},30`, null], // an H3 id without the district
    ['', null], // a blank line is not a row
    ['2023-07-01 06:00,West End,1,0', null],
    [`2023-07-01 06:00,"${CBD},5,10`, { field: 'row', reason: 'unclosed_quote' }], // a stray quote
    [`2023-07-01 06:00,${CBD},3,`, { field: 'minutes', reason: 'minutes_missing' }],
    [`2023-07-01 06:00,${CBD},99,5`, { field: 'box', reason: 'unknown_box' }],
    [`2203-07-01 06:00,${CBD},4,10`, { field: 'shift', reason: 'unknown_shift' }], // a mistyped year
    [`2023-07-01 06:00,${CBD},4,ten`, { field: 'minutes', reason: 'minutes_not_a_number' }],
    [`2023-07-01 06:00,${CBD},4,-5`, { field: 'minutes', reason: 'minutes_negative' }],
    ['2023-07-01 06:00,,4,10', { field: 'district', reason: 'district_needed' }],
    ['2023-07-01 06:00,Nowhere,4,10', { field: 'district', reason: 'unknown_district' }],
    [`2023-07-01 06:00,${CBD},4,10,extra`, { field: 'row', reason: 'wrong_field_count' }],
    [`2023-07-01 07:00,${CBD},4,10`, { field: 'shift', reason: 'unknown_shift' }], // not a shift's start
    [`July 1st,${CBD},4,10`, { field: 'shift', reason: 'shift_unreadable' }],
  ];
  return {
    text: `${rows.map((r) => r[0]).join('\n')}\n`,
    bad: rows.flatMap(([, b], i) => (b === null ? [] : [{ line: i + 1, ...b }])),
  };
}

/** The box-shifts the good rows name, with their minutes (by hand from the log above). */
function loggedMinutes(uniqueH3: string): { shift: number; district: string | null; rank?: number; h3?: string; minutes: number }[] {
  return [
    { shift: 0, district: CBD, rank: 1, minutes: 20 },
    { shift: 0, district: CBD, rank: 2, minutes: 0 },
    { shift: 1, district: CBD, rank: 1, minutes: 45 },
    { shift: 2, district: CBD, rank: 1, minutes: 5 },
    { shift: 3, district: 'West End', rank: 1, minutes: 60 },
    { shift: 4, district: 'West End', rank: 2, minutes: 12.5 },
    { shift: 5, district: null, h3: uniqueH3, minutes: 30 },
    { shift: 0, district: 'West End', rank: 1, minutes: 0 },
  ];
}

describe('review --patrol-log and --html on 6 published shifts of Vancouver', () => {
  const log = join(dir, 'published.jsonl');
  const patrols = join(dir, 'patrols&<i>.csv'); // hostile text in a file name the page prints
  const out = join(dir, 'review.json');
  const html = join(dir, 'review.html');
  let lines: PublicationLine[];
  let starts: number[];
  let review: Review;
  let stdout: string;
  let stderr: string;
  let page: string;
  let uniqueH3: string;
  let bad: ReturnType<typeof patrolLog>['bad'];
  let incidents: readonly Incident[];

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
    lines = logLines(log); // the publication lines, not the run line
    starts = [...new Set(lines.map((l) => l.shift.startMs))].sort((a, b) => a - b);
    // a box of the last shift whose centre is published in one district only
    const last = lines.filter((l) => l.shift.startMs === starts[5]);
    const count = new Map<string, number>();
    for (const l of last) for (const b of l.boxes) count.set(b.h3, (count.get(b.h3) ?? 0) + 1);
    uniqueH3 = last.find((l) => l.district === 'West End')!.boxes.find((b) => count.get(b.h3) === 1 && b.rank === 3)!.h3;
    const made = patrolLog(uniqueH3);
    bad = made.bad;
    writeFileSync(patrols, made.text);
    const ran = await runCli(['review', log, ...VANCOUVER, '--allow-replays', '--patrol-log', patrols, '--out', out, '--html', html]);
    expect(ran.code).toBe(0);
    stdout = ran.stdout;
    stderr = ran.stderr;
    review = readJson<Review>(out);
    page = readFileSync(html, 'utf8');
    const text = gunzipSync(readFileSync(VANCOUVER[1]!)).toString('utf8');
    incidents = ingestCsvText(text, { file: 'property_2023.csv.gz', format: 'vancouver' }).incidents;
  }, 180_000);

  it('reads every row: accepted + rejected = rows read; the repeated box summed and said so', () => {
    const d = review.dosage;
    expect(d.known).toBe(true);
    expect(d.rows).toEqual({ read: 20, accepted: 9, rejected: 11, summed: 1 });
    expect(d.rows.accepted + d.rows.rejected).toBe(d.rows.read);
    expect(stdout).toMatch(/20 rows read, 9 accepted, 11 rejected; 1 row named a box already named on the same shift \(minutes summed\)/);
  });

  it('reports each bad row with its line, field and reason, in the report and on stderr', () => {
    expect(review.dosage.rejectedRows.map((r) => ({ line: r.line, field: r.field, reason: r.reason }))).toEqual(bad);
    for (const b of bad) expect(stderr).toContain(`, line ${b.line}, field ${b.field}: ${b.reason}:`);
    expect(stderr).toContain('no published shift starts at 2203-07-01T06:00');
    expect(stderr).toContain('blank (a missing value is not read as 0 minutes');
  });

  it('counts box-shifts, crimes and expected crimes per band as an independent loop over the raw incidents does', () => {
    const types = new Set(lines[0]!.categories);
    // crimes during the shift, timed to the minute, in one of the box's fine cells
    const timed = incidents
      .filter((inc) => inc.category !== null && types.has(inc.category) && inc.precision === 'minute' && !inc.timeOfDayUnknown)
      .filter((inc) => inc.timeMs >= starts[0]! && inc.timeMs < starts[5]! + 8 * HOUR)
      .map((inc) => ({ timeMs: inc.timeMs, cell: incidentCell(inc.lat, inc.lng, lines[0]!.res + 1) }));
    const caught = (startMs: number, hours: number, cells: readonly string[]): number => {
      let n = 0;
      for (const inc of timed) if (inc.timeMs >= startMs && inc.timeMs < startMs + hours * HOUR && cells.includes(inc.cell)) n++;
      return n;
    };
    const edges = [0, 15, 30, 60];
    const band = (m: number): number => (m === 0 ? 0 : m < 15 ? 1 : m < 30 ? 2 : m < 60 ? 3 : 4);
    const want = edges.concat([0]).map(() => ({ boxShifts: 0, crimes: 0, expected: 0 }));
    const logged = loggedMinutes(uniqueH3);
    let allCrimes = 0;
    let allExpected = 0;
    let allBoxes = 0;
    for (const l of lines) {
      for (const b of l.boxes) {
        const c = caught(l.shift.startMs, l.shift.hours, b.cells);
        allCrimes += c;
        allExpected += b.expected;
        allBoxes++;
        const m = logged.find(
          (x) => starts[x.shift] === l.shift.startMs && (x.h3 === b.h3 || (x.district === l.district && x.rank === b.rank)),
        );
        if (m === undefined) continue;
        const w = want[band(m.minutes)]!;
        w.boxShifts++;
        w.crimes += c;
        w.expected += b.expected;
      }
    }
    const got = review.dosage.bands;
    expect(got.map((b) => b.label)).toEqual(['0 min', '1–14 min', '15–29 min', '30–59 min', '60+ min']);
    expect(got.map((b) => b.boxShifts)).toEqual([2, 2, 1, 2, 1]); // by hand from the log
    expect(got.map((b) => b.boxShifts)).toEqual(want.slice(0, 5).map((w) => w.boxShifts));
    expect(got.map((b) => b.crimes)).toEqual(want.slice(0, 5).map((w) => w.crimes));
    got.forEach((b, i) => expect(b.expected).toBeCloseTo(want[i]!.expected, 10));
    // the unknown band holds the rest: every published box-shift is in one band
    const rest = review.dosage.notInLog;
    expect(rest.boxShifts).toBe(allBoxes - 8);
    expect(rest.crimes + got.reduce((s, b) => s + b.crimes, 0)).toBe(allCrimes);
    expect(rest.expected + got.reduce((s, b) => s + b.expected, 0)).toBeCloseTo(allExpected, 8);
    // the loop's total is the review's own catch total (one catch rule)
    expect(allCrimes).toBe(review.scores.perShift.reduce((s, p) => s + p.catches, 0));
    expect(got.map((b) => b.crimes)).toEqual([1, 1, 0, 1, 0]); // real-data counts, verified by the loop above
    for (const b of [...got, rest]) {
      expect(b.crimesPerBoxShift).toBe(b.boxShifts > 0 ? b.crimes / b.boxShifts : null);
      expect(b.crimesPerExpected).toBe(b.expected > 0 ? b.crimes / b.expected : null);
    }
  });

  it('says the comparison is observational, in the table and the report', () => {
    expect(review.dosage.note).toMatch(/observational comparison, not an estimate of what patrol did/);
    expect(stdout).toMatch(/not in the patrol log +\d+ /);
    expect(stdout).toMatch(/patrol goes where crime is expected/);
  });

  it('--since: rows for published shifts outside the review are rejected as not reviewed, still counted', async () => {
    const sinceOut = join(dir, 'since.json');
    const ran = await runCli([
      'review',
      log,
      ...VANCOUVER,
      '--allow-replays',
      '--since',
      '2023-07-02',
      '--patrol-log',
      patrols,
      '--out',
      sinceOut,
    ]);
    expect(ran.code).toBe(0);
    const d = readJson<Review>(sinceOut).dosage;
    expect(d.rows).toEqual({ read: 20, accepted: 3, rejected: 17, summed: 0 });
    expect(d.rejectedByReason['shift_not_reviewed']).toBe(12);
    expect(d.bands.reduce((s, b) => s + b.boxShifts, 0)).toBe(3);
  });

  it('--dosage-bands and --patrol-columns; a log without the columns is refused naming the file', async () => {
    const mapped = join(dir, 'mapped.csv');
    writeFileSync(mapped, `When,Where,Which,Time on foot\n2023-07-01 06:00,${CBD},1,20\n2023-07-01 06:00,${CBD},2,40\n`);
    const bandsOut = join(dir, 'bands.json');
    const ran = await runCli([
      'review',
      log,
      ...VANCOUVER,
      '--allow-replays',
      '--patrol-log',
      mapped,
      '--patrol-columns',
      'shift=When,district=Where,box=Which,minutes=time on foot',
      '--dosage-bands',
      '0,30',
      '--out',
      bandsOut,
    ]);
    expect(ran.code).toBe(0);
    const d = readJson<Review>(bandsOut).dosage;
    expect(d.bands.map((b) => [b.label, b.boxShifts])).toEqual([
      ['0 min', 0],
      ['1–29 min', 1],
      ['30+ min', 1],
    ]);
    const refused = await runCli(['review', log, ...VANCOUVER, '--allow-replays', '--patrol-log', mapped]);
    expect(refused.code).toBe(2);
    expectOneLineError(refused.stderr, 'mapped.csv, line 1', 'no column for shift', '--patrol-columns');
    const badBands = await runCli(['review', log, ...VANCOUVER, '--patrol-log', mapped, '--dosage-bands', '15,30']);
    expect(badBands.code).toBe(2);
    expectOneLineError(badBands.stderr, '--dosage-bands', '15,30');
  });

  it('writes an HTML page whose every tag closes, with no script and every text escaped', () => {
    const stack: string[] = [];
    const VOID = new Set(['meta', 'br', 'hr', 'img', 'input', 'link']);
    for (const m of page.replace(/^<!doctype html>/i, '').matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9]*)\b[^<>]*?(\/?)>/g)) {
      const [, close, name, self] = m;
      const tag = name!.toLowerCase();
      if (close === '/') expect(`</${stack.pop()}>`).toBe(`</${tag}>`);
      else if (self !== '/' && !VOID.has(tag)) stack.push(tag);
    }
    expect(stack).toEqual([]);
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toMatch(/https?:\/\//); // nothing fetched from anywhere
    // the text between tags has no raw < or >: the hostile file name is escaped
    expect(page.replace(/<[^<>]*>/g, '')).not.toMatch(/[<>]/);
    expect(page).toContain('patrols&amp;&lt;i&gt;.csv');
  });

  it("holds review.json's numbers: the headline with its paired interval, per shift, per district, per band", () => {
    const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
    const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/'/g, '&#39;');
    const pts = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(2)}`;
    const s = review.scores;
    const d = s.paired.diff;
    expect(page).toContain(
      esc(`caught ${pct(s.hitRate.mean)} of each shift's crime on average (95% interval ${pct(s.hitRate.lo)} to ${pct(s.hitRate.hi)})`),
    );
    expect(page).toContain(`caught ${pct(s.naiveAllHitRate.mean)}`);
    // the verdict in the backtest's words: "beat" only when the paired interval is above 0
    expect(d.lo).toBeGreaterThan(0); // on this fixture the published boxes beat all-history counts
    expect(page).toContain(`The published map beat all-history counts by ${pts(d.mean)} percentage points`);
    expect(page).toContain(`95% interval ${pts(d.lo)} to ${pts(d.hi)} points`);
    for (const p of s.perShift)
      expect(page).toContain(
        `<th scope="row">${p.label}</th><td>${p.events}</td><td>${p.boxes}</td><td>${p.catches}</td><td>${pct(p.hitRate)}</td><td>${pct(p.naiveAllHitRate)}</td>`,
      );
    for (const [name, v] of Object.entries(s.perDistrict))
      expect(page).toContain(`<th scope="row">${esc(name)}</th><td>${v.boxes}</td><td>${v.events}</td><td>${v.catches}</td>`);
    for (const b of [...review.dosage.bands, review.dosage.notInLog])
      expect(page).toContain(`<th scope="row">${b.label}</th><td>${esc(b.rule)}</td><td>${b.boxShifts}</td><td>${b.crimes}</td>`);
    expect(page).toContain(`${review.concentration.boxes} boxes published at ${review.concentration.distinctPlaces} distinct places`);
    expect(page).toMatch(
      /Late-recorded incidents<\/h2>\n<p>0 of 6 reviewed shifts have a known late status: 0 of their scored crimes were recorded late/,
    );
    expect(page).toContain('not an estimate of what patrol did');
  });

  it("holds no incident-level data: no coordinate of any incident, no date-time but the shifts' starts", () => {
    const raw = gunzipSync(readFileSync(VANCOUVER[1]!)).toString('utf8').split('\n').slice(1);
    const found: string[] = [];
    const pairs = new Set<string>();
    for (const m of page.matchAll(/(-?\d+\.\d+)\s*,\s*(-?\d+\.\d+)/g))
      for (const k of [4, 5, 6])
        pairs.add(`${Number(m[1]).toFixed(k)},${Number(m[2]).toFixed(k)}`).add(`${Number(m[2]).toFixed(k)},${Number(m[1]).toFixed(k)}`);
    for (const inc of incidents)
      for (const k of [4, 5, 6]) if (pairs.has(`${inc.lat.toFixed(k)},${inc.lng.toFixed(k)}`)) found.push(`${inc.lat},${inc.lng}`);
    for (const row of raw) {
      const f = row.split(',');
      if (f.length < 10 || f[8] === '') continue;
      if (page.includes(f[8]!) || page.includes(f[9]!)) found.push(`X/Y ${f[8]},${f[9]}`);
    }
    expect(found).toEqual([]);
    const shiftStarts = new Set(lines.map((l) => l.shift.label.slice(0, 16)));
    for (const m of page.matchAll(/\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}/g)) expect(shiftStarts).toContain(m[0].replace('T', ' '));
  });

  it('without a patrol log the page and the report say dosage is unknown', async () => {
    const plainHtml = join(dir, 'plain.html');
    const ran = await runCli(['review', log, ...VANCOUVER, '--allow-replays', '--html', plainHtml]);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/dosage: unknown: no patrol log/);
    expect(readFileSync(plainHtml, 'utf8')).toContain('<p>Dosage unknown: no patrol log was given');
  });
});

describe('parsePatrolLog: header, synonyms and row shapes', () => {
  it('finds columns by common names in any case, takes district as optional, skips blank lines', () => {
    const f = parsePatrolLog('\uFEFFSHIFT,Box Rank,Mins\r\n2023-07-01 06:00,1,15\r\n\r\n2023-07-01 06:00,2,\r\n', 'p.csv');
    expect(f.columns).toEqual({ shift: 'SHIFT', district: null, box: 'Box Rank', minutes: 'Mins' });
    expect(f.rows.map((r) => [r.line, r.box, r.minutes])).toEqual([
      [2, '1', '15'],
      [4, '2', ''],
    ]);
    expect(f.rowsRead).toBe(2);
  });

  it('keeps a row with blank trailing fields (a spreadsheet export) and rejects one with extra values', () => {
    const f = parsePatrolLog('shift,box,minutes\n2023-07-01 06:00,1,15,,\n2023-07-01 06:00,1,15,x\n', 'p.csv');
    expect(f.rows).toHaveLength(1);
    expect(f.rejected).toEqual([
      { line: 3, field: 'row', reason: 'wrong_field_count', why: expect.stringContaining('4 fields, the header has 3') },
    ]);
  });

  it('a stray quote costs its own row only: the lines after it are read again', () => {
    const f = parsePatrolLog('shift,box,minutes\n2023-07-01 06:00,"1,15\n2023-07-01 06:00,2,15\n2023-07-01 06:00,"3",15\n', 'p.csv');
    expect(f.rejected.map((r) => [r.line, r.field, r.reason])).toEqual([[2, 'row', 'unclosed_quote']]);
    expect(f.rows.map((r) => [r.line, r.box])).toEqual([
      [3, '2'],
      [4, '3'],
    ]);
    expect(f.rowsRead).toBe(3);
  });

  it('refuses a file whose first line is data, or that is empty, naming the file', () => {
    expect(() => parsePatrolLog('2023-07-01 06:00,1,15\n', 'p.csv')).toThrow(
      /p\.csv, line 1: the first line looks like data, not a header/,
    );
    expect(() => parsePatrolLog('', 'p.csv')).toThrow(/p\.csv: no header line/);
  });

  it("the review's headline says level, never beat, when the paired interval spans 0", () => {
    const iv = (mean: number, lo: number, hi: number) => ({ mean, lo, hi, n: 6 });
    const scores = {
      hitRate: iv(0.4, 0.35, 0.45),
      naiveAllHitRate: iv(0.39, 0.34, 0.44),
      paired: { diff: iv(0.01, -0.005, 0.02), relative: iv(0.0256, -0.01, 0.05) },
    } as unknown as ReviewScores;
    const h = reviewHeadline(scores);
    expect(h.verdict).toBe('no clear difference');
    expect(h.sentence).toContain(
      "Over 6 shifts, the published boxes caught 40.0% of each shift's crime on average (95% interval 35.0% to 45.0%)",
    );
    expect(h.sentence).toContain(
      '(+2.6%; 95% interval −0.50 to +2.00 points), is within noise: the published map is level with all-history counts.',
    );
    expect(h.sentence).not.toMatch(/beat/);
    const better = reviewHeadline({ ...scores, paired: { diff: iv(0.01, 0.002, 0.02), relative: iv(0.0256, 0.01, 0.05) } });
    expect(better.sentence).toContain(
      'The published map beat all-history counts by +1.00 percentage points (+2.6%; 95% interval +0.20 to +2.00 points): a real but small gain.',
    );
  });

  it('parses band edges: whole minutes increasing from 0', () => {
    expect(parseDosageBands('0,15,30,60')).toEqual([0, 15, 30, 60]);
    for (const bad of ['15,30', '0,30,15', '0,7.5', '0,,5', '0,x']) expect(() => parseDosageBands(bad)).toThrow(/--dosage-bands/);
  });
});
