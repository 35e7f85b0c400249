/**
 * The place of a placed box through the service (issue 12), hand-worked on the two-cell case of
 * placement.test.ts: the box over F (of A) and G (of B) holds all six incidents, the grid box A
 * only F's three, so their places differ as worked out below.
 */
import { describe, expect, it } from 'vitest';
import { cellCenter, shiftBoxes } from '../../engine/index.ts';
import { makeFit } from '../forecast/helpers.ts';
import { SHIFT, incidentAt, straddle } from './support.ts';

const HOUR_MS = 3_600_000;
const S = SHIFT.startMs;

const { a: A, b: B, f: F, g: G } = straddle();

const incident = incidentAt;

const BANK = 'On or near Bank Street';
const TUFTON = 'On or near Tufton Street';
const incidents = [
  incident('f1', F, 10, BANK),
  incident('f2', F, 20, BANK),
  incident('f3', F, 30, TUFTON),
  incident('g1', G, 5, TUFTON),
  incident('g2', G, 50, null),
  incident('g3', G, 100, 'On or near Apple Row'),
];
const fit = { ...makeFit(0.5, 0.1, { [A]: 0.1, [B]: 0.05 }), window: { startMs: S - 200 * HOUR_MS, endMs: S } };
const request = { incidents, tz: 'America/Vancouver', res: 10, shift: SHIFT, fit, top: 1 } as const;

describe('shiftBoxes: the place of a placed box and of a grid box (hand-worked)', () => {
  it('placed box over F and G: Bank 2, Tufton 2, Apple Row 1 of 5 texts (6 incidents) → the tie, alphabetically', () => {
    const [box] = shiftBoxes(request).boxes;
    expect(box!.cells).toContain(F);
    expect(box!.cells).toContain(G);
    expect(box!.place).toBe(`${BANK} (40%); ${TUFTON} (40%)`);
    expect(box!.placeDetail).toMatchObject({ kind: 'text', incidents: 6, withText: 5 });
  });

  it('grid box A: F only, Bank 2 of 3 → one text', () => {
    const [box] = shiftBoxes({ ...request, placement: 'grid' }).boxes;
    expect(box!.h3).toBe(A);
    expect(box!.place).toBe(`${BANK} (67%)`);
  });

  it('without text: the district and the centre of the box centre (a fine cell)', () => {
    const [box] = shiftBoxes({ ...request, incidents: incidents.map((i) => ({ ...i, location: null })) }).boxes;
    const c = cellCenter(box!.h3);
    expect(box!.place).toBe(`D, near ${c.lat.toFixed(5)}, ${c.lng.toFixed(5)}`);
    expect(box!.placeDetail).toMatchObject({ kind: 'centre', first: null, incidents: 6, withText: 0 });
  });
});
