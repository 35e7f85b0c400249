import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingestCsvText, ingestGeoJson } from '../../engine/ingest/index.ts';
import { CliError } from '../../cli/errors.ts';
import { inputOptionsFrom, parseColumnsOption, readIncidents } from '../../cli/io.ts';
import { expectOneLineError, runCli } from '../support/cli.ts';
import { fixturePath, fixtureText } from '../ingest/helpers.ts';

/** Runs the CLI in-process: exit code, stdout and stderr. */
const patrolcast = (...args: string[]) => runCli(args);

describe('patrolcast ingest', () => {
  // Counts from: zcat fixtures/vancouver/property_2022.csv.gz | awk -F, 'NR>1{n++; c[$1]++; if($5==0&&$6==0)m++}'
  it('--json on Vancouver 2022 property crime prints the verified counts', async () => {
    const { code, stdout } = await patrolcast('ingest', '--json', 'fixtures/vancouver/property_2022.csv.gz');
    expect(code).toBe(0);
    const s = JSON.parse(stdout);
    expect(s).toMatchObject({
      rowsRead: 29353,
      accepted: 29353,
      rejected: 0,
      rejectedByReason: {},
      first: '2022-01-01T08:00:00.000Z',
      last: '2023-01-01T07:08:00.000Z',
      precision: { minute: 29353 },
      timeOfDayUnknown: 1264,
    });
    expect(s.categories['Other Theft']).toBe(10760);
    expect(s.categories['Theft of Vehicle']).toBe(913);
    expect(stdout.trim().split('\n')).toHaveLength(1);
  });

  it('merges several files: Ashford 2014 (7,855) + the January slice (14: 4 without location, 6 Ashford rows already read)', async () => {
    const { code, stdout } = await patrolcast('ingest', '--json', 'fixtures/kent/ashford_2014.csv.gz', 'fixtures/kent/2014-01_slice.csv');
    expect(code).toBe(0);
    // The slice's first 6 rows are Ashford crimes of January (same Crime IDs): dropped as duplicates.
    expect(JSON.parse(stdout)).toMatchObject({
      rowsRead: 7869,
      accepted: 7859,
      rejected: 10,
      rejectedByReason: { duplicate: 6, missing_coords: 4 },
    });
  });

  it('prints a readable summary with --columns and --tz (Chicago district 1)', async () => {
    const { code, stdout } = await patrolcast(
      'ingest',
      'fixtures/chicago/district1_2010_2016.csv.gz',
      '--columns',
      'datetime=date,lat=latitude,lon=longitude',
      '--tz',
      'America/Chicago',
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/rows read\s+1,720/);
    expect(stdout).toMatch(/accepted\s+1,720/);
    expect(stdout).toContain('first: 2010-01-01T00:30 CST (2010-01-01T06:30:00.000Z)');
    expect(stdout).toContain('time of day unknown: 5');
  });

  it('--date-order dmy reads a day-first file the default refuses; a bad order is one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pc-ingest-order-'));
    const file = join(dir, 'uk.csv');
    writeFileSync(file, 'Date,Latitude,Longitude\n01/02/2020 10:30,51.5,-0.1\n13/02/2020 10:30,51.5,-0.1\n');
    const refused = await runCli(['ingest', file, '--tz', 'Europe/London']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('give --date-order dmy');
    const read = await runCli(['ingest', file, '--tz', 'Europe/London', '--date-order', 'dmy', '--json']);
    expect(read.code, read.stderr).toBe(0);
    expect(JSON.parse(read.stdout)).toMatchObject({ accepted: 2, first: '2020-02-01T10:30:00.000Z', last: '2020-02-13T10:30:00.000Z' });
    const bad = await runCli(['ingest', file, '--date-order', 'ymd']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('patrolcast: --date-order must be mdy or dmy, got "ymd"\n');
  });

  it('shows rejection reasons with example messages', async () => {
    const { stdout } = await patrolcast('ingest', 'fixtures/bad/plain_rejections.csv');
    expect(stdout).toMatch(/bad_time\s+2/);
    expect(stdout).toContain('e.g. fixtures/bad/plain_rejections.csv line 4 field "datetime" = "31/12/2023 10:00"');
  });

  it('fails a file of the wrong format with one line naming the file, no stack trace', async () => {
    const { code, stderr } = await patrolcast('ingest', 'fixtures/bad/not_incidents.csv');
    expect(code).toBe(2);
    expectOneLineError(stderr, 'fixtures/bad/not_incidents.csv', 'unrecognised header');
  });

  it('fails when the requested format does not match', async () => {
    const { code, stderr } = await patrolcast('ingest', '--format', 'police-uk', 'fixtures/vancouver/raw_2022_slice.csv');
    expect(code).toBe(2);
    expectOneLineError(stderr, 'raw_2022_slice.csv', 'data.police.uk');
  });

  it('fails unreadable input with one line naming the file', async () => {
    const missing = await patrolcast('ingest', 'fixtures/nope.csv');
    expectOneLineError(missing.stderr, 'fixtures/nope.csv', 'no such file');
    const notGzip = await patrolcast('ingest', 'fixtures/bad/not_gzip.csv.gz');
    expectOneLineError(notGzip.stderr, 'fixtures/bad/not_gzip.csv.gz', 'not a valid gzip file');
  });

  it('says to pass --tz when every time is local, and rejects bad option values', async () => {
    const tz = await patrolcast('ingest', 'fixtures/bad/local_times.csv');
    expectOneLineError(tz.stderr, 'fixtures/bad/local_times.csv', 'pass --tz');
    const badCol = await patrolcast('ingest', '--columns', 'when=date', 'fixtures/bad/local_times.csv');
    expectOneLineError(badCol.stderr, '--columns', 'unknown key "when"');
    const badTz = await patrolcast('ingest', '--tz', 'Chicago', 'fixtures/bad/local_times.csv');
    expectOneLineError(badTz.stderr, '--tz', 'unknown time zone "Chicago"');
  });
});

