/**
 * Dosage in a review (`patrolcast review --patrol-log patrols.csv`, docs/publish.md "Dosage"):
 * the reviewed box-shifts (one published box on one shift) grouped by the minutes the patrol log
 * gives them, and per group the crimes the boxes caught on their shifts (the review's own catch:
 * cli/reviewScore.ts tells each box's catches), crimes per box-shift, and the crimes the
 * publication expected there, so crime can be read against expectation band by band.
 *
 * Bands: 0 minutes (the log says 0), then (0, e1), [e1, e2), ... [eN, ∞) for edges
 * 0,e1,...,eN (default 0,15,30,60: hot-spot patrol studies work in visits of about 10-15
 * minutes, after Koper's 1995 finding that deterrence grows with stops up to about 15 minutes),
 * and "not in the patrol log": a published box the log does not name has unknown dosage, not 0.
 *
 * An observational comparison, not an effect estimate: patrol goes where crime is expected, and
 * the minutes were not assigned to boxes at random.
 */
import { CliError } from './errors.ts';
import { boxShiftKey, type PatrolMinutes, type PatrolRejection } from './patrolLog.ts';
import type { BoxCatches } from './reviewScore.ts';

/** Band edges in minutes (docs/publish.md "Dosage"). */
export const DEFAULT_DOSAGE_EDGES_MIN: readonly number[] = [0, 15, 30, 60];

/** Dosage without a patrol log. */
export const DOSAGE_NOTE = 'unknown: no patrol log was given, so the review does not assume the published boxes were patrolled';

/** What every dosage table says under it. */
export const OBSERVATIONAL_NOTE =
  'An observational comparison, not an estimate of what patrol did: patrol goes where crime is expected, and the minutes were not assigned to boxes at random, so boxes in different bands differ in more than patrol. Read crimes against expected crimes band by band with that in mind.';

/** Rejected rows listed in the report (all are counted by reason). */
const LISTED_REJECTIONS = 200;

/** Parses `--dosage-bands 0,15,30,60`. @throws CliError E_BAD_OPTION */
export function parseDosageBands(spec: string): number[] {
  const parts = spec.split(',').map((p) => p.trim());
  const edges = parts.map(Number);
  const bad = parts.findIndex((p, i) => !/^\d+$/.test(p) || (i > 0 && edges[i]! <= edges[i - 1]!));
  if (bad >= 0 || edges[0] !== 0)
    throw new CliError(
      `--dosage-bands must be whole minutes in increasing order starting at 0, e.g. 0,15,30,60; got "${spec}"`,
      'E_BAD_OPTION',
    );
  return edges;
}

/** One band's box-shifts and their crimes. */
export interface DosageBand {
  readonly label: string;
  /** Which minutes fall in it, e.g. "0 < minutes < 15"; "not in the log" for the unknown band. */
  readonly rule: string;
  readonly boxShifts: number;
  readonly crimes: number;
  readonly crimesPerBoxShift: number | null;
  /** The published expected crimes of those box-shifts, summed. */
  readonly expected: number;
  readonly crimesPerExpected: number | null;
}

export interface DosageUnknown {
  readonly known: false;
  readonly note: string;
}

export interface DosageKnown {
  readonly known: true;
  readonly file: string;
  readonly bandEdgesMin: readonly number[];
  readonly bands: readonly DosageBand[];
  readonly notInLog: DosageBand;
  readonly rows: { readonly read: number; readonly accepted: number; readonly rejected: number; readonly summed: number };
  readonly rejectedByReason: Readonly<Record<string, number>>;
  /** The first 200 rejected rows, in line order. */
  readonly rejectedRows: readonly PatrolRejection[];
  readonly note: string;
}

export type Dosage = DosageKnown | DosageUnknown;

/** The bands' labels and rules from their edges. */
function bandShapes(edges: readonly number[]): { label: string; rule: string }[] {
  const out = [{ label: '0 min', rule: 'minutes = 0' }];
  for (let i = 0; i < edges.length; i++) {
    const lo = edges[i]!;
    const hi = edges[i + 1];
    if (hi === undefined) out.push({ label: lo === 0 ? 'over 0 min' : `${lo}+ min`, rule: lo === 0 ? 'minutes > 0' : `minutes ≥ ${lo}` });
    else if (lo === 0) out.push({ label: hi === 1 ? 'under 1 min' : `1–${hi - 1} min`, rule: `0 < minutes < ${hi}` });
    else out.push({ label: hi - 1 === lo ? `${lo} min` : `${lo}–${hi - 1} min`, rule: `${lo} ≤ minutes < ${hi}` });
  }
  return out;
}

