/**
 * A box's place from its incidents' location text (issue 12): the rule on hand-worked cases,
 * and grid boxes through patrolBoxes.
 */
import { describe, expect, it } from 'vitest';
import { boxPlace, boxesToCsv, boxesToGeoJSON, forecastShift, patrolBoxes, placeText, rankPlaces } from '../../engine/forecast/index.ts';
import { cellCenter, gridDisk, incidentCell } from '../../engine/grid/index.ts';
import { contributorParams } from '../../engine/model/index.ts';
import { parse } from 'csv-parse/sync';
import { HOUR_MS, makeEvents, makeFit, makeIncident } from './helpers.ts';

const CENTRE = { lat: 49.2827, lng: -123.1207 };

describe('boxPlace (hand-worked)', () => {
  it('names the most common text with its share of the incidents that have one', () => {
    // X 3, Y 1 of 4 texts (a fifth incident has none): X 75%, no second
    const p = boxPlace(['X', 'Y', null, 'X', 'X'], CENTRE);
    expect(p).toEqual({
      kind: 'text',
      first: { text: 'X', count: 3, share: 0.75 },
      second: null,
      incidents: 5,
      withText: 4,
      lat: CENTRE.lat,
      lng: CENTRE.lng,
    });
    expect(placeText(p, 'West End')).toBe('X (75%)');
  });

  it('adds the second when the first is under half; equal counts alphabetically, whatever the order', () => {
    // B 2, A 2, C 1 of 5 texts: A and B tie at 40%, A first (alphabetical)
    const texts = ['B', 'C', 'A', null, 'B', 'A', ''];
    const p = boxPlace(texts, CENTRE);
    expect(p.first).toEqual({ text: 'A', count: 2, share: 0.4 });
    expect(p.second).toEqual({ text: 'B', count: 2, share: 0.4 });
    expect(p.withText).toBe(5);
    expect(placeText(p, 'D')).toBe('A (40%); B (40%)');
    expect(boxPlace([...texts].reverse(), CENTRE)).toEqual(p);
  });

  it('exactly half is not under half: one text', () => {
    const p = boxPlace(['On or near Bank Street', 'On or near Bank Street', 'On or near Apple Row', 'On or near Zed Road'], CENTRE);
    expect(p.second).toBeNull();
    expect(placeText(p, 'Ashford')).toBe('On or near Bank Street (50%)');
  });

  it('one third, then two of 7: rounds the shares to whole percents', () => {
    // P 3/7 = 42.86% → 43%, Q 2/7 = 28.57% → 29%
    const p = boxPlace(['P', 'Q', 'P', 'R', 'Q', 'P', 'S'], CENTRE);
    expect(placeText(p, 'D')).toBe('P (43%); Q (29%)');
  });

  it('without any text: the district and the centre, 5 decimals', () => {
    const p = boxPlace([null, undefined, ''], CENTRE);
    expect(p.kind).toBe('centre');
    expect(p.first).toBeNull();
    expect(p.incidents).toBe(3);
    expect(placeText(p, 'West End')).toBe('West End, near 49.28270, -123.12070');
    expect(placeText(boxPlace([], { lat: -33.8688, lng: 151.20929 }), 'Sydney')).toBe('Sydney, near -33.86880, 151.20929');
  });

  it('rankPlaces sorts by count, then by text in code-unit order', () => {
    const r = rankPlaces(
      new Map([
        ['b', 1],
        ['B', 1],
        ['a', 3],
      ]),
    );
    expect(r.map((p) => p.text)).toEqual(['a', 'B', 'b']);
    expect(r.map((p) => p.share)).toEqual([0.6, 0.2, 0.2]);
  });
});

describe('patrolBoxes: each grid box named by its own cell’s incidents', () => {
  const a = incidentCell(CENTRE.lat, CENTRE.lng, 10);
  const [b] = gridDisk(a, 1).filter((c) => c !== a);
  const origin = Date.UTC(2024, 0, 1);
  const s = origin + 100 * HOUR_MS;
  // cell a: 8XX W GEORGIA ST ×2, 7XX W GEORGIA ST ×1, one without text; cell b: none with text
  const evs: [string, number][] = [
    [a, 10],
    [a, 20],
    [a, 30],
    [a, 40],
    [b!, 50],
  ];
  const texts = ['8XX W GEORGIA ST', '7XX W GEORGIA ST', null, '8XX W GEORGIA ST', null];
  const incidents = evs.map((_, i) => ({ ...makeIncident(`i${i}`, 'Theft'), location: texts[i]! }));
  const history = makeEvents(origin, evs);
  const fit = makeFit(0.2, 1 / 16, { [a]: 0.01, [b!]: 0.005 });
  const boxes = patrolBoxes(forecastShift(fit, history, s, 8), {
    districtOf: () => 'Downtown',
    contributorParams: contributorParams(fit),
    history,
    incidents,
    startMs: s,
    hours: 8,
  });

  it('a: 2 of 3 texts → "8XX W GEORGIA ST (67%)"; b: no text → district and centre', () => {
    expect(boxes.map((x) => x.h3)).toEqual([a, b]);
    expect(boxes[0]!.place).toBe('8XX W GEORGIA ST (67%)');
    expect(boxes[0]!.placeDetail).toMatchObject({ incidents: 4, withText: 3, second: null });
    const c = cellCenter(b!);
    expect(boxes[1]!.place).toBe(`Downtown, near ${c.lat.toFixed(5)}, ${c.lng.toFixed(5)}`);
    expect(boxes[1]!.placeDetail!.kind).toBe('centre');
  });

  it('GeoJSON property place, CSV column place (formula text neutralised)', () => {
    const gj = boxesToGeoJSON(boxes);
    expect(gj.features.map((f) => f.properties.place)).toEqual(boxes.map((x) => x.place));
    expect(gj.features[0]!.properties.placeDetail).toEqual(boxes[0]!.placeDetail);
    const rows = parse(boxesToCsv([...boxes, { ...boxes[0]!, place: '=HYPERLINK("x")' }]), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.place)).toEqual([boxes[0]!.place, boxes[1]!.place, `'=HYPERLINK("x")`]);
  });
});
