// The patrol boxes of one shift, from code: plain Node (ESM), no TypeScript toolchain.
//   node forecast.mjs property_2023.csv.gz 2023-12-15T22:00
// The engine does no I/O: this script reads the file and hands its text to the engine.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { ingestCsvText, shiftAt, shiftBoxes } from 'patrolcast';

const [file, at] = process.argv.slice(2);
const bytes = readFileSync(file);
const text = (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');

// Vancouver's files are recognised by their header; their local times are Vancouver's.
const data = ingestCsvText(text, { file });
console.log(`${data.incidents.length} incidents read, ${data.rejected.length} rows rejected`);

const tz = 'America/Vancouver';
const result = shiftBoxes({
  incidents: data.incidents,
  tz,
  res: 10, // H3 resolution: cells about 150 m across
  shift: shiftAt(at, tz), // 8 hours from `at`, local time
  top: 3, // boxes per district
});
console.log(`${result.shift.label}: θ = ${result.fit.theta.toFixed(3)}, ${result.training.events} training events`);
for (const box of result.boxes) {
  console.log(`${box.district} #${box.rank} ${box.h3} expected ${box.expected.toFixed(3)}: ${box.explanation}`);
}
