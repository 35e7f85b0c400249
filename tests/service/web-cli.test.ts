/**
 * The web app and the CLI give the same boxes for the same data, shift and settings: the web
 * worker's jobs (web/engineHost.ts, run here in Node without a Worker) against the CLI run
 * in-process (`patrolcast forecast ... --out boxes.geojson`, `patrolcast fit ... --out fit.json`).
 * Both go through the engine's service, so the boxes agree exactly (same cells, ranks, districts,
 * expected counts to the last bit, contributors and explanations), though the web app reads the
 * file whole and sorts the incidents by time while the CLI streams it in file order.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveCategories } from '../../engine/index.ts';
import { fitOnly, forecast, handle, load } from '../../web/engineHost.ts';
import type { ForecastResult, ModelSettings, Response } from '../../web/protocol.ts';
import { runCli } from '../support/cli.ts';
import { AT, FIXTURE } from './support.ts';

const noProgress = (): void => {};
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'patrolcast-service-'));
  const bytes = readFileSync(FIXTURE);
  const info = await load(
    {
      kind: 'files',
      files: [
        { name: 'property_2023.csv.gz', bytes: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer },
      ],
    },
    noProgress,
  );
  expect([info.format, info.tz, info.summary.accepted]).toEqual(['vancouver', 'America/Vancouver', 31_485]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The web app's default model settings (web/app.ts DEFAULT_MODEL), with overrides. */
function settings(over: Partial<ModelSettings> = {}): ModelSettings {
  return { model: 'etas', res: 10, categories: null, trainingDays: null, fitOptions: {}, top: 20, ...over };
}

function webBoxes(model: ModelSettings): ForecastResult {
  return forecast({ date: '2023-12-15', shiftStart: '22:00', hours: 8, district: '', model }, noProgress);
}

/** The box properties both write (the CLI adds the shift's label, start and hours to each). */
function boxProperties(geojson: { features: { properties: Record<string, unknown> }[] }): Record<string, unknown>[] {
  return geojson.features.map(({ properties: { shift: _s, shiftStart: _t, shiftHours: _h, ...box } }) => box);
}

async function cliBoxes(name: string, ...flags: string[]): Promise<Record<string, unknown>[]> {
  const out = join(dir, `${name}.geojson`);
  const r = await runCli(['forecast', FIXTURE, '--at', AT, ...flags, '--out', out]);
  expect(r.code, r.stderr).toBe(0);
  return boxProperties(JSON.parse(readFileSync(out, 'utf8')));
}

