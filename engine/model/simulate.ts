import { seededRandom } from '../random.ts';
import type { EventSet, H3Cell } from '../types.ts';
import { ModelError } from './errors.ts';

/** Parameters of {@link simulateEtas}. */
export interface SimulateEtasOptions {
  /** Background rate per cell (events per hour), by cell index. */
  readonly muPerHour: Float64Array;
  /** Branching ratio θ in [0, 1). */
  readonly theta: number;
  /** Decay rate ω per hour (mean delay 1/ω). */
  readonly omegaPerHour: number;
  /** Simulate on [0, durationHours). */
  readonly durationHours: number;
  /** Seed for engine/random `seededRandom`. */
  readonly seed: number;
}

/** A simulated history: parallel arrays sorted by (cell, time); `parent[k]` is −1 for background events. */
export interface SimulatedEtas {
  readonly cell: Int32Array;
  readonly tHours: Float64Array;
  readonly parent: Int32Array;
}

/**
 * Simulates the grid ETAS model (docs/model.md#branching) on [0, durationHours) by the branching
 * construction: each cell's background events form a Poisson process of rate μ_n (exponential
 * gaps); every event then has Poisson(θ) children in its own cell, each after an Exp(ω) delay;
 * children after the horizon are dropped; children have children in turn. Exact and seeded:
 * the same options give the same history.
 *
 * Cost O(cells + N) random draws, plus sorting each cell's events by time.
 * @throws {ModelError} E_PARAMS when θ ∉ [0, 1), ω ≤ 0, a μ < 0, or the duration is not positive
 */
export function simulateEtas(options: SimulateEtasOptions): SimulatedEtas {
  const { muPerHour, theta, omegaPerHour, durationHours, seed } = options;
  if (!(theta >= 0 && theta < 1)) throw new ModelError('E_PARAMS', `θ must lie in [0, 1), got ${theta}`, theta);
  if (!(omegaPerHour > 0) || !Number.isFinite(omegaPerHour))
    throw new ModelError('E_PARAMS', `ω must be positive, got ${omegaPerHour}`, omegaPerHour);
  if (!(durationHours > 0) || !Number.isFinite(durationHours))
    throw new ModelError('E_PARAMS', `durationHours must be positive, got ${durationHours}`, durationHours);
  const rand = seededRandom(seed);
  const cells: number[] = [];
  const times: number[] = [];
  const parents: number[] = [];
  for (let c = 0; c < muPerHour.length; c++) {
    const mu = muPerHour[c]!;
    if (!(mu >= 0) || !Number.isFinite(mu)) throw new ModelError('E_PARAMS', `μ of cell ${c} must be a finite rate ≥ 0, got ${mu}`, mu);
    if (mu === 0) continue;
    let t = -Math.log(1 - rand()) / mu;
    while (t < durationHours) {
      cells.push(c);
      times.push(t);
      parents.push(-1);
      t += -Math.log(1 - rand()) / mu;
    }
  }
  const expMinusTheta = Math.exp(-theta);
  for (let i = 0; i < times.length; i++) {
    // Poisson(θ) children by multiplying uniforms (Knuth); θ < 1 so this takes ~1 + θ draws.
    let p = rand();
    while (p > expMinusTheta) {
      const t = times[i]! - Math.log(1 - rand()) / omegaPerHour;
      if (t < durationHours) {
        cells.push(cells[i]!);
        times.push(t);
        parents.push(i);
      }
      p *= rand();
    }
  }
  // Counting sort by cell, then by time (and creation order) within each cell.
  const n = times.length;
  const nCells = muPerHour.length;
  const start = new Int32Array(nCells + 1);
  for (let k = 0; k < n; k++) start[cells[k]! + 1]!++;
  for (let c = 0; c < nCells; c++) start[c + 1]! += start[c]!;
  const fill = start.slice(0, nCells);
  const order = new Int32Array(n);
  for (let k = 0; k < n; k++) order[fill[cells[k]!]!++] = k;
  const byTime = (a: number, b: number): number => times[a]! - times[b]! || a - b;
  for (let c = 0; c < nCells; c++) if (start[c + 1]! - start[c]! > 1) order.subarray(start[c]!, start[c + 1]!).sort(byTime);
  const newIndex = new Int32Array(n);
  for (let k = 0; k < n; k++) newIndex[order[k]!] = k;
  const cell = new Int32Array(n);
  const tHours = new Float64Array(n);
  const parent = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const old = order[k]!;
    cell[k] = cells[old]!;
    tHours[k] = times[old]!;
    const p = parents[old]!;
    parent[k] = p < 0 ? -1 : newIndex[p]!;
  }
  return { cell, tHours, parent };
}

/**
 * Turns a simulated history into an EventSet whose t = 0 is `originMs`.
 * @param cells the H3 cell of each simulated cell index (at least as many as the simulation used)
 * @throws {ModelError} E_PARAMS when a simulated cell index has no entry in `cells`
 */
export function simulationToEventSet(sim: SimulatedEtas, cells: readonly H3Cell[], originMs: number): EventSet {
  for (let k = 0; k < sim.cell.length; k++) {
    if (sim.cell[k]! >= cells.length)
      throw new ModelError('E_PARAMS', `simulated cell ${sim.cell[k]} has no H3 id (only ${cells.length} given)`, sim.cell[k]);
  }
  const incidentIndex = new Int32Array(sim.cell.length);
  for (let k = 0; k < incidentIndex.length; k++) incidentIndex[k] = k;
  return { originMs, cells: [...cells], cell: sim.cell, tHours: sim.tHours, incidentIndex };
}
