/**
 * The review of what was published (`patrolcast review`, docs/publish.md "Review"): which
 * publications count for which shift, and how many of each shift's crimes the published boxes
 * caught, scored with the backtest's own code: the same evaluation run (engine/evaluate
 * prepareEvaluation: the same screening, windows and incident-to-shift placement), the same
 * fine-cell actuals (PlacedRun), the same bootstrap (blocks of one day's shifts, seed 1, 1000
 * resamples), and beside it the backtest's naive-all-placed boxes for the same shifts, placed
 * from the history known at each shift's start.
 */
import {
  BACKTEST_DEFAULTS,
  bootstrapMean,
  builtInRunner,
  incidentCell,
  NO_DISTRICT,
  pairedBootstrap,
  pairedVerdict,
  placeActuals,
  placedRunOf,
  prepareEvaluation,
  scoreWindows,
  summarise,
} from '../engine/index.ts';
import type { BacktestInput, BootstrapOptions, Incident, Interval, PairedDifference, PairedVerdict } from '../engine/index.ts';
import { CliError } from './errors.ts';
import { ofPublishedTypes, revisionKey, type DistrictsSource, type PublicationLine } from './publishLog.ts';

const HOUR_MS = 3_600_000;
const BASELINE = 'naive-all-placed';

/** One reviewed shift: the publication that counts for each of its districts. */
export interface ReviewedShift {
  readonly startMs: number;
  readonly label: string;
  readonly lines: readonly PublicationLine[];
}

export interface Selection {
  readonly shifts: readonly ReviewedShift[];
  /** Shifts (any district) whose end is after the last incident of the files. */
  readonly notYetPassed: number;
  /** Lines left out because a later revision generated before the shift started counts instead. */
  readonly laterRevisionsIgnored: number;
  /** Shift-and-district pairs whose every line was generated after the shift started (replays; counted only with allowReplays). */
  readonly publishedAfterStart: number;
}

/**
 * For each (shift, district), the latest revision generated before the shift started (with
 * `allowReplays`, the latest revision: a replay on old data, whose fit saw only what was known
 * before its first shift); shifts that have not ended by `lastIncidentMs` are skipped. O(L log L).
 */
export function selectPublications(lines: readonly PublicationLine[], lastIncidentMs: number, allowReplays: boolean): Selection {
  const groups = new Map<string, PublicationLine[]>();
  for (const l of lines) {
    const key = revisionKey(l.shift.startMs, l.district);
    const g = groups.get(key);
    if (g) g.push(l);
    else groups.set(key, [l]);
  }
  const notPassed = new Set<number>();
  let laterRevisionsIgnored = 0;
  let publishedAfterStart = 0;
  const byShift = new Map<number, PublicationLine[]>();
  for (const g of groups.values()) {
    const shift = g[0]!.shift;
    if (shift.startMs + shift.hours * HOUR_MS > lastIncidentMs) {
      notPassed.add(shift.startMs);
      continue;
    }
    const before = g.filter((l) => Date.parse(l.generatedAt) < shift.startMs);
    const eligible = allowReplays ? g : before;
    if (before.length === 0) publishedAfterStart++;
    if (eligible.length === 0) continue;
    let chosen = eligible[0]!;
    for (const l of eligible) if (l.revision > chosen.revision) chosen = l;
    laterRevisionsIgnored += g.length - 1;
    const s = byShift.get(shift.startMs);
    if (s) s.push(chosen);
    else byShift.set(shift.startMs, [chosen]);
  }
  const shifts = [...byShift.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([startMs, ls]) => ({
      startMs,
      label: ls[0]!.shift.label,
      lines: ls.sort((a, b) => (a.district < b.district ? -1 : a.district > b.district ? 1 : 0)),
    }));
  return { shifts, notYetPassed: notPassed.size, laterRevisionsIgnored, publishedAfterStart };
}

/** One shift's score: published boxes against the backtest's naive-all-placed boxes. */
export interface ShiftScore {
  readonly label: string;
  readonly startMs: number;
  /** The shift's crimes of the published types, as the backtest places them (outside the study cells included). */
  readonly events: number;
  readonly boxes: number;
  readonly catches: number;
  readonly hitRate: number | null;
  readonly naiveAllHitRate: number | null;
  /** Per district: its boxes, their catches, and the shift's crimes in the district (its study cells' crimes). */
  readonly districts: Readonly<Record<string, { readonly boxes: number; readonly catches: number; readonly events: number }>>;
}

export interface ReviewScores {
  readonly categories: readonly string[];
  readonly res: number;
  readonly top: number;
  readonly studyCells: number;
  readonly perShift: readonly ShiftScore[];
  readonly hitRate: Interval;
  readonly naiveAllHitRate: Interval;
  /** Predictive accuracy index: hit rate / (boxes' area / study area); a box has one study cell's area. */
  readonly pai: number;
  readonly naiveAllPai: number;
  /** published − naive-all-placed, over the shifts with crime. */
  readonly paired: PairedDifference;
  /**
   * Per district over every reviewed shift: boxes, catches, the district's crimes, its hit rate
   * (catches / its crimes: a box may catch just over the district's edge) and the share of all
   * the shifts' crime its boxes caught.
   */
  readonly perDistrict: Readonly<Record<string, District>>;
}

