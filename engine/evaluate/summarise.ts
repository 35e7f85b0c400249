/**
 * The last phase of an evaluation: the per-window scores (score.ts) summarised into the
 * backtest report (report.ts): means with seeded block-bootstrap intervals (a block is one day's
 * shifts, or one month), PAI from the hit rate, paired differences against the reference model,
 * the pooled RRI, patrol-box concentration, and the per-window series.
 *
 * Cost O(models · measures · resamples · W) for the intervals.
 */
import type { H3Cell } from '../types.ts';
import {
  bootstrapMean,
  bootstrapRatio,
  pairedBootstrap,
  type BootstrapOptions,
  type Interval,
  type PairedDifference,
} from './bootstrap.ts';
import { LOG_SCORE_UNIFORM_WEIGHT } from './metrics.ts';
import type { EvaluationRun } from './prepare.ts';
import type { BacktestReport, FitRecord, ModelSummary, PairedDiffs, PerShiftModel } from './report.ts';
import type { ModelScores, WindowScores } from './score.ts';

/** Settings of the summaries that the run does not carry. */
export interface SummaryOptions {
  /** Seed of the bootstrap. */
  readonly seed: number;
  readonly bootstrapResamples: number;
  /** The model the paired differences are taken against (null: none). */
  readonly reference: string | null;
  /** The ETAS refit interval the run used, in days (recorded; 0 in month mode). */
  readonly refitEveryDays: number;
  /** Wall-clock seconds of the run, when measured. */
  readonly wallSeconds?: number | null;
}

/** The bootstrap settings of a run: blocks of one day's shifts (one month in month mode). */
function bootstrapOf(
  run: EvaluationRun,
  options: SummaryOptions,
): BootstrapOptions & { readonly resamples: number; readonly blockLength: number } {
  const blockLength = run.months ? 1 : Math.max(1, run.shiftStarts.length);
  return { seed: options.seed, resamples: options.bootstrapResamples, level: 0.95, blockLength };
}

const defined = (xs: readonly number[]): number[] => xs.filter((x) => Number.isFinite(x));
const toNull = (xs: readonly number[]): (number | null)[] => xs.map((x) => (Number.isFinite(x) ? x : null));
const scaleInterval = (i: Interval, f: number): Interval => ({ mean: i.mean * f, lo: i.lo * f, hi: i.hi * f, n: i.n });

/** Log score: Σ log / Σ events over the windows with scored events, resampling windows. */
function logInterval(sums: readonly number[], counts: readonly number[], boot: BootstrapOptions): Interval {
  const num: number[] = [];
  const den: number[] = [];
  for (let w = 0; w < sums.length; w++) {
    if (counts[w]! > 0 && Number.isFinite(sums[w]!)) {
      num.push(sums[w]!);
      den.push(counts[w]!);
    }
  }
  return bootstrapRatio(num, den, boot);
}

/** Paired bootstrap of a − b over the windows where both are defined. */
function pairedOn(a: readonly number[], b: readonly number[], boot: BootstrapOptions): PairedDifference {
  const xa: number[] = [];
  const xb: number[] = [];
  for (let w = 0; w < a.length; w++) {
    if (Number.isFinite(a[w]!) && Number.isFinite(b[w]!)) {
      xa.push(a[w]!);
      xb.push(b[w]!);
    }
  }
  return pairedBootstrap(xa, xb, boot);
}

/** The paired differences reference − model for every measure. */
function pairedDiffs(run: EvaluationRun, reference: string, r: ModelScores, p: ModelScores, boot: BootstrapOptions): PairedDiffs {
  const { flaggedKm2, coverage } = run.measures;
  const hitD: Record<string, PairedDifference> = {};
  const peiD: Record<string, PairedDifference> = {};
  const covD: Record<string, PairedDifference> = {};
  flaggedKm2.forEach((area, a) => {
    hitD[String(area)] = pairedOn(r.hitRate[a]!, p.hitRate[a]!, boot);
    peiD[String(area)] = pairedOn(r.pei[a]!, p.pei[a]!, boot);
  });
  coverage.forEach((share, f) => (covD[String(share)] = pairedOn(r.coverageHitRate[f]!, p.coverageHitRate[f]!, boot)));
  const W = run.windows.length;
  const diffLog: number[] = [];
  const counts: number[] = [];
  for (let w = 0; w < W; w++) {
    diffLog.push(p.logEvents[w]! > 0 ? r.logSum[w]! - p.logSum[w]! : NaN);
    counts.push(p.logEvents[w]!);
  }
  return {
    reference,
    direction: 'reference − model',
    hitRate: hitD,
    pei: peiD,
    coverageHitRate: covD,
    topKHitRate: pairedOn(r.topKHitRate, p.topKHitRate, boot),
    logScore: logInterval(diffLog, counts, boot),
  };
}

