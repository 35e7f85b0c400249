/**
 * Model selection for the "etas" model: choose the recency half-life, the profile's shrinkage
 * (prior strength κ, blend β, weekday/weekend), ring depth and delay bound by a rolling backtest
 * on a tuning period that ends before the evaluation period, never on it.
 *
 * Only incidents strictly before the tuning period's end are read at all, and only shifts lying
 * wholly inside [from, to) are scored, so nothing at or after `to` can influence the choice.
 *
 * Search: coordinate-wise over the grid (one setting at a time, the others held at the current
 * best; repeated until a pass changes nothing, at most `passes` times); a setting changes only
 * when that raises the objective by more than `minGain` (parsimony: see TUNE_DEFAULTS). Every half-life
 * and all-history blend weight of the grid is scored on every fit for free (recency is applied
 * after the EM). The objective is the mean, over the flagged areas, of the hit rate relative to
 * all-history counts (naive-all) on the same tuning shifts.
 *
 * Log-score guard (optional, `logScoreMargin`): every candidate's log score (the backtest's:
 * Σ over the tuning shifts' events of log(q_c·A/a_c), the forecast's normalised density mixed
 * with 1% uniform, divided by the number of events; metrics.ts logScoreVsUniform) is compared
 * with naive-all's on the same shifts. A candidate whose log score is below naive-all's by more
 * than the margin is ineligible: it is chosen only when no eligible candidate has been seen
 * (then the best hit rate among the ineligible, as without the guard). Eligible always beats
 * ineligible; between two of the same kind the objective decides as before.
 */
import { buildEventSet, cellAreaKm2, districtsFromLabels, studyArea } from '../grid/index.ts';
import { shiftWindows } from '../forecast/index.ts';
import { checkEtasConfig, hasUnknownTimeOfDay, ETAS_DEFAULTS, MAX_RING_DEPTH, type EtasConfig } from '../model/index.ts';
import type { H3Cell, Incident } from '../types.ts';
import { EvaluateError } from './errors.ts';
import { cellsForArea, hitsAtK, logScoreVsUniform, topIndices } from './metrics.ts';
import { monthWindows, periodEndMs, type EvalWindow } from './timing.ts';
import { EtasRollingModel, type RecencyVariant } from './tuneRunner.ts';

const HOUR_MS = 3_600_000;

/** The settings tried; every list must be non-empty. Infinity in halfLifeDays = never forgets. */
export interface TuneGrid {
  readonly halfLifeDays?: readonly number[];
  /** Share a in [0, 1) of the all-history rate blended into the recency-weighted one (free, like the half-life). */
  readonly allHistoryWeight?: readonly number[];
  readonly profile?: readonly boolean[];
  readonly priorStrength?: readonly number[];
  readonly blend?: readonly number[];
  readonly weekend?: readonly boolean[];
  readonly prior?: readonly ('district' | 'city')[];
  readonly triggering?: readonly boolean[];
  readonly minMeanDelayHours?: readonly number[];
  readonly ringDepth?: readonly number[];
}

/**
 * The default grid (small: on Vancouver property crime, half a year of tuning shifts with weekly
 * refits, it runs in a few minutes on 2 cores).
 */
export const TUNE_DEFAULT_GRID: Required<TuneGrid> = {
  halfLifeDays: [Infinity, 730, 365, 180, 90, 45],
  allHistoryWeight: [0],
  profile: [true, false],
  priorStrength: [3, 10, 30],
  blend: [0, 0.1, 0.3],
  weekend: [true, false],
  prior: ['district', 'city'],
  triggering: [true, false],
  minMeanDelayHours: [1, 24],
  ringDepth: [0, 1],
};

/**
 * Defaults of {@link tuneEtas}: weekly refits while tuning (the evaluation refits daily; the
 * settings chosen do not hinge on it), the four flagged areas of the backtest, two passes, and a
 * change of setting is taken only when it raises the objective by more than `minGain` (0.001,
 * i.e. 0.1% of naive-all's hit rate): differences below that are noise on half a year of shifts,
 * and the rule keeps the simpler, cheaper setting the search started from (e.g. same-cell
 * triggering, whose fit is about 4× faster than ring spread).
 */
