/**
 * Recovery of known per-cell background profiles (and θ, ω) from data simulated by the profile
 * model itself, seeded.
 *
 * Tolerance: each cell's estimated share of its background in bin b, ŝ_b = ĥ_b E_b / T, is
 * checked against the true share s_b within 4 binomial standard deviations √(s_b(1 − s_b)/n),
 * n the cell's expected background events (about 880 here: SD ≈ 0.015, so ±0.06). Four SDs over
 * 36 cell-bin pairs keep the chance of a false alarm for a correct fit under 0.3%; the seed is
 * fixed anyway. Triggering blurs the split only slightly (offspring land 12 h later on average,
 * in other bins), which the bound absorbs. θ and the mean delay are checked within 0.05 and
 * 25%: their sampling SDs with ~2,600 triggered events are about 0.01 and 5%.
 */
import { describe, expect, it } from 'vitest';
import { parseLocalDateTime, shiftWindows } from '../../engine/forecast/index.ts';
import { checkEtasConfig, fitEtas } from '../../engine/model/index.ts';
import { CELLS, eventSetFrom, HOUR_MS, oracleExposure, simulateProfile, VAN } from './support.ts';

const at = (s: string): number => parseLocalDateTime(s, VAN);
const FROM = at('2022-01-01');
const TO = at('2023-01-01');
const T = (TO - FROM) / HOUR_MS;
const cells = CELLS.slice(0, 12);
// Cell i leans towards bin i mod 3 (three times the weight), or is flat when i ≥ 9.
const weights = cells.map((_, i) => [0, 1, 2].map((b) => (i >= 9 ? 1 : b === i % 3 ? 3 : 1)));
const MU = 0.1;

describe('profile recovery on simulated data', () => {
  // Segments from engine/forecast shiftWindows (not the model's own calendar): bin = start hour.
  const segments = shiftWindows(FROM - 86_400_000, TO, VAN).map((w) => ({
    startMs: w.startMs,
    bin: ({ '06': 0, '14': 1, '22': 2 } as Record<string, number>)[w.label.slice(11, 13)]!,
  }));
  const pairs = simulateProfile({
    seed: 2024,
    fromMs: FROM,
    toMs: TO,
    segments,
    mu: cells.map(() => MU),
    h: weights,
    theta: 0.2,
    omega: 1 / 12,
  });
  const events = eventSetFrom(cells, FROM, pairs);
  const exposure = oracleExposure(FROM, TO, VAN, [360, 840, 1320], false);

  it("gets each cell's share of background per shift type back within 4 binomial SDs, and θ and the delay", () => {
    const config = checkEtasConfig({ profile: { weekend: false, priorStrength: 0, blend: 0 }, recency: null });
    const fit = fitEtas(events, { startMs: FROM, endMs: TO }, 10, config, { tz: VAN });
    expect(fit.stopReason).toBe('tolerance');
    expect(Math.abs(fit.theta - 0.2)).toBeLessThan(0.05);
    expect(Math.abs(1 / fit.omegaPerHour / 12 - 1)).toBeLessThan(0.25);
    cells.forEach((c, i) => {
      const raw = weights[i]!.map((w, b) => w * exposure[b]!);
      const total = raw.reduce((s, x) => s + x, 0);
      const n = MU * total; // expected background events of the cell
      const h = fit.profile!.cells[c]!;
      for (let b = 0; b < 3; b++) {
        const s = raw[b]! / total;
        const est = (h[b]! * fit.profile!.exposureHours[b]!) / T;
        expect(Math.abs(est - s)).toBeLessThan(4 * Math.sqrt((s * (1 - s)) / n));
      }
    });
  });
});
