/**
 * The seeded synthetic incident file of the ingest and fit-command benchmarks: N rows of the
 * plain format (`id,datetime,lat,lon,category`), local times uniform over 2020-2023 (read with
 * --tz America/Vancouver), points uniform over a 0.1° × 0.2° box around Vancouver, 7 categories;
 * `.csv`, or gzip-compressed when the path ends in `.gz`.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import { seededRandom } from '../engine/random.ts';

const CATEGORIES = [
  'Theft from Vehicle',
  'Other Theft',
  'Mischief',
  'Break and Enter Commercial',
  'Break and Enter Residential/Other',
  'Theft of Bicycle',
  'Theft of Vehicle',
];

export async function generate(path: string, rows: number, seed: number): Promise<void> {
  const rand = seededRandom(seed);
  const out = createWriteStream(path);
  const gz = path.endsWith('.gz') ? createGzip() : null;
  if (gz) gz.pipe(out);
  const sink = gz ?? out;
  const pad = (n: number) => String(n).padStart(2, '0');
  const startMs = Date.UTC(2020, 0, 1);
  let buf = 'id,datetime,lat,lon,category\n';
  for (let k = 0; k < rows; k++) {
    const t = new Date(startMs + Math.floor(rand() * 4 * 365 * 24 * 60) * 60_000);
    const dt = `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}T${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}`;
    const lat = (49.2 + rand() * 0.1).toFixed(6);
    const lon = (-123.22 + rand() * 0.2).toFixed(6);
    buf += `inc-${k},${dt},${lat},${lon},${CATEGORIES[Math.floor(rand() * CATEGORIES.length)]}\n`;
    if (buf.length > 1 << 20) {
      if (!sink.write(buf)) await once(sink, 'drain');
      buf = '';
    }
  }
  sink.end(buf);
  await once(out, 'finish');
}