interface District {
  readonly boxes: number;
  readonly catches: number;
  readonly events: number;
  readonly hitRate: number | null;
  readonly shareOfCrime: number | null;
}

/**
 * Per window, the district index of each crime as the backtest places it (placeActuals: the same
 * windows, the same known-from rule; the district of its study cell as the backtest's top-K takes
 * it; −1 for a crime outside the study cells or in a cell of no district). O(N) h3 calls.
 */
function districtActuals(run: ReturnType<typeof prepareEvaluation>): readonly (readonly number[])[] {
  const items = run.incidents.map((inc, i) => {
    const s = run.study.index.get(incidentCell(inc.lat, inc.lng, run.res));
    return { timeMs: inc.timeMs, endMs: run.knownMs[i]!, cell: s === undefined ? -1 : run.districts.ofCell[s]! };
  });
  return placeActuals(run.windows, items).byWindow;
}

/** The backtest's bootstrap as the review uses it: blocks of one day's shifts, seed 1, 1000 resamples, 95%. */
export function reviewBootstrap(shiftsPerDay: number): BootstrapOptions {
  return { seed: BACKTEST_DEFAULTS.seed, resamples: BACKTEST_DEFAULTS.bootstrapResamples, level: 0.95, blockLength: shiftsPerDay };
}

/**
 * The published name of an evaluation district: data with no district labels is one district,
 * 'all' to the backtest and NO_DISTRICT ("(none)") to the published boxes.
 */
function publishedName(run: ReturnType<typeof prepareEvaluation>, d: number): string {
  const name = run.districts.names[d]!;
  return run.districts.byCell.size === 0 && run.districts.names.length === 1 ? NO_DISTRICT : name;
}

/** The one value every reviewed line must share (the review scores one configuration). */
function same<T>(shifts: readonly ReviewedShift[], what: string, get: (l: PublicationLine) => T): T {
  const first = get(shifts[0]!.lines[0]!);
  const key = JSON.stringify(first);
  for (const s of shifts)
    for (const l of s.lines)
      if (JSON.stringify(get(l)) !== key)
        throw new CliError(
          `the reviewed publications differ in ${what} (${key} and ${JSON.stringify(get(l))}): review one configuration at a time`,
          'E_BAD_LOG',
        );
  return first;
}

/** Receives each published box's catches on its shift (the crimes whose fine cell is one of its cells). */
export type BoxCatches = (shift: ReviewedShift, line: PublicationLine, box: PublicationLine['boxes'][number], catches: number) => void;

/**
 * Scores the selected shifts on `incidents` (module comment). `onBox` is told every box's own
 * catches (the dosage bands count them: cli/reviewDosage.ts), so there is one catch rule. Cost:
 * one evaluation run of naive-all-placed over the reviewed span (prepared once), plus O(boxes × 7) lookups.
 */