/** Patrol-box concentration: distinct cells ever picked, per area ever flagged, and the ten most picked. O(C log C). */
function concentration(
  cells: readonly H3Cell[],
  W: number,
  flaggedKm2: readonly number[],
  p: ModelScores,
): Pick<ModelSummary, 'distinctCellsFlagged' | 'distinctCellsFlaggedByArea' | 'mostPicked'> {
  const picked = p.timesPicked;
  const pickedCells: number[] = [];
  for (let c = 0; c < picked.length; c++) if (picked[c]! > 0) pickedCells.push(c);
  const distinct = pickedCells.length;
  pickedCells.sort((x, y) => picked[y]! - picked[x]! || x - y);
  const byArea: Record<string, number> = {};
  flaggedKm2.forEach((area, a) => (byArea[String(area)] = p.flaggedEver[a]!.reduce((s, x) => s + x, 0)));
  return {
    distinctCellsFlagged: distinct,
    distinctCellsFlaggedByArea: byArea,
    mostPicked: pickedCells.slice(0, 10).map((c) => ({ h3: cells[c]!, times: picked[c]!, share: picked[c]! / W })),
  };
}

/** One model's summary: means, intervals, RRI, paired differences, concentration. */
function modelSummary(run: EvaluationRun, p: ModelScores, paired: PairedDiffs | null, boot: BootstrapOptions): ModelSummary {
  const { flaggedKm2, flaggedCells, coverage } = run.measures;
  const C = run.study.cells.length;
  const ci = {
    hitRate: {} as Record<string, Interval>,
    pai: {} as Record<string, Interval>,
    pei: {} as Record<string, Interval>,
    coverageHitRate: {} as Record<string, Interval>,
  };
  const hitRate: Record<string, number> = {};
  const pai: Record<string, number> = {};
  const pei: Record<string, number> = {};
  const cov: Record<string, number> = {};
  const rri: Record<string, number | null> = {};
  flaggedKm2.forEach((area, a) => {
    const key = String(area);
    ci.hitRate[key] = bootstrapMean(defined(p.hitRate[a]!), boot);
    ci.pai[key] = scaleInterval(ci.hitRate[key], C / flaggedCells[a]!);
    ci.pei[key] = bootstrapMean(defined(p.pei[a]!), boot);
    hitRate[key] = ci.hitRate[key].mean;
    pai[key] = ci.pai[key].mean;
    pei[key] = ci.pei[key].mean;
    const observed = p.rriObserved[a]!;
    rri[key] = p.countsForecast && observed > 0 ? p.rriPredicted[a]! / observed : null;
  });
  coverage.forEach((share, f) => {
    ci.coverageHitRate[String(share)] = bootstrapMean(defined(p.coverageHitRate[f]!), boot);
    cov[String(share)] = ci.coverageHitRate[String(share)]!.mean;
  });
  const ciTop = bootstrapMean(defined(p.topKHitRate), boot);
  const ciLog = logInterval(p.logSum, p.logEvents, boot);
  return {
    hitRate,
    pai,
    pei,
    coverageHitRate: cov,
    rri,
    topKHitRate: ciTop.mean,
    logScore: ciLog.mean,
    ci: { ...ci, topKHitRate: ciTop, logScore: ciLog },
    pairedDiff: paired,
    placement: p.pickCells ? 'fine' : 'grid',
    ...concentration(p.pickCells ?? run.study.cells, run.windows.length, flaggedKm2, p),
  };
}

