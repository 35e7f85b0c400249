/**
 * Benchmark of the EM fit (engine/model fitEtas) to convergence: simulated grid ETAS data with N
 * events over N/20 real H3 res-10 cells (the target case: 1,000,000 events over 50,000 cells),
 * one year from 2023-01-01 in Vancouver's zone, θ = 0.3, mean delay 24 h.
 *
 *   npx tsx bench/fit.ts                 # the table over 10k, 100k, 1M events
 *   npx tsx bench/fit.ts 1000000         # one size
 *
 * Timed, whole fitEtas calls, each stopping at its configuration's tolerance:
 * - the default configuration (ETAS_DEFAULTS: shift-type profile shrunk towards the city's, no
 *   districts given; recency; same-cell triggering; relative tolerance 1e-7), over-relaxed EM;
 *   split into set-up (prepare: checks, tie groups, bins, the sort of T − t; priors; the 9-delay
 *   start search; the first E-step: everything before iteration 0 is reported), the EM
 *   iterations, and after the EM (recency rates, the JSON record, notes, fingerprint);
 * - the same with plain EM (acceleration off), for the iterations over-relaxation saves;
 * - the etas-2015 preset (no profile, no recency; tolerance 1e-8).
 * Also timed alone: the bin calendar and prepareEvents (the prep phase's parts).
 * Each size runs in its own child process pinned to one core (taskset when available), so peak
 * RSS is its own. Simulation is not timed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { gridDisk, incidentCell } from '../engine/grid/index.ts';
import {
  binCalendar,
  ETAS_2015,
  ETAS_DEFAULTS,
  fitEtas,
  simulateEtas,
  simulationToEventSet,
  type EtasConfig,
  type EtasFit,
} from '../engine/model/index.ts';
import { prepareEvents } from '../engine/model/prepare.ts';
import { seededRandom } from '../engine/random.ts';
import type { EventSet } from '../engine/types.ts';

const THETA = 0.3;
const MEAN_DELAY_HOURS = 24;
const T_HOURS = 8760;
const ORIGIN_MS = Date.UTC(2023, 0, 1, 8); // 2023-01-01 00:00 in Vancouver
const TZ = 'America/Vancouver';

function simulate(targetEvents: number): EventSet {
  const nCells = Math.round(targetEvents / 20);
  // Real H3 res-10 cells around Vancouver: a disk with ≥ nCells cells, the first nCells kept.
  const k = Math.ceil((-3 + Math.sqrt(9 - 12 * (1 - nCells))) / 6);
  const cells = gridDisk(incidentCell(49.25, -123.1, 10), k).slice(0, nCells);
  // μ per cell uniform in [0.2, 1.8] × the mean that gives targetEvents in expectation.
  const meanMu = (targetEvents * (1 - THETA)) / (nCells * T_HOURS);
  const r = seededRandom(2024);
  const mu = Float64Array.from({ length: nCells }, () => meanMu * (0.2 + 1.6 * r()));
  const sim = simulateEtas({ muPerHour: mu, theta: THETA, omegaPerHour: 1 / MEAN_DELAY_HOURS, durationHours: T_HOURS, seed: 7 });
  return simulationToEventSet(sim, cells, ORIGIN_MS);
}

/** One timed fit: total, set-up (to iteration 0), EM iterations, after the EM; CPU. */
function timed(
  events: EventSet,
  config: EtasConfig,
  acceleration: boolean,
): { fit: EtasFit; totalMs: number; cpuMs: number; setupMs: number; emMs: number; postMs: number } {
  const window = { startMs: ORIGIN_MS, endMs: ORIGIN_MS + T_HOURS * 3.6e6 };
  let first = NaN;
  let last = NaN;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const fit = fitEtas(
    events,
    window,
    10,
    config,
    { tz: TZ, acceleration },
    {
      onIteration: (it) => {
        last = performance.now();
        if (it === 0) first = last;
      },
    },
  );
  const t1 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  return { fit, totalMs: t1 - t0, cpuMs: (cpu.user + cpu.system) / 1000, setupMs: first - t0, emMs: last - first, postMs: t1 - last };
}

