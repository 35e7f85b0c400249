/**
 * The shift sergeant's view (landing page): pick date, shift, district and crime types; see the
 * patrol boxes as numbered hexagons on the map and as a numbered list with "why this box";
 * print the briefing sheet (./printSheet.ts); export the boxes as GeoJSON or CSV.
 */
import { type App, localDateTime, madeAtStamp } from '../app.ts';
import { byId, download, el, fmt, replaceChildren } from '../dom.ts';
import { rankLegendSteps } from '../legend.ts';
import { allocationWords, boxPopup } from './boxWords.ts';
import { SHIFT_NAMES, shiftNote } from './shiftNote.ts';
import { MapView, RANK_COLOURS } from '../map.ts';
import type { BoxPlacement } from '../../engine/index.ts';
import type { BoxView, DatasetInfo, ForecastResult, PresetInfo } from '../protocol.ts';
import { boxesBounds, fillPrintSheet, snapshotForPrint } from './printSheet.ts';

export const SHIFT_HOURS = 8;
/** The placements in the analyst's words ("Boxes: ..."). */
const PLACEMENT_WORDS: Readonly<Record<BoxPlacement, string>> = { fine: 'centred on hot spots', grid: 'on the fixed grid' };
/**
 * Performance marks (User Timing, readable with performance.getEntriesByName): a shift, district,
 * crime-type or placement chosen; its boxes back from the worker; its boxes drawn on the map. The
 * measure between the first and the last is what bench/web-shift.ts reports.
 */
export const MARK_CHOSEN = 'patrolcast:shift-chosen';
export const MARK_RECEIVED = 'patrolcast:boxes-received';
export const MARK_DRAWN = 'patrolcast:boxes-drawn';
export const MEASURE_SHIFT = 'patrolcast:shift-to-boxes';

export class SergeantView {
  private map: MapView | null = null;
  /** Draw the bundled base map (the bundled data set is loaded). */
  private basemap = false;
  private readonly date = byId<HTMLInputElement>('sg-date');
  private readonly shift = byId<HTMLSelectElement>('sg-shift');
  private readonly district = byId<HTMLSelectElement>('sg-district');
  private readonly preset = byId<HTMLSelectElement>('sg-preset');
  private readonly allocation = byId<HTMLSelectElement>('sg-allocation');
  private readonly note = byId('sg-note');
  private readonly list = byId<HTMLOListElement>('sg-boxes');
  private readonly listTitle = byId('sg-list-title');
  private readonly modelLine = byId('sg-model');
  private readonly routeLine = byId('sg-route');
  private readonly quiet = byId('sg-quiet');
  private presets: readonly PresetInfo[] = [];
  private result: ForecastResult | null = null;
  private sequence = 0;
  /** The refresh a user's choice started (its time is the MARK_CHOSEN mark), or 0. */
  private chosenSequence = 0;
  /** The model settings changed while the view was hidden: redraw when it is shown. */
  private stale = false;
  private madeAt = '';
  private dataset: DatasetInfo | null = null;

  constructor(private readonly app: App) {
    for (const control of [this.date, this.shift, this.district, this.preset, this.allocation]) {
      control.addEventListener('change', () => void this.choose());
    }
    byId('sg-print').addEventListener('click', () => void this.print());
    byId('sg-export-geojson').addEventListener('click', () => this.exportGeoJson());
    byId('sg-export-csv').addEventListener('click', () => this.exportCsv());
    app.onDataset((info) => this.setDataset(info));
  }

  /** Create the map lazily (the container must be visible to get a size). */
  show(): void {
    if (!this.map) {
      const map = new MapView(byId('sg-map'));
      this.map = map;
      map.onLayerClick('boxes-fill', (properties) => {
        const box = this.result?.boxes.find((b) => b.rank === properties['rank'] && b.district === properties['district']);
        if (box) this.selectBox(box);
      });
      // A resized window or a turned tablet: the shift's boxes stay in view.
      map.followContainerSize(() => {
        if (this.result) map.fitBounds(this.result.bounds);
      });
    }
    this.map.resize();
    if (this.stale) void this.choose();
  }

  /** The model settings changed (the "Boxes" placement): redraw now, or when the view is next shown. */
  settingsChanged(): void {
    if (byId('view-sergeant').hidden) this.stale = true;
    else void this.choose();
  }

