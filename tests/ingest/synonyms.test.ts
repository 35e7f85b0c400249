/**
 * Plain files with other column names (engine/ingest/plain.ts COLUMN_SYNONYMS): the common names
 * are found without --columns, and a note names each one taken; an explicit mapping reads the
 * same incidents (the oracle); names that would lose information are not guessed.
 */
import { describe, expect, it } from 'vitest';
import { IngestError, ingestCsvText, ingestGeoJson } from '../../engine/ingest/index.ts';
import { joinDateTime } from '../../engine/ingest/splitTime.ts';
import { fixtureText } from './helpers.ts';

const strip = <T extends { source: unknown }>(xs: readonly T[]): Omit<T, 'source'>[] => xs.map(({ source: _, ...rest }) => rest);

describe('columns found under common names', () => {
  it("reads Chicago's date,latitude,longitude header without --columns: the incidents of the explicit mapping, and a note", () => {
    const text = fixtureText('chicago/district1_2010_2016.csv.gz');
    const guessed = ingestCsvText(text, { file: 'chicago.csv.gz', tz: 'America/Chicago' });
    const mapped = ingestCsvText(text, {
      file: 'chicago.csv.gz',
      tz: 'America/Chicago',
      columns: { datetime: 'date', lat: 'latitude', lon: 'longitude' },
    });
    expect(guessed.incidents).toHaveLength(1720);
    expect(strip(guessed.incidents)).toEqual(strip(mapped.incidents));
    expect(guessed.notes).toEqual([
      'chicago.csv.gz: read datetime from the column "date", lat from the column "latitude", lon from the column "longitude"',
    ]);
    expect(mapped.notes).toBeUndefined(); // mapped by the user: nothing to say
  });

  it('prefers the own name to a synonym, and says nothing of it', () => {
    const r = ingestCsvText('lat,latitude,lon,datetime,type\n41.5,9,-87.5,2023-07-01T05:15Z,theft\n', { file: 'a.csv' });
    expect(r.incidents[0]).toMatchObject({ lat: 41.5, lng: -87.5, category: 'theft' });
    expect(r.notes).toEqual(['a.csv: read category from the column "type"']);
  });

  it('takes id, category and district names case-insensitively (Case_Number, Offense, Precinct), but not a beat', () => {
    const r = ingestCsvText(
      'Case_Number,Occurred_At,Latitude,Longitude,Offense,Precinct,Beat\nJX1,2023-07-01T05:15Z,41.5,-87.5,burglary,P3,B31\n',
      {
        file: 'b.csv',
      },
    );
    expect(r.incidents[0]).toMatchObject({ id: 'JX1', category: 'burglary', district: 'P3', timeMs: Date.UTC(2023, 6, 1, 5, 15) });
    expect(r.notes![0]).toBe(
      'b.csv: read id from the column "Case_Number", datetime from the column "Occurred_At", lat from the column "Latitude", lon from the column "Longitude", category from the column "Offense", district from the column "Precinct"',
    );
    const beatOnly = ingestCsvText('datetime,lat,lon,beat\n2023-07-01T05:15Z,41.5,-87.5,B31\n', { file: 'c.csv' });
    expect(beatOnly.incidents[0]!.district).toBeNull();
    expect(beatOnly.notes).toBeUndefined();
  });

  it('takes the names with spaces for underscores, as portals write them ("Case Number", "Primary Type")', () => {
    const r = ingestCsvText('Case Number,Date,Primary Type,District,Latitude,Longitude\nJA1,2016-01-01 00:05,THEFT,001,41.88,-87.63\n', {
      file: 'chi.csv',
      tz: 'America/Chicago',
    });
    expect(r.incidents[0]).toMatchObject({
      id: 'JA1',
      category: 'THEFT',
      district: '001',
      lat: 41.88,
      lng: -87.63,
      timeMs: Date.UTC(2016, 0, 1, 6, 5),
    });
    expect(r.notes).toEqual([
      'chi.csv: read id from the column "Case Number", datetime from the column "Date", lat from the column "Latitude", lon from the column "Longitude", category from the column "Primary Type"',
    ]);
  });

  it('reads a date column beside a time or hour column as one date-time, never the date alone', () => {
    const t = ingestCsvText('date,time,lat,lon\n2023-07-01,05:15,41.5,-87.5\n2023-07-02,,41.5,-87.5\n', { file: 'd.csv', tz: 'UTC' });
    expect(t.incidents.map((i) => [new Date(i.timeMs).toISOString(), i.precision])).toEqual([
      ['2023-07-01T05:15:00.000Z', 'minute'],
      ['2023-07-02T00:00:00.000Z', 'day'], // no time of day written: the day
    ]);
    const h = ingestCsvText('Date,Hour,lat,lon\n2023-07-01,5,41.5,-87.5\n', { file: 'h.csv', tz: 'UTC' });
    expect(h.incidents[0]).toMatchObject({ timeMs: Date.UTC(2023, 6, 1, 5), precision: 'hour' });
    // alone, a date column is read, as a day (time of day unknown)
    const day = ingestCsvText('date,lat,lon\n2023-07-01,41.5,-87.5\n', { file: 'e.csv', tz: 'UTC' });
    expect(day.incidents[0]).toMatchObject({ precision: 'day', timeOfDayUnknown: true });
  });

  it("joins mapped date and time columns, Los Angeles' way (a placeholder time in the date, HHMM in the time)", () => {
    const r = ingestCsvText(
      'DR_NO,DATE OCC,TIME OCC,Crm Cd Desc,LAT,LON\n1,01/08/2020 12:00:00 AM,2230,BATTERY,34.05,-118.25\n2,01/09/2020 12:00:00 AM,0945,THEFT,34.05,-118.25\n3,01/09/2020 12:00:00 AM,930,THEFT,34.05,-118.25\n',
      {
        file: 'la.csv',
        tz: 'America/Los_Angeles',
        columns: { id: 'DR_NO', date: 'DATE OCC', time: 'TIME OCC', category: 'Crm Cd Desc', lat: 'LAT', lon: 'LON' },
      },
    );
    // by hand: PST is UTC−8 in January
    expect(r.incidents.map((i) => [i.id, new Date(i.timeMs).toISOString(), i.category])).toEqual([
      ['1', '2020-01-09T06:30:00.000Z', 'BATTERY'],
      ['2', '2020-01-09T17:45:00.000Z', 'THEFT'],
      ['3', '2020-01-09T17:30:00.000Z', 'THEFT'],
    ]);
  });

  it('joinDateTime: the forms of a time of day, worked by hand', () => {
    expect(joinDateTime('2020-01-08', '2230', false)).toBe('2020-01-08 22:30');
    expect(joinDateTime('2020-01-08', '930', false)).toBe('2020-01-08 09:30');
    expect(joinDateTime('2020-01-08', '10:30 PM', false)).toBe('2020-01-08 22:30');
    expect(joinDateTime('2020-01-08', '12:05:09 am', false)).toBe('2020-01-08 00:05:09');
    expect(joinDateTime('2020-01-08', '9:05', false)).toBe('2020-01-08 09:05');
    expect(joinDateTime('2020-01-08', '7', true)).toBe('2020-01-08 07');
    expect(joinDateTime('01/08/2020', '7', true)).toBe('01/08/2020 7:00');
    expect(joinDateTime('01/08/2020', '10:30 PM', false)).toBe('01/08/2020 10:30 PM');
    expect(joinDateTime('2020-01-08T00:00:00', '2230', false)).toBe('2020-01-08 22:30');
    expect(joinDateTime('2020-01-08', '  ', false)).toBe('2020-01-08');
  });

  it('finds GeoJSON properties by the same names, and says "property"', () => {
    const fc = {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          properties: { occurred: '2023-07-01T05:15Z', offence: 'robbery' },
          geometry: { type: 'Point', coordinates: [-87.5, 41.5] },
        },
      ],
    };
    const r = ingestGeoJson(fc, { file: 'g.geojson' });
    expect(r.incidents[0]).toMatchObject({ category: 'robbery', timeMs: Date.UTC(2023, 6, 1, 5, 15), lat: 41.5, lng: -87.5 });
    expect(r.notes).toEqual(['g.geojson: read datetime from the property "occurred", category from the property "offence"']);
  });
});