export const TUNE_DEFAULTS = {
  refitEveryDays: 7,
  flaggedKm2: [0.5, 1, 2, 5],
  passes: 2,
  minGain: 0.001,
} as const;

export interface TuneInput {
  readonly incidents: readonly Incident[];
  readonly res: number;
  readonly tz: string;
  /** Tuning period [fromMs, toMs): shifts starting at or after fromMs and ending at or before toMs. */
  readonly fromMs: number;
  readonly toMs: number;
  /** Start of the evaluation period, when known: refused if it lies before toMs. */
  readonly evalFromMs?: number;
  readonly shiftStarts?: readonly string[];
  readonly shiftHours?: number;
  /** Month mode (month-precision data): calendar months, no profile. */
  readonly months?: boolean;
  /** Refit interval in days (default 7; month mode refits every month). */
  readonly refitEveryDays?: number;
  readonly include?: (inc: Incident) => boolean;
  readonly districtOf?: ReadonlyMap<H3Cell, string>;
  /** Flagged areas the objective averages over (default 0.5, 1, 2, 5 km²). */
  readonly flaggedKm2?: readonly number[];
  readonly grid?: TuneGrid;
  /** Starting configuration (default ETAS_DEFAULTS). */
  readonly base?: EtasConfig;
  readonly passes?: number;
  /** Smallest rise of the objective for which the search changes a setting (default 0.001). */
  readonly minGain?: number;
  /**
   * Log-score guard (module comment): candidates whose mean log score on the tuning shifts is
   * below naive-all's by more than this many nats per event are not chosen while an eligible one
   * exists. Default undefined/null: no guard (hit rates only).
   */
  readonly logScoreMargin?: number | null;
}

export interface TuneCandidate {
  readonly config: EtasConfig;
  readonly hitRate: Readonly<Record<string, number>>;
  /** Mean over the areas of hitRate / naive-all's − 1. */
  readonly score: number;
  /** Mean log score per event on the tuning windows (metrics.ts logScoreVsUniform), nats. */
  readonly logScore: number;
  /** False when the log-score guard is on and logScore < naive-all's − margin. */
  readonly eligible: boolean;
}

export interface TuneResult {
  /** The chosen configuration, with its `tuning` record. */
  readonly config: EtasConfig;
  readonly score: number;
  readonly hitRate: Readonly<Record<string, number>>;
  readonly naiveAllHitRate: Readonly<Record<string, number>>;
  /** The chosen configuration's and naive-all's mean log score per event on the tuning windows. */
  readonly logScore: number;
  readonly naiveAllLogScore: number;
  /** The guard's margin (null: off). */
  readonly logScoreMargin: number | null;
  /** Every configuration scored, in the order tried. */
  readonly candidates: readonly TuneCandidate[];
  /** The flagged areas (km²), in the order given; the hit-rate keys are String(area). */
  readonly flaggedKm2: readonly number[];
  readonly shifts: number;
  readonly events: number;
  readonly historyEvents: number;
  readonly cells: number;
  readonly fits: number;
}

export interface TuneHooks {
  /** Called after each fit configuration has been replayed. */
  onCandidate?(done: number, label: string): void;
  shouldCancel?(): boolean;
}

function fail(message: string, value?: unknown): never {
  throw new EvaluateError('E_ARGUMENT', message, value);
}

/**
 * Checks a grid (e.g. parsed from the CLI's --grid JSON) and fills missing keys from the defaults.
 * "Infinity" or null in halfLifeDays mean never forgets.
 * @throws {EvaluateError} E_ARGUMENT naming the key and value
 */
