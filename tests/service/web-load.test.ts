/**
 * The web app's loader (web/dataset.ts loadSource, run in the worker) applies the CLI's rules on
 * bad rows and duplicates: the same warnings, the same refusal of a mostly rejected file, the
 * same dropping of a file given twice (issue 10, items 2 and 5).
 */
import { describe, expect, it } from 'vitest';
import { loadSource } from '../../web/dataset.ts';

const bytes = (text: string): ArrayBuffer => new TextEncoder().encode(text).buffer as ArrayBuffer;

function plain(good: number, bad: number): string {
  const rows = ['id,datetime,lat,lon,category'];
  for (let k = 0; k < good; k++) rows.push(`g${k},2023-01-${String(1 + (k % 28)).padStart(2, '0')}T10:00Z,49.28,-123.12,theft`);
  for (let k = 0; k < bad; k++) rows.push(`b${k},2023-02-30T10:00Z,49.28,-123.12,theft`);
  return `${rows.join('\n')}\n`;
}

describe('web loadSource: rejected rows and duplicates', () => {
  it('warns with the counts by reason, and drops a file given twice as duplicates', async () => {
    const text = plain(30, 2);
    const { info, incidents } = await loadSource(
      {
        kind: 'files',
        files: [
          { name: 'a.csv', bytes: bytes(text) },
          { name: 'b.csv', bytes: bytes(text) },
        ],
      },
      () => {},
    );
    expect(incidents).toHaveLength(30);
    expect(info.summary.rejectedByReason).toEqual({ duplicate: 30, bad_time: 4 });
    expect(info.warnings).toEqual([
      'a.csv: 2 of 32 rows rejected (bad_time 2)',
      'b.csv: 32 of 32 rows rejected (duplicate 30, bad_time 2)',
    ]);
  });

  it("names the columns it found under other names, as the CLI's note does", async () => {
    const text = 'Occurred,Latitude,Longitude,Offense\n2023-01-01T10:00Z,49.28,-123.12,theft\n2023-01-02T10:00Z,49.28,-123.12,theft\n';
    const { info, incidents } = await loadSource({ kind: 'files', files: [{ name: 'other.csv', bytes: bytes(text) }] }, () => {});
    expect(incidents).toHaveLength(2);
    expect(info.warnings).toEqual([
      'other.csv: read datetime from the column "Occurred", lat from the column "Latitude", lon from the column "Longitude", category from the column "Offense"',
    ]);
  });

  it('reads slash dates day first when the Dates setting says so, and refuses the file by default', async () => {
    const text = 'Date,Latitude,Longitude\n01/02/2020 10:30,51.5,-0.1\n13/02/2020 10:30,51.5,-0.1\n';
    const files = [{ name: 'uk.csv', bytes: bytes(text) }];
    await expect(loadSource({ kind: 'files', files, tz: 'Europe/London' }, () => {})).rejects.toMatchObject({
      message: expect.stringContaining('uk.csv: dates are written day first (line 3: "13/02/2020 10:30")'),
    });
    const { incidents } = await loadSource({ kind: 'files', files, tz: 'Europe/London', dateOrder: 'dmy' }, () => {});
    expect(incidents.map((i) => new Date(i.timeMs).toISOString())).toEqual(['2020-02-01T10:30:00.000Z', '2020-02-13T10:30:00.000Z']);
  });

  it('refuses a file of which more than half was rejected, with the same message as the CLI', async () => {
    await expect(loadSource({ kind: 'files', files: [{ name: 'm.csv', bytes: bytes(plain(10, 11)) }] }, () => {})).rejects.toMatchObject({
      code: 'E_MOSTLY_REJECTED',
      message: expect.stringContaining('m.csv: 11 of 21 rows rejected (bad_time 11): more than half of the file was rejected'),
    });
  });
});
