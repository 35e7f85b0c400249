/**
 * Reading incident files for the CLI: .csv and .csv.gz are streamed (gunzip → csv-parse →
 * engine ingestor, one record at a time, so a million-row file never sits in memory as text);
 * .geojson/.json (optionally .gz) are read whole. Also the shared input flags
 * (--format, --columns, --tz) for every command that reads incidents.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip, gunzipSync } from 'node:zlib';
import type { Command } from 'commander';
import {
  COLUMN_KEYS,
  districtsFromPolygons,
  ingestCsvChunks,
  IngestError,
  ingestGeoJson,
  dropDuplicates,
  checkRejections,
  type ColumnKey,
  type IngestOptions,
} from '../engine/index.ts';
import type { H3Cell, IngestFormat, IngestResult } from '../engine/index.ts';
import { checkZone, CliError } from './errors.ts';
import { guardedChunks, type MemoryGuard } from './memory.ts';
import type { Progress } from './progress.ts';

/**
 * The reader options without the file name (shared by all files of one command), and whether
 * exact duplicates are kept (--keep-duplicates; engine/ingest/duplicates.ts).
 */
export type InputOptions = Omit<IngestOptions, 'file'> & { keepDuplicates?: boolean };

const JSON_EXT = /\.(geo)?json(\.gz)?$/i;
const FORMAT_CHOICES: readonly (IngestFormat | 'auto')[] = ['auto', 'police-uk', 'vancouver', 'plain', 'geojson'];

function fsMessage(path: string, err: unknown): string {
  const code = (err as { code?: string }).code;
  if (code === 'ENOENT') return `cannot read ${path}: no such file`;
  if (code === 'EISDIR') return `cannot read ${path}: it is a directory`;
  if (code === 'EACCES') return `cannot read ${path}: permission denied`;
  if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR') return `cannot read ${path}: not a valid gzip file (${(err as Error).message})`;
  return `cannot read ${path}: ${(err as Error).message ?? String(err)}`;
}

function toCliError(path: string, err: unknown): Error {
  if (err instanceof CliError) return err;
  if (err instanceof IngestError) return new CliError(err.message, err.code);
  return new CliError(fsMessage(path, err), 'E_READ');
}

/**
 * Reads and parses a GeoJSON (or any JSON) file, gunzipping `.gz`. For other commands too
 * (district polygons, study areas).
 * @throws CliError naming the file when it cannot be read or is not valid JSON.
 */
export async function readGeoJsonFile(path: string): Promise<unknown> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
    if (path.toLowerCase().endsWith('.gz')) buf = gunzipSync(buf);
  } catch (err) {
    throw toCliError(path, err);
  }
  try {
    return JSON.parse(buf.toString('utf8').replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new CliError(`${path}: not valid JSON (${(err as Error).message})`, 'E_NOT_JSON');
  }
}

/** Adds --districts and --district-property (named district polygons) to a command. */
export function addDistrictOptions(cmd: Command): Command {
  return cmd
    .option(
      '--districts <file>',
      'district polygons (GeoJSON FeatureCollection); default: the districts named in the data (Vancouver neighbourhood, police-uk local authority)',
    )
    .option('--district-property <name>', 'the property naming each district polygon (default: name, district or NAME)');
}

/**
 * Reads the district polygons of --districts and returns the labeller of cells: each cell goes
 * to the first feature containing its centre (engine/grid `districtsFromPolygons`); cells
 * outside every polygon get no district. The file is checked at once (a FeatureCollection of
 * named Polygon/MultiPolygon features), so a bad file fails before any long computation.
 * @throws CliError naming the file: unreadable, not JSON (E_READ, E_NOT_JSON), not named polygons (E_DISTRICTS)
 */
