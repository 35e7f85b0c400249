import type { EventSet } from '../types.ts';

const FNV_PRIME = 0x01000193;

function mix(h: number, word: number): number {
  // FNV-1a over the four bytes of a 32-bit word.
  h = Math.imul(h ^ (word & 0xff), FNV_PRIME);
  h = Math.imul(h ^ ((word >>> 8) & 0xff), FNV_PRIME);
  h = Math.imul(h ^ ((word >>> 16) & 0xff), FNV_PRIME);
  return Math.imul(h ^ (word >>> 24), FNV_PRIME);
}

function hashString(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return Math.imul(h ^ 0x1f, FNV_PRIME);
}

/**
 * A deterministic 64-bit fingerprint of a set of events: FNV-1a run twice (two 32-bit lanes
 * with different offset bases) over, for every event in order, its H3 cell id and its time in
 * whole epoch milliseconds. Same cells and times → same fingerprint on every machine and in
 * the browser (no node:crypto). Not a cryptographic hash: it detects accidental changes only.
 * Cost O(N + cells).
 * @example
 * const events = { originMs: 0, cells: ['8a28de8d8c77fff'], cell: Int32Array.of(0), tHours: Float64Array.of(0), incidentIndex: Int32Array.of(0) };
 * /^fnv1a64:[0-9a-f]{16}$/.test(fingerprintEvents(events)) // => true
 * // the same event one millisecond later
 * fingerprintEvents({ ...events, tHours: Float64Array.of(1 / 3.6e6) }) === fingerprintEvents(events) // => false
 */
export function fingerprintEvents(events: EventSet): string {
  const cellHash = events.cells.map((c) => hashString(0x811c9dc5, c) >>> 0);
  let h1 = 0x811c9dc5;
  let h2 = 0x050c5d1f;
  for (let k = 0; k < events.cell.length; k++) {
    const ms = Math.round(events.originMs + events.tHours[k]! * 3.6e6);
    const hi = Math.floor(ms / 4294967296);
    const lo = ms - hi * 4294967296;
    const ch = cellHash[events.cell[k]!] ?? 0;
    h1 = mix(mix(mix(h1, ch), hi), lo);
    h2 = mix(mix(mix(h2, lo), ch), hi);
  }
  const hex = (h: number): string => (h >>> 0).toString(16).padStart(8, '0');
  return `fnv1a64:${hex(h1)}${hex(h2)}`;
}
