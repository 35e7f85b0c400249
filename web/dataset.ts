/**
 * The worker's data loading: fetching the bundled data from the page's own origin (or taking the
 * analyst's file bytes), gunzip, the engine's readers, and the description of the data set the
 * page shows (web/protocol.ts DatasetInfo).
 */
import {
  CATEGORY_PRESETS,
  ETAS_DEFAULTS,
  victimReportedDefault,
  ingestCsvText,
  ingestGeoJson,
  checkRejections,
  dropDuplicates,
  summarizeIngest,
  type Incident,
  type IngestResult,
} from '../engine/index.ts';
import type { DataSource, DatasetInfo, Progress } from './protocol.ts';
import { WorkerError } from './workerErrors.ts';

const REJECTED_SHOWN_MAX = 500;

/** A loaded data set: what the page is told, the incidents (by time) and the zone of the shifts. */
export interface Loaded {
  readonly info: DatasetInfo;
  readonly incidents: readonly Incident[];
  readonly tz: string;
}

/**
 * Gunzips the bytes when they start with the gzip magic number. Reads the stream itself rather
 * than through `new Response(stream)`, which hides the decoder's error behind "Failed to fetch".
 * Cost O(bytes).
 * @throws WorkerError E_GZIP naming the file: truncated (the stream ended early), or not valid gzip
 */
export async function gunzipIfNeeded(bytes: ArrayBuffer, file: string): Promise<ArrayBuffer> {
  const head = new Uint8Array(bytes, 0, Math.min(2, bytes.byteLength));
  if (head[0] !== 0x1f || head[1] !== 0x8b) return bytes; // not gzip (or the server already decoded it)
  const reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip')).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.byteLength;
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: unknown }).code;
    // Node: "unexpected end of file" (Z_BUF_ERROR); Chromium: "... truncated ..."
    if (code === 'Z_BUF_ERROR' || /truncat|unexpected end|ended early/i.test(message)) {
      throw new WorkerError('E_GZIP', `${file}: the file is truncated (gzip stream ended early); download it again`, file);
    }
    throw new WorkerError('E_GZIP', `${file}: not a valid gzip file (${message})`, file);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out.buffer;
}

/**
 * Reads a data source (the bundled files fetched from the page's own origin, or the analyst's
 * files) with the engine's readers: the incidents sorted by time, the zone of the shifts and
 * what the page is told about the data set.
 * @throws WorkerError E_FETCH, E_GZIP, E_NOT_JSON, E_NO_INCIDENTS; the engine's IngestError
 */
export async function loadSource(source: DataSource, progress: (p: Progress) => void): Promise<Loaded> {
  const results: IngestResult[] = [];
  let name: string;
  let tzHint: string | undefined;
  if (source.kind === 'bundled') {
    name = 'Vancouver property crime 2022–2023 (bundled, VPD open data)';
    for (const [i, { url, name: file }] of source.files.entries()) {
      progress({ phase: 'Loading the bundled data', detail: file, fraction: i / source.files.length });
      const response = await fetch(url);
      if (!response.ok)
        throw new WorkerError('E_FETCH', `could not load the bundled data ${file}: HTTP ${response.status}`, response.status);
      const text = new TextDecoder().decode(await gunzipIfNeeded(await response.arrayBuffer(), file));
      progress({ phase: 'Reading incidents', detail: file, fraction: (i + 0.5) / source.files.length });
      results.push(ingestCsvText(text, { file, format: 'vancouver' }));
    }
  } else {
    name = source.files.map((f) => f.name).join(', ');
    tzHint = source.tz;
    for (const [i, file] of source.files.entries()) {
      progress({ phase: 'Reading incidents', detail: file.name, fraction: i / source.files.length });
      const text = new TextDecoder().decode(await gunzipIfNeeded(file.bytes, file.name));
      const options = {
        file: file.name,
        ...(source.format ? { format: source.format } : {}),
        ...(source.columns ? { columns: source.columns } : {}),
        ...(source.tz ? { tz: source.tz } : {}),
        ...(source.dateOrder ? { dateOrder: source.dateOrder } : {}),
      };
      const looksJson = /\.(geo)?json(\.gz)?$/i.test(file.name) || /^\s*\{/.test(text.slice(0, 200));
      if (source.format === 'geojson' || (looksJson && !source.format)) {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch (error) {
          throw new WorkerError(
            'E_NOT_JSON',
            `${file.name}: not valid JSON (${error instanceof Error ? error.message : String(error)})`,
            file.name,
          );
        }
        results.push(ingestGeoJson(json, options));
      } else {
        results.push(ingestCsvText(text, options));
      }
    }
  }
  // The CLI's rules (engine/ingest duplicates.ts and quality.ts): exact duplicates dropped,
  // rejections reported by file and reason, a mostly rejected file refused.
  const merged = dropDuplicates(results).result;
  if (merged.incidents.length === 0) {
    const reasons = summarizeIngest(merged).rejectedByReason;
    const why = Object.entries(reasons)
      .map(([reason, count]) => `${reason} ${count}`)
      .join(', ');
    throw new WorkerError(
      'E_NO_INCIDENTS',
      `${name}: no usable incidents (${merged.rowsRead} rows read; rejected: ${why || 'none'})`,
      merged.rowsRead,
    );
  }
  const allowRejected = source.kind === 'files' && source.allowRejected === true;
  // the readers' notes first (e.g. columns found under other names), then the rejections
  const warnings = [...(merged.notes ?? []), ...checkRejections(merged, allowRejected, 'tick "Load even if most rows are rejected"')];
  const tz = zoneFor(merged, tzHint);
  const incidents = [...merged.incidents].sort((a, b) => a.timeMs - b.timeMs);
  return { info: { ...describeDataset(name, merged, tz), warnings, bundled: source.kind === 'bundled' }, incidents, tz };
}

/** The zone shifts are defined in: the format's own zone, else the analyst's, else the browser's. */
function zoneFor(result: IngestResult, tzHint: string | undefined): string {
  if (result.format === 'vancouver') return 'America/Vancouver';
  if (result.format === 'police-uk') return 'Europe/London';
  return tzHint ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';
}

/** The local date YYYY-MM-DD of an instant in a zone. */
export function localDate(ms: number, tz: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));
}