export function checkTuneGrid(value: unknown): Required<TuneGrid> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail('the tuning grid must be a JSON object of setting → list of values');
  const g = value as Record<string, unknown>;
  const out: Record<string, unknown[]> = { ...TUNE_DEFAULT_GRID } as unknown as Record<string, unknown[]>;
  const keys = Object.keys(TUNE_DEFAULT_GRID);
  for (const [k, v] of Object.entries(g)) {
    if (!keys.includes(k)) fail(`grid key "${k}" is unknown (known: ${keys.join(', ')})`, k);
    if (!Array.isArray(v) || v.length === 0) fail(`grid key "${k}" must be a non-empty list`, v);
    const list = k === 'halfLifeDays' ? v.map((x) => (x === null || x === 'Infinity' ? Infinity : x)) : v;
    const ok = (x: unknown): boolean => {
      switch (k) {
        case 'halfLifeDays':
          return typeof x === 'number' && x > 0;
        case 'profile':
        case 'weekend':
        case 'triggering':
          return typeof x === 'boolean';
        case 'prior':
          return x === 'district' || x === 'city';
        case 'priorStrength':
          return typeof x === 'number' && Number.isFinite(x) && x >= 0;
        case 'blend':
        case 'allHistoryWeight':
          return typeof x === 'number' && x >= 0 && x < 1;
        case 'minMeanDelayHours':
          return typeof x === 'number' && Number.isFinite(x) && x > 0;
        case 'ringDepth':
          return typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= MAX_RING_DEPTH;
        default:
          return false;
      }
    };
    for (const x of list) if (!ok(x)) fail(`grid key "${k}" has a bad value ${JSON.stringify(x)}`, x);
    out[k] = [...new Set(list)];
  }
  return out as unknown as Required<TuneGrid>;
}

type FitKey = 'profile' | 'priorStrength' | 'blend' | 'weekend' | 'prior' | 'triggering' | 'minMeanDelayHours' | 'ringDepth';
const FIT_KEYS: readonly FitKey[] = ['profile', 'priorStrength', 'blend', 'weekend', 'prior', 'triggering', 'minMeanDelayHours', 'ringDepth'];

/** The configuration with one setting changed (switching an ingredient on uses `base`'s settings for it). */
function withSetting(c: EtasConfig, key: FitKey, value: unknown, base: EtasConfig): EtasConfig {
  const prof = c.profile ?? base.profile ?? ETAS_DEFAULTS.profile!;
  const trig = c.triggering ?? base.triggering ?? ETAS_DEFAULTS.triggering!;
  switch (key) {
    case 'profile':
      return { ...c, profile: value ? prof : null };
    case 'triggering':
      return { ...c, triggering: value ? trig : null };
    case 'priorStrength':
    case 'blend':
    case 'weekend':
    case 'prior':
      return c.profile === null ? c : { ...c, profile: { ...c.profile, [key]: value } };
    case 'minMeanDelayHours':
    case 'ringDepth':
      return c.triggering === null ? c : { ...c, triggering: { ...c.triggering, [key]: value } };
  }
}

function fitKeyOf(c: EtasConfig): string {
  return JSON.stringify({ p: c.profile, t: c.triggering, e: c.em });
}

/**
 * Tunes the "etas" configuration on [fromMs, toMs) (module comment).
 *
 * Cost: per fit configuration tried, one rolling replay (a fit every `refitEveryDays`, a
 * forecast per shift for each half-life); at most passes × Σ grid sizes configurations.
 * @throws {EvaluateError} E_ARGUMENT (bad period, overlap with the evaluation period, bad grid),
 *   E_NO_SHIFTS, E_NO_HISTORY, E_FIT, E_CANCELLED
 */
