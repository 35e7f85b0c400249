/**
 * The adaptive selection's decision (select.ts module comment; docs/model.md#adaptive-default):
 * the holdout replay's hits and log scores → the variant, with its reason in words.
 */
import { EvaluateError } from './errors.ts';
import { replayHoldout, type HoldoutScores } from './holdout.ts';
import {
  ADAPT_FLAGGED_KM2,
  adaptVariants,
  holdoutFit,
  holdoutSetup,
  holdoutWindows,
  knownAt,
  scoredCells,
  variantLabel,
  variantParts,
  type SelectionInput,
} from './select.ts';
import type { AdaptRecord, AdaptVariant, VariantScore } from '../model/index.ts';
import type { EventSet, H3Cell } from '../types.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * Variant v's score against counts (index 0): gain = Σ_w d_w with d_w = mean over the areas of
 * (hits_v − hits_counts in window w) / counts' total hits in the area (so gain is the mean
 * relative gain in hit rate); z = gain / (√n · sd(d_w)) over the n windows with incidents; the
 * log-score difference per incident, Σ_w l_w / N, and its standard error √n · sd(l_w) / N (l_w
 * the window's summed difference, N the incidents). O(W · A).
 */
export function scoreVariant(s: HoldoutScores, v: number, label: string): VariantScore {
  const A = s.hits[0]!.length;
  const W = s.events.length;
  const totals = Array.from({ length: A }, (_, a) => s.hits[0]![a]!.reduce((x, y) => x + y, 0));
  const areas = totals.filter((t) => t > 0).length;
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  let logDiff = 0;
  let logSq = 0;
  let events = 0;
  for (let w = 0; w < W; w++) {
    if (!(s.events[w]! > 0)) continue;
    let d = 0;
    for (let a = 0; a < A; a++) if (totals[a]! > 0) d += (s.hits[v]![a]![w]! - s.hits[0]![a]![w]!) / totals[a]! / areas;
    sum += d;
    sumSq += d * d;
    n++;
    const l = s.logSum[v]![w]! - s.logSum[0]![w]!;
    logDiff += l;
    logSq += l * l;
    events += s.events[w]!;
  }
  const gain = areas > 0 ? sum : 0;
  const variance = n > 1 ? (sumSq - (sum * sum) / n) / (n - 1) : 0;
  const se = Math.sqrt(n * Math.max(0, variance));
  const logVariance = n > 1 ? (logSq - (logDiff * logDiff) / n) / (n - 1) : 0;
  const logSE = events > 0 ? Math.sqrt(n * Math.max(0, logVariance)) / events : 0;
  return { label, gain, z: se > 0 ? gain / se : 0, logScoreDiff: events > 0 ? logDiff / events : 0, logScoreSE: logSE };
}

/**
 * The decision: counts (index 0) unless a variant has gain > 0, z ≥ minZ and a positive
 * log-score gain of at least minLogZ standard errors and at least minLogGain nats; then the largest gain among those (ties:
 * the earlier, simpler one).
 */
export function chooseVariant(
  scores: readonly VariantScore[],
  minZ: number,
  minLogZ: number,
  minLogGain = 0,
): { index: number; best: number | null } {
  let index = 0;
  let best: number | null = null;
  for (let v = 1; v < scores.length; v++) {
    const s = scores[v]!;
    if (best === null || s.gain > scores[best]!.gain) best = v;
    const eligible = s.gain > 0 && s.z >= minZ && s.logScoreDiff > 0 && s.logScoreDiff >= Math.max(minLogZ * s.logScoreSE, minLogGain);
    if (eligible && (index === 0 || s.gain > scores[index]!.gain)) index = v;
  }
  return { index, best };
}

const pct = (x: number): string => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}%`;
const describe = (s: VariantScore): string =>
  `${s.label}: ${pct(s.gain)} hit rate, z = ${s.z.toFixed(1)}, log score ${s.logScoreDiff >= 0 ? '+' : ''}${s.logScoreDiff.toFixed(3)}`;

/**
 * The configuration's own variant, chosen without a replay when the history is too short to test
 * anything against counts (docs/model.md#adaptive-default: the model as configured, as before the selection).
 */
function untestedRecord(config: SelectionInput['config'], reason: string, fromMs: number, toMs: number, windows: number): AdaptRecord {
  const variant: AdaptVariant = {
    kind: 'model',
    halfLifeDays: config.recency?.halfLifeDays ?? null,
    allHistoryWeight: config.recency?.allHistoryWeight ?? 0,
    profile: config.profile !== null,
    triggering: config.triggering !== null,
  };
  const label = variantLabel(variant);
  return {
    variant,
    label,
    reason: `${label}: ${reason}`,
    holdout: { fromMs, toMs, windows, events: 0 },
    candidates: 1,
    chosen: { label, gain: 0, z: 0, logScoreDiff: 0, logScoreSE: 0 },
    best: null,
    countsHitRate: {},
  };
}

/**
 * The event set with only the cells that hold an event (order kept), so that nothing about the
 * cells first met after the selection instant (the normalising area of the log score, the
 * forecast's cells) reaches the choice. O(N + C).
 */
function withUsedCells(set: EventSet): EventSet {
  const newId = new Int32Array(set.cells.length).fill(-1);
  for (let k = 0; k < set.cell.length; k++) newId[set.cell[k]!] = 0;
  const cells: H3Cell[] = [];
  for (let c = 0; c < set.cells.length; c++) if (newId[c] === 0) newId[c] = cells.push(set.cells[c]!) - 1;
  return { ...set, cells, cell: set.cell.map((c) => newId[c]!) };
}

/** The fixed origin of the selection anchors: Monday 2001-01-01 00:00 UTC. */
export const SELECTION_EPOCH_MS = Date.UTC(2001, 0, 1);

/**
 * The selection instant of a fit ending at `endMs` (docs/model.md#adaptive-default): outside
 * month mode the last anchor at or before it, anchors every `everyDays` days from
 * {@link SELECTION_EPOCH_MS} (UTC, so daylight-saving changes do not move them), so that every fit
 * ending between two anchors makes the same choice: the backtest reselects when a window's anchor
 * changes, and the service (and the web app, which keeps the choice) selects at the same anchor
 * for any shift in between. `everyDays` 0, and month mode (whose fits end at month starts), use
 * `endMs` itself. O(1).
 */
export function selectionAnchorMs(endMs: number, everyDays: number, months: boolean): number {
  if (months || !(everyDays > 0)) return endMs;
  const periodMs = everyDays * DAY_MS;
  return SELECTION_EPOCH_MS + Math.floor((endMs - SELECTION_EPOCH_MS) / periodMs) * periodMs;
}

/**
 * Chooses the variant (select.ts module comment). Pure: the same input gives the same record.
 * Cost: one fit on the events known at the holdout's start, then the replay (holdout.ts).
 * @throws the holdout fit's errors (engine/model ModelError)
 */
export function selectVariant(given: SelectionInput): AdaptRecord {
  const a = given.config.adapt;
  if (!a) throw new EvaluateError('E_ARGUMENT', 'the adaptive selection needs a configuration with "adapt"', given.config);
  // the selection instant: the fit's end, or outside month mode the anchor before it; only what was known then is read
  const atMs = selectionAnchorMs(given.window.endMs, a.reselectEveryDays, given.months);
  const known = knownAt(given, atMs);
  const input: SelectionInput = {
    ...given,
    events: withUsedCells(known.set),
    timeUnknown: known.unknown,
    knownMs: known.knownMs,
    window: { startMs: given.window.startMs, endMs: atMs },
  };
  const windows = holdoutWindows(input);
  const toMs = input.window.endMs;
  const fromMs = windows.length > 0 ? windows[0]!.startMs : toMs;
  const span = input.months ? `${windows.length} months` : `${a.holdoutDays} days`;
  const training = knownAt(input, fromMs);
  if (windows.length === 0 || fromMs - input.window.startMs < toMs - fromMs || training.set.cell.length === 0) {
    return untestedRecord(
      input.config,
      `the configured model, untested: less history before the last ${span} than the ${span} themselves, too little to test it against counts`,
      fromMs,
      toMs,
      windows.length,
    );
  }
  const result = holdoutFit(input, training, fromMs);
  const variants = adaptVariants(input.config);
  const parts = variantParts(variants, result, training.set, (fromMs - input.window.startMs) / HOUR_MS);
  const scored = scoredCells(input.events);
  const replay = replayHoldout(holdoutSetup(input, result, scored, fromMs), windows, parts);
  const scores = variants.map((v, i) => scoreVariant(replay, i, variantLabel(v)));
  const { index, best } = chooseVariant(scores, a.minZ, a.minLogZ, a.minLogGain);
  const events = replay.events.reduce((x, y) => x + y, 0);
  const countsHitRate: Record<string, number> = {};
  ADAPT_FLAGGED_KM2.forEach(
    (km2, i) => (countsHitRate[String(km2)] = events > 0 ? replay.hits[0]![i]!.reduce((x, y) => x + y, 0) / events : 0),
  );
  const chosen = scores[index]!;
  const where = `the ${events} incidents of the last ${span}`;
  const reason =
    index === 0
      ? `${chosen.label}: no variant of the model beat them on ${where} by ${a.minZ} standard errors in hit rate and ${a.minLogZ} (and ${a.minLogGain} nats) in log score${best === null ? '' : ` (best ${describe(scores[best]!)})`}`
      : `${describe(chosen)} against all-history counts on ${where}`;
  return {
    variant: variants[index]!,
    label: chosen.label,
    reason,
    holdout: { fromMs, toMs, windows: windows.length, events },
    candidates: variants.length,
    chosen,
    best: best === null ? null : scores[best]!,
    countsHitRate,
  };
}
