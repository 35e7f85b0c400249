import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ingestCsvText } from '../../engine/ingest/index.ts';
import { buildEventSet } from '../../engine/grid/index.ts';
import { ETAS_2015, describeFit, fitEtas, withFitOptions } from '../../engine/model/index.ts';
import type { Incident } from '../../engine/types.ts';

function read(file: string): readonly Incident[] {
  const text = gunzipSync(readFileSync(file)).toString('utf8');
  return ingestCsvText(text, { file }).incidents;
}

function span(incidents: readonly Incident[]): { first: number; last: number } {
  let first = Infinity;
  let last = -Infinity;
  for (const inc of incidents) {
    first = Math.min(first, inc.timeMs);
    last = Math.max(last, inc.timeMs);
  }
  return { first, last };
}

describe('fitEtas with the etas-2015 preset on real data (fixtures)', () => {
  it('converges on Vancouver 2023 property crime, ties and 00:00 times included, and reports them', () => {
    const incidents = read('fixtures/vancouver/property_2023.csv.gz');
    // `zcat fixtures/vancouver/property_2023.csv.gz | wc -l` = 31,486 lines = header + 31,485 rows.
    expect(incidents).toHaveLength(31_485);
    const { first, last } = span(incidents);
    const endMs = last + 3.6e6;
    const events = buildEventSet(incidents, 10, first, { endMs });
    const fit = fitEtas(events, { startMs: first, endMs }, 10, ETAS_2015);
    expect(fit.events).toBe(31_485);
    expect(fit.stopReason).toBe('tolerance');
    expect(fit.iterations).toBeLessThan(500);
    const tr = fit.objectiveTrace;
    for (let k = 1; k < tr.length; k++) expect(tr[k]!).toBeGreaterThanOrEqual(tr[k - 1]! - 1e-12 * Math.abs(tr[k - 1]!));
    // Ties: rows at the same X/Y and minute are certainly in one cell:
    // zcat ... | awk -F, 'NR>1 {c[$2"-"$3"-"$4" "$5":"$6"|"$9"|"$10]++} END {for (k in c) if (c[k]>1) {n+=c[k]; g++}; print n, g}'
    // gives 1265 events in 623 groups; one cell can hold several hundred-block points, so the
    // fit's counts (same cell, same minute) are at least these.
    const tie = fit.notes.find((n) => n.startsWith('Tie rule'))!;
    const [, tied, groups] = tie.match(
      /(\d+) events \([\d.]+%\) share their exact time with another event of their cell, in (\d+) groups/,
    )!;
    expect(Number(tied)).toBeGreaterThanOrEqual(1265);
    expect(Number(groups)).toBeGreaterThanOrEqual(623);
    expect(Number(tied)).toBeLessThan(0.1 * 31_485);
    // zcat ... | awk -F, 'NR>1 && $5==0 && $6==0' | wc -l = 1329 rows at exactly 00:00.
    expect(fit.notes.join(' ')).toContain('1329 events (4.2%) with otherwise precise times have an unknown time of day');
    // An interior, converged fit: no bound hit, no iteration cap.
    expect(fit.warnings).toEqual([]);
    expect(fit.theta).toBeGreaterThan(0);
    expect(1 / fit.omegaPerHour).toBeGreaterThan(1);
    expect(describeFit(fit)).toMatch(/^Each crime raises the chance of another in the same box/);
  });

  it('fits month-only data (Ashford 2014, data.police.uk) and warns it suits month-ahead forecasts only', () => {
    const incidents = read('fixtures/kent/ashford_2014.csv.gz');
    // zcat fixtures/kent/ashford_2014.csv.gz | awk -F, 'NR>1 && $5!="" && $6!=""' | wc -l = 7855 located rows.
    const located = 7855;
    expect(incidents).toHaveLength(located);
    const { first } = span(incidents);
    const endMs = Date.UTC(2014, 11, 1); // the end of November 2014 (GMT)
    const fit = fitEtas(buildEventSet(incidents, 10, first, { endMs }), { startMs: first, endMs }, 10, ETAS_2015);
    expect(fit.stopReason).toBe('tolerance');
    expect(fit.warnings.join(' ')).toContain(
      `${located} of ${located} events (100%) are known to the month only: use this fit for month-ahead forecasts`,
    );
    expect(fit.notes.join(' ')).toContain('sit at the first instant of their month');
    // Month-start placement finds no triggering in Ashford; any fixed θ > 0 is less likely,
    // so θ ≈ 0 is the maximum and not EM stuck at a boundary. No bound warning for the delay.
    expect(fit.notes.join(' ')).toContain('practically no triggering');
    expect(fit.warnings.join(' ')).not.toContain('ceiling');
    const ev = buildEventSet(incidents, 10, first, { endMs });
    for (const theta of [0.02, 0.1]) {
      const forced = fitEtas(ev, { startMs: first, endMs }, 10, withFitOptions(ETAS_2015, { fixedTheta: theta, fixedMeanDelayHours: 730 }));
      expect(forced.objectiveTrace.at(-1)!).toBeLessThan(fit.objectiveTrace.at(-1)!);
    }
  });
});
