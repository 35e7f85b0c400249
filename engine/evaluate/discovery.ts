/**
 * The feedback-loop stress test (issue 15): replay the test period as the backtest replays the
 * placed `etas` model, but let each shift's patrol boxes "find" extra incidents (a seeded
 * Poisson number of mean p × the box's expected count, at a cell of the box, dated in the shift:
 * discoveryEvents.ts) that join the training data from the shift's end, as if recorded. Every
 * measure is scored on the real incidents only: the actuals are the run's (prepare.ts), built
 * from the real incidents before the replay starts. Optionally with rotation ("metering"): a
 * place (box centre) that was a box in each of the last k shifts of the same type (the same
 * start time on the k previous days) is rested for the shift, its seven cells blocked, and the
 * slot goes to the next best box (engine/forecast placeGreedy `blocked`).
 *
 * At p = 0 without rotation this loop is the backtest's placed `etas` (the same rolling model,
 * the same fine history, the same greedy, the same box catches): its per-shift hit rates equal
 * the backtest's to the bit (tests/evaluate/discovery.test.ts).
 *
 * Why rotation looks at the same shift of consecutive days rather than consecutive shifts of
 * any type: a place boxed every night but never by day (the pattern of a night-time hotspot) is
 * never boxed three shifts running, so a rule on consecutive shifts would never rest it; a place
 * boxed round the clock is boxed in each shift type every day, so this rule rests it too.
 *
 * Cost per run: the backtest's `etas` alone (a warm-started fit per refit day, O(C + recent
 * events) per forecast, O(F log F) per placement), plus, per shift after one in which boxes found
 * incidents, O(N + F log F) to merge the found incidents into the events (discoveryEvents.ts)
 * and O(N log N) to re-sort them by known-from instant (rolling.ts replaceEvents), and O(C) to
 * add up the fitted background.
 */
import { BOX, placeGreedy } from '../forecast/index.ts';
import { checkEtasConfig, ETAS_DEFAULTS, type EtasConfig } from '../model/index.ts';
import { seededRandom } from '../random.ts';
import { foundInBox, mergeFound, poissonDraw, type FoundIncident } from './discoveryEvents.ts';
import { periodMeasures, type DiscoveryShift, type DiscoveryWeek } from './discoveryMetrics.ts';
import { EvaluateError } from './errors.ts';
import { PlacedRun } from './placed.ts';
import type { EvaluationRun } from './prepare.ts';
import type { H3Cell } from '../types.ts';
import { rollingModelFor } from './runners.ts';
import type { EtasRollingModel } from './rolling.ts';
import { meanDefined } from './score.ts';
import { boxCatch, enterWindow, type PlacedContext } from './scorePlaced.ts';

/** The largest discovery rate accepted (found incidents per expected real one in a box). */
export const MAX_DISCOVERY_RATE = 5;

/** One replay of the stress test. */
export interface DiscoveryScenario {
  /** Found incidents per expected real incident in a box, 0..{@link MAX_DISCOVERY_RATE}. */
  readonly p: number;
  /** Rest a place after k consecutive days in the same shift type (null: no rotation). */
  readonly rotateAfter: number | null;
}

/** Settings of the replay (those of the backtest's `etas`). */
export interface DiscoveryOptions {
  readonly etasConfig?: EtasConfig;
  /** ETAS refit interval in days (default 1). */
  readonly refitEveryDays?: number;
  /** Seed of the draws (default 1). */
  readonly seed?: number;
  readonly shouldCancel?: () => boolean;
  /** Called after each shift with the shifts done. */
  readonly onShift?: (done: number) => void;
}

/** The outcome of one replay. */
export interface DiscoveryRun extends DiscoveryScenario {
  /** Per shift: the boxes, real hits and events, incidents found. */
  readonly shifts: readonly DiscoveryShift[];
  /** Per flagged area (the run's order), per shift: the city-wide placed hit rate (NaN without events), as the backtest. */
  readonly flaggedHitRate: readonly (readonly number[])[];
  /** Place-shifts rested by rotation. */
  readonly rested: number;
  /** The incidents the boxes found, in the order found (training data only). */
  readonly found: readonly FoundIncident[];
  /** The fine cells by lattice id: the cells `shifts[].centres` name. */
  readonly fineCells: readonly H3Cell[];
  /** Per week of 7 × (shifts a day) shifts, and over the whole period (week 0). */
  readonly weeks: readonly DiscoveryWeek[];
  readonly total: DiscoveryWeek;
  /** Mean over the shifts with events of each shift's box hit rate: the backtest's top-K figure. */
  readonly meanShiftHitRate: number;
  /** Per flagged area (the run's order), the mean over shifts of flaggedHitRate: the backtest's figure. */
  readonly meanFlaggedHitRate: readonly number[];
}