describe('readIncidents (cli/io.ts)', () => {
  it('streams a .csv.gz to exactly what ingestCsvText gives on the whole text', async () => {
    const path = fixturePath('vancouver/property_2023.csv.gz');
    const streamed = await readIncidents([path], {});
    expect(streamed).toEqual(ingestCsvText(fixtureText('vancouver/property_2023.csv.gz'), { file: path }));
  });

  it('keeps line numbers right across stream chunks, quoted line breaks and an unclosed quote', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pc-ingest-'));
    const rows = Array.from({ length: 3000 }, (_, k) => `r${k},2023-01-01T10:00Z,1,1,"cat\r\n${k % 7}"`);
    const text = `id,datetime,lat,lon,category\r\n${rows.join('\r\n')}\r\nbad,"2023\r\nz\r\n`;
    const path = join(dir, 'q.csv');
    writeFileSync(path, text);
    const r = await readIncidents([path], {});
    expect(r).toEqual(ingestCsvText(text, { file: path }));
    expect(r.incidents[2999]!.source.line).toBe(2 + 2 * 2999);
    // The unclosed quote rejects line 6002 only; line 6003 ("z") is read again: one field.
    expect(r.rejected).toHaveLength(2);
    expect(r.rejected[0]).toMatchObject({ reason: 'unclosed_quote', source: { line: 6002 } });
    expect(r.rejected[1]).toMatchObject({ reason: 'wrong_field_count', source: { line: 6003 } });
  });

  it('reads GeoJSON by extension and reports progress in bytes', async () => {
    const path = fixturePath('geojson/houston_sample.geojson');
    const seen: number[] = [];
    let total = 0;
    const r = await readIncidents(
      [path],
      { tz: 'America/Chicago' },
      { start: (t) => (total = t), update: (d) => seen.push(d), stop: () => {} },
    );
    expect(r).toEqual(
      ingestGeoJson(JSON.parse(fixtureText('geojson/houston_sample.geojson')), { file: path, format: 'geojson', tz: 'America/Chicago' }),
    );
    expect(seen.at(-1)).toBe(total);
  });

  it('throws CliError naming an unreadable file', async () => {
    await expect(readIncidents(['fixtures/missing.csv'], {})).rejects.toThrow(CliError);
    await expect(readIncidents(['fixtures/missing.csv'], {})).rejects.toThrow('cannot read fixtures/missing.csv: no such file');
  });
});

describe('input options', () => {
  it('parseColumnsOption reads key=name pairs', () => {
    expect(parseColumnsOption('datetime=date, lat=latitude,lon=longitude,')).toEqual({
      datetime: 'date',
      lat: 'latitude',
      lon: 'longitude',
    });
    expect(() => parseColumnsOption('lat')).toThrow('needs a column name');
  });
  it('inputOptionsFrom checks format and zone', () => {
    expect(inputOptionsFrom({ format: 'plain', tz: 'America/Chicago' })).toEqual({ format: 'plain', tz: 'America/Chicago' });
    expect(() => inputOptionsFrom({ format: 'xlsx' })).toThrow(CliError);
  });
});