export async function readDistrictPolygons(
  path: string,
  nameProperty?: string,
): Promise<(cells: readonly H3Cell[]) => Map<H3Cell, string>> {
  const fc = (await readGeoJsonFile(path)) as Parameters<typeof districtsFromPolygons>[0];
  const label = (cells: readonly H3Cell[]): Map<H3Cell, string> => {
    try {
      return districtsFromPolygons(fc, cells, nameProperty);
    } catch (err) {
      throw new CliError(`${path}: ${(err as Error).message}`, 'E_DISTRICTS');
    }
  };
  label([]);
  return label;
}

/** Streams one CSV (or .csv.gz) file through the engine's tokenizer and ingestor. */
async function readCsvFile(path: string, options: InputOptions, onBytes: (n: number) => void, guard?: MemoryGuard): Promise<IngestResult> {
  const source = createReadStream(path, { highWaterMark: 1 << 20 });
  source.on('data', (chunk) => onBytes(chunk.length));
  const gz = path.toLowerCase().endsWith('.gz');
  const text: Readable = gz ? source.pipe(createGunzip({ chunkSize: 1 << 20 })) : source;
  if (gz) source.on('error', (err) => text.destroy(err));
  text.setEncoding('utf8'); // decodes multi-byte characters split across chunks
  try {
    const chunks = text as AsyncIterable<string>;
    return await ingestCsvChunks(guard ? guardedChunks(chunks, path, guard) : chunks, { ...options, file: path });
  } catch (err) {
    source.destroy();
    throw toCliError(path, err);
  }
}

/**
 * Reads incident files and merges them (file order kept). `.geojson`/`.json` (or
 * `--format geojson`) are read as GeoJSON; everything else as CSV, gunzipped when it ends in .gz.
 * Complexity O(total rows); memory O(accepted + rejected rows), not O(file size). With a
 * `guard` (cli/memory.ts), a CSV read stops with E_OUT_OF_MEMORY before the heap is full.
 * @throws CliError naming the file for unreadable files and file-level ingest errors.
 */
export async function readIncidents(
  paths: readonly string[],
  options: InputOptions,
  progress?: Progress,
  guard?: MemoryGuard,
): Promise<IngestResult> {
  if (paths.length === 0) throw new CliError('no input files given', 'E_NO_INPUT');
  let totalBytes = 0;
  for (const p of paths) {
    try {
      const s = await stat(p);
      if (s.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      totalBytes += s.size;
    } catch (err) {
      throw toCliError(p, err);
    }
  }
  let doneBytes = 0;
  progress?.start(totalBytes, 'reading');
  const results: IngestResult[] = [];
  try {
    for (const p of paths) {
      if (options.format === 'geojson' || JSON_EXT.test(p)) {
        const json = await readGeoJsonFile(p);
        try {
          results.push(ingestGeoJson(json, { ...options, format: 'geojson', file: p }));
        } catch (err) {
          throw toCliError(p, err);
        }
        const s = await stat(p);
        doneBytes += s.size;
        progress?.update(doneBytes);
      } else {
        results.push(
          await readCsvFile(
            p,
            options,
            (n) => {
              doneBytes += n;
              progress?.update(doneBytes);
            },
            guard,
          ),
        );
      }
    }
  } finally {
    progress?.stop();
  }
  return dropDuplicates(results, options.keepDuplicates === true).result;
}

/** Adds --allow-rejected (go on with a file that is mostly rejected rows) to a command. */
export function addRejectionOption(cmd: Command): Command {
  return cmd.option(
    '--allow-rejected',
    "go on even when more than half of a file's rows were rejected (by default such a file is refused: wrong format, columns, time zone, or a damaged file)",
  );
}

/**
 * The readers' notes (IngestResult.notes, e.g. columns found under other names), then the
 * rejection rule of every command that fits or forecasts (engine/ingest/quality.ts): one
 * line per file with rejected rows on `stderr` (counts by reason, duplicates included), and a
 * refusal when most of a file was rejected, unless --allow-rejected.
 * @throws CliError E_MOSTLY_REJECTED
 */
export function reportRejections(result: IngestResult, opts: object, stderr: { write(s: string): unknown }): void {
  for (const note of result.notes ?? []) stderr.write(`patrolcast: note: ${note}\n`);
  try {
    for (const w of checkRejections(result, (opts as { allowRejected?: unknown }).allowRejected === true))
      stderr.write(`patrolcast: warning: ${w}\n`);
  } catch (err) {
    if (err instanceof IngestError) throw new CliError(err.message, err.code);
    throw err;
  }
}

/**
 * Parses a column mapping flag, `key=Column Name,...` with keys from `keys` (--columns,
 * --patrol-columns). @throws CliError E_BAD_OPTION naming the flag, on a bad pair or key
 */
export function parseColumnMapping<K extends string>(flag: string, spec: string, keys: readonly K[]): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const part of spec.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim();
    const value = eq < 0 ? '' : part.slice(eq + 1).trim();
    if (!keys.includes(key as K))
      throw new CliError(`${flag}: unknown key "${key}" in "${part}"; keys are ${keys.join(', ')}`, 'E_BAD_OPTION');
    if (value === '') throw new CliError(`${flag}: "${part}" needs a column name, e.g. ${key}=NAME`, 'E_BAD_OPTION');
    out[key as K] = value;
  }
  return out;
}