function fail(message: string, value?: unknown): never {
  throw new EvaluateError('E_ARGUMENT', message, value);
}

/** @throws {EvaluateError} E_ARGUMENT for a bad rate, rotation, month mode or no patrol boxes */
export function checkScenario(run: EvaluationRun, s: DiscoveryScenario): void {
  if (!(s.p >= 0 && s.p <= MAX_DISCOVERY_RATE)) fail(`the discovery rate must be in [0, ${MAX_DISCOVERY_RATE}], got ${String(s.p)}`, s.p);
  if (s.rotateAfter !== null && !(Number.isInteger(s.rotateAfter) && s.rotateAfter >= 1))
    fail(`rotation needs a whole number of days ≥ 1, got ${String(s.rotateAfter)}`, s.rotateAfter);
  if (run.months) fail('the stress test replays shifts: it cannot run month by month');
  if (!(run.measures.top > 0)) fail('the stress test needs patrol boxes (top ≥ 1)', run.measures.top);
}

/** The replay's state between shifts. */
interface LoopState {
  readonly run: EvaluationRun;
  readonly scenario: DiscoveryScenario;
  readonly model: EtasRollingModel;
  readonly ctx: PlacedContext;
  readonly rand: () => number;
  readonly found: FoundIncident[];
  /** Found incidents merged into the model's events, and added to the fine history. */
  merged: number;
  counted: number;
  rested: number;
  readonly centresOf: Set<number>[];
  readonly shifts: DiscoveryShift[];
  readonly flagged: number[][];
  /** Per week, the fitted background summed over its shifts, per study cell. */
  readonly background: Float64Array[];
  readonly everBox: Uint8Array;
  readonly shiftsPerDay: number;
}

/**
 * Replays the run's shifts under one scenario (module comment).
 * @throws {EvaluateError} E_ARGUMENT (checkScenario), E_FIT, E_CANCELLED
 */
export function runDiscovery(run: EvaluationRun, scenario: DiscoveryScenario, options: DiscoveryOptions = {}): DiscoveryRun {
  checkScenario(run, scenario);
  const config = checkEtasConfig(options.etasConfig ?? ETAS_DEFAULTS);
  const model = rollingModelFor(run, 'etas', config, {
    refitEveryDays: options.refitEveryDays ?? 1,
    ...(options.shouldCancel ? { shouldCancel: options.shouldCancel } : {}),
  });
  const placed = new PlacedRun(run);
  const state: LoopState = {
    run,
    scenario,
    model,
    ctx: { placed, actualFine: new Float64Array(placed.lattice.cells.length) },
    rand: seededRandom(options.seed ?? 1),
    found: [],
    merged: 0,
    counted: 0,
    rested: 0,
    centresOf: [],
    shifts: [],
    flagged: run.measures.flaggedCells.map(() => []),
    background: [],
    everBox: new Uint8Array(run.study.cells.length),
    shiftsPerDay: run.shiftStarts.length,
  };
  for (let w = 0; w < run.windows.length; w++) {
    if (options.shouldCancel?.())
      throw new EvaluateError('E_CANCELLED', `stress test cancelled after ${w} of ${run.windows.length} shifts`);
    replayShift(state, w);
    options.onShift?.(w + 1);
  }
  return summariseRun(state);
}

