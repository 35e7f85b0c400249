/**
 * The shift sergeant's view (landing page): pick date, shift, district and crime types; see the
 * patrol boxes as numbered hexagons on the map and as a numbered list with "why this box";
 * print one A4 landscape sheet; export the boxes as GeoJSON or CSV.
 */
import { type App, localDateTime, madeAtStamp } from '../app.ts';
import { byId, download, el, fmt, replaceChildren } from '../dom.ts';
import { MapView, RANK_COLOURS } from '../map.ts';
import type { DatasetInfo, ForecastResult, PresetInfo } from '../protocol.ts';

export const SHIFT_HOURS = 8;
/** Rows of the box list that fit on the printed A4 sheet (explanations take up to three lines). */
const PRINT_ROWS_MAX = 24;
/** With every district on one sheet each row also names its district. */
const PRINT_ROWS_MAX_ALL = 18;
const SHIFT_NAMES: Readonly<Record<string, string>> = { '06:00': 'Day', '14:00': 'Evening', '22:00': 'Night' };

export class SergeantView {
  private map: MapView | null = null;
  private readonly date = byId<HTMLInputElement>('sg-date');
  private readonly shift = byId<HTMLSelectElement>('sg-shift');
  private readonly district = byId<HTMLSelectElement>('sg-district');
  private readonly preset = byId<HTMLSelectElement>('sg-preset');
  private readonly note = byId('sg-note');
  private readonly list = byId<HTMLOListElement>('sg-boxes');
  private readonly listTitle = byId('sg-list-title');
  private readonly modelLine = byId('sg-model');
  private presets: readonly PresetInfo[] = [];
  private result: ForecastResult | null = null;
  private sequence = 0;
  private madeAt = '';

  constructor(private readonly app: App) {
    for (const control of [this.date, this.shift, this.district, this.preset]) {
      control.addEventListener('change', () => void this.refresh());
    }
    byId('sg-print').addEventListener('click', () => void this.print());
    byId('sg-export-geojson').addEventListener('click', () => this.exportGeoJson());
    byId('sg-export-csv').addEventListener('click', () => this.exportCsv());
    app.onDataset((info) => this.setDataset(info));
    this.renderLegend();
  }

  /** Create the map lazily (the container must be visible to get a size). */
  show(): void {
    if (!this.map) this.map = new MapView(byId('sg-map'));
    this.map.resize();
  }

  private setDataset(info: DatasetInfo): void {
    this.presets = info.presets;
    replaceChildren(this.preset, ...info.presets.map((p) => el('option', { attrs: { value: p.key } }, p.label)));
    const previousDistrict = this.district.value;
    replaceChildren(
      this.district,
      ...info.districts.map((d) => el('option', { attrs: { value: d.name } }, `${d.name} (${d.count.toLocaleString('en')})`)),
      el('option', { attrs: { value: '' } }, 'All districts'),
    );
    if (info.districts.some((d) => d.name === previousDistrict)) this.district.value = previousDistrict;
    if (info.dayAfterLast) {
      this.date.value = info.dayAfterLast;
      if (info.firstDate) this.date.min = info.firstDate;
      this.date.max = info.dayAfterLast;
      this.note.textContent =
        `The data ends on ${info.lastDate ?? '?'}, so "tonight" is ${info.dayAfterLast}: ` +
        `the boxes below are the forecast for the first night after the last recorded incident. ` +
        `Pick an earlier date to replay any shift in the data (the model then sees only what happened before it).`;
    }
    void this.refresh();
  }

  private presetCategories(): readonly string[] | null {
    const preset = this.presets.find((p) => p.key === this.preset.value);
    return preset && preset.key !== 'all' ? preset.categories : null;
  }

  /** Ask the worker for the boxes of the chosen shift and draw them. */
  async refresh(): Promise<void> {
    if (!this.app.dataset || !this.date.value) return;
    this.show();
    const sequence = ++this.sequence;
    const result = await this.app.run('Forecasting the shift', (onProgress) =>
      this.app.client.forecast(
        {
          date: this.date.value,
          shiftStart: this.shift.value,
          hours: SHIFT_HOURS,
          district: this.district.value,
          model: { ...this.app.model, categories: this.presetCategories() },
        },
        onProgress,
      ),
    );
    if (!result || sequence !== this.sequence) return;
    this.result = result;
    this.madeAt = madeAtStamp();
    await this.draw(result);
  }

  private async draw(result: ForecastResult): Promise<void> {
    const map = this.map!;
    await map.setData('districts', result.districts);
    await map.highlightDistrict(result.district);
    await map.setData('boxes', result.boxesGeoJSON);
    map.setMarkers(
      result.boxes.map((box) => ({
        lngLat: box.center,
        label: String(box.rank),
        title: `Box ${box.rank}: ${fmt(box.expected, 2)} expected crimes`,
      })),
    );
    map.fitBounds(result.bounds);
    document.body.dataset['boxes'] = String(result.boxes.length);
    this.renderList(result);
    await map.idle();
    this.renderPrintSheet(result);
    document.body.dataset['sergeantReady'] = result.shift.label;
  }

  private shiftName(result: ForecastResult): string {
    const start = this.shift.value;
    const end = localDateTime(result.shift.startMs + result.shift.hours * 3.6e6, result.tz).slice(11);
    return `${SHIFT_NAMES[start] ?? 'Shift'} shift, ${localDateTime(result.shift.startMs, result.tz)}–${end} (${result.tz})`;
  }

