/**
 * The baselines every backtest runs beside the model (docs/model.md#baselines), as incremental scorers over
 * cell-indexed data.
 *
 * All count and kernel baselines are one machine, {@link KernelScorer}: every training event,
 * once known, spreads a weight w(space) · w(age) over its neighbouring study cells, where the age
 * bucket is found from the time since the event became known. Events are applied through pointers
 * that only move forward in time, so replaying S shifts costs O(N log N) to prepare plus, per
 * shift, O(C) to copy the scores and O(K) per event that enters, changes age bucket or leaves
 * (K = neighbours per cell). Weights are rounded to multiples of 2^−20 and summed as integers, so
 * the scores are exact, do not depend on the order events arrive in, and never drift by rounding:
 * naive counts come out as exact whole numbers, and equal inputs give bit-identical rankings.
 *
 * Event ages are measured from the time an event became known (`knownMs`, the end of its time
 * period: see timing.ts), so "the last 28 days" of a shift starting at s is knownMs in (s − 28 d, s].
 */
import { seededRandom } from '../random.ts';
import { EvaluateError } from './errors.ts';

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
/** Fixed-point scale of kernel weights: 2^20. */
export const KERNEL_WEIGHT_SCALE = 1_048_576;

/**
 * Training events in the order they become known.
 * `knownMs` ascending; `source[e]` indexes the source cells of a `Neighbourhood` (baselines.ts).
 */
export interface TrainingStream {
  readonly knownMs: Float64Array;
  readonly source: Int32Array;
}

/**
 * For each source cell (any cell a training event lies in), the study cells it can score, in CSR
 * form: the targets of source s are `target[offsets[s] .. offsets[s+1])`, with the centre-to-centre
 * distance in km and the H3 grid distance of each. A source's own cell (if it is a study cell) is
 * listed with distance 0.
 */
export interface Neighbourhood {
  readonly offsets: Int32Array;
  readonly target: Int32Array;
  readonly distanceKm: Float64Array;
  readonly gridDistance: Int32Array;
}

/** A kernel: spatial weight per neighbour and temporal weight per age bucket. */
export interface KernelSpec {
  /**
   * Age bucket edges in ms, ascending, starting at 0: an event of age a (ms since it became known)
   * is in bucket j when edges[j] ≤ a < edges[j+1]; at or beyond the last edge it no longer counts.
   * The last edge may be Infinity.
   */
  readonly ageEdgesMs: readonly number[];
  /** Weight of age bucket j (j = 0 .. edges.length − 2). */
  ageWeight(bucket: number): number;
  /** Spatial weight of a target at distanceKm / gridDistance from the event's cell (0 = not scored). */
  spaceWeight(distanceKm: number, gridDistance: number): number;
}

/**
 * Incremental kernel scores over the study cells.
 *
 * @example
 * // one study cell, naive "last 1 day" counts
 * const hood = selfNeighbourhood(Int32Array.from([0]));
 * const k = new KernelScorer({ knownMs: Float64Array.from([5, 10]), source: Int32Array.from([0, 0]) }, hood, 1, naiveKernel(1));
 * k.scoresAt(10)[0] // => 2
 */
export class KernelScorer {
  private readonly stream: TrainingStream;
  private readonly hood: Neighbourhood;
  private readonly spec: KernelSpec;
  /** Integer weight per (neighbour pair, age bucket): weights[pair * B + j]. */
  private readonly weights: Float64Array;
  private readonly buckets: number;
  private readonly sums: Float64Array;
  /** pointer[j]: events with knownMs ≤ s − edges[j] have been moved past edge j. */
  private readonly pointer: Int32Array;
  private lastMs = -Infinity;

  constructor(stream: TrainingStream, hood: Neighbourhood, cellCount: number, spec: KernelSpec) {
    const edges = spec.ageEdgesMs;
    if (edges.length < 2 || edges[0] !== 0)
      throw new EvaluateError('E_ARGUMENT', 'KernelScorer: ageEdgesMs must start at 0 and have at least two edges', edges);
    for (let j = 1; j < edges.length; j++)
      if (!(edges[j]! > edges[j - 1]!)) throw new EvaluateError('E_ARGUMENT', 'KernelScorer: ageEdgesMs must increase', edges);
    for (let e = 1; e < stream.knownMs.length; e++) {
      if (!(stream.knownMs[e]! >= stream.knownMs[e - 1]!))
        throw new EvaluateError('E_ARGUMENT', `KernelScorer: training stream not sorted by knownMs at ${e}`, e);
    }
    this.stream = stream;
    this.hood = hood;
    this.spec = spec;
    this.buckets = edges.length - 1;
    const pairs = hood.target.length;
    const b = this.buckets;
    this.weights = new Float64Array(pairs * b);
    for (let p = 0; p < pairs; p++) {
      const ws = spec.spaceWeight(hood.distanceKm[p]!, hood.gridDistance[p]!);
      for (let j = 0; j < b; j++) this.weights[p * b + j] = Math.round(KERNEL_WEIGHT_SCALE * ws * spec.ageWeight(j));
    }
    this.sums = new Float64Array(cellCount);
    this.pointer = new Int32Array(edges.length);
  }