describe('dates written with slashes, month first (US portals)', () => {
  const text =
    'Case Number,Date,Primary Type,Latitude,Longitude\nJA1,01/08/2020 10:30:00 PM,THEFT,41.88,-87.63\nJA2,01/09/2020 12:00:00 AM,THEFT,41.88,-87.63\nJA3,1/9/2020 12:15 PM,THEFT,41.88,-87.63\nJA4,01/10/2020,THEFT,41.88,-87.63\nJA5,01/10/2020 13:00 PM,THEFT,41.88,-87.63\n';

  it('reads MM/DD/YYYY with AM/PM (12 AM is midnight, time of day unknown as for 00:00), and says so in a note', () => {
    const r = ingestCsvText(text, { file: 'portal.csv', tz: 'America/Chicago' });
    // by hand: CST is UTC−6 in January
    expect(r.incidents.map((i) => [i.id, new Date(i.timeMs).toISOString(), i.precision, i.timeOfDayUnknown])).toEqual([
      ['JA1', '2020-01-09T04:30:00.000Z', 'minute', false],
      ['JA2', '2020-01-09T06:00:00.000Z', 'minute', true],
      ['JA3', '2020-01-09T18:15:00.000Z', 'minute', false],
      ['JA4', '2020-01-10T06:00:00.000Z', 'day', true],
    ]);
    expect(r.rejected.map((x) => [x.source.line, x.reason, x.field, x.value, x.message])).toEqual([
      [6, 'bad_time', 'date', '01/10/2020 13:00 PM', 'portal.csv line 6 field "date" = "01/10/2020 13:00 PM": hour 13 with pm'],
    ]);
    expect(r.notes).toContain('portal.csv: read 4 dates written with slashes month first, MM/DD/YYYY (line 2: "01/08/2020 10:30:00 PM")');
  });

  it('refuses a day-first file whole, naming the first date that cannot be month first, rather than misread its other rows', () => {
    let err: unknown;
    try {
      ingestCsvText('Date,Latitude,Longitude\n01/02/2020 10:30,51.5,-0.1\n13/02/2020 10:30,51.5,-0.1\n', {
        file: 'uk.csv',
        tz: 'Europe/London',
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(IngestError);
    expect(err).toMatchObject({ code: 'E_DATE_ORDER', line: 3 });
    expect((err as IngestError).message).toBe(
      'uk.csv: dates are written day first (line 3: "13/02/2020 10:30"): patrolcast reads dates with slashes month first (MM/DD/YYYY, as US portals write them) unless told they are day first (--date-order dmy), so it cannot tell this file\'s 01/02 from 02/01 by itself; give --date-order dmy, or write the dates as YYYY-MM-DD',
    );
  });

  it("reads the same file day first when told (dateOrder 'dmy'), and refuses a month-first one told so", () => {
    const uk = ingestCsvText('Date,Latitude,Longitude\n01/02/2020 10:30,51.5,-0.1\n13/02/2020 10:30,51.5,-0.1\n', {
      file: 'uk.csv',
      tz: 'Europe/London',
      dateOrder: 'dmy',
    });
    expect(uk.incidents.map((i) => new Date(i.timeMs).toISOString())).toEqual(['2020-02-01T10:30:00.000Z', '2020-02-13T10:30:00.000Z']);
    expect(uk.notes).toContain('uk.csv: read 2 dates written with slashes day first, DD/MM/YYYY (line 2: "01/02/2020 10:30")');
    expect(() =>
      ingestCsvText('Date,Latitude,Longitude\n02/01/2020 10:30,51.5,-0.1\n02/13/2020 10:30,51.5,-0.1\n', {
        file: 'us.csv',
        tz: 'America/Chicago',
        dateOrder: 'dmy',
      }),
    ).toThrow('us.csv: dates are written month first (line 3: "02/13/2020 10:30"), not day first as --date-order dmy says');
  });
});
