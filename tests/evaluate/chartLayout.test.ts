/**
 * placeLabels (the end labels of the report charts, web and HTML): hand-worked positions.
 */
import { describe, expect, it } from 'vitest';
import { placeLabels } from '../../engine/evaluate/chartLayout.ts';

describe('placeLabels', () => {
  it('pushes three labels at nearly the same height apart by the gap, in their order', () => {
    // 100, 101, 102 with a 12 px gap: the first stays, the others go to 112 and 124.
    expect(placeLabels([100, 101, 102], 12, 0, 240)).toEqual([100, 112, 124]);
  });

  it('keeps the order of the line ends whatever the input order, ties in input order', () => {
    expect(placeLabels([102, 100, 101], 12, 0, 240)).toEqual([124, 100, 112]);
    expect(placeLabels([50, 50], 12, 0, 240)).toEqual([50, 62]);
  });

  it('stays inside the chart: pulled up from the bottom edge and down from the top edge', () => {
    // Down: 235, 247, 259; the bottom edge 240 pulls them back to 216, 228, 240.
    expect(placeLabels([235, 236, 238], 12, 10, 240)).toEqual([216, 228, 240]);
    // Above the top edge (10): clamped to 10, then 22 and 34.
    expect(placeLabels([-5, 0, 3], 12, 10, 240)).toEqual([10, 22, 34]);
  });

  it('leaves labels that need no room where their lines end', () => {
    expect(placeLabels([30, 200, 100], 12, 0, 240)).toEqual([30, 200, 100]);
    // Only the crowded pair moves: 100 and 104 become 100 and 112; 30 and 200 stay.
    expect(placeLabels([30, 104, 200, 100], 12, 0, 240)).toEqual([30, 112, 200, 100]);
  });

  it('spreads the labels evenly over the band when the full gap does not fit', () => {
    // Five labels need 48 px with a 12 px gap; the band is 24 px: 6 px apart, order kept.
    expect(placeLabels([5, 4, 3, 2, 1], 12, 0, 24)).toEqual([24, 18, 12, 6, 0]);
  });

  it('passes non-finite positions through and gives them no room', () => {
    expect(placeLabels([NaN, 10, 11], 12, 0, 240)).toEqual([NaN, 10, 22]);
    expect(placeLabels([], 12, 0, 240)).toEqual([]);
  });
});
