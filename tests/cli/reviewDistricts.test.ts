/**
 * `patrolcast review` scores each district as the boxes were published: with the polygons of
 * `publish --districts` (the log names the file and its SHA-256; the review needs the same file,
 * and all-history counts then take their top boxes per the same districts, as the backtest does
 * with --districts), and for data with no districts at all (one district, "(none)").
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import type { PublicationLine } from '../../cli/publishLog.ts';
import type { BacktestReport } from '../../engine/index.ts';
import { logLines, plainIncidents, readJson, sha256 } from './publishSupport.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const VANCOUVER = ['property_2022.csv.gz', 'property_2023.csv.gz'].map((f) => join(ROOT, 'fixtures', 'vancouver', f));
const dir = mkdtempSync(join(tmpdir(), 'patrolcast-review-districts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Review {
  scores: {
    perShift: { label: string; events: number; catches: number; hitRate: number; naiveAllHitRate: number }[];
    perDistrict: Record<string, { boxes: number; catches: number; events: number; hitRate: number | null }>;
  };
}

const ring = (w: number, s: number, e: number, n: number): number[][][] => [
  [
    [w, s],
    [e, s],
    [e, n],
    [w, n],
    [w, s],
  ],
];
/** Two beats covering the whole city, split at longitude `split`. */
const beats = (split: number): string =>
  JSON.stringify({
    type: 'FeatureCollection',
    features: [
      { type: 'Feature', properties: { beat: 'West' }, geometry: { type: 'Polygon', coordinates: ring(-123.3, 49.1, split, 49.4) } },
      { type: 'Feature', properties: { beat: 'East' }, geometry: { type: 'Polygon', coordinates: ring(split, 49.1, -123.0, 49.4) } },
    ],
  });

describe('review of boxes published among district polygons', () => {
  const districts = join(dir, 'beats.geojson');
  const other = join(dir, 'other-beats.geojson');
  const log = join(dir, 'beats.jsonl');
  const out = join(dir, 'beats-review.json');
  let lines: PublicationLine[];
  let review: Review;
  let bt: BacktestReport;

  beforeAll(async () => {
    writeFileSync(districts, beats(-123.1));
    writeFileSync(other, beats(-123.12));
    const pub = await runCli([
      'publish',
      ...VANCOUVER,
      '--from',
      '2023-07-01T06:00',
      '--shifts',
      '3',
      '--out',
      join(dir, 'site'),
      '--log',
      log,
      '--districts',
      districts,
      '--district-property',
      'beat',
    ]);
    expect(pub.code, pub.stderr).toBe(0);
    lines = logLines(log);
    const r = await runCli(['review', log, ...VANCOUVER, '--allow-replays', '--districts', districts, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    review = readJson<Review>(out);
    const btOut = join(dir, 'beats-bt.json');
    const b = await runCli([
      'backtest',
      ...VANCOUVER,
      '--from',
      '2023-07-01',
      '--to',
      '2023-07-02',
      '--models',
      'etas,naive-all-placed',
      '--refit-every-days',
      '1',
      '--top',
      '20',
      '--districts',
      districts,
      '--district-property',
      'beat',
      '--out',
      btOut,
    ]);
    expect(b.code, b.stderr).toBe(0);
    bt = readJson<BacktestReport>(btOut);
  }, 180_000);

  it('the log names the polygons file, its name property and its SHA-256', () => {
    expect(new Set(lines.map((l) => l.district))).toEqual(new Set(['East', 'West']));
    for (const l of lines)
      expect(l.districtsFrom).toEqual({
        kind: 'polygons',
        file: 'beats.geojson',
        property: 'beat',
        sha256: sha256(readFileSync(districts)),
      });
  });

  it('without the file, or with another one, the review stops and says which file the boxes were published with', async () => {
    const none = await runCli(['review', log, ...VANCOUVER, '--allow-replays']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(
      'the reviewed boxes were shared among the districts of beats.geojson: give the same file with --districts --district-property beat',
    );
    const wrong = await runCli(['review', log, ...VANCOUVER, '--allow-replays', '--districts', other]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain(
      `--districts ${other} is not the file the boxes were published with (beats.geojson, SHA-256 ${sha256(readFileSync(districts)).slice(0, 12)}`,
    );
  });

  it("scores per beat, with all-history counts taking their top 20 per beat: the backtest's numbers with the same --districts", () => {
    expect(Object.keys(review.scores.perDistrict).sort()).toEqual(['East', 'West']);
    expect(review.scores.perShift.map((p) => p.events)).toEqual(bt.perShift.events);
    const etas = bt.perShift.models['etas']!.topKHitRate.map((x, i) => Math.round(x! * bt.perShift.events[i]!));
    expect(review.scores.perShift.map((p) => p.catches)).toEqual(etas);
    const naive = bt.perShift.models['naive-all-placed']!.topKHitRate;
    review.scores.perShift.forEach((p, i) => expect(p.naiveAllHitRate).toBeCloseTo(naive[i]!, 6));
    // the beats cover the city: every crime of the shifts is in one of them
    const d = Object.values(review.scores.perDistrict);
    expect(d.reduce((s, x) => s + x.events, 0)).toBe(bt.perShift.events.reduce((s, e) => s + e, 0));
    expect(d.reduce((s, x) => s + x.catches, 0)).toBe(etas.reduce((s, e) => s + e, 0));
    for (const x of d) expect(x.events).toBeGreaterThan(0);
  });
});

describe('review of data with no districts and no crime types', () => {
  it('scores the one district "(none)" with every crime of the shifts, incidents without a type included', async () => {
    const rows = plainIncidents(6000);
    const csv = join(dir, 'plain.csv');
    writeFileSync(csv, `id,datetime,lat,lon\n${rows.map((r) => `${r.id},${r.datetime}Z,${r.lat},${r.lon}`).join('\n')}\n`);
    const log = join(dir, 'plain.jsonl');
    const pub = await runCli([
      'publish',
      csv,
      '--from',
      '2024-01-02T06:00Z',
      '--shifts',
      '3',
      '--out',
      join(dir, 'plain-site'),
      '--log',
      log,
    ]);
    expect(pub.code, pub.stderr).toBe(0);
    expect(logLines(log).map((l) => l.district)).toEqual(['(none)', '(none)', '(none)']);
    // trained on incidents without a type: the log says so (before, [] and a review that scored nothing)
    expect(logLines(log).map((l) => l.categories)).toEqual([['(none)'], ['(none)'], ['(none)']]);
    const out = join(dir, 'plain-review.json');
    const r = await runCli(['review', log, csv, '--allow-replays', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const s = readJson<Review>(out).scores;
    const events = s.perShift.reduce((t, p) => t + p.events, 0);
    const catches = s.perShift.reduce((t, p) => t + p.catches, 0);
    // the rows dated in the three shifts (06:00 UTC on 2 January to 06:00 on the 3rd), counted from the rows
    const from = Date.parse('2024-01-02T06:00Z');
    const inShifts = rows.filter((r) => Date.parse(`${r.datetime}Z`) >= from && Date.parse(`${r.datetime}Z`) < from + 86_400_000);
    expect(events).toBe(inShifts.length);
    expect(events).toBe(10);
    expect(s.perDistrict).toEqual({ '(none)': { boxes: 60, catches, events, hitRate: catches / events, shareOfCrime: catches / events } });
  }, 60_000);
});