function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

function describeDataset(name: string, result: IngestResult, tz: string): Omit<DatasetInfo, 'bundled'> {
  const summary = summarizeIngest(result);
  let firstMs: number | null = null;
  let lastMs: number | null = null;
  const districtCounts = new Map<string, number>();
  for (const incident of result.incidents) {
    if (firstMs === null || incident.timeMs < firstMs) firstMs = incident.timeMs;
    if (lastMs === null || incident.timeMs > lastMs) lastMs = incident.timeMs;
    if (incident.district !== null) districtCounts.set(incident.district, (districtCounts.get(incident.district) ?? 0) + 1);
  }
  const categories = Object.entries(summary.categories)
    .map(([category, count]) => ({ name: category, count }))
    .sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1));
  const present = new Set(result.incidents.map((i) => i.category));
  // Victim-reported crime first (the default choice) when the publisher's police-discovered types
  // or types that are not crime are in the data, as the CLI trains by default (engine victimReportedDefault).
  const byDefault = victimReportedDefault(result.incidents, [result.format], {
    keepAll: 'the crime types "All crime types in the data" keep them',
    choose: 'choose under Crime types',
  });
  const leftOut = new Set(byDefault.leftOut.map((t) => t.category));
  const presets = [
    ...(leftOut.size > 0
      ? [
          {
            key: 'victim-reported',
            label: `Victim-reported crime (all but ${[...leftOut].join(', ')})`,
            categories: categories.map((c) => c.name).filter((name) => !leftOut.has(name)),
          },
        ]
      : []),
    ...Object.entries(CATEGORY_PRESETS)
      .filter(([, preset]) => preset.categories.some((c) => present.has(c)))
      .map(([key, preset]) => ({ key, label: preset.label, categories: [...preset.categories] })),
    { key: 'all', label: 'All crime types in the data', categories: categories.map((c) => c.name) },
  ];
  const districts = [...districtCounts.entries()]
    .map(([district, count]) => ({ name: district, count }))
    .sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1));
  const lastDate = lastMs === null ? null : localDate(lastMs, tz);
  return {
    name,
    format: result.format,
    tz,
    summary,
    rejected: result.rejected.slice(0, REJECTED_SHOWN_MAX),
    rejectedTotal: result.rejected.length,
    firstMs,
    lastMs,
    categories,
    presets,
    trainingDefault: byDefault.words,
    districts,
    dayAfterLast: lastDate === null ? null : addDays(lastDate, 1),
    lastDate,
    firstDate: firstMs === null ? null : localDate(firstMs, tz),
    fitDefaults: { thetaMax: ETAS_DEFAULTS.triggering!.thetaMax, minMeanDelayHours: ETAS_DEFAULTS.triggering!.minMeanDelayHours },
  };
}
