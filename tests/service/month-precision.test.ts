/**
 * The web app on month-precision data (data.police.uk, the Kent fixture), through the worker's
 * jobs (web/engineHost.ts) in Node: a "Night 22:00-06:00" forecast in mid-June trains only on
 * the months that had ended by the shift start (January to May), never on June's incidents
 * (dated 1 June, known only once June has ended), and says that month precision cannot
 * support shift forecasts.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { forecast, load } from '../../web/engineHost.ts';
import type { ForecastResult } from '../../web/protocol.ts';

const FILE = 'fixtures/kent/ashford_2014.csv.gz';

async function loadText(text: string): Promise<void> {
  const bytes = new TextEncoder().encode(text);
  await load({ kind: 'files', files: [{ name: 'ashford_2014.csv', bytes: bytes.buffer as ArrayBuffer }] }, () => {});
}

function night(): ForecastResult {
  const model = { model: 'etas' as const, res: 10, categories: null, trainingDays: null, fitOptions: {}, top: 5 };
  return forecast({ date: '2014-06-15', shiftStart: '22:00', hours: 8, district: '', model }, () => {});
}

describe('month-precision data in the web app', () => {
  it('a night shift on 15 June trains on January-May only, the same as with every later row removed', async () => {
    const text = gunzipSync(readFileSync(FILE)).toString('utf8');
    await loadText(text);
    const all = night();
    // zcat fixtures/kent/ashford_2014.csv.gz | awk -F, 'NR>1 && $5!="" && $6!=""' by month:
    // 656 + 566 + 684 + 785 + 734 located rows from January to May.
    expect(all.historyEvents).toBe(3425);
    expect(all.warnings.some((w) => /known only to the month: .*shift-level \(8-hour\) forecasts need times/.test(w))).toBe(true);

    const lines = text.split('\n');
    const upToMay = lines.filter((line, i) => i === 0 || line === '' || /^[^,]*,2014-0[1-5],/.test(line));
    await loadText(upToMay.join('\n'));
    const cut = night();
    expect(cut.historyEvents).toBe(3425);
    expect(cut.boxes).toEqual(all.boxes);
    expect(cut.fit).toEqual(all.fit);
  }, 60_000);
});
