import { describe, expect, it } from 'vitest';
import { simulateEtas, simulationToEventSet } from '../../engine/model/index.ts';

describe('simulateEtas', () => {
  const base = { muPerHour: new Float64Array([0.01, 0.02, 0, 0.005]), theta: 0.5, omegaPerHour: 0.1, durationHours: 5000, seed: 3 };

  it('is deterministic for a seed and changes with it', () => {
    const a = simulateEtas(base);
    const b = simulateEtas(base);
    expect([...a.tHours]).toEqual([...b.tHours]);
    expect([...a.cell]).toEqual([...b.cell]);
    const c = simulateEtas({ ...base, seed: 4 });
    expect([...c.tHours]).not.toEqual([...a.tHours]);
  });

  it('returns events sorted by (cell, time) inside [0, T), each child after its parent in the same cell', () => {
    const s = simulateEtas(base);
    for (let k = 0; k < s.cell.length; k++) {
      expect(s.tHours[k]).toBeGreaterThanOrEqual(0);
      expect(s.tHours[k]).toBeLessThan(5000);
      if (k > 0) expect(s.cell[k]! > s.cell[k - 1]! || (s.cell[k] === s.cell[k - 1] && s.tHours[k]! >= s.tHours[k - 1]!)).toBe(true);
      const p = s.parent[k]!;
      if (p >= 0) {
        expect(s.cell[p]).toBe(s.cell[k]);
        expect(s.tHours[p]).toBeLessThan(s.tHours[k]!);
      }
    }
    expect([...s.cell]).not.toContain(2); // μ = 0 and no parents there: no events
  });

  it('has the branching process’s expected size: N ≈ Σμ T / (1 − θ), background share ≈ 1 − θ', () => {
    // 50 cells × 0.01/h × 10,000 h = 5,000 background events; θ = 0.5 doubles that to 10,000
    // (less a few offspring lost after T: mean delay 10 h against 10,000 h). Var N = ΣμT/(1−θ)³
    // = 40,000, sd 200 (2%); we allow 8%. The background share has sd ≈ 0.006; we allow 0.03.
    const s = simulateEtas({ muPerHour: new Float64Array(50).fill(0.01), theta: 0.5, omegaPerHour: 0.1, durationHours: 10_000, seed: 12 });
    expect(Math.abs(s.cell.length - 10_000) / 10_000).toBeLessThan(0.08);
    const background = [...s.parent].filter((p) => p < 0).length;
    expect(Math.abs(background / s.cell.length - 0.5)).toBeLessThan(0.03);
    // Mean parent→child delay ≈ 1/ω = 10 h (≈ 5,000 delays: sd 0.14 h); allow ±1 h.
    let sum = 0;
    let n = 0;
    s.parent.forEach((p, k) => {
      if (p >= 0) {
        sum += s.tHours[k]! - s.tHours[p]!;
        n++;
      }
    });
    expect(Math.abs(sum / n - 10)).toBeLessThan(1);
  });

  it('rejects θ ≥ 1, ω ≤ 0 and negative μ with coded errors', () => {
    expect(() => simulateEtas({ ...base, theta: 1 })).toThrowError(expect.objectContaining({ code: 'E_PARAMS' }));
    expect(() => simulateEtas({ ...base, omegaPerHour: 0 })).toThrowError(expect.objectContaining({ code: 'E_PARAMS' }));
    expect(() => simulateEtas({ ...base, muPerHour: new Float64Array([-1]) })).toThrowError(expect.objectContaining({ code: 'E_PARAMS' }));
  });

  it('simulationToEventSet names the cells and keeps the arrays', () => {
    const s = simulateEtas(base);
    const ev = simulationToEventSet(s, ['a', 'b', 'c', 'd'], 1000);
    expect(ev.cells).toEqual(['a', 'b', 'c', 'd']);
    expect(ev.tHours).toBe(s.tHours);
    expect(ev.originMs).toBe(1000);
    expect(() => simulationToEventSet(s, ['a'], 0)).toThrowError(expect.objectContaining({ code: 'E_PARAMS' }));
  });
});