  private renderList(result: ForecastResult): void {
    const where = result.district || 'all districts';
    this.listTitle.textContent = `${result.boxes.length} patrol boxes, ${where}`;
    const total = result.boxes.reduce((sum, box) => sum + box.expected, 0);
    replaceChildren(
      this.list,
      ...result.boxes.map((box) =>
        el(
          'li',
          { attrs: { 'data-h3': box.h3 } },
          el(
            'button',
            {
              className: 'rank',
              attrs: { type: 'button', 'aria-label': `Show box ${box.rank} on the map` },
              on: { click: () => this.map?.map.easeTo({ center: [box.center[0], box.center[1]], zoom: 15 }) },
            },
            String(box.rank),
          ),
          el(
            'span',
            {},
            el('span', { className: 'expected' }, `${fmt(box.expected, 2)} expected crimes`),
            result.district ? '' : ` · ${box.district}`,
          ),
          el('span', { className: 'why' }, box.why),
        ),
      ),
    );
    const fit = result.fit;
    this.modelLine.textContent =
      `${this.shiftName(result)}. Together the boxes expect ${fmt(total, 1)} crimes. ` +
      (fit.model === 'etas' ? `${fit.words}` : `Model ${fit.model} v${fit.version}: ${fit.words}`) +
      result.warnings.map((warning) => ` Warning: ${warning}`).join('');
  }

  private renderLegend(): void {
    const legend = byId('sg-legend');
    const steps = ['1–3', '4–6', '7–10', '11–15', '16–20', '21+'];
    replaceChildren(
      legend,
      'Box rank',
      ...steps.map((label, i) =>
        el('span', {}, el('span', { className: 'swatch', attrs: { style: `background:${RANK_COLOURS[i]}` } }), ` ${label}`),
      ),
    );
  }

  /** Fill the hidden print sheet: map snapshot with numbers, the list, shift, time made, model. */
  private renderPrintSheet(result: ForecastResult): void {
    const fit = result.fit;
    byId('pr-title').textContent = `Patrol boxes: ${result.district || 'all districts'}`;
    byId('pr-shift').textContent = this.shiftName(result);
    const snapshot = this.map!.snapshot();
    byId<HTMLImageElement>('pr-map').src = snapshot.toDataURL('image/png');
    const body = byId('pr-table').querySelector('tbody')!;
    // One sheet holds about 24 rows; with every district chosen, print the boxes expecting
    // the most crime and say how many more there are.
    const rowsMax = result.district ? PRINT_ROWS_MAX : PRINT_ROWS_MAX_ALL;
    const shown =
      result.boxes.length <= rowsMax ? result.boxes : [...result.boxes].sort((a, b) => b.expected - a.expected).slice(0, rowsMax);
    replaceChildren(
      body,
      ...shown.map((box) =>
        el(
          'tr',
          {},
          el('td', {}, String(box.rank)),
          el('td', {}, fmt(box.expected, 2)),
          el('td', {}, result.district ? box.why : `${box.district}: ${box.why}`),
        ),
      ),
      result.boxes.length > shown.length
        ? el(
            'tr',
            {},
            el(
              'td',
              { attrs: { colspan: 3 } },
              `… and ${result.boxes.length - shown.length} more boxes (${result.boxes.length} in all): export the CSV for the full list.`,
            ),
          )
        : null,
    );
    const options = Object.entries(fit.options)
      .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
      .join(', ');
    // The model, its ingredients (etas) and its fitted parameters, so the sheet says what made it.
    const ingredients = fit.ingredients !== null ? ` (${fit.ingredients})` : '';
    const rings =
      fit.model === 'etas' && fit.ringWeights.length > 1 ? `, ring weights ${fit.ringWeights.map((w) => fmt(w, 2)).join('/')}` : '';
    const bins = fit.profileBins.length > 0 ? `, shift profile ${fit.profileBins.join('/')}` : '';
    byId('pr-foot').textContent =
      `Made ${this.madeAt} with patrolcast. Model ${fit.model} version ${fit.version}${ingredients}: ` +
      `θ = ${fmt(fit.theta, 3)}, ω = ${fmt(fit.omegaPerHour, 4)} per hour (mean delay ${fmt(fit.meanDelayHours, 1)} h)${rings}${bins}, ` +
      `background in ${fit.cellsWithBackground} boxes, H3 resolution ${fit.res}, ` +
      `trained on ${fit.events} incidents ${localDateTime(fit.windowStartMs, result.tz)} to ${localDateTime(fit.windowEndMs, result.tz)}, ` +
      `${fit.iterations} EM iterations (${fit.stopReason}), fingerprint ${fit.fingerprint}` +
      `${options ? `, options: ${options}` : ''}. ${this.app.dataset?.name ?? ''}`;
  }

  private async print(): Promise<void> {
    if (!this.result || !this.map) return;
    this.renderPrintSheet(this.result);
    window.print();
  }

  private fileStem(): string {
    const r = this.result!;
    const district = (r.district || 'all').replace(/[^A-Za-z0-9]+/g, '-');
    return `patrol-boxes_${this.date.value}_${this.shift.value.replace(':', '')}_${district}`;
  }

  private exportGeoJson(): void {
    if (!this.result) return;
    download(`${this.fileStem()}.geojson`, JSON.stringify(this.result.boxesGeoJSON, null, 1), 'application/geo+json');
  }

  private exportCsv(): void {
    if (!this.result) return;
    download(`${this.fileStem()}.csv`, this.result.boxesCsv, 'text/csv');
  }
}
