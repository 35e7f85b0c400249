/**
 * The evaluation view: run a backtest over a chosen period in the worker (with progress and
 * cancel), or open a report.json written by `patrolcast backtest --out`; show hit rate against
 * flagged area for every model, the hit rate over time, a table, and for one chosen shift the
 * predicted boxes with the incidents that actually happened (hits marked).
 */
import { addDays, type App } from '../app.ts';
import { lineChart } from '../charts.ts';
import { byId, download, el, fmt, pct, replaceChildren } from '../dom.ts';
import { MapView } from '../map.ts';
import type { DatasetInfo, ForecastResult } from '../protocol.ts';
import { SHIFT_HOURS } from './sergeant.ts';
import { areaSeries, MODEL_LABELS, timeSeries } from './evaluationSeries.ts';
import { readDiscovery } from './discoverySeries.ts';
import { chosenDiscovery, drawDiscovery } from './discoveryView.ts';
import { type BacktestReport, modelNames, readReport } from './report.ts';

export const ALL_MODELS = ['etas', 'etas-2015', 'naive-28', 'naive-365', 'naive-all', 'retro', 'prospective', 'random', 'oracle'] as const;
const DEFAULT_MODELS = new Set<string>(['etas', 'etas-2015', 'naive-28', 'naive-365', 'naive-all', 'random', 'oracle']);
const INGREDIENTS: readonly (readonly [string, string])[] = [
  ['recency', 'recency (forgets, half-life 180 days)'],
  ['profile', 'per-box shift-type profile'],
  ['triggering', 'near-repeats'],
];

export class EvaluationView {
  private map: MapView | null = null;
  private report: BacktestReport | null = null;
  private readonly timeArea = byId<HTMLSelectElement>('ev-time-area');

  constructor(private readonly app: App) {
    replaceChildren(
      byId('ev-models'),
      el('legend', {}, 'Models'),
      ...ALL_MODELS.map((name) =>
        el(
          'label',
          {},
          el('input', { attrs: { type: 'checkbox', value: name, checked: DEFAULT_MODELS.has(name) } }),
          MODEL_LABELS[name] ?? name,
        ),
      ),
    );
    // The ingredients of the etas model, each switchable (the backtest shows what each one buys).
    byId('ev-models').after(
      el(
        'fieldset',
        { attrs: { class: 'inline-checks', id: 'ev-ingredients' } },
        el('legend', {}, 'ETAS model ingredients'),
        ...INGREDIENTS.map(([key, label]) =>
          el('label', {}, el('input', { attrs: { type: 'checkbox', value: key, checked: true } }), label),
        ),
      ),
    );
    byId<HTMLFormElement>('ev-form').addEventListener('submit', (event) => {
      event.preventDefault();
      void this.run();
    });
    byId<HTMLInputElement>('ev-open').addEventListener('change', (event) => {
      const file = (event.target as HTMLInputElement).files?.[0];
      if (file) void this.open(file);
    });
    this.timeArea.addEventListener('change', () => this.drawTime());
    byId('ev-show-oracle').addEventListener('change', () => {
      this.drawArea();
      this.drawTime();
    });
    byId('ev-save').addEventListener('click', () => {
      if (this.report) download('report.json', JSON.stringify(this.report.raw, null, 1), 'application/json');
    });
    byId('ev-shift-show').addEventListener('click', () => void this.showShift());
    app.onDataset((info) => this.setDataset(info));
  }

  show(): void {
    if (!this.map) this.map = new MapView(byId('ev-map'));
    this.map.resize();
  }

  private setDataset(info: DatasetInfo): void {
    if (info.lastDate) {
      // Default period: the last four weeks of the data (small enough to run in seconds).
      const to = addDays(info.lastDate, 1);
      byId<HTMLInputElement>('ev-to').value = to;
      byId<HTMLInputElement>('ev-from').value = addDays(to, -28);
      byId<HTMLInputElement>('ev-shift-date').value = addDays(to, -7);
    }
    replaceChildren(
      byId('ev-shift-district'),
      ...info.districts.map((d) => el('option', { attrs: { value: d.name } }, d.name)),
      el('option', { attrs: { value: '' } }, 'All districts'),
    );
  }

  private chosenIngredients(): { recency: boolean; profile: boolean; triggering: boolean } {
    const on = new Set([...byId('ev-ingredients').querySelectorAll<HTMLInputElement>('input:checked')].map((input) => input.value));
    return { recency: on.has('recency'), profile: on.has('profile'), triggering: on.has('triggering') };
  }

  private chosenModels(): string[] {
    return [...byId('ev-models').querySelectorAll<HTMLInputElement>('input:checked')].map((input) => input.value);
  }

  private async run(): Promise<void> {
    const fromDate = byId<HTMLInputElement>('ev-from').value;
    const toDate = byId<HTMLInputElement>('ev-to').value;
    if (!fromDate || !toDate) return;
    let discovery: ReturnType<typeof chosenDiscovery>;
    try {
      discovery = chosenDiscovery();
    } catch (error) {
      this.app.showError(error instanceof Error ? error.message : String(error));
      return;
    }
    const raw = await this.app.run('Backtesting', (onProgress) =>
      this.app.client.backtest(
        {
          fromDate,
          toDate,
          hours: SHIFT_HOURS,
          shiftStarts: ['06:00', '14:00', '22:00'],
          model: this.app.model,
          refitEveryDays: Math.max(1, Number(byId<HTMLInputElement>('ev-refit').value) || 7),
          models: this.chosenModels(),
          flaggedKm2: [0.5, 1, 2, 5],
          etasIngredients: this.chosenIngredients(),
          ...(discovery ? { discovery } : {}),
        },
        onProgress,
      ),
    );
    if (raw === null) return;
    this.setReport(readReport(raw));
  }

