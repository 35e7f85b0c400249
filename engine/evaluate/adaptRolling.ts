/**
 * The adaptive selection (select.ts; docs/model.md#adaptive-default) as the rolling model
 * (rolling.ts) makes it: at the first refit, then at the first refit whose selection anchor
 * (choose.ts selectionAnchorMs: every `adapt.reselectEveryDays` days from a fixed epoch; month
 * mode: every refit) differs from the last one's, on the events known at that anchor, the
 * choice the service makes for any shift of the same anchor.
 */
import type { AdaptConfig, AdaptRecord } from '../model/index.ts';
import type { EventSet } from '../types.ts';
import { selectionAnchorMs, selectVariant } from './choose.ts';
import { EvaluateError } from './errors.ts';
import type { SelectionInput } from './select.ts';

const HOUR_MS = 3_600_000;

/** The selection's fixed inputs: all but the events and the window. */
export type SelectionContext = Omit<SelectionInput, 'events' | 'knownMs' | 'timeUnknown' | 'window'>;

/** The selection's fixed inputs from the rolling model's setup. */
export function selectionContext(
  setup: Pick<SelectionInput, 'res' | 'tz' | 'config' | 'districtOf' | 'shouldCancel'> & { readonly months?: boolean },
  ringsOf: NonNullable<SelectionInput['ringsOf']>,
): SelectionContext {
  const { res, tz, config, districtOf, shouldCancel } = setup;
  return {
    res,
    tz,
    config,
    months: setup.months === true,
    ringsOf,
    ...(districtOf ? { districtOf } : {}),
    ...(shouldCancel ? { shouldCancel } : {}),
  };
}

export class RollingSelection {
  /** The variant in force (null before the first selection). */
  choice: AdaptRecord | null = null;
  private atMs = -Infinity;

  constructor(
    private readonly adapt: AdaptConfig,
    private readonly context: SelectionContext,
  ) {}

  /**
   * Selects on `training` (the events known at `startMs`, with their flags and known-from
   * instants; the window runs from its origin to `startMs`) when due; returns the new record, or
   * null when the choice in force stands.
   * @throws {EvaluateError} E_FIT when the holdout fit fails
   */
  update(startMs: number, label: string, training: EventSet, timeUnknown: Uint8Array, knownMs: Float64Array): AdaptRecord | null {
    const anchorMs = selectionAnchorMs(startMs, this.adapt.reselectEveryDays, this.context.months);
    if (this.choice !== null && anchorMs === this.atMs) return null;
    try {
      const window = { startMs: training.originMs, endMs: startMs };
      this.choice = selectVariant({ ...this.context, events: training, knownMs, timeUnknown, window });
    } catch (err) {
      if ((err as { code?: unknown }).code === 'E_CANCELLED')
        throw new EvaluateError('E_CANCELLED', `cancelled during the adaptive selection before ${label}`, err);
      throw new EvaluateError('E_FIT', `the adaptive selection before ${label} failed: ${(err as Error).message}`, err);
    }
    this.atMs = anchorMs;
    return this.choice;
  }
}

/**
 * The counts variant between refits: each study cell's count of the incidents known at the
 * window's start over the hours since the events' origin, as naive-all ranks them (a daily refit
 * would otherwise hold the day's first counts for its later shifts). Windows come in time order;
 * O(new events + C) per window.
 */
export class RunningCounts {
  private readonly counts: Float64Array;
  private next = 0;

  constructor(
    private readonly byKnown: Int32Array,
    private readonly knownSorted: Float64Array,
    private readonly cell: Int32Array,
    private readonly studyOf: Int32Array,
    studyCells: number,
  ) {
    this.counts = new Float64Array(studyCells);
  }

  /** Rates per hour at `startMs` (the same numbers as select.ts variantRate at a refit there). */
  rateAt(startMs: number, originMs: number): Float64Array {
    while (this.next < this.knownSorted.length && this.knownSorted[this.next]! <= startMs) {
      const st = this.studyOf[this.cell[this.byKnown[this.next]!]!]!;
      if (st >= 0) this.counts[st]! += 1;
      this.next++;
    }
    const hours = (startMs - originMs) / HOUR_MS;
    return this.counts.map((n) => n / hours);
  }
}

/** Event positions in known-from order (ties by position) and their known-from instants. O(N log N). */
export function knownOrder(known: Float64Array): [Int32Array, Float64Array] {
  const n = known.length;
  const order = new Int32Array(n);
  for (let k = 0; k < n; k++) order[k] = k;
  order.sort((a, b) => known[a]! - known[b]! || a - b);
  return [order, Float64Array.from(order, (k) => known[k]!)];
}
