/** The sergeant view's pure wording: the rank legend's steps and the note for the shift drawn. */
import { describe, expect, it } from 'vitest';
import { RANK_BREAKS, rankLegendSteps } from '../../web/legend.ts';
import { RANK_COLOURS } from '../../web/map.ts';
import { shiftNote } from '../../web/views/shiftNote.ts';

describe('rank legend', () => {
  it('names only the ranks drawn: 20 boxes give five steps and no "21+"', () => {
    expect(rankLegendSteps(20)).toEqual(['1–3', '4–6', '7–10', '11–15', '16–20']);
  });
  it('closes the last step at the largest rank', () => {
    expect(rankLegendSteps(8)).toEqual(['1–3', '4–6', '7–8']);
    expect(rankLegendSteps(35)).toEqual(['1–3', '4–6', '7–10', '11–15', '16–20', '21–35']);
    expect(rankLegendSteps(21)).toEqual(['1–3', '4–6', '7–10', '11–15', '16–20', '21']);
    expect(rankLegendSteps(1)).toEqual(['1']);
    expect(rankLegendSteps(0)).toEqual([]);
  });
  it('has one colour per step', () => {
    expect(RANK_COLOURS).toHaveLength(RANK_BREAKS.length + 1);
  });
});

describe('the note above the shift map', () => {
  const info = { dayAfterLast: '2024-01-01', lastDate: '2023-12-31' };
  it('tonight: the night after the data ends', () => {
    expect(shiftNote(info, '2024-01-01 22:00')).toMatch(/^The data ends on 2023-12-31, so "tonight" is 2024-01-01: /);
  });
  it("the first day's other shifts", () => {
    expect(shiftNote(info, '2024-01-01 06:00')).toBe(
      'The data ends on 2023-12-31: the boxes below are the forecast for the day shift of 2024-01-01, the first day after the last recorded incident.',
    );
  });
  it('a replayed shift inside the data says what the model knew', () => {
    expect(shiftNote(info, '2023-07-15 14:00')).toBe(
      'Replaying the evening shift of 2023-07-15: the model sees only the incidents known before 2023-07-15 14:00, as it would have on the day. ' +
        'The data ends on 2023-12-31; choose 2024-01-01 for the first shifts after it.',
    );
    expect(shiftNote(info, '2023-07-15 09:30')).toContain('Replaying the chosen shift of 2023-07-15');
  });
  it('no dates, no note', () => {
    expect(shiftNote({ dayAfterLast: null, lastDate: null }, '2023-07-15 14:00')).toBe('');
  });
});