export function tuneEtas(input: TuneInput, hooks: TuneHooks = {}): TuneResult {
  const { tz, res } = input;
  if (!Number.isFinite(input.fromMs) || !Number.isFinite(input.toMs) || !(input.fromMs < input.toMs)) fail('the tuning period must have from < to');
  if (input.evalFromMs !== undefined && input.evalFromMs < input.toMs) {
    fail(`the tuning period must end before the evaluation period starts: tuning ends ${new Date(input.toMs).toISOString()}, evaluation starts ${new Date(input.evalFromMs).toISOString()}`);
  }
  if (!Number.isInteger(res) || res < 0 || res > 15) fail(`res must be an integer 0..15, got ${String(res)}`);
  const months = input.months === true;
  const checkedGrid = checkTuneGrid(input.grid ?? {});
  // Month mode: times are known to the month only, so no shift-type profile.
  const grid: Required<TuneGrid> = months ? { ...checkedGrid, profile: [false] } : checkedGrid;
  let base = checkEtasConfig(input.base ?? ETAS_DEFAULTS);
  if (months) base = { ...base, profile: null };
  const flaggedKm2 = [...(input.flaggedKm2 ?? TUNE_DEFAULTS.flaggedKm2)];
  for (const a of flaggedKm2) if (!(a > 0)) fail(`flagged areas must be positive km², got ${a}`);
  const refitEveryDays = months ? 0 : input.refitEveryDays ?? TUNE_DEFAULTS.refitEveryDays;
  if (!(refitEveryDays >= 0)) fail(`refit interval must be ≥ 0 days, got ${refitEveryDays}`);
  const passes = input.passes ?? TUNE_DEFAULTS.passes;
  const minGain = input.minGain ?? TUNE_DEFAULTS.minGain;
  if (!(minGain >= 0)) fail(`minGain must be ≥ 0, got ${minGain}`);
  const logScoreMargin = input.logScoreMargin ?? null;
  if (logScoreMargin !== null && !(logScoreMargin >= 0 && Number.isFinite(logScoreMargin))) fail(`logScoreMargin must be a finite number ≥ 0 (nats per event), got ${logScoreMargin}`);

  // ---- nothing at or after `to` is read -----------------------------------------------------
  const incidents = input.incidents.filter((inc) => inc.timeMs < input.toMs && (input.include ? input.include(inc) : true));
  const n = incidents.length;
  const knownMs = Float64Array.from(incidents, (inc) => periodEndMs(inc, tz));
  const windows: EvalWindow[] = (
    months
      ? monthWindows(input.fromMs, input.toMs, tz)
      : shiftWindows(input.fromMs, input.toMs, tz, { ...(input.shiftStarts ? { starts: [...input.shiftStarts] } : {}), ...(input.shiftHours ? { hours: input.shiftHours } : {}) }).map((w) => ({
          startMs: w.startMs,
          endMs: w.startMs + w.hours * HOUR_MS,
          hours: w.hours,
          label: w.label,
        }))
  ).filter((w) => w.endMs <= input.toMs);
  if (windows.length === 0) throw new EvaluateError('E_NO_SHIFTS', 'the tuning period holds no whole shift');
  const firstStart = windows[0]!.startMs;
  const history = incidents.filter((_, i) => knownMs[i]! <= firstStart);
  if (history.length === 0) throw new EvaluateError('E_NO_HISTORY', `no incident is known before the first tuning shift (${new Date(firstStart).toISOString()})`);

  let minTime = Infinity;
  for (const inc of incidents) if (inc.timeMs < minTime) minTime = inc.timeMs;
  const originMs = Math.floor(minTime / HOUR_MS) * HOUR_MS;
  const events = buildEventSet(incidents, res, originMs);
  const area = studyArea({ res, incidents: history });
  const cells = area.cells;
  const C = cells.length;
  const studyIndex = new Map<H3Cell, number>();
  cells.forEach((c, i) => studyIndex.set(c, i));
  let areaSum = 0;
  const cellArea = new Float64Array(C);
  for (let i = 0; i < C; i++) {
    cellArea[i] = cellAreaKm2(cells[i]!);
    areaSum += cellArea[i]!;
  }
  const ks = flaggedKm2.map((a) => cellsForArea(a, areaSum / C, C));
  const maxK = Math.max(...ks);
  const studyOfCell = Int32Array.from(events.cells, (c) => studyIndex.get(c) ?? -1);
  const nEv = events.cell.length;
  const eventKnownMs = new Float64Array(nEv);
  const timeUnknown = new Uint8Array(nEv);
  const cellOfIncident = new Int32Array(n).fill(-1);
  for (let k = 0; k < nEv; k++) {
    const i = events.incidentIndex[k]!;
    eventKnownMs[k] = knownMs[i]!;
    timeUnknown[k] = hasUnknownTimeOfDay(incidents[i]!) ? 1 : 0;
    cellOfIncident[i] = studyOfCell[events.cell[k]!]!;
  }
  const districtOf = input.districtOf ?? districtsFromLabels(history, res);

  // ---- actuals and naive-all ----------------------------------------------------------------
  const actual: number[][] = windows.map(() => []);
  const starts = windows.map((w) => w.startMs);
  let scored = 0;
  for (let i = 0; i < n; i++) {
    const t = incidents[i]!.timeMs;
    // the window containing t, if the incident's whole period lies inside it
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid]! <= t) lo = mid + 1;
      else hi = mid;
    }
    const w = lo - 1;
    if (w < 0) continue;
    const win = windows[w]!;
    if (t >= win.startMs && knownMs[i]! <= win.endMs) {
      actual[w]!.push(cellOfIncident[i]!);
      scored++;
    }
  }
  const scratch = new Int32Array(C).fill(-1);
  /** Log score of one window's scores (summed over its events) and the events counted. */
  const logOf = (scores: Float64Array, ev: readonly number[]): { sum: number; events: number } => {
    let total = 0;
    for (let c = 0; c < C; c++) total += scores[c]!;
    return logScoreVsUniform(scores, total, cellArea, areaSum, ev);
  };
  const hitSums = (scoresOf: (w: number) => Float64Array): { hit: number[]; log: number } => {
    const sums = ks.map(() => 0);
    let counted = 0;
    let logSum = 0;
    let logEvents = 0;
    for (let w = 0; w < windows.length; w++) {
      const ev = actual[w]!;
      const scores = scoresOf(w); // always called, in order (the rolling model needs every window)
      if (ev.length === 0) continue;
      const hits = hitsAtK(topIndices(scores, maxK), ev, ks, scratch);
      for (let a = 0; a < ks.length; a++) sums[a]! += hits[a]! / ev.length;
      const ls = logOf(scores, ev);
      logSum += ls.sum;
      logEvents += ls.events;
      counted++;
    }
    return { hit: sums.map((s) => s / Math.max(1, counted)), log: logSum / Math.max(1, logEvents) };
  };
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => knownMs[a]! - knownMs[b]! || a - b);
  const counts = new Float64Array(C);
  let ptr = 0;
  const { hit: naive, log: naiveLog } = hitSums((w) => {
    const s = windows[w]!.startMs;
    while (ptr < n && knownMs[order[ptr]!]! <= s) {
      const c = cellOfIncident[order[ptr]!]!;
      if (c >= 0) counts[c]! += 1;
      ptr++;
    }
    return counts;
  });
  const areaKeys = flaggedKm2.map(String);
  const naiveAllHitRate: Record<string, number> = {};
  areaKeys.forEach((k, a) => (naiveAllHitRate[k] = naive[a]!));
  const scoreOf = (hit: readonly number[]): number => hit.reduce((s, h, a) => s + (naive[a]! > 0 ? h / naive[a]! - 1 : 0), 0) / hit.length;
  const eligibleLog = (log: number): boolean => logScoreMargin === null || log >= naiveLog - logScoreMargin;

  // ---- the search ---------------------------------------------------------------------------
  // Recency settings scored on every fit: each half-life × each blend weight (Infinity: no blend).
  const variants: RecencyVariant[] = [];
  for (const hl of grid.halfLifeDays) {
    for (const a of hl === Infinity ? [0] : grid.allHistoryWeight) variants.push({ halfLifeDays: hl, allHistoryWeight: a });
  }
  const candidates: TuneCandidate[] = [];
  const memo = new Map<string, TuneCandidate[]>();
  const ringCache = new Map<H3Cell, H3Cell[][]>();
  let fitsDone = 0;
  const evaluate = (cfg: EtasConfig): TuneCandidate[] => {
    const key = fitKeyOf(cfg);
    const seen = memo.get(key);
    if (seen) return seen;
    if (hooks.shouldCancel?.()) throw new EvaluateError('E_CANCELLED', 'tuning cancelled');
    const model = new EtasRollingModel({
      events,
      eventKnownMs,
      timeUnknown,
      res,
      tz,
      studyOfCell,
      studyCells: cells,
      districtOf,
      config: cfg,
      recencyVariants: variants,
      refitEveryDays,
      ringCache,
    });
    const perVariant = variants.map(() => ks.map(() => 0));
    const logSum = variants.map(() => 0);
    const logEvents = variants.map(() => 0);
    let counted = 0;
    for (let w = 0; w < windows.length; w++) {
      const all = model.forecast(windows[w]!, w);
      const ev = actual[w]!;
      if (ev.length === 0) continue;
      counted++;
      all.forEach((scores, h) => {
        const hits = hitsAtK(topIndices(scores, maxK), ev, ks, scratch);
        for (let a = 0; a < ks.length; a++) perVariant[h]![a]! += hits[a]! / ev.length;
        const ls = logOf(scores, ev);
        logSum[h]! += ls.sum;
        logEvents[h]! += ls.events;
      });
    }
    fitsDone += model.fits.length;
    const out = variants.map(({ halfLifeDays: hl, allHistoryWeight: a }, h): TuneCandidate => {
      const hit = perVariant[h]!.map((s) => s / Math.max(1, counted));
      const config: EtasConfig = { ...cfg, recency: hl === Infinity ? null : a > 0 ? { halfLifeDays: hl, allHistoryWeight: a } : { halfLifeDays: hl } };
      const hitRate: Record<string, number> = {};
      areaKeys.forEach((k, i) => (hitRate[k] = hit[i]!));
      const logScore = logSum[h]! / Math.max(1, logEvents[h]!);
      return { config, hitRate, score: scoreOf(hit), logScore, eligible: eligibleLog(logScore) };
    });
    memo.set(key, out);
    candidates.push(...out);
    hooks.onCandidate?.(memo.size, key);
    return out;
  };
  /** c beats b: eligible beats ineligible; otherwise a higher objective by more than `gain`. */
  const beats = (c: TuneCandidate, b: TuneCandidate, gain: number): boolean => (c.eligible !== b.eligible ? c.eligible : c.score > b.score + gain);
  const bestOf = (list: readonly TuneCandidate[]): TuneCandidate => list.reduce((b, c) => (beats(c, b, 0) ? c : b));

  // The half-life is free on every fit; other settings change only for a gain above minGain.
  let current = bestOf(evaluate(base));
  for (let pass = 0; pass < passes; pass++) {
    let changed = false;
    for (const key of FIT_KEYS) {
      const values = grid[key] as readonly unknown[];
      let best = bestOf(evaluate(current.config));
      for (const v of values) {
        const cand = bestOf(evaluate(withSetting(current.config, key, v, base)));
        if (beats(cand, best, minGain)) best = cand;
      }
      if (beats(best, current, 0)) {
        changed = changed || fitKeyOf(best.config) !== fitKeyOf(current.config);
        current = best;
      }
    }
    if (!changed) break;
  }

  const tuned: EtasConfig = {
    ...current.config,
    tuning: {
      from: new Date(input.fromMs).toISOString(),
      to: new Date(input.toMs).toISOString(),
      fromMs: input.fromMs,
      toMs: input.toMs,
      tz,
      shifts: windows.length,
      objective: `mean over ${areaKeys.map((a) => `${a} km²`).join(', ')} of hit rate / naive-all hit rate − 1, ${months ? 'months' : 'shifts'} in the tuning period, refit every ${refitEveryDays || 'window'}${refitEveryDays ? ' days' : ''}${logScoreMargin === null ? '' : `; only candidates whose mean log score is at least naive-all's − ${logScoreMargin} nats per event (while one exists)`}`,
      score: current.score,
      hitRate: current.hitRate,
      naiveAllHitRate,
      ...(logScoreMargin === null ? {} : { logScore: current.logScore, naiveAllLogScore: naiveLog, logScoreMargin }),
      candidates: candidates.length,
    },
  };
  return {
    config: tuned,
    score: current.score,
    hitRate: current.hitRate,
    naiveAllHitRate,
    logScore: current.logScore,
    naiveAllLogScore: naiveLog,
    logScoreMargin,
    candidates,
    flaggedKm2,
    shifts: windows.length,
    events: scored,
    historyEvents: history.length,
    cells: C,
    fits: fitsDone,
  };
}