/** One shift: found incidents in, forecast, rotation, boxes, real catches, new finds. */
function replayShift(st: LoopState, w: number): void {
  const { run, model, ctx } = st;
  const win = run.windows[w]!;
  if (st.found.length > st.merged) {
    const m = mergeFound(run, st.found);
    model.replaceEvents(m.events, m.eventKnownMs, m.timeUnknown, m.studyOfCell);
    st.merged = st.found.length;
  }
  enterWindow(ctx, run, w, w - 1);
  const lat = ctx.placed.lattice;
  for (; st.counted < st.found.length && st.found[st.counted]!.knownMs <= win.startMs; st.counted++) {
    const f = st.found[st.counted]!;
    ctx.placed.counts.add(lat.coarseId(f.cell), f.fineId);
  }
  const scores = model.forecast(win, w)[0]!;
  const blocked = restedCells(st, w);
  let maxFlagged = 0;
  for (const k of run.measures.flaggedCells) if (k > maxFlagged) maxFlagged = k;
  const g = placeGreedy(lat, ctx.placed.split(scores), {
    cityBoxes: maxFlagged,
    top: run.measures.top,
    districtOfCoarse: run.districts.ofCell,
    districts: run.districts.names.length,
    ...(blocked.length > 0 ? { blocked } : {}),
  });
  const N = run.actuals.byWindow[w]!.length;
  let hits = 0;
  for (const f of g.district) hits += boxCatch(lat, ctx.actualFine, f);
  let cum = 0;
  let b = 0;
  run.measures.flaggedCells.forEach((k, a) => {
    for (; b < Math.min(k, g.city.length); b++) cum += boxCatch(lat, ctx.actualFine, g.city[b]!);
    st.flagged[a]!.push(N > 0 ? cum / N : NaN);
  });
  addBackground(st, w);
  const before = st.found.length;
  if (st.scenario.p > 0) find(st, g.district, g.districtExpected, win);
  st.centresOf.push(new Set(g.district));
  for (const f of g.district) st.everBox[lat.parent[f]!] = 1;
  st.shifts.push({ centres: g.district, hits, events: N, found: st.found.length - before });
}

/**
 * The cells of the places rested at shift w: centres that were boxes in each of the shifts w − S,
 * w − 2S, …, w − kS (S shifts a day: the same shift type on the k previous days). O(boxes · k).
 */
function restedCells(st: LoopState, w: number): number[] {
  const k = st.scenario.rotateAfter;
  const S = st.shiftsPerDay;
  if (k === null || w - k * S < 0) return [];
  const lat = st.ctx.placed.lattice;
  const out: number[] = [];
  for (const f of st.centresOf[w - S]!) {
    let every = true;
    for (let j = 2; j <= k && every; j++) every = st.centresOf[w - j * S]!.has(f);
    if (!every) continue;
    st.rested++;
    const at = lat.boxAt(f);
    for (let i = at; i < at + BOX; i++) if (lat.box[i]! >= 0) out.push(lat.box[i]!);
  }
  return out;
}

/** Adds the model's fitted background of shift w to its week's sum. O(C). */
function addBackground(st: LoopState, w: number): void {
  const week = Math.floor(w / (7 * st.shiftsPerDay));
  const C = st.run.study.cells.length;
  const sum = (st.background[week] ??= new Float64Array(C));
  const rates = st.model.backgroundRates;
  for (let c = 0; c < Math.min(C, rates.length); c++) sum[c]! += rates[c]!;
}

/** The incidents the shift's boxes find: per box, a Poisson count of mean p × its expected count. */
function find(st: LoopState, centres: readonly number[], expected: readonly number[], win: { startMs: number; endMs: number }): void {
  const { run } = st;
  const lat = st.ctx.placed.lattice;
  centres.forEach((f, b) => {
    const n = poissonDraw(st.scenario.p * expected[b]!, st.rand);
    if (n === 0) return;
    const district = run.districts.names[run.districts.ofCell[lat.parent[f]!]!]!;
    for (const inc of foundInBox(lat, f, n, { startMs: win.startMs, endMs: win.endMs, district, res: run.res }, st.rand))
      st.found.push(inc);
  });
}

/** The run's weeks, totals and backtest-style means. O(shifts · boxes + weeks · C). */
function summariseRun(st: LoopState): DiscoveryRun {
  const { run, shifts } = st;
  const perWeek = 7 * st.shiftsPerDay;
  const weeks: DiscoveryWeek[] = [];
  const C = run.study.cells.length;
  const all = new Float64Array(C);
  for (let from = 0, week = 1; from < shifts.length; from += perWeek, week++) {
    const sum = st.background[week - 1] ?? new Float64Array(C);
    for (let c = 0; c < C; c++) all[c]! += sum[c]!;
    const range = { from, to: Math.min(shifts.length, from + perWeek), week, label: run.windows[from]!.label };
    weeks.push(periodMeasures(shifts, range, sum, st.everBox));
  }
  const total = periodMeasures(shifts, { from: 0, to: shifts.length, week: 0, label: run.windows[0]!.label }, all, st.everBox);
  return {
    p: st.scenario.p,
    rotateAfter: st.scenario.rotateAfter,
    shifts,
    flaggedHitRate: st.flagged,
    rested: st.rested,
    found: st.found,
    fineCells: st.ctx.placed.lattice.cells,
    weeks,
    total,
    meanShiftHitRate: meanDefined(shifts.map((s) => (s.events > 0 ? s.hits / s.events : NaN))),
    meanFlaggedHitRate: st.flagged.map((r) => meanDefined(r)),
  };
}
