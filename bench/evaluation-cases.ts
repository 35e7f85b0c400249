/**
 * The cases of bench/evaluation-suite.ts: every shared data set (issue 11, item 5) and the thin
 * slices of item 4 (one crime type, one year of history, one district), each a `patrolcast
 * backtest` command line. Test periods are those docs/evaluation.md already uses for each set.
 *
 * A slice the CLI cannot express (the backtest has no history-start or district option) is a
 * filtered copy of the shared files, written under the suite's output folder: the same rows
 * byte for byte, fewer of them. Only the CSV layouts of the shared files are filtered here, and a
 * line with a quote is refused (none of them has one; a plain split would misread it).
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { PassThrough } from 'node:stream';

/** One backtest of the suite. */
export interface SuiteCase {
  /** Short name for `--only` and the report file (`<name>.json`). */
  readonly name: string;
  /** Heading in docs/evaluation.md. */
  readonly title: string;
  /** A thin slice of issue 11 item 4 (else a full data set). */
  readonly slice: boolean;
  /** The input files as the docs show them, relative to the repository (shell globs allowed). */
  readonly shownFiles: string;
  /** The shared files the case reads (relative to the data folder); checked before running. */
  readonly sources: readonly string[];
  /** The backtest's options (without --models, --out, --config). */
  readonly args: readonly string[];
  /** What the filtered copy keeps, when the case runs on one (said in the docs). */
  readonly filterNote?: string;
  /**
   * The files to pass to the backtest: the shared files themselves, or filtered copies written
   * under `work`. Resolves with absolute paths.
   */
  files(data: string, work: string): Promise<string[]>;
}

const VAN = [2020, 2021, 2022, 2023].map((y) => `vancouver/crimedata_csv_AllNeighbourhoods_${y}.csv.gz`);
const VAN_SHOWN = '../shared/data/vancouver/crimedata_csv_AllNeighbourhoods_20{20,21,22,23}.csv.gz';
const CHICAGO = ['chicago/chicago_aggravated_assaults_2010_2016.csv.gz'];
const CHICAGO_ARGS = ['--columns', 'datetime=date,lat=latitude,lon=longitude,district=district', '--tz', 'America/Chicago'];
const HOUSTON = ['houston/houston_2010.csv.gz'];
const HOUSTON_ARGS = ['--tz', 'America/Chicago', '--columns', 'district=beat', '--bbox', '-95.9,29.5,-95.0,30.2'];
const HOUSTON_TEST = ['--from', '2010-06-01', '--to', '2010-09-01'];
const VAN_Q3 = ['--from', '2023-07-01', '--to', '2023-10-01'];
const KENT_ARGS = ['--months', '--bbox', '0,50.85,1.5,51.55', '--from', '2014-04-01', '--to', '2014-12-01'];
const CHESHIRE_ARGS = ['--months', '--from', '2016-05-01', '--to', '2017-03-01'];

/** The shared files of a folder whose names match, sorted (e.g. every month of Kent). */
export function monthFiles(data: string, dir: string): string[] {
  const path = join(data, dir);
  const names = existsSync(path) ? readdirSync(path).filter((f) => f.endsWith('.csv.gz')) : [];
  // None: a name that does not exist, so that the suite says which files it looked for.
  if (names.length === 0) return [`${dir}/*.csv.gz`];
  return names.sort().map((f) => `${dir}/${f}`);
}

/** The shared files as they are. */
const asIs =
  (sources: () => readonly string[]) =>
  async (data: string): Promise<string[]> =>
    sources().map((f) => join(data, f));

/**
 * Writes the rows of `src` (gzip CSV, header first) that `keep` accepts to `dst` (gzip), header
 * included; resolves with the number of rows kept. Refuses a quoted field (file and line).
 */
export async function filterCsvGz(
  src: string,
  dst: string,
  keep: (fields: readonly string[], header: readonly string[]) => boolean,
): Promise<number> {
  const out = new PassThrough();
  const written = pipeline(out, createGzip(), createWriteStream(dst));
  const lines = createInterface({ input: createReadStream(src).pipe(createGunzip()), crlfDelay: Infinity });
  let header: string[] | null = null;
  let line = 0;
  let kept = 0;
  for await (const text of lines) {
    line++;
    if (text.includes('"')) throw new Error(`${src} line ${line}: a quoted field; the suite's filter splits on commas only`);
    const fields = text.split(',');
    if (header === null) header = fields;
    else if (text === '' || !keep(fields, header)) continue;
    else kept++;
    if (!out.write(`${text}\n`)) await once(out, 'drain');
  }
  out.end();
  await written;
  return kept;
}

/** The index of a header column, or an error naming the file. */
function column(header: readonly string[], name: string, file: string): number {
  const i = header.indexOf(name);
  if (i < 0) throw new Error(`${file}: no column ${name} (header: ${header.join(',')})`);
  return i;
}

/** A case on filtered copies of `sources`, written to `work/<name>/`. */
function filtered(
  name: string,
  sources: () => readonly string[],
  keep: (fields: readonly string[], header: readonly string[], file: string) => boolean,
) {
  return async (data: string, work: string): Promise<string[]> => {
    const dir = join(work, 'data', name);
    mkdirSync(dir, { recursive: true });
    const files: string[] = [];
    for (const src of sources()) {
      const dst = join(dir, src.split('/').pop()!);
      await filterCsvGz(join(data, src), dst, (f, h) => keep(f, h, src));
      files.push(dst);
    }
    return files;
  };
}

/** Vancouver rows from July 2022 on (YEAR, MONTH columns): one year of history before Q3 2023. */
const fromJuly2022 = (f: readonly string[], h: readonly string[], file: string): boolean =>
  Number(f[column(h, 'YEAR', file)]) * 12 + Number(f[column(h, 'MONTH', file)]) >= 2022 * 12 + 7;

