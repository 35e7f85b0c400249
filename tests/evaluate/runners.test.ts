/**
 * The model runners of the harness, each on its own against an independent computation: the
 * rolling ETAS runner of 'etas-2015' against a direct fit and forecast (engine/model fitEtas,
 * engine/forecast forecastShift) of the incidents known at each refit, the baselines against
 * counts made here, the refit schedule, and the plug-in checks.
 */
import { describe, expect, it } from 'vitest';
import { prepareEvaluation, type EvaluationRun } from '../../engine/evaluate/prepare.ts';
import {
  builtInRunner,
  knownEvents,
  naiveRunner,
  oracleRunner,
  pluginRunner,
  randomRunner,
  rollingModelFor,
} from '../../engine/evaluate/runners.ts';
import { forecastShift, parseLocalDateTime } from '../../engine/forecast/index.ts';
import { ETAS_2015, ETAS_DEFAULTS, fitEtas, withFitOptions, type EtasFit } from '../../engine/model/index.ts';
import { syntheticIncidents, VAN } from './synthetic.ts';

const at = (s: string): number => parseLocalDateTime(s, VAN);
const data = syntheticIncidents(7, 1500, at('2023-05-01'), at('2023-07-06'));
const run: EvaluationRun = prepareEvaluation({ incidents: data, res: 10, tz: VAN, fromMs: at('2023-07-01'), toMs: at('2023-07-03') });
const W = run.windows.length; // 6 shifts
const options = { refitEveryDays: 1, seed: 1 };

describe("the rolling ETAS runner as 'etas-2015'", () => {
  const fitOptions = { maxMeanDelayHours: 200, relTolerance: 1e-9 };
  const runner = builtInRunner(run, 'etas-2015', { ...options, fitOptions });
  const got = run.windows.map((w, i) => Float64Array.from(runner.forecast(w, i).scores));

  it('forecasts each shift as fitEtas (the preset with the fit options, refitted daily, warm-started) and forecastShift would', () => {
    const config = withFitOptions(ETAS_2015, fitOptions);
    let fit: EtasFit | null = null;
    let maxRel = 0;
    for (let i = 0; i < W; i++) {
      const w = run.windows[i]!;
      if (i % 3 === 0) {
        const initial = fit ? { initial: { theta: fit.theta, omegaPerHour: fit.omegaPerHour } } : {};
        fit = fitEtas(knownEvents(run, w.startMs), { startMs: run.events.originMs, endMs: w.startMs }, 10, config, initial);
      }
      const f = forecastShift(fit!, knownEvents(run, w.startMs), w.startMs, w.hours);
      const want = new Float64Array(run.study.cells.length);
      f.cells.forEach((cell, k) => {
        const idx = run.study.index.get(cell);
        if (idx !== undefined) want[idx] = f.expected[k]!;
      });
      for (let c = 0; c < want.length; c++) maxRel = Math.max(maxRel, Math.abs(got[i]![c]! - want[c]!) / Math.max(want[c]!, 1e-300));
    }
    expect(maxRel).toBeLessThan(1e-12);
    expect(fit!.theta).toBeGreaterThan(0); // the triggered part is compared too
  });

  it('refits at the first shift of each day and records which fit served which shift', () => {
    const log = runner.fitLog!;
    expect(log.fits.map((f) => [f.firstShift, f.lastShift])).toEqual([
      [0, 2],
      [3, 5],
    ]);
    expect(log.windowFit).toEqual([0, 0, 0, 1, 1, 1]);
    expect(log.fits[0]!.trainedUntilMs).toBe(run.windows[0]!.startMs);
    for (const f of log.fits) expect(f.meanDelayHours).toBeLessThanOrEqual(200);
  });
});

