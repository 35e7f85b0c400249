/**
 * Which incidents a publication's fit knew, recorded so that a later review can tell, incident by
 * incident, which ones were recorded late (docs/publish.md "The publication log", "Review").
 *
 * The data carries no recording time, so the only witness of what was known when is the
 * publication itself: each `publish --log` run records, for every incident of the published
 * crime types its fit knew and dated in the `--known-days` days before its first shift, a 32-bit
 * digest and the minute it is dated in. A review compares the incidents its files now date in a
 * shift with the digests of the first run made after the shift: those the run did not know were
 * recorded late.
 *
 * The key of an incident is its identity as duplicate detection sees it (engine/ingest
 * duplicates.ts): the publisher's id when the format has one (data.police.uk Crime ID, a plain
 * file's `id`). Rows without an id are never duplicates of each other there, so there is no key
 * to reuse: here their key is the type, the instant (epoch ms) and the point rounded to 6 decimals
 * (about 0.1 m, so a reader's float arithmetic cannot change it). Equal rows without an id
 * (Vancouver's hundred-block rows, about 5% of a year) get equal digests, so digests are matched
 * as a multiset (with counts), never as a set. Only incidents are recorded: rows rejected at
 * reading (no usable coordinates or time, privacy-offset points) are neither trained on nor
 * scored by a review.
 *
 * A digest is the first 4 bytes of SHA-256 of the key: a pseudonym, not an anonymisation (the
 * type, time and place of a known incident can be hashed and looked up), so the record goes into
 * the log only, never the site. A late incident is wrongly taken as known when its digest equals
 * that of an incident the run knew in the same shift: probability about n / 2^32 for n such
 * incidents (n ≈ 40 for a Vancouver shift: 1 in 100 million).
 *
 * The record (`known`, base64): entries sorted by minute, then digest; each entry is the minute's
 * increase over the previous entry's (the first: over 0, the window's start) as an unsigned LEB128
 * varint (one byte below 128 minutes), then the digest as 4 bytes big-endian: about 5 bytes an
 * incident.
 */
import { createHash } from 'node:crypto';
import type { Incident } from '../engine/index.ts';

const MINUTE_MS = 60_000;

/** The incident's key (module comment): `id:<id>`, or `type|ms|lat|lng` without an id. */
export function incidentKey(inc: Incident): string {
  if (inc.id !== null) return `id:${inc.id}`;
  return `${inc.category ?? ''}|${inc.timeMs}|${inc.lat.toFixed(6)}|${inc.lng.toFixed(6)}`;
}

/** The first 4 bytes of SHA-256 of the incident's key, as an unsigned 32-bit integer. */
export function incidentDigest(inc: Incident): number {
  return createHash('sha256').update(incidentKey(inc), 'utf8').digest().readUInt32BE(0);
}

/** A decoded record: entry k is dated in minute `minutes[k]` after the window's start. */
export interface KnownEntries {
  readonly minutes: Uint32Array;
  readonly digests: Uint32Array;
}

/**
 * The record of `incidents` dated in [fromMs, toMs) (the caller passes only what the fit knew, of
 * the published types). O(n log n).
 */
export function knownEntries(incidents: readonly Incident[], fromMs: number, toMs: number): KnownEntries {
  const rows: [number, number][] = [];
  for (const inc of incidents)
    if (inc.timeMs >= fromMs && inc.timeMs < toMs) rows.push([Math.floor((inc.timeMs - fromMs) / MINUTE_MS), incidentDigest(inc)]);
  rows.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return { minutes: Uint32Array.from(rows, (r) => r[0]), digests: Uint32Array.from(rows, (r) => r[1]) };
}

/** The record as base64 (module comment). O(n). */
export function encodeKnown(entries: KnownEntries): string {
  const bytes: number[] = [];
  let prev = 0;
  for (let k = 0; k < entries.minutes.length; k++) {
    let delta = entries.minutes[k]! - prev;
    prev = entries.minutes[k]!;
    while (delta >= 0x80) {
      bytes.push((delta & 0x7f) | 0x80);
      delta >>>= 7;
    }
    bytes.push(delta);
    const d = entries.digests[k]!;
    bytes.push(d >>> 24, (d >>> 16) & 0xff, (d >>> 8) & 0xff, d & 0xff);
  }
  return Buffer.from(bytes).toString('base64');
}

/**
 * Decodes a record of `count` entries dated before minute `windowMinutes`. O(n).
 * @throws Error saying what is wrong (the log reader names the file and line)
 */
export function decodeKnown(text: string, count: number, windowMinutes: number): KnownEntries {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new Error('field "known" is not base64');
  const bytes = Buffer.from(text, 'base64');
  const minutes = new Uint32Array(count);
  const digests = new Uint32Array(count);
  let at = 0;
  let minute = 0;
  for (let k = 0; k < count; k++) {
    let delta = 0;
    for (let shift = 0; ; shift += 7) {
      if (at >= bytes.length || shift > 28) throw new Error(`field "known" ends inside entry ${k + 1} of ${count}`);
      const b = bytes[at++]!;
      delta += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
    }
    minute += delta;
    if (minute >= windowMinutes) throw new Error(`field "known": entry ${k + 1} is dated after the window (minute ${minute})`);
    if (at + 4 > bytes.length) throw new Error(`field "known" ends inside entry ${k + 1} of ${count}`);
    minutes[k] = minute;
    digests[k] = bytes.readUInt32BE(at);
    at += 4;
  }
  if (at !== bytes.length) throw new Error(`field "known" holds more than its ${count} entries (field "knownCount")`);
  return { minutes, digests };
}