/** The per-window series of one model (null where undefined). */
function perShiftModel(run: EvaluationRun, p: ModelScores): PerShiftModel {
  const hitObj: Record<string, (number | null)[]> = {};
  const peiObj: Record<string, (number | null)[]> = {};
  const covObj: Record<string, (number | null)[]> = {};
  run.measures.flaggedKm2.forEach((area, a) => {
    hitObj[String(area)] = toNull(p.hitRate[a]!);
    peiObj[String(area)] = toNull(p.pei[a]!);
  });
  run.measures.coverage.forEach((share, f) => (covObj[String(share)] = toNull(p.coverageHitRate[f]!)));
  const logMeanPerShift = p.logSum.map((s, w) => (p.logEvents[w]! > 0 ? s / p.logEvents[w]! : NaN));
  return { hitRate: hitObj, pei: peiObj, coverageHitRate: covObj, topKHitRate: toNull(p.topKHitRate), logScore: toNull(logMeanPerShift) };
}

/**
 * The report of a scored run (module comment). Its `fits` and per-window fit indices are those
 * of 'etas', else of 'etas-2015' (empty when neither ran); `fitsByModel` holds both.
 * @throws {EvaluateError} E_ARGUMENT when the reference is not among the scored models
 */
export function summarise(run: EvaluationRun, scores: WindowScores, options: SummaryOptions): BacktestReport {
  const boot = bootstrapOf(run, options);
  const modelNames = scores.models.map((m) => m.name);
  const ref = options.reference === null ? null : (scores.models.find((m) => m.name === options.reference) ?? null);
  const models: Record<string, ModelSummary> = {};
  const perShiftModels: Record<string, PerShiftModel> = {};
  for (const p of scores.models) {
    const paired = ref !== null && p !== ref ? pairedDiffs(run, ref.name, ref, p, boot) : null;
    models[p.name] = modelSummary(run, p, paired, boot);
    perShiftModels[p.name] = perShiftModel(run, p);
  }
  return reportOf(run, scores, options, { modelNames, models, perShiftModels, blockShifts: boot.blockLength, resamples: boot.resamples });
}

/** The report object, fields in their published order. */
function reportOf(
  run: EvaluationRun,
  scores: WindowScores,
  options: SummaryOptions,
  s: {
    modelNames: string[];
    models: Record<string, ModelSummary>;
    perShiftModels: Record<string, PerShiftModel>;
    blockShifts: number;
    resamples: number;
  },
): BacktestReport {
  const { windows, actuals, study, measures } = run;
  const primary = scores.fitLogs.etas ?? scores.fitLogs['etas-2015'] ?? null;
  const fitsByModel: Record<string, readonly FitRecord[]> = {};
  for (const name of ['etas', 'etas-2015']) if (scores.fitLogs[name]) fitsByModel[name] = scores.fitLogs[name].fits;
  return {
    version: 2,
    mode: run.months ? 'months' : 'shifts',
    res: run.res,
    tz: run.tz,
    from: new Date(run.fromMs).toISOString(),
    to: new Date(run.toMs).toISOString(),
    shiftHours: run.months ? null : run.shiftHours,
    shiftStarts: run.months ? null : [...run.shiftStarts],
    refitEveryDays: run.months ? 0 : options.refitEveryDays,
    shifts: windows.length,
    shiftsWithEvents: actuals.byWindow.filter((e) => e.length > 0).length,
    events: actuals.events,
    eventsOutsideArea: actuals.outsideArea,
    unplacedEvents: actuals.unplaced,
    historyEvents: run.history.length,
    cells: study.cells.length,
    meanCellAreaKm2: study.meanCellAreaKm2,
    studyAreaKm2: study.areaKm2,
    districts: run.districts.names.length,
    top: measures.top,
    flaggedKm2: [...measures.flaggedKm2],
    flaggedCells: [...measures.flaggedCells],
    coverage: [...measures.coverage],
    coverageCells: [...measures.coverageCells],
    logScoreUniformWeight: LOG_SCORE_UNIFORM_WEIGHT,
    bootstrap: { seed: options.seed, resamples: s.resamples, level: 0.95, blockShifts: s.blockShifts },
    reference: options.reference,
    modelNames: s.modelNames,
    wallSeconds: options.wallSeconds ?? null,
    fits: primary ? [...primary.fits] : [],
    fitsByModel,
    perShift: {
      startMs: windows.map((w) => w.startMs),
      label: windows.map((w) => w.label),
      events: actuals.byWindow.map((e) => e.length),
      fit: primary ? [...primary.windowFit] : new Array<number>(windows.length).fill(-1),
      models: s.perShiftModels,
    },
    models: s.models,
    notes: [...run.notes, ...scores.notes],
  };
}
