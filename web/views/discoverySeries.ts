/**
 * The feedback-loop stress test in the evaluation view, without the DOM (so tests can check it):
 * the `discovery` block of a report (the engine's discoveryStudy report, as the worker returns it
 * or as report.json holds it) read and checked, and its weekly series, one line per replay.
 */
import type { DiscoveryReport, DiscoveryRunReport, DiscoveryWeek } from '../../engine/index.ts';
import type { Series } from '../charts.ts';

/** A replay's name on the charts and in the table (the CLI's names). */
export function runLabel(run: Pick<DiscoveryRunReport, 'p' | 'rotateAfter'>): string {
  return `p = ${run.p}${run.rotateAfter === null ? '' : `, rotate after ${run.rotateAfter} d`}`;
}

/** One weekly measure as a series per replay: x the week number (1, 2, ...), y the measure (NaN weeks leave a gap). */
export function weeklySeries(report: DiscoveryReport, measure: 'places' | 'hitRate'): Series[] {
  return report.runs.map((run) => ({
    name: runLabel(run),
    emphasis: run.p === report.p && run.rotateAfter === null,
    points: run.weeks.map((week) => [week.week, week[measure]] as const),
  }));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(where: string, what: string): never {
  throw new Error(`the report's discovery block: ${where} ${what}`);
}

/** A number, or NaN where the JSON wrote null (NaN is saved as null). */
function num(value: unknown, where: string): number {
  if (value === null) return NaN;
  if (typeof value !== 'number') fail(where, 'is not a number');
  return value;
}

const WEEK_NUMBERS = [
  'week',
  'shifts',
  'events',
  'hits',
  'hitRate',
  'picks',
  'places',
  'top10Share',
  'everyShift',
  'found',
  'backgroundShare',
] as const;

function readWeek(value: unknown, where: string): DiscoveryWeek {
  if (!isRecord(value)) fail(where, 'is not an object');
  const week = Object.fromEntries(WEEK_NUMBERS.map((key) => [key, num(value[key], `${where}.${key}`)]));
  return { ...(week as Record<(typeof WEEK_NUMBERS)[number], number>), from: typeof value['from'] === 'string' ? value['from'] : '' };
}

function readRun(value: unknown, where: string): DiscoveryRunReport {
  if (!isRecord(value)) fail(where, 'is not an object');
  if (!Array.isArray(value['weeks'])) fail(`${where}.weeks`, 'is not a list');
  const rotateAfter = value['rotateAfter'] === null ? null : num(value['rotateAfter'], `${where}.rotateAfter`);
  const hitRate: Record<string, number> = {};
  if (isRecord(value['hitRate'])) for (const [key, v] of Object.entries(value['hitRate'])) hitRate[key] = num(v, `${where}.hitRate.${key}`);
  return {
    p: num(value['p'], `${where}.p`),
    rotateAfter,
    total: readWeek(value['total'], `${where}.total`),
    weeks: value['weeks'].map((week, i) => readWeek(week, `${where}.weeks[${i}]`)),
    topKHitRate: num(value['topKHitRate'], `${where}.topKHitRate`),
    hitRate,
    rested: num(value['rested'], `${where}.rested`),
    wallSeconds:
      value['wallSeconds'] === null || value['wallSeconds'] === undefined ? null : num(value['wallSeconds'], `${where}.wallSeconds`),
  };
}

/**
 * The report's `discovery` block, or null when it has none.
 * @throws {Error} naming the field, for a block that is not a stress-test report
 */
export function readDiscovery(raw: unknown): DiscoveryReport | null {
  if (!isRecord(raw) || raw['discovery'] === undefined || raw['discovery'] === null) return null;
  const block = raw['discovery'];
  if (!isRecord(block)) fail('discovery', 'is not an object');
  if (!Array.isArray(block['runs']) || block['runs'].length === 0) fail('discovery.runs', 'is not a list of replays');
  const runs = block['runs'].map((run, i) => readRun(run, `discovery.runs[${i}]`));
  return {
    p: num(block['p'], 'discovery.p'),
    rotateAfter: block['rotateAfter'] === null ? null : num(block['rotateAfter'], 'discovery.rotateAfter'),
    seed: num(block['seed'], 'discovery.seed'),
    refitEveryDays: num(block['refitEveryDays'], 'discovery.refitEveryDays'),
    top: num(block['top'], 'discovery.top'),
    shiftsPerWeek: num(block['shiftsPerWeek'], 'discovery.shiftsPerWeek'),
    flaggedKm2: Array.isArray(block['flaggedKm2']) ? block['flaggedKm2'].map((a, i) => num(a, `discovery.flaggedKm2[${i}]`)) : [],
    runs,
    wallSeconds:
      block['wallSeconds'] === null || block['wallSeconds'] === undefined ? null : num(block['wallSeconds'], 'discovery.wallSeconds'),
  };
}
