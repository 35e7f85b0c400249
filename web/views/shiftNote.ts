/** The sergeant's note above the map: which shift is drawn and what the model knew for it. */
import type { DatasetInfo } from '../protocol.ts';

/** The three shifts' names by local start time (other starts are "chosen" shifts). */
export const SHIFT_NAMES: Readonly<Record<string, string>> = { '06:00': 'Day', '14:00': 'Evening', '22:00': 'Night' };

/**
 * The note for the shift starting at local `start` ("YYYY-MM-DD HH:MM"): "tonight" when it is the
 * night after the data ends, the first day after it for the other shifts, or a replay of a shift
 * inside the data (the model then sees only what was known before it). '' without dates.
 */
export function shiftNote(info: Pick<DatasetInfo, 'dayAfterLast' | 'lastDate'>, start: string): string {
  if (!info.dayAfterLast) return '';
  const date = start.slice(0, 10);
  const name = (SHIFT_NAMES[start.slice(11)] ?? 'chosen').toLowerCase();
  const ends = `The data ends on ${info.lastDate ?? '?'}`;
  if (date === info.dayAfterLast && name === 'night') {
    return (
      `${ends}, so "tonight" is ${info.dayAfterLast}: the boxes below are the forecast for the first night after the last recorded incident. ` +
      `Pick an earlier date to replay any shift in the data (the model then sees only what happened before it).`
    );
  }
  if (date >= info.dayAfterLast) {
    return `${ends}: the boxes below are the forecast for the ${name} shift of ${date}, the first day after the last recorded incident.`;
  }
  return (
    `Replaying the ${name} shift of ${date}: the model sees only the incidents known before ${start}, as it would have on the day. ` +
    `${ends}; choose ${info.dayAfterLast} for the first shifts after it.`
  );
}
