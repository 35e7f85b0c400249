/** `patrolcast backtest --discovery p [--rotate-after k]`: the stress test's tables and report block (cli/discovery.ts). */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoveryVerdict } from '../../engine/index.ts';
import { runCli } from '../support/cli.ts';

const VAN23 = 'fixtures/vancouver/property_2023.csv.gz';
const dir = mkdtempSync(join(tmpdir(), 'patrolcast-discovery-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('patrolcast backtest --discovery on the Vancouver fixture (8 days of shifts)', () => {
  const out = join(dir, 'van.json');
  const html = join(dir, 'van.html');
  let result: { stdout: string; stderr: string; code: number };
  let report: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- the report JSON, read field by field
  beforeAll(async () => {
    const args = ['backtest', VAN23, '--from', '2023-10-02', '--to', '2023-10-10', '--models', 'etas', '--discovery', '2'];
    result = await runCli([...args, '--rotate-after', '2', '--out', out, '--html', html]);
    report = JSON.parse(readFileSync(out, 'utf8'));
  }, 240_000);

  it('prints the whole-period table and the weekly table for p = 0 and p, with and without rotation', () => {
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Feedback-loop stress test');
    for (const name of ['p = 0 ', 'p = 2 ', 'p = 0, rotate after 2 d', 'p = 2, rotate after 2 d']) expect(result.stdout).toContain(name);
    // 8 days of 3 shifts: a whole week and one day
    expect(result.stdout).toMatch(/^1 +2023-10-02 06:00/m);
    expect(result.stdout).toMatch(/^2 +2023-10-09 06:00/m);
    // the engine's one-sentence verdict, the words the web app shows
    expect(result.stdout).toContain(discoveryVerdict(report.discovery));
    expect(discoveryVerdict(report.discovery)).toMatch(/^With the boxes finding 2 extra incidents per expected real one, they /);
  });

  it("writes the discovery block; p = 0's patrol-box and flagged hit rates are the backtest's own", () => {
    const d = report.discovery;
    expect(d.p).toBe(2);
    expect(d.rotateAfter).toBe(2);
    expect(d.shiftsPerWeek).toBe(21);
    expect(d.runs.map((r: { p: number; rotateAfter: number | null }) => [r.p, r.rotateAfter])).toEqual([
      [0, null],
      [2, null],
      [0, 2],
      [2, 2],
    ]);
    const [plain, found, rotated] = d.runs;
    expect(plain.topKHitRate).toBe(report.models.etas.topKHitRate);
    expect(plain.hitRate['1']).toBe(report.models.etas.hitRate['1']);
    expect(plain.total.found).toBe(0);
    expect(found.total.found).toBeGreaterThan(0);
    // the real incidents scored are the same in every run: found ones never count
    for (const r of d.runs) expect(r.total.events).toBe(report.events);
    expect(rotated.rested).toBeGreaterThan(0);
    expect(rotated.total.places).toBeGreaterThan(plain.total.places);
    expect(plain.weeks).toHaveLength(2);
    expect(plain.weeks[0].shifts + plain.weeks[1].shifts).toBe(24);
  });
});

describe('the HTML report of --discovery', () => {
  it('draws the weekly places and hit rates, a line per replay, and the whole-period table', () => {
    const page = readFileSync(join(dir, 'van.html'), 'utf8');
    const section = page.slice(page.indexOf('<h2 id="discovery">'), page.lastIndexOf('</body>'));
    expect(section).toContain('Feedback-loop stress test (p = 2, rotation after 2 days)');
    // two charts of four lines each, each line with its replay's name
    expect(section.match(/<svg /g)).toHaveLength(2);
    expect(section.match(/<path d="M/g)).toHaveLength(8);
    expect(section).toContain('<title>p = 2, rotate after 2 d</title>');
    expect(section.match(/<tr><th scope="row">/g)).toHaveLength(4);
    const block = JSON.parse(readFileSync(join(dir, 'van.json'), 'utf8')).discovery; // the verdict has no character HTML escapes
    expect(section).toContain(`<p class="verdict">${discoveryVerdict(block)}</p>`);
  });
});

describe('patrolcast backtest --discovery: bad options', () => {
  it.each([
    [['--discovery', '0'], /--discovery: "0" is not a rate in \(0, 5\]/],
    [['--discovery', '6'], /--discovery: "6" is not a rate/],
    [['--discovery', 'x'], /--discovery: "x" is not a rate/],
    [['--rotate-after', '2'], /--rotate-after needs --discovery/],
    [['--discovery', '0.3', '--rotate-after', '0'], /--rotate-after: "0" is not a whole number of days ≥ 1/],
    [['--discovery', '0.3', '--months'], /--discovery replays shifts/],
  ])('%j is refused', async (extra, message) => {
    const r = await runCli(['backtest', VAN23, '--from', '2023-10-02', '--to', '2023-10-03', '--models', 'etas', ...extra]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
  });
});
