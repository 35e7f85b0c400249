import { describe, expect, it } from 'vitest';
import {
  CATEGORY_PRESETS,
  IngestError,
  ingestCsvText,
  mergeIngestResults,
  resolveCategories,
  summarizeIngest,
} from '../../engine/ingest/index.ts';
import { expectCoded } from '../support/coded.ts';

const a = ingestCsvText('id,datetime,lat,lon,category\n1,2023-01-02T10:00Z,1,1,theft\n2,2023-01-01T10:00Z,1,1,\n3,,1,1,theft\n', {
  file: 'a.csv',
});
const b = ingestCsvText('id,datetime,lat,lon,category\n4,2023-02-01,1,1,burglary\n5,2023-01-03T10:00Z,0,0,theft\n', {
  file: 'b.csv',
  tz: 'UTC',
});

describe('mergeIngestResults', () => {
  it('concatenates incidents and rejections in file order and adds the row counts', () => {
    const m = mergeIngestResults([a, b]);
    expect(m.rowsRead).toBe(5);
    expect(m.incidents.map((i) => i.id)).toEqual(['1', '2', '4']);
    expect(m.rejected.map((r) => `${r.source.file}:${r.source.line}:${r.reason}`)).toEqual(['a.csv:4:missing_time', 'b.csv:3:coords_zero']);
  });
  it('throws IngestError E_ARGUMENT on an empty list', () => {
    expectCoded(() => mergeIngestResults([]), IngestError, 'E_ARGUMENT', []);
  });
});

describe('summarizeIngest', () => {
  it('counts reasons, categories ((none) for null), precision, unknown times, first and last', () => {
    expect(summarizeIngest(mergeIngestResults([a, b]))).toEqual({
      rowsRead: 5,
      accepted: 3,
      rejected: 2,
      rejectedByReason: { coords_zero: 1, missing_time: 1 },
      categories: { '(none)': 1, burglary: 1, theft: 1 },
      first: '2023-01-01T10:00:00.000Z',
      last: '2023-02-01T00:00:00.000Z',
      precision: { minute: 2, day: 1 },
      timeOfDayUnknown: 1,
    });
  });
  it('gives null first/last when nothing was accepted', () => {
    const s = summarizeIngest(ingestCsvText('datetime,lat,lon\n', { file: 'e' }));
    expect(s).toMatchObject({ rowsRead: 0, accepted: 0, first: null, last: null });
  });
});

describe('CATEGORY_PRESETS', () => {
  it('lists the 7 Vancouver property types', () => {
    expect(CATEGORY_PRESETS['vancouver-property']!.categories).toHaveLength(7);
  });
  it('resolveCategories takes a preset name or a list', () => {
    expect(resolveCategories('police-uk-burglary-vehicle')).toEqual(['Burglary', 'Vehicle crime']);
    expect(resolveCategories(' theft, burglary ,')).toEqual(['theft', 'burglary']);
  });
});