describe('the rolling model: schedule and warm start', () => {
  it('refits every other day with refitEveryDays 2, every window with 0', () => {
    const two = builtInRunner(run, 'etas-2015', { ...options, refitEveryDays: 2 });
    run.windows.forEach((w, i) => two.forecast(w, i));
    expect(two.fitLog!.windowFit).toEqual([0, 0, 0, 0, 0, 0]);
    const model = rollingModelFor(run, 'etas-2015', ETAS_2015, { refitEveryDays: 0 });
    run.windows.forEach((w, i) => model.forecast(w, i));
    expect(model.fits).toHaveLength(W);
    // after the first fit, every fit starts from the previous one's θ and ω
    expect(model.currentFit!.notes.join(' ')).toMatch(/Started from the given θ/);
  });

  it("'etas' runs its configuration and says so; month mode switches its profile off and refits every month", () => {
    const etas = builtInRunner(run, 'etas', options);
    expect(etas.note).toMatch(/^etas: recency half-life 180 d; profile/);
    expect(ETAS_DEFAULTS.profile).not.toBeNull();
    const monthRun = prepareEvaluation({
      incidents: data,
      res: 10,
      tz: VAN,
      fromMs: at('2023-06-01'),
      toMs: at('2023-07-06'),
      months: true,
    });
    const monthly = builtInRunner(monthRun, 'etas', { ...options, refitEveryDays: 7 });
    expect(monthly.note).toMatch(/no profile.*\(month mode: no shift profile\)\.$/);
    monthRun.windows.forEach((w, i) => monthly.forecast(w, i));
    expect(monthly.fitLog!.windowFit).toEqual([0, 1]); // June and July
  });
});

describe('the baselines and plug-ins', () => {
  it('naive-all scores each study cell by the incidents known by the shift start; naive-28 by those of the last 28 days', () => {
    const all = naiveRunner(run, Infinity);
    const last28 = naiveRunner(run, 28);
    for (const [i, w] of run.windows.entries()) {
      const counts = new Float64Array(run.study.cells.length);
      const recent = new Float64Array(run.study.cells.length);
      for (let k = 0; k < run.events.cell.length; k++) {
        const c = run.studyOfSource[run.events.cell[k]!]!;
        const known = run.eventKnownMs[k]!;
        if (c < 0 || known > w.startMs) continue;
        counts[c]! += 1;
        if (known > w.startMs - 28 * 86_400_000) recent[c]! += 1;
      }
      expect(Array.from(all.forecast(w, i).scores)).toEqual(Array.from(counts));
      expect(Array.from(last28.forecast(w, i).scores)).toEqual(Array.from(recent));
    }
  });

  it('the oracle scores the actual counts; random is a permutation with uniform (area) scores', () => {
    const oracle = oracleRunner(run);
    const random = randomRunner(run, 1);
    for (const [i, w] of run.windows.entries()) {
      const counts = new Float64Array(run.study.cells.length);
      for (const c of run.actuals.byWindow[i]!) if (c >= 0) counts[c]! += 1;
      expect(Array.from(oracle.forecast(w, i).scores)).toEqual(Array.from(counts));
      const out = random.forecast(w, i);
      expect(Array.from(out.order!).sort((a, b) => a - b)).toEqual(Array.from(out.order!.keys()));
      expect(out.scores).toEqual(run.study.cellAreaKm2);
    }
  });

  it('a plug-in sees only the known events, and may not give a negative score', () => {
    let seen = -1;
    const ok = pluginRunner(run, {
      name: 'p',
      countsForecast: false,
      forecast: (_w, history) => {
        seen = history.cell.length;
        return { cells: [run.study.cells[0]!, 'not-a-study-cell'], scores: [2, 5] };
      },
    });
    const out = ok.forecast(run.windows[0]!, 0);
    expect(seen).toBe(run.history.length);
    expect(out.scores[0]).toBe(2);
    expect(out.scores.reduce((s, x) => s + x, 0)).toBe(2);
    const bad = pluginRunner(run, { name: 'bad', countsForecast: false, forecast: () => ({ cells: [run.study.cells[0]!], scores: [-1] }) });
    expect(() => bad.forecast(run.windows[0]!, 0)).toThrowError(expect.objectContaining({ code: 'E_ARGUMENT' }));
  });
});