describe('the web app and the CLI, same data, shift and settings', () => {
  it('default settings (etas, all crime types, all history, 20 boxes per district): the same boxes exactly', async () => {
    const web = webBoxes(settings());
    const cli = await cliBoxes('default');
    expect(cli.length).toBe(474); // 24 districts, most with 20 boxes (tests/cli/forecast.test.ts counts them)
    expect(cli.every((b) => b['placement'] === 'fine' && (b['cells'] as unknown[]).length === 7)).toBe(true);
    expect(boxProperties(web.boxesGeoJSON as never)).toEqual(cli);
    // The page's list says the same as the GeoJSON: rank, cell, district, expected count, the
    // model's breakdown and the reason in counts (with its counts).
    expect(web.boxes.map((b) => [b.rank, b.h3, b.district, b.expected, b.why, b.reason, b.reasonCounts])).toEqual(
      cli.map((b) => [b['rank'], b['h3'], b['district'], b['expected'], b['explanation'], b['reason'], b['reasonCounts']]),
    );
    // The patrol order: the same `visit` and `legM` in both GeoJSONs (above); the page's lines join
    // the box centres in visiting order, and its words name the same order.
    expect(web.routes.map((r) => r.district)).toEqual([...new Set(cli.map((b) => b['district']))]);
    for (const line of web.routesGeoJSON.features) {
      const district = line.properties!['district'];
      const byVisit = web.boxes
        .map((b, i) => ({ b, visit: cli[i]!['visit'] as number }))
        .filter(({ b }) => b.district === district)
        .sort((x, y) => x.visit - y.visit);
      expect((line.geometry as { coordinates: number[][] }).coordinates).toEqual(byVisit.map(({ b }) => [...b.center]));
      const route = web.routes.find((r) => r.district === district)!;
      expect(route.words).toMatch(/^1 → \d+ \(\d/);
      expect(route.ranks).toEqual(byVisit.map(({ b }) => b.rank));
    }
    expect(web.routesGeoJSON.features.length).toBeGreaterThanOrEqual(22);
    // Ranking warnings: every district whose box 1 expects under 0.05 crimes is named as quiet, in
    // the order of the boxes; a district chosen alone gets its own warnings only.
    const quiet = web.boxes.filter((b) => b.rank === 1 && b.expected < 0.05).map((b) => b.district);
    expect(quiet.length).toBeGreaterThan(0);
    const floor = web.rankingWarnings.filter((w) => w.includes('every box expects fewer than 0.05 crimes'));
    expect(floor.map((w) => w.slice(0, w.indexOf(': every box')))).toEqual(quiet);
    for (const w of web.rankingWarnings) expect(w).toMatch(/every box expects fewer than 0\.05|within the noise of the data behind them/);
    const one = forecast({ date: '2023-12-15', shiftStart: '22:00', hours: 8, district: quiet[0]!, model: settings() }, noProgress);
    expect(one.rankingWarnings).toEqual([floor[0]]);
    // Both trained on all history known before the shift: the fit window starts at the first incident's hour.
    expect([web.fit.windowStartMs, web.fit.windowEndMs]).toEqual([Date.UTC(2023, 0, 1, 8), Date.UTC(2023, 11, 16, 6)]);
  }, 60_000);

  it('grid placement (--placement grid): the same boxes exactly, each a res-10 cell, from the same fit as the placed boxes', async () => {
    const fine = webBoxes(settings({ placement: 'fine' }));
    // Switching the placement only moves the boxes: the page's fit is reused, not made again.
    const phases: string[] = [];
    const web = forecast({ date: '2023-12-15', shiftStart: '22:00', hours: 8, district: '', model: settings({ placement: 'grid' }) }, (p) =>
      phases.push(p.phase),
    );
    expect(phases).toEqual(['Preparing the training events', 'Forecasting the shift']);
    expect([web.placement, fine.placement]).toEqual(['grid', 'fine']);
    expect(web.fit).toEqual(fine.fit);
    const cli = await cliBoxes('grid', '--placement', 'grid');
    expect(cli.length).toBe(474);
    expect(cli.every((b) => b['placement'] === 'grid' && b['cells'] === undefined)).toBe(true);
    expect(boxProperties(web.boxesGeoJSON as never)).toEqual(cli);
    expect(web.boxes.map((b) => [b.rank, b.h3, b.district, b.expected, b.why])).toEqual(
      cli.map((b) => [b['rank'], b['h3'], b['district'], b['expected'], b['explanation']]),
    );
    // Different boxes: the placed boxes' centres are res-11 cells, the grid's res-10 cells.
    expect(fine.boxes.map((b) => b.h3)).not.toEqual(web.boxes.map((b) => b.h3));
    // One district of the same shift and placement: the kept boxes filtered, nothing recomputed.
    const again: string[] = [];
    const district = 'Kitsilano';
    const one = forecast({ date: '2023-12-15', shiftStart: '22:00', hours: 8, district, model: settings({ placement: 'grid' }) }, (p) =>
      again.push(p.phase),
    );
    expect(again).toEqual([]);
    expect(one.boxes).toHaveLength(20);
    expect(one.boxes).toEqual(web.boxes.filter((b) => b.district === district));
  }, 60_000);

  it('etas-2015, one crime-type preset, 5 boxes per district: the same boxes exactly', async () => {
    const web = webBoxes(settings({ model: 'etas-2015', categories: resolveCategories('vancouver-burglary-vehicle'), top: 5 }));
    const cli = await cliBoxes('2015', '--model', 'etas-2015', '--preset', 'vancouver-burglary-vehicle', '--top', '5');
    expect(cli.length).toBeGreaterThan(100);
    expect(boxProperties(web.boxesGeoJSON as never)).toEqual(cli);
    expect(web.fit.model).toBe('etas-2015');
  }, 60_000);

  it("the analyst's fit is the fit `patrolcast fit --until` writes", async () => {
    const web = fitOnly({ trainToDate: '2023-12-01', model: settings() }, noProgress);
    const out = join(dir, 'fit.json');
    const r = await runCli(['fit', FIXTURE, '--until', '2023-12-01', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(web.fitJson)).toEqual(JSON.parse(readFileSync(out, 'utf8')));
    expect(JSON.parse(web.fitJson).window.endMs).toBe(Date.UTC(2023, 11, 1, 8)); // local midnight, PST
  }, 60_000);

  it("the analyst's days of history limit the training window of both the forecast and the fit", () => {
    const limited = webBoxes(settings({ trainingDays: 60 }));
    expect(limited.fit.windowStartMs).toBe(Date.UTC(2023, 11, 16, 6) - 60 * 86_400_000);
    expect(limited.fit.windowEndMs).toBe(Date.UTC(2023, 11, 16, 6));
    // The history is the window's incidents only: fewer than the 474 boxes' worth of all history.
    expect(limited.historyEvents).toBeLessThan(webBoxes(settings()).historyEvents);
  }, 60_000);

  it("passes the service's error codes to the page: nothing of the chosen types before the shift is E_NO_EVENTS, bad input", async () => {
    const posted: Response[] = [];
    const model = settings({ categories: ['Arson'] });
    await handle({ id: 7, type: 'forecast', request: { date: '2023-12-15', shiftStart: '22:00', hours: 8, district: '', model } }, (m) =>
      posted.push(m),
    );
    expect(posted.at(-1)).toEqual({
      id: 7,
      type: 'error',
      code: 'E_NO_EVENTS',
      kind: 'input',
      message: 'no incident of the chosen categories known before 2023-12-15T22:00 PST: nothing to fit',
    });
  });
});