/** The band index of a dosage: 0 for 0 minutes, else 1 + the last edge at or below it (the first edge, 0, for 0 < m < e1). */
function bandOf(edges: readonly number[], minutes: number): number {
  if (minutes === 0) return 0;
  let k = 0;
  for (let i = 1; i < edges.length; i++) if (minutes >= edges[i]!) k = i;
  return k + 1;
}

interface Tally {
  boxShifts: number;
  crimes: number;
  expected: number;
}

const finish = (shape: { label: string; rule: string }, t: Tally): DosageBand => ({
  ...shape,
  boxShifts: t.boxShifts,
  crimes: t.crimes,
  crimesPerBoxShift: t.boxShifts > 0 ? t.crimes / t.boxShifts : null,
  expected: t.expected,
  crimesPerExpected: t.expected > 0 ? t.crimes / t.expected : null,
});

/**
 * Counts box-shifts into bands as the review scores them: give `onBox` to scoreReview, then
 * read `result`. O(1) per box.
 */
export function dosageTally(
  patrol: PatrolMinutes,
  edges: readonly number[],
): { readonly onBox: BoxCatches; result(file: string): DosageKnown } {
  const shapes = bandShapes(edges);
  const tallies: Tally[] = shapes.map(() => ({ boxShifts: 0, crimes: 0, expected: 0 }));
  const unknown: Tally = { boxShifts: 0, crimes: 0, expected: 0 };
  const onBox: BoxCatches = (shift, line, box, catches) => {
    const m = patrol.minutes.get(boxShiftKey(shift.startMs, line.district, box.rank));
    const t = m === undefined ? unknown : tallies[bandOf(edges, m)]!;
    t.boxShifts++;
    t.crimes += catches;
    t.expected += box.expected;
  };
  const result = (file: string): DosageKnown => {
    const byReason: Record<string, number> = {};
    for (const r of patrol.rejected) byReason[r.reason] = (byReason[r.reason] ?? 0) + 1;
    return {
      known: true,
      file,
      bandEdgesMin: [...edges],
      bands: shapes.map((s, i) => finish(s, tallies[i]!)),
      notInLog: finish({ label: 'not in the patrol log', rule: 'not in the log' }, unknown),
      rows: { read: patrol.rowsRead, accepted: patrol.accepted, rejected: patrol.rejected.length, summed: patrol.summed },
      rejectedByReason: byReason,
      rejectedRows: patrol.rejected.slice(0, LISTED_REJECTIONS),
      note: OBSERVATIONAL_NOTE,
    };
  };
  return { onBox, result };
}

const ratio = (x: number | null): string => (x === null ? '—' : x.toFixed(2));

/** The dosage part of the stdout summary. */
export function dosageSummary(d: Dosage): string[] {
  if (!d.known) return [`dosage: ${d.note}`];
  const r = d.rows;
  const out = [
    `dosage from the patrol log ${d.file}: ${r.read} rows read, ${r.accepted} accepted, ${r.rejected} rejected${r.summed > 0 ? `; ${r.summed} row${r.summed === 1 ? '' : 's'} named a box already named on the same shift (minutes summed)` : ''}`,
    '  band                   box-shifts  crimes  per box-shift  expected  crimes/expected',
  ];
  for (const b of [...d.bands, d.notInLog])
    out.push(
      `  ${b.label.padEnd(21)}  ${String(b.boxShifts).padStart(10)}  ${String(b.crimes).padStart(6)}  ${ratio(b.crimesPerBoxShift).padStart(13)}  ${b.expected.toFixed(2).padStart(8)}  ${ratio(b.crimesPerExpected).padStart(15)}`,
    );
  out.push(`  ${d.note}`);
  return out;
}

/** Warnings for stderr: counts by reason, and the first rejected rows with their line and field. */
export function dosageWarnings(d: Dosage, shown = 20): string[] {
  if (!d.known || d.rows.rejected === 0) return [];
  const reasons = Object.entries(d.rejectedByReason)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  const out = [`${d.file}: ${d.rows.rejected} of ${d.rows.read} rows rejected (${reasons}); their boxes count as not in the patrol log`];
  for (const r of d.rejectedRows.slice(0, shown)) out.push(`${d.file}, line ${r.line}, field ${r.field}: ${r.reason}: ${r.why}`);
  if (d.rows.rejected > shown)
    out.push(`${d.file}: ${d.rows.rejected - shown} more rejected rows (the first ${LISTED_REJECTIONS} are listed in --out)`);
  return out;
}