  /**
   * Scores (weight sums, in kernel units) of every study cell for a window starting at `startMs`,
   * using only events with knownMs ≤ startMs. Calls must not go back in time.
   * @throws {EvaluateError} E_ARGUMENT when `startMs` is earlier than the previous call's
   */
  scoresAt(startMs: number): Float64Array {
    if (startMs < this.lastMs)
      throw new EvaluateError('E_ARGUMENT', `KernelScorer: time went backwards (${startMs} < ${this.lastMs})`, startMs);
    this.lastMs = startMs;
    const edges = this.spec.ageEdgesMs;
    const known = this.stream.knownMs;
    const n = known.length;
    // Move events across edges from the oldest edge to the newest, so an event jumping several
    // buckets in one step still has its weight removed and added exactly once per edge.
    for (let j = edges.length - 1; j >= 0; j--) {
      const limit = startMs - edges[j]!;
      let p = this.pointer[j]!;
      while (p < n && known[p]! <= limit) {
        // Event p crosses edge j: from bucket j−1 (or "not yet known" when j = 0) into bucket j
        // (or "expired" when j = B).
        this.applyDelta(this.stream.source[p]!, j - 1, j);
        p++;
      }
      this.pointer[j] = p;
    }
    const out = new Float64Array(this.sums.length);
    for (let c = 0; c < out.length; c++) out[c] = this.sums[c]! / KERNEL_WEIGHT_SCALE;
    return out;
  }

  private applyDelta(source: number, fromBucket: number, toBucket: number): void {
    const b = this.buckets;
    const { offsets, target } = this.hood;
    const w = this.weights;
    for (let p = offsets[source]!; p < offsets[source + 1]!; p++) {
      const before = fromBucket >= 0 && fromBucket < b ? w[p * b + fromBucket]! : 0;
      const after = toBucket >= 0 && toBucket < b ? w[p * b + toBucket]! : 0;
      if (before !== after) this.sums[target[p]!]! += after - before;
    }
  }
}

/**
 * The neighbourhood where each source cell scores only itself (for naive counts).
 * @param sourceToStudy study index of each source cell, −1 when it is not a study cell
 */
export function selfNeighbourhood(sourceToStudy: Int32Array): Neighbourhood {
  const offsets = new Int32Array(sourceToStudy.length + 1);
  const target: number[] = [];
  for (let s = 0; s < sourceToStudy.length; s++) {
    const t = sourceToStudy[s]!;
    if (t >= 0) target.push(t);
    offsets[s + 1] = target.length;
  }
  return {
    offsets,
    target: Int32Array.from(target),
    distanceKm: new Float64Array(target.length),
    gridDistance: new Int32Array(target.length),
  };
}

/**
 * Naive counts over the last `days` days (Infinity = all history): each event counts 1 in its
 * own cell while its age is under `days`.
 * @throws {EvaluateError} E_ARGUMENT unless days > 0
 */
export function naiveKernel(days: number): KernelSpec {
  if (!(days > 0)) throw new EvaluateError('E_ARGUMENT', `naiveKernel: days ${days} must be positive`, days);
  return {
    ageEdgesMs: [0, days * DAY_MS],
    ageWeight: () => 1,
    spaceWeight: (_km, grid) => (grid === 0 ? 1 : 0),
  };
}

/** Retrospective hotspot defaults: quartic bandwidth 200 m, the last 2 months (60 days). */
export const RETRO_BANDWIDTH_KM = 0.2;
export const RETRO_DAYS = 60;

/**
 * Retrospective hotspot (quartic kernel density): an event within bandwidth h of a cell centre
 * adds (1 − d²/h²)², d the distance between the event's cell centre and the cell's centre, for
 * events of the last `days` days.
 */
export function retroKernel(bandwidthKm: number = RETRO_BANDWIDTH_KM, days: number = RETRO_DAYS): KernelSpec {
  if (!(bandwidthKm > 0) || !(days > 0))
    throw new EvaluateError('E_ARGUMENT', 'retroKernel: bandwidth and days must be positive', [bandwidthKm, days]);
  return {
    ageEdgesMs: [0, days * DAY_MS],
    ageWeight: () => 1,
    spaceWeight: (km) => (km < bandwidthKm ? (1 - (km * km) / (bandwidthKm * bandwidthKm)) ** 2 : 0),
  };
}

/** Prospective hotspot defaults (Bowers, Johnson & Pease 2004): 400 m, 8 weeks. */
export const PROSPECTIVE_RADIUS_KM = 0.4;
export const PROSPECTIVE_WEEKS = 8;

/**
 * Prospective hotspot (Bowers, Johnson & Pease 2004): an event adds 1/(1 + d) · 1/(1 + t) to
 * every cell within `radiusKm` of its cell, d the H3 grid distance in cells and t its age in
 * whole weeks (0 in its first week), for events younger than `weeks` weeks.
 */
export function prospectiveKernel(radiusKm: number = PROSPECTIVE_RADIUS_KM, weeks: number = PROSPECTIVE_WEEKS): KernelSpec {
  if (!(radiusKm > 0) || !(weeks >= 1) || !Number.isInteger(weeks))
    throw new EvaluateError('E_ARGUMENT', 'prospectiveKernel: radius must be positive and weeks a whole number ≥ 1', [radiusKm, weeks]);
  return {
    ageEdgesMs: Array.from({ length: weeks + 1 }, (_, j) => j * WEEK_MS),
    ageWeight: (j) => 1 / (1 + j),
    spaceWeight: (km, grid) => (km <= radiusKm ? 1 / (1 + grid) : 0),
  };
}

/**
 * A seeded uniformly random order of the study cells (Fisher-Yates): the floor any forecast must
 * clear. Expected hit rate at k of C cells is k/C of the events inside the study cells.
 * @example
 * Array.from(randomOrder(3, seededRandom(1))).sort() // => [0, 1, 2]
 */
export function randomOrder(cellCount: number, rand: () => number): Int32Array {
  const order = new Int32Array(cellCount);
  for (let i = 0; i < cellCount; i++) order[i] = i;
  for (let i = cellCount - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

/** Re-export so callers of the random baseline need one import. */
export { seededRandom };