/** The cases, in the order they run and appear in the docs. */
export function suiteCases(data: string): SuiteCase[] {
  const kent = (): string[] => monthFiles(data, 'kent');
  const cheshire = (): string[] => monthFiles(data, 'cheshire');
  return [
    {
      name: 'vancouver-property',
      title: 'Vancouver property crime, July-September 2023',
      slice: false,
      shownFiles: VAN_SHOWN,
      sources: VAN,
      args: ['--preset', 'vancouver-property', ...VAN_Q3],
      files: asIs(() => VAN),
    },
    {
      name: 'chicago-2016',
      title: 'Chicago aggravated assaults, 2016 (history from 2010)',
      slice: false,
      shownFiles: '../shared/data/chicago/chicago_aggravated_assaults_2010_2016.csv.gz',
      sources: CHICAGO,
      args: [...CHICAGO_ARGS, '--from', '2016-01-01', '--to', '2017-01-01'],
      files: asIs(() => CHICAGO),
    },
    {
      name: 'houston-2010',
      title: 'Houston, all Part I offences, June-August 2010 (history January-May)',
      slice: false,
      shownFiles: '../shared/data/houston/houston_2010.csv.gz',
      sources: HOUSTON,
      args: [...HOUSTON_ARGS, ...HOUSTON_TEST],
      files: asIs(() => HOUSTON),
    },
    {
      name: 'kent-months',
      title:
        'Kent, victim-reported crime (the default: no drugs, weapons, public order, anti-social behaviour), April-November 2014, month by month (history from January)',
      slice: false,
      shownFiles: '../shared/data/kent/2014-*.csv.gz',
      sources: kent(),
      args: KENT_ARGS,
      files: asIs(kent),
    },
    {
      name: 'cheshire-months',
      title: 'Cheshire, victim-reported crime (the default), May 2016-February 2017, month by month (history from February 2016)',
      slice: false,
      shownFiles: '../shared/data/cheshire/*.csv.gz',
      sources: cheshire(),
      args: CHESHIRE_ARGS,
      files: asIs(cheshire),
    },
    {
      name: 'vancouver-bne-residential',
      title: 'Slice, one crime type: Vancouver "Break and Enter Residential/Other", all of 2023',
      slice: true,
      shownFiles: VAN_SHOWN,
      sources: VAN,
      // The whole year: a quarter has only about 300 of them, too few to see anything.
      args: ['--categories', 'Break and Enter Residential/Other', '--from', '2023-01-01', '--to', '2024-01-01'],
      files: asIs(() => VAN),
    },
    {
      name: 'houston-burglary',
      title: 'Slice, one crime type: Houston burglary, June-August 2010',
      slice: true,
      shownFiles: '../shared/data/houston/houston_2010.csv.gz',
      sources: HOUSTON,
      args: ['--categories', 'burglary', ...HOUSTON_ARGS, ...HOUSTON_TEST],
      files: asIs(() => HOUSTON),
    },
    {
      name: 'kent-burglary',
      title: 'Slice, one crime type: Kent burglary, April-November 2014, month by month',
      slice: true,
      shownFiles: '../shared/data/kent/2014-*.csv.gz',
      sources: kent(),
      args: ['--categories', 'Burglary', ...KENT_ARGS],
      files: asIs(kent),
    },
    {
      name: 'vancouver-one-year',
      title: 'Slice, one year of history: Vancouver property crime, July-September 2023, history from July 2022 only',
      slice: true,
      shownFiles: '$EVAL/data/vancouver-one-year/crimedata_csv_AllNeighbourhoods_202{2,3}.csv.gz',
      sources: VAN.slice(2),
      args: ['--preset', 'vancouver-property', ...VAN_Q3],
      filterNote: 'the rows of the 2022 and 2023 files from July 2022 on (YEAR and MONTH columns)',
      files: filtered('vancouver-one-year', () => VAN.slice(2), fromJuly2022),
    },
    {
      name: 'vancouver-cbd',
      title: 'Slice, one district: Vancouver Central Business District, property crime, July-September 2023',
      slice: true,
      shownFiles: '$EVAL/data/vancouver-cbd/crimedata_csv_AllNeighbourhoods_20{20,21,22,23}.csv.gz',
      sources: VAN,
      // The district's study area is about 5 km²: flagging 5 km² would flag all of it.
      args: ['--preset', 'vancouver-property', ...VAN_Q3, '--flagged-km2', '0.25,0.5,1,2'],
      filterNote: 'the rows whose NEIGHBOURHOOD is "Central Business District"; its study area is about 5 km², so the areas are 0.25-2 km²',
      files: filtered(
        'vancouver-cbd',
        () => VAN,
        (f, h, file) => f[column(h, 'NEIGHBOURHOOD', file)] === 'Central Business District',
      ),
    },
    {
      name: 'chicago-district-11',
      title: 'Slice, one district: Chicago police district 11 (Harrison), aggravated assaults, 2016',
      slice: true,
      shownFiles: '$EVAL/data/chicago-district-11/chicago_aggravated_assaults_2010_2016.csv.gz',
      sources: CHICAGO,
      args: [...CHICAGO_ARGS, '--from', '2016-01-01', '--to', '2017-01-01'],
      filterNote: 'the rows whose district is 11 (Harrison, the district with the most aggravated assaults in 2016: 1,376)',
      files: filtered(
        'chicago-district-11',
        () => CHICAGO,
        (f, h, file) => f[column(h, 'district', file)] === '11',
      ),
    },
  ];
}
