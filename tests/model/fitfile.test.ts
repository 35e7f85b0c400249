/**
 * The fit file: version 2 round trips, bad fields are named, and the fit files the previous
 * release wrote (fixtures/fits, kinds 'etas-2015' and 'etas-plus' version 1) convert on read and
 * forecast what that release forecast from them (fixtures/fits/chicago-forecasts-v1.json).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { forecastShift, shiftAt } from '../../engine/forecast/index.ts';
import { buildEventSet, incidentCell } from '../../engine/grid/index.ts';
import { ingestCsvText } from '../../engine/ingest/index.ts';
import { ETAS_2015, checkEtasConfig, fitEtas, readEtasFit, type EtasFit } from '../../engine/model/index.ts';

const json = (file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(`fixtures/fits/${file}`, 'utf8')) as Record<string, unknown>;

/** The Chicago history before the shift of chicago-forecasts-v1.json, as `patrolcast forecast` builds it. */
function chicagoHistory(): { history: ReturnType<typeof buildEventSet>; startMs: number; hours: number } {
  const file = 'fixtures/chicago/district1_2010_2016.csv.gz';
  const text = gunzipSync(readFileSync(file)).toString('utf8');
  const columns = { datetime: 'date', lat: 'latitude', lon: 'longitude', category: 'loc_cat', district: 'district' };
  const incidents = ingestCsvText(text, { file, columns, tz: 'America/Chicago' }).incidents;
  const shift = shiftAt('2016-06-01T22:00', 'America/Chicago', 8);
  let first = Infinity;
  for (const inc of incidents) if (inc.timeMs < shift.startMs) first = Math.min(first, inc.timeMs);
  return { history: buildEventSet(incidents, 10, first, { endMs: shift.startMs }), startMs: shift.startMs, hours: shift.hours };
}

function errorOf(f: () => unknown): { code: string; message: string } {
  try {
    f();
  } catch (err) {
    return err as { code: string; message: string };
  }
  throw new Error('no error');
}