/** Parses `--columns id=ID,datetime=date,...`. @throws CliError on a bad pair or key. */
export function parseColumnsOption(spec: string): Partial<Record<ColumnKey, string>> {
  return parseColumnMapping('--columns', spec, COLUMN_KEYS);
}

/** Adds --format, --columns and --tz (the incident-reading flags) to a command. */
export function addInputOptions(cmd: Command): Command {
  return cmd
    .option(
      '--format <format>',
      `input format: ${FORMAT_CHOICES.join(', ')} (auto recognises data.police.uk and Vancouver GeoDASH CSV by their headers, GeoJSON by its extension, else plain CSV)`,
      'auto',
    )
    .option(
      '--columns <map>',
      `plain CSV/GeoJSON column names, as key=name pairs separated by commas; keys: ${COLUMN_KEYS.join(', ')} (e.g. datetime=date,lat=latitude,lon=longitude; or date=NAME,time=NAME for a date and a time column); common other names are found without it`,
    )
    .option('--tz <zone>', 'IANA time zone of local times without a UTC offset in plain CSV/GeoJSON (e.g. America/Chicago)')
    .option(
      '--date-order <order>',
      'dates written with slashes in plain CSV/GeoJSON: mdy (default, US: 01/08/2020 is 8 January) or dmy (day first: 08/01/2020)',
    )
    .option(
      '--keep-duplicates',
      'keep exact duplicates: a file given twice, rows with the same id (by default they are dropped and counted as rejected, reason duplicate)',
    );
}

/** Turns the parsed flags of addInputOptions into reader options. @throws CliError on bad values. */
export function inputOptionsFrom(opts: {
  format?: string;
  columns?: string;
  tz?: string;
  keepDuplicates?: boolean;
  dateOrder?: string;
}): InputOptions {
  const out: InputOptions = {};
  if (opts.keepDuplicates === true) out.keepDuplicates = true;
  const format = opts.format ?? 'auto';
  if (!FORMAT_CHOICES.includes(format as IngestFormat | 'auto')) {
    throw new CliError(`--format: unknown format "${format}"; expected one of ${FORMAT_CHOICES.join(', ')}`, 'E_BAD_OPTION');
  }
  out.format = format as IngestFormat | 'auto';
  if (opts.columns !== undefined) out.columns = parseColumnsOption(opts.columns);
  if (opts.tz !== undefined) out.tz = checkZone('--tz', opts.tz);
  if (opts.dateOrder !== undefined) {
    if (opts.dateOrder !== 'mdy' && opts.dateOrder !== 'dmy')
      throw new CliError(`--date-order must be mdy or dmy, got "${opts.dateOrder}"`, 'E_BAD_OPTION');
    out.dateOrder = opts.dateOrder;
  }
  return out;
}