  private setDataset(info: DatasetInfo): void {
    this.basemap = info.bundled;
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
    }
    this.dataset = info;
    this.note.textContent = info.dayAfterLast
      ? `The data ends on ${info.lastDate ?? '?'}: forecasting the night of ${info.dayAfterLast}…`
      : '';
    void this.refresh();
  }

  private presetCategories(): readonly string[] | null {
    const preset = this.presets.find((p) => p.key === this.preset.value);
    return preset && preset.key !== 'all' ? preset.categories : null;
  }

  /**
   * "Shared by need": the force's usual total (the analyst's boxes per district times the
   * districts in the data) shared across the districts by expected crime, so a busy district gets
   * more than its 20 and a quiet one fewer or none.
   */
  private boxesTotal(): { boxesTotal?: number } {
    const districts = this.dataset?.districts.length ?? 0;
    return this.allocation.value === 'need' && districts > 0 ? { boxesTotal: this.app.model.top * districts } : {};
  }

  /** A control was changed: mark the moment and draw the boxes it asks for. */
  choose(): Promise<void> {
    performance.mark(MARK_CHOSEN);
    return this.refresh(true);
  }

  /** Ask the worker for the boxes of the chosen shift and draw them (`chosen`: started by {@link choose}). */
  async refresh(chosen = false): Promise<void> {
    if (!this.app.dataset || !this.date.value) return;
    this.stale = false;
    this.show();
    const sequence = ++this.sequence;
    this.chosenSequence = chosen ? sequence : 0;
    const result = await this.app.run('Forecasting the shift', (onProgress) =>
      this.app.client.forecast(
        {
          date: this.date.value,
          shiftStart: this.shift.value,
          hours: SHIFT_HOURS,
          district: this.district.value,
          model: { ...this.app.model, categories: this.presetCategories() },
          ...this.boxesTotal(),
        },
        onProgress,
      ),
    );
    if (!result || sequence !== this.sequence) return;
    if (sequence === this.chosenSequence) performance.mark(MARK_RECEIVED);
    this.result = result;
    this.madeAt = madeAtStamp();
    await this.draw(result, sequence);
  }

  /** The base map for the current data set; a failure to load it leaves the map plain and says so. */
  private async showBasemap(map: MapView): Promise<void> {
    try {
      await map.setBasemap(this.basemap);
    } catch (error) {
      console.warn(error);
      document.body.dataset['basemapError'] = error instanceof Error ? error.message : String(error);
    }
  }

  private async draw(result: ForecastResult, sequence: number): Promise<void> {
    const map = this.map!;
    await this.showBasemap(map);
    await map.setData('districts', result.districts);
    await map.highlightDistrict(result.district);
    await map.setData('boxes', result.boxesGeoJSON);
    await map.setData('route', result.routesGeoJSON);
    map.setMarkers(
      result.boxes.map((box) => ({
        lngLat: box.center,
        label: String(box.rank),
        title: `Box ${box.rank}, ${box.place}: ${fmt(box.expected, 2)} expected crimes`,
        onClick: () => this.selectBox(box),
      })),
    );
    map.showPopup(null);
    map.fitBounds(result.bounds);
    document.body.dataset['boxes'] = String(result.boxes.length);
    document.body.dataset['placement'] = result.placement;
    this.renderList(result);
    this.renderLegend(result);
    this.renderNote(result);
    await map.idle();
    if (sequence === this.sequence && sequence === this.chosenSequence) {
      performance.mark(MARK_DRAWN);
      performance.measure(MEASURE_SHIFT, MARK_CHOSEN, MARK_DRAWN);
    }
    await this.renderPrintSheet(result, result.bounds);
    document.body.dataset['sergeantReady'] = result.shift.label;
  }

  /** The note above the map, for the shift drawn ({@link shiftNote}). */
  private renderNote(result: ForecastResult): void {
    this.note.textContent = this.dataset ? shiftNote(this.dataset, localDateTime(result.shift.startMs, result.tz)) : '';
  }

  private shiftName(result: ForecastResult): string {
    const start = this.shift.value;
    const end = localDateTime(result.shift.startMs + result.shift.hours * 3.6e6, result.tz).slice(11);
    return `${SHIFT_NAMES[start] ?? 'Shift'} shift, ${localDateTime(result.shift.startMs, result.tz)}–${end} (${result.tz})`;
  }

  private renderList(result: ForecastResult): void {
    const where = result.district || 'all districts';
    this.listTitle.textContent = `${result.boxes.length} patrol boxes, ${where}, ${PLACEMENT_WORDS[result.placement]}${allocationWords(result)}`;
    const total = result.boxes.reduce((sum, box) => sum + box.expected, 0);
    replaceChildren(
      this.list,
      ...result.boxes.map((box) =>
        el(
          'li',
          { attrs: { 'data-h3': box.h3, 'data-rank': String(box.rank), 'data-district': box.district } },
          el(
            'button',
            {
              className: 'rank',
              attrs: { type: 'button', 'aria-label': `Show box ${box.rank} on the map` },
              on: { click: () => this.map?.map.easeTo({ center: [box.center[0], box.center[1]], zoom: 15 }) },
            },
            String(box.rank),
          ),
          el('span', { className: 'place' }, box.place),
          el(
            'span',
            {},
            el('span', { className: 'expected' }, `${fmt(box.expected, 2)} expected crimes`),
            result.district ? '' : ` · ${box.district}`,
          ),
          // Why, in counts a sergeant can check; the model's breakdown one click away.
          el(
            'span',
            { className: 'why' },
            box.reason,
            el('details', { className: 'model-breakdown' }, el('summary', {}, 'Model breakdown'), box.why),
          ),
        ),
      ),
    );
    this.renderRoutes(result);
    // Quiet districts or rankings within noise: say so above the list, so it is not read as confident.
    replaceChildren(this.quiet, ...result.rankingWarnings.map((w) => el('span', {}, `Warning: ${w}. `)));
    this.quiet.hidden = result.rankingWarnings.length === 0;
    const fit = result.fit;
    this.modelLine.textContent =
      `${this.shiftName(result)}. Together the boxes expect ${fmt(total, 1)} crimes. ` +
      (fit.model === 'etas' ? `${fit.words}` : `Model ${fit.model} v${fit.version}: ${fit.words}`) +
      result.warnings.map((warning) => ` Warning: ${warning}`).join('');
  }

  /**
   * A box clicked on the map (its hexagon or its number): its detail in a popup on the map, and
   * its row in the list marked and scrolled into view.
   */
  private selectBox(box: BoxView): void {
    for (const item of this.list.querySelectorAll('li')) {
      const chosen = item.dataset['rank'] === String(box.rank) && item.dataset['district'] === box.district;
      item.classList.toggle('selected', chosen);
      if (chosen) {
        item.setAttribute('aria-current', 'true');
        item.scrollIntoView({ block: 'nearest' });
      } else item.removeAttribute('aria-current');
    }
    this.map?.showPopup(box.center, boxPopup(box, !this.result?.district));
  }

  /** The patrol order of each district shown (the blue line on the map): box numbers in visiting order with straight-line legs. */
  private renderRoutes(result: ForecastResult): void {
    const routes = result.routes.filter((r) => r.ranks.length > 1);
    replaceChildren(
      this.routeLine,
      ...(routes.length === 0
        ? []
        : [
            el('strong', {}, 'Patrol order'),
            ' (blue line; straight-line distances between box centres): ',
            ...routes.map((r) =>
              el(
                'span',
                { className: 'route', attrs: { 'data-district': r.district } },
                result.district ? r.words : `${r.district}: ${r.words}. `,
              ),
            ),
          ]),
    );
  }

  /** The rank colours the map shows: one step per colour up to the largest rank drawn (engine ranks start at 1 per district). */
  private renderLegend(result: ForecastResult): void {
    const legend = byId('sg-legend');
    let maxRank = 0;
    for (const box of result.boxes) maxRank = Math.max(maxRank, box.rank);
    const steps = rankLegendSteps(maxRank);
    if (steps.length === 0) {
      replaceChildren(legend);
      return;
    }
    replaceChildren(
      legend,
      'Box rank',
      ...steps.map((label, i) =>
        el('span', {}, el('span', { className: 'swatch', attrs: { style: `background:${RANK_COLOURS[i]}` } }), ` ${label}`),
      ),
    );
  }

  /**
   * Fill the print sheet (./printSheet.ts) with every box of the shift, whatever the screen shows:
   * the map as drawn (fitted to `bounds`, which hold every box) when the boxes arrive, so the
   * browser's own Print menu prints them all; fitted to the boxes themselves, and put back, when
   * the Print button is pressed.
   */
  private async renderPrintSheet(result: ForecastResult, bounds: readonly [number, number, number, number]): Promise<void> {
    const map = await snapshotForPrint(
      this.map!,
      bounds,
      result.boxes.map((box) => box.center),
    );
    if (result !== this.result) return; // a newer shift's boxes arrived meanwhile
    const dataset = this.app.dataset;
    fillPrintSheet(result, map, {
      shift: this.shiftName(result),
      madeAt: this.madeAt,
      dataset: dataset?.name ?? '',
      lastIncidentMs: dataset?.lastMs ?? null,
      types: this.preset.selectedOptions[0]?.textContent ?? '',
    });
  }

  private async print(): Promise<void> {
    if (!this.result || !this.map) return;
    await this.renderPrintSheet(this.result, boxesBounds(this.result));
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