describe('readEtasFit: fit files of the previous release', () => {
  const old = json('chicago-forecasts-v1.json') as Record<string, Record<string, number> | number>;
  const { history, startMs, hours } = chicagoHistory();
  expect(startMs).toBe(old.shiftStartMs);

  for (const [file, key] of [
    ['chicago-etas-2015-v1.json', 'etas-2015'],
    ['chicago-etas-2015-fixed-v1.json', 'etas-2015-fixed'],
    ['chicago-etas-plus-v1.json', 'etas-plus'],
    ['chicago-etas-plus-ring1-v1.json', 'etas-plus-ring1'],
  ] as const) {
    it(`${file}: converts, and forecasts every cell exactly as that release did`, () => {
      const fit = readEtasFit(json(file));
      expect(fit.kind).toBe('patrolcast-etas-fit');
      expect(fit.version).toBe(2);
      const want = old[key] as Record<string, number>;
      const cast = forecastShift(fit, history, startMs, hours);
      const got: Record<string, number> = {};
      cast.cells.forEach((c, k) => {
        if (cast.expected[k]! > 0) got[c] = cast.expected[k]!;
      });
      expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
      // Bit-identical: the same sums in the same order (tolerance 0).
      for (const c of Object.keys(want)) expect(got[c]).toBe(want[c]);
      // A converted fit is a valid version 2 fit: it round-trips.
      expect(readEtasFit(JSON.parse(JSON.stringify(fit)))).toEqual(fit);
    });
  }

  it("'etas-2015' v1: the preset with its stored options, μ as the forecast's rate, the ℓ trace as the objective", () => {
    const v1 = json('chicago-etas-2015-v1.json');
    const fit = readEtasFit(v1);
    // Its stored ceiling (5623.05 h) is the window's default, so the preset's null.
    expect(fit.config).toEqual(ETAS_2015);
    expect(fit.ratePerHour).toEqual(v1.muPerHour);
    expect(fit.muPerHour).toEqual(v1.muPerHour);
    expect(fit.ringWeights).toEqual([1]);
    expect([fit.profile, fit.tz]).toEqual([null, null]);
    expect(fit.objectiveTrace).toEqual(v1.logLikelihoodTrace);
    expect(fit.logLikelihood).toBe((v1.logLikelihoodTrace as number[]).at(-1));
    for (const k of [
      'theta',
      'omegaPerHour',
      'res',
      'window',
      'events',
      'iterations',
      'stopReason',
      'triggeredShare',
      'notes',
      'warnings',
      'fingerprint',
    ] as const)
      expect(fit[k]).toEqual(v1[k]);
    const fixed = readEtasFit(json('chicago-etas-2015-fixed-v1.json'));
    expect(fixed.config.triggering).toEqual({
      ringDepth: 0,
      thetaMax: 0.5,
      minMeanDelayHours: 1,
      maxMeanDelayHours: null,
      fixedMeanDelayHours: 48,
    });
    expect(fixed.config.em).toEqual({ maxIterations: 300, relTolerance: 1e-8 });
    expect(fixed.omegaPerHour).toBe(1 / 48);
    // Files from before triggeredShare was saved: θ stands in for it (as describeFit did).
    const { triggeredShare: _t, ...older } = v1;
    void _t;
    expect(readEtasFit(older).triggeredShare).toBe(v1.theta);
    // A ceiling other than the window's default is kept.
    expect(
      readEtasFit({ ...v1, options: { ...(v1.options as object), maxMeanDelayHours: 100 } }).config.triggering!.maxMeanDelayHours,
    ).toBe(100);
  });

  it("'etas-plus' v1: the same fields under the new kind", () => {
    for (const file of ['chicago-etas-plus-v1.json', 'chicago-etas-plus-ring1-v1.json']) {
      const v1 = json(file);
      const fit = readEtasFit(v1);
      expect({ ...fit, kind: 'etas-plus', version: 1 }).toEqual(v1);
    }
    expect(readEtasFit(json('chicago-etas-plus-ring1-v1.json')).config).toEqual(checkEtasConfig(json('ring1-config.json')));
  });
});