  private async open(file: File): Promise<void> {
    try {
      this.setReport(readReport(JSON.parse(await file.text()), file.name));
    } catch (error) {
      this.app.showError(`${file.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private setReport(report: BacktestReport): void {
    const discovery = readDiscovery(report.raw);
    this.report = report;
    this.app.clearError();
    const areas = report.areaKeys;
    replaceChildren(this.timeArea, ...areas.map((key) => el('option', { attrs: { value: key } }, `${key} km²`)));
    if (areas.includes('1')) this.timeArea.value = '1';
    byId('ev-words').textContent = report.words;
    this.drawArea();
    this.drawTime();
    this.drawTable();
    drawDiscovery(discovery);
    byId<HTMLButtonElement>('ev-save').disabled = false;
    document.body.dataset['reportReady'] = String(report.shifts);
  }

  /** Whether the oracle (the ceiling, about 100%) sets the charts' y scale. */
  private showOracle(): boolean {
    return byId<HTMLInputElement>('ev-show-oracle').checked;
  }

  private drawArea(): void {
    const report = this.report;
    if (!report) return;
    lineChart(byId('ev-area-chart'), areaSeries(report, this.showOracle()), {
      xLabel: 'flagged area (km²)',
      yLabel: 'share of crime caught',
      xKind: 'log',
      xFormat: (v) => String(v),
      yFormat: (v) => pct(v, 0),
      yFromZero: true,
      dots: true,
    });
  }

  private drawTime(): void {
    const report = this.report;
    if (!report) return;
    const key = this.timeArea.value || report.areaKeys[0] || '';
    lineChart(byId('ev-time-chart'), timeSeries(report, key, this.showOracle()), {
      xLabel: 'shift start (share caught over the last 21 shifts)',
      yLabel: `caught at ${key} km²`,
      xKind: 'time',
      yFormat: (v) => pct(v, 0),
      yFromZero: true,
    });
  }

  private drawTable(): void {
    const report = this.report!;
    const keys = report.areaKeys;
    const head = el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('th', { attrs: { scope: 'col' } }, 'Model'),
        ...keys.map((key) => el('th', { className: 'num', attrs: { scope: 'col' } }, `hit rate ${key} km²`)),
        el('th', { className: 'num', attrs: { scope: 'col' } }, `patrol boxes (${report.top} per district)`),
        ...keys.slice(0, 1).map((key) => el('th', { className: 'num', attrs: { scope: 'col' } }, `PAI ${key} km²`)),
        el('th', { className: 'num', attrs: { scope: 'col' } }, 'log score'),
        el('th', { className: 'num', attrs: { scope: 'col' } }, 'distinct cells flagged'),
      ),
    );
    const body = el(
      'tbody',
      {},
      ...modelNames(report).map((name) => {
        const model = report.models[name]!;
        return el(
          'tr',
          {},
          el('th', { attrs: { scope: 'row' } }, MODEL_LABELS[name] ?? name),
          ...keys.map((key) => {
            const ci = model.hitRateCi[key];
            return el(
              'td',
              { className: 'num', attrs: { title: ci ? `95% interval ${pct(ci.lo)} to ${pct(ci.hi)}` : undefined } },
              pct(model.hitRate[key]),
            );
          }),
          el('td', { className: 'num' }, pct(model.topKHitRate)),
          ...keys.slice(0, 1).map((key) => el('td', { className: 'num' }, fmt(model.pai[key], 1))),
          el('td', { className: 'num' }, fmt(model.logScore, 3)),
          el('td', { className: 'num' }, model.distinctCellsFlagged === null ? '–' : model.distinctCellsFlagged.toLocaleString('en')),
        );
      }),
    );
    replaceChildren(byId('ev-table'), head, body);
  }

  /** The chosen shift: predicted boxes and the incidents that happened in it. */
  private async showShift(): Promise<void> {
    const date = byId<HTMLInputElement>('ev-shift-date').value;
    if (!date || !this.app.dataset) return;
    this.show();
    const result = await this.app.run('Forecasting the shift', (onProgress) =>
      this.app.client.forecast(
        {
          date,
          shiftStart: byId<HTMLSelectElement>('ev-shift-start').value,
          hours: SHIFT_HOURS,
          district: byId<HTMLSelectElement>('ev-shift-district').value,
          model: this.app.model,
          withActuals: true,
        },
        onProgress,
      ),
    );
    if (result) await this.drawShift(result);
  }

  private async drawShift(result: ForecastResult): Promise<void> {
    const map = this.map!;
    const actuals = result.actuals ?? [];
    await map.setData('districts', result.districts);
    await map.highlightDistrict(result.district);
    await map.setData('boxes', result.boxesGeoJSON);
    await map.setData('actuals', {
      type: 'FeatureCollection',
      features: actuals.map((a) => ({
        type: 'Feature',
        geometry: { type: 'Point', coordinates: [a.lng, a.lat] },
        properties: { hit: a.hit, category: a.category },
      })),
    });
    map.setMarkers(result.boxes.map((box) => ({ lngLat: box.center, label: String(box.rank), title: `Box ${box.rank}` })));
    map.fitBounds(result.bounds);
    const hits = result.actualHits ?? 0;
    byId('ev-shift-words').textContent =
      `${result.shift.label}: ${actuals.length} crimes of the chosen types happened in ${result.district || 'all districts'}; ` +
      `${hits} of them (${pct(actuals.length > 0 ? hits / actuals.length : NaN, 0)}) were inside the ${result.boxes.length} boxes.`;
    document.body.dataset['shiftReady'] = String(actuals.length);
  }
}