function runOne(targetEvents: number): void {
  const events = simulate(targetEvents);
  (globalThis as { gc?: () => void }).gc?.();
  const window = { startMs: ORIGIN_MS, endMs: ORIGIN_MS + T_HOURS * 3.6e6 };
  const prof = ETAS_DEFAULTS.profile!;
  const c0 = performance.now();
  const calendar = binCalendar(TZ, prof.shiftStarts, prof.weekend, window.startMs, window.endMs);
  const c1 = performance.now();
  prepareEvents(events, window, { calendar, timeUnknown: null });
  const c2 = performance.now();
  // Warm-up of the code paths on a small fit, then the timed fits.
  fitEtas(simulate(10_000), window, 10, ETAS_DEFAULTS, { tz: TZ });
  const byDefault = timed(events, ETAS_DEFAULTS, true);
  const plain = timed(events, ETAS_DEFAULTS, false);
  const preset2015 = timed(events, ETAS_2015, true);
  const kept = /Over-relaxed EM: (\d+) of (\d+)/.exec(byDefault.fit.notes.join(' '));
  console.log(
    JSON.stringify({
      events: events.cell.length,
      cells: events.cells.length,
      calendarMs: c1 - c0,
      prepareMs: c2 - c1,
      default: {
        ...byDefault,
        fit: undefined,
        iterations: byDefault.fit.iterations,
        stop: byDefault.fit.stopReason,
        theta: byDefault.fit.theta,
        kept: kept ? `${kept[1]}/${kept[2]}` : '',
      },
      plain: {
        totalMs: plain.totalMs,
        iterations: plain.fit.iterations,
        stop: plain.fit.stopReason,
        objectiveGap: byDefault.fit.objectiveTrace.at(-1)! - plain.fit.objectiveTrace.at(-1)!,
      },
      preset2015: { totalMs: preset2015.totalMs, iterations: preset2015.fit.iterations, theta: preset2015.fit.theta },
      maxRssMB: process.resourceUsage().maxRSS / 1024,
    }),
  );
}

const arg = process.argv[2];
if (arg !== undefined) {
  runOne(Number(arg));
} else {
  const self = fileURLToPath(import.meta.url);
  const pin = existsSync('/usr/bin/taskset') ? ['taskset', '-c', '0'] : [];
  console.log(
    `machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(1)} GB, Node ${process.version}${pin.length ? ', each size pinned to one core' : ''}`,
  );
  console.log(
    '| events | cells | default fit to tolerance: wall (CPU) | set-up | EM | after EM | iterations (over-relaxed kept) | plain EM | etas-2015 | calendar, prepareEvents alone | peak RSS |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const n of [10_000, 100_000, 1_000_000]) {
    const cmd = [...pin, 'node', '--expose-gc', '--max-old-space-size=8192', '--import', 'tsx', self, String(n)];
    const line = execFileSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8', cwd: fileURLToPath(new URL('..', import.meta.url)) })
      .trim()
      .split('\n')
      .at(-1)!;
    const o = JSON.parse(line) as {
      events: number;
      cells: number;
      calendarMs: number;
      prepareMs: number;
      default: {
        totalMs: number;
        cpuMs: number;
        setupMs: number;
        emMs: number;
        postMs: number;
        iterations: number;
        stop: string;
        kept: string;
      };
      plain: { totalMs: number; iterations: number };
      preset2015: { totalMs: number; iterations: number };
      maxRssMB: number;
    };
    const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
    const d = o.default;
    console.log(
      `| ${o.events.toLocaleString('en')} | ${o.cells.toLocaleString('en')} | **${s(d.totalMs)}** (${s(d.cpuMs)}) | ${s(d.setupMs)} | ${s(d.emMs)} | ${s(d.postMs)} | ${d.iterations}${d.stop === 'tolerance' ? '' : ' (max)'} (${d.kept}) | ${s(o.plain.totalMs)}, ${o.plain.iterations} it. | ${s(o.preset2015.totalMs)}, ${o.preset2015.iterations} it. | ${o.calendarMs.toFixed(0)} ms, ${o.prepareMs.toFixed(0)} ms | ${o.maxRssMB.toFixed(0)} MB |`,
    );
  }
}