describe('readEtasFit: version 2', () => {
  const events = {
    originMs: 0,
    // Two Vancouver cells at resolution 10, in H3 id order.
    cells: [incidentCell(49.25, -123.12, 10), incidentCell(49.26, -123.1, 10)].sort(),
    cell: Int32Array.of(0, 0, 0, 1),
    tHours: Float64Array.of(1, 2, 30, 5),
    incidentIndex: Int32Array.of(0, 1, 2, 3),
  };
  const fit: EtasFit = fitEtas(events, { startMs: 0, endMs: 100 * 3_600_000 }, 10, ETAS_2015);

  it('a fit round-trips through JSON unchanged', () => {
    expect(readEtasFit(JSON.parse(JSON.stringify(fit)))).toEqual(fit);
  });

  it('names the offending field with code E_FIT', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...fit, kind: 'other' }, /"kind"/],
      [{ ...fit, version: 3 }, /"version"/],
      [{ ...fit, omegaPerHour: -1 }, /"omegaPerHour"/],
      [{ ...fit, theta: Number.NaN }, /"theta"/],
      [{ ...fit, ratePerHour: { a: 'x' } }, /"ratePerHour\.a"/],
      [{ ...fit, muPerHour: { a: -1 } }, /"muPerHour\.a"/],
      [{ ...fit, ringWeights: [0.5, 0.5] }, /"ringWeights".*1 weights/],
      [{ ...fit, config: { ...fit.config, triggering: { ringDepth: 7 } } }, /"config".*triggering\.ringDepth/],
      [{ ...fit, window: { startMs: 5, endMs: 5 } }, /"window"/],
      [{ ...fit, stopReason: 'bored' }, /"stopReason"/],
      [{ ...fit, objectiveTrace: [1, null] }, /"objectiveTrace"/],
      [{ ...fit, profile: { labels: [], exposureHours: [], cells: {} } }, /"profile"/],
      [
        {
          ...fit,
          config: { ...fit.config, profile: {} },
          tz: 'America/Vancouver',
          profile: { labels: ['06:00', '14:00', '22:00'], exposureHours: [1, 1, 1], cells: { a: [1, 1] } },
        },
        /"profile\.cells\.a"/,
      ],
      [{ ...fit, config: { ...fit.config, profile: {} }, tz: null }, /"tz"/],
      [{ ...fit, notes: 'none' }, /"notes"/],
      // Ranges: θ ≥ 1, a rate or multiplier that sums to Infinity, ω whose mean delay is not finite,
      // ring weights not summing to 1, cells of another resolution, a malformed fingerprint.
      [{ ...fit, theta: 1 }, /"theta" must lie in \[0, 1\)/],
      [
        { ...fit, ratePerHour: { [fit.config.triggering ? Object.keys(fit.ratePerHour)[0]! : '']: 1e308 } },
        /"ratePerHour\.8[0-9a-f]+" must be a rate per hour in \[0, 1000000\]/,
      ],
      [{ ...fit, omegaPerHour: 1e-320 }, /"omegaPerHour" must lie in/],
      [
        { ...fit, config: { ...fit.config, triggering: { ...fit.config.triggering!, ringDepth: 1 } }, ringWeights: [0.5, 0.6] },
        /"ringWeights" must sum to 1/,
      ],
      [
        { ...fit, muPerHour: { [incidentCell(49.25, -123.12, 9)]: 0.1 } },
        /"muPerHour\.8[0-9a-f]+" must be keyed by H3 cells at the fit's resolution 10/,
      ],
      [{ ...fit, fingerprint: 'x' }, /"fingerprint"/],
      [{ kind: 'etas-2015', version: 1, logLikelihoodTrace: 'x' }, /"logLikelihoodTrace"/],
    ];
    for (const [value, message] of cases) {
      const err = errorOf(() => readEtasFit(value));
      expect(err.code).toBe('E_FIT');
      expect(err.message).toMatch(message);
    }
    expect(errorOf(() => readEtasFit([1, 2])).message).toMatch(/not a patrolcast fit/);
    expect(errorOf(() => readEtasFit(null)).code).toBe('E_FIT');
  });
});

describe('the placement a fit or a configuration was made for (optional field)', () => {
  const fit = readEtasFit(json('chicago-etas-plus-v1.json'));

  it('is absent from older files, and they read as before', () => {
    expect('placement' in fit).toBe(false);
    expect('placement' in checkEtasConfig({})).toBe(false);
  });

  it("reads 'fine' and 'grid' and round-trips", () => {
    for (const placement of ['fine', 'grid'] as const) {
      const withIt = readEtasFit({ ...JSON.parse(JSON.stringify(fit)), placement });
      expect(withIt).toEqual({ ...fit, placement });
      expect(readEtasFit(JSON.parse(JSON.stringify(withIt)))).toEqual(withIt);
      expect(checkEtasConfig({ placement }).placement).toBe(placement);
    }
  });

  it('refuses any other value, naming the field (fit E_FIT, configuration E_OPTIONS)', () => {
    for (const bad of ['square', null, 1, 'Fine']) {
      expect(() => readEtasFit({ ...JSON.parse(JSON.stringify(fit)), placement: bad })).toThrow(
        expect.objectContaining({
          code: 'E_FIT',
          value: bad,
          message: expect.stringMatching(/fit field "placement" must be "fine" or "grid"/),
        }),
      );
      expect(() => checkEtasConfig({ placement: bad })).toThrow(
        expect.objectContaining({
          code: 'E_OPTIONS',
          value: bad,
          message: expect.stringMatching(/config field "placement" must be "fine" or "grid"/),
        }),
      );
    }
  });
});