export function scoreReview(
  shifts: readonly ReviewedShift[],
  incidents: readonly Incident[],
  tz: string,
  onBox?: BoxCatches,
  districtOf?: BacktestInput['districtOf'],
): ReviewScores {
  const res = same(shifts, 'resolution', (l) => l.res);
  const categories = same(shifts, 'crime types', (l) => l.categories);
  const placement = same(shifts, 'placement', (l) => l.placement);
  const districtsFrom = same(shifts, 'districts', (l): DistrictsSource => l.districtsFrom ?? { kind: 'labels' });
  if (districtsFrom.kind === 'polygons' && districtOf === undefined)
    throw new CliError(
      `the reviewed boxes were shared among the districts of ${districtsFrom.file}: give the same file with --districts${districtsFrom.property === null ? '' : ` --district-property ${districtsFrom.property}`}`,
      'E_BAD_OPTION',
    );
  // grid boxes are study cells: the backtest's placed actuals are fine cells, which a study cell's own children do not tile exactly
  if (placement !== 'fine')
    throw new CliError(`the review scores placed boxes (placement "fine"); these publications have placement "${placement}"`, 'E_BAD_LOG');
  let top = 0;
  for (const s of shifts) for (const l of s.lines) top = Math.max(top, l.boxes.length);
  const input: BacktestInput = {
    incidents,
    res,
    tz,
    fromMs: shifts[0]!.startMs,
    toMs: shifts[shifts.length - 1]!.startMs + 1,
    top: Math.max(1, top),
    include: ofPublishedTypes(categories),
    // the published districts, so naive-all-placed takes its top boxes per the same districts
    ...(districtOf !== undefined ? { districtOf } : {}),
  };
  // The backtest's phases on one prepared run (engine/evaluate: backtest() composes the same), so
  // naive-all-placed and the published boxes share the run's windows and its placed actuals.
  const run = prepareEvaluation(input);
  const options = { seed: BACKTEST_DEFAULTS.seed, refitEveryDays: BACKTEST_DEFAULTS.refitEveryDays };
  const report = summarise(run, scoreWindows(run, [builtInRunner(run, BASELINE, options)]), {
    ...options,
    bootstrapResamples: BACKTEST_DEFAULTS.bootstrapResamples,
    reference: null,
  });
  const placed = placedRunOf(run);
  const windowOf = new Map(run.windows.map((w, i) => [w.startMs, i]));
  const perShift: ShiftScore[] = [];
  const inDistrict = districtActuals(run);
  const perDistrict: Record<string, { boxes: number; catches: number; events: number }> = {};
  let allEvents = 0;
  for (const s of shifts) {
    const w = windowOf.get(s.startMs);
    if (w === undefined)
      throw new CliError(`shift ${s.label} is not one of the backtest's shifts (starts ${run.shiftStarts.join(', ')} local)`, 'E_BAD_LOG');
    const actual = new Map<number, number>();
    for (const f of placed.actualByWindow[w]!) if (f >= 0) actual.set(f, (actual.get(f) ?? 0) + 1);
    const events = report.perShift.events[w]!;
    allEvents += events;
    const counts = new Map<string, number>();
    for (const d of inDistrict[w]!) if (d >= 0) counts.set(publishedName(run, d), (counts.get(publishedName(run, d)) ?? 0) + 1);
    const districts: Record<string, { boxes: number; catches: number; events: number }> = {};
    let catches = 0;
    let boxes = 0;
    for (const l of s.lines) {
      let c = 0;
      for (const b of l.boxes) {
        let caught = 0;
        for (const cell of b.cells) caught += actual.get(placed.lattice.idOf(cell)) ?? 0;
        onBox?.(s, l, b, caught);
        c += caught;
      }
      const e = counts.get(l.district) ?? 0;
      districts[l.district] = { boxes: l.boxes.length, catches: c, events: e };
      const d = (perDistrict[l.district] ??= { boxes: 0, catches: 0, events: 0 });
      d.boxes += l.boxes.length;
      d.catches += c;
      d.events += e;
      catches += c;
      boxes += l.boxes.length;
    }
    const naive = report.perShift.models[BASELINE]!.topKHitRate[w] ?? null;
    perShift.push({
      label: s.label,
      startMs: s.startMs,
      events,
      boxes,
      catches,
      hitRate: events > 0 ? catches / events : null,
      naiveAllHitRate: naive,
      districts,
    });
  }
  const boot = reviewBootstrap(run.shiftStarts.length);
  const both = perShift.filter((p) => p.hitRate !== null && p.naiveAllHitRate !== null);
  const hitRate = bootstrapMean(
    both.map((p) => p.hitRate!),
    boot,
  );
  const naiveAllHitRate = bootstrapMean(
    both.map((p) => p.naiveAllHitRate!),
    boot,
  );
  const paired = pairedBootstrap(
    both.map((p) => p.hitRate!),
    both.map((p) => p.naiveAllHitRate!),
    boot,
  );
  let boxesTotal = 0;
  for (const p of perShift) boxesTotal += p.boxes;
  const areaShare = boxesTotal / perShift.length / report.cells;
  const shares: Record<string, District> = {};
  for (const [d, v] of Object.entries(perDistrict))
    shares[d] = { ...v, hitRate: v.events > 0 ? v.catches / v.events : null, shareOfCrime: allEvents > 0 ? v.catches / allEvents : null };
  return {
    categories,
    res,
    top,
    studyCells: report.cells,
    perShift,
    hitRate,
    naiveAllHitRate,
    pai: hitRate.mean / areaShare,
    naiveAllPai: naiveAllHitRate.mean / areaShare,
    paired,
    perDistrict: shares,
  };
}

/** A share as a percentage for the review's stdout, "—" when there is none. */
export const pct = (x: number | null): string => (x === null || !Number.isFinite(x) ? '—' : `${(100 * x).toFixed(1)}%`);
/** "1 shift", "2 shifts". */
export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The published boxes against all-history counts in words, by the backtest's verdict rule
 * (engine pairedVerdict), as a sentence: the review's stdout and its HTML page say the same.
 */
export function reviewVerdict(s: ReviewScores): PairedVerdict {
  const v = pairedVerdict('the published map', 'all-history counts', s.paired.diff, s.paired.relative);
  return { verdict: v.verdict, words: `${v.words.charAt(0).toUpperCase()}${v.words.slice(1)}` };
}

/** How concentrated the published boxes were: distinct box centres, and the most published. */
export function concentration(shifts: readonly ReviewedShift[]): {
  readonly boxes: number;
  readonly distinctPlaces: number;
  readonly mostPublished: readonly { readonly h3: string; readonly place: string | null; readonly times: number }[];
} {
  const times = new Map<string, { h3: string; place: string | null; times: number }>();
  let boxes = 0;
  for (const s of shifts)
    for (const l of s.lines)
      for (const b of l.boxes) {
        boxes++;
        const t = times.get(b.h3);
        if (t) t.times++;
        else times.set(b.h3, { h3: b.h3, place: b.place, times: 1 });
      }
  const mostPublished = [...times.values()].sort((a, b) => b.times - a.times || (a.h3 < b.h3 ? -1 : 1)).slice(0, 5);
  return { boxes, distinctPlaces: times.size, mostPublished };
}
