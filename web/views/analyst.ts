/**
 * The analyst's workbench: load incidents from chosen or dropped files (CSV, .csv.gz, GeoJSON,
 * read by the engine's own readers in the worker), see what was accepted and what was rejected
 * and why, set the model, fit it in the worker with progress and cancel, and see the fit:
 * parameters in words, log-likelihood by iteration, decay curve, triggered share, background map.
 */
import type { EtasFitOptions, IngestFormat } from '../../engine/index.ts';
import { addDays, type App, localDateTime } from '../app.ts';
import { lineChart } from '../charts.ts';
import { byId, download, el, fmt, pct, replaceChildren } from '../dom.ts';
import { MapView, MU_COLOURS } from '../map.ts';
import type { DatasetInfo, FitResult, ModelName, ModelSettings, PresetInfo } from '../protocol.ts';
import { BUNDLED_SOURCE } from '../bundled.ts';
import { saveSettings } from '../settings.ts';

export class AnalystView {
  private map: MapView | null = null;
  private readonly fileInput = byId<HTMLInputElement>('an-file');
  private readonly drop = byId('an-drop');
  private readonly categoriesBox = byId('an-categories');
  private readonly preset = byId<HTMLSelectElement>('an-preset');
  private readonly placement = byId<HTMLSelectElement>('an-placement');
  private presets: readonly PresetInfo[] = [];
  private lastFit: FitResult | null = null;
  private pendingBackground: FitResult | null = null;

  /**
   * `onUseModel`: "Use for the shift map" was pressed; `onPlacement`: the "Boxes" setting changed
   * (it applies at once, without a refit: the fit does not depend on where the boxes sit).
   */
  constructor(
    private readonly app: App,
    private readonly onUseModel: () => void,
    onPlacement: () => void,
  ) {
    this.placement.value = app.model.placement ?? 'fine';
    this.placement.addEventListener('change', () => {
      const placement = this.placement.value === 'grid' ? 'grid' : 'fine';
      saveSettings({ placement });
      this.app.model = { ...this.app.model, placement };
      onPlacement();
    });
    byId('an-load').addEventListener('click', () => void this.loadFiles([...(this.fileInput.files ?? [])]));
    this.fileInput.addEventListener('change', () => void this.loadFiles([...(this.fileInput.files ?? [])]));
    byId('an-bundled').addEventListener('click', () => void this.loadBundled());
    this.drop.addEventListener('dragover', (event) => {
      event.preventDefault();
      this.drop.classList.add('dragging');
    });
    this.drop.addEventListener('dragleave', () => this.drop.classList.remove('dragging'));
    this.drop.addEventListener('drop', (event) => {
      event.preventDefault();
      this.drop.classList.remove('dragging');
      void this.loadFiles([...(event.dataTransfer?.files ?? [])]);
    });
    this.preset.addEventListener('change', () => this.applyPreset());
    // Fixed θ and delay are settings of the 2015 model only.
    const modelSelect = byId<HTMLSelectElement>('an-model');
    modelSelect.addEventListener('change', () => {
      for (const id of ['an-theta-fixed', 'an-delay-fixed']) byId<HTMLInputElement>(id).disabled = modelSelect.value !== 'etas-2015';
    });
    byId<HTMLFormElement>('an-form').addEventListener('submit', (event) => {
      event.preventDefault();
      void this.fit();
    });
    byId('an-save-fit').addEventListener('click', () => {
      if (this.lastFit) download('fit.json', this.lastFit.fitJson, 'application/json');
    });
    byId('an-use').addEventListener('click', () => {
      this.app.model = this.readModel();
      this.onUseModel();
    });
    app.onDataset((info) => this.setDataset(info));
  }

  show(): void {
    if (!this.map) this.map = new MapView(byId('an-map'));
    this.map.resize();
    if (this.pendingBackground) {
      const pending = this.pendingBackground;
      this.pendingBackground = null;
      void this.drawBackground(pending);
    }
  }

  private async loadBundled(): Promise<void> {
    const info = await this.app.run('Loading the bundled data', (onProgress) => this.app.client.load(BUNDLED_SOURCE, onProgress));
    if (info) this.app.announceDataset(info);
  }

  private async loadFiles(files: File[]): Promise<void> {
    if (files.length === 0) return;
    const format = (byId<HTMLSelectElement>('an-format').value || undefined) as IngestFormat | undefined;
    const tz = byId<HTMLInputElement>('an-tz').value.trim() || undefined;
    const allowRejected = byId<HTMLInputElement>('an-allow-rejected').checked;
    const dateOrder = byId<HTMLSelectElement>('an-date-order').value === 'dmy' ? 'dmy' : undefined;
    const columnsText = byId<HTMLInputElement>('an-columns').value.trim();
    let columns: Record<string, string> | undefined;
    if (columnsText) {
      columns = {};
      for (const pair of columnsText.split(',')) {
        const [key, value] = pair.split('=').map((s) => s.trim());
        if (!key || !value) {
          this.app.showError(`Column names: "${pair}" is not of the form field=column`);
          return;
        }
        columns[key] = value;
      }
    }
    const loaded = await Promise.all(files.map(async (file) => ({ name: file.name, bytes: await file.arrayBuffer() })));
    const info = await this.app.run(`Reading ${files.map((f) => f.name).join(', ')}`, (onProgress) =>
      this.app.client.load({ kind: 'files', files: loaded, format, columns, tz, dateOrder, allowRejected }, onProgress),
    );
    if (info) this.app.announceDataset(info);
  }

  private setDataset(info: DatasetInfo): void {
    byId<HTMLInputElement>('an-theta-max').placeholder = `${info.fitDefaults.thetaMax} (default)`;
    byId<HTMLInputElement>('an-delay-min').placeholder = `${info.fitDefaults.minMeanDelayHours} (default)`;
    this.renderSummary(info);
    this.renderRejected(info);
    this.presets = info.presets;
    replaceChildren(this.preset, ...info.presets.map((p) => el('option', { attrs: { value: p.key } }, p.label)));
    replaceChildren(
      this.categoriesBox,
      ...info.categories.map((c) =>
        el(
          'label',
          {},
          el('input', { attrs: { type: 'checkbox', value: c.name, checked: true } }),
          `${c.name} (${c.count.toLocaleString('en')})`,
        ),
      ),
    );
    this.applyPreset();
    const trainTo = byId<HTMLInputElement>('an-train-to');
    if (info.dayAfterLast) trainTo.value = info.dayAfterLast;
    if (info.firstDate) trainTo.min = addDays(info.firstDate, 1);
  }

  private applyPreset(): void {
    const preset = this.presets.find((p) => p.key === this.preset.value);
    const wanted = preset && preset.key !== 'all' ? new Set(preset.categories) : null;
    for (const box of this.categoriesBox.querySelectorAll<HTMLInputElement>('input[type=checkbox]')) {
      box.checked = wanted ? wanted.has(box.value) : true;
    }
  }

  private renderSummary(info: DatasetInfo): void {
    const s = info.summary;
    const rows: [string, string][] = [
      ['Data set', info.name],
      ['Format', info.format],
      ['Rows read', s.rowsRead.toLocaleString('en')],
      ['Accepted', s.accepted.toLocaleString('en')],
      ['Rejected', s.rejected.toLocaleString('en')],
      ['First', s.first ? localDateTime(Date.parse(s.first), info.tz) : '–'],
      ['Last', s.last ? localDateTime(Date.parse(s.last), info.tz) : '–'],
      ['Time zone', info.tz],
      ['Time of day unknown', s.timeOfDayUnknown.toLocaleString('en')],
      [
        'Time precision',
        Object.entries(s.precision)
          .map(([k, v]) => `${k} ${v.toLocaleString('en')}`)
          .join(', '),
      ],
    ];
    for (const [reason, count] of Object.entries(s.rejectedByReason)) rows.push([`Rejected: ${reason}`, count.toLocaleString('en')]);
    if (info.trainingDefault) rows.push(['Crime types by default', info.trainingDefault]);
    for (const w of info.warnings ?? []) rows.push(['Warning', w]);
    replaceChildren(
      byId('an-summary'),
      el('dl', {}, ...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])),
      el('h3', {}, 'Crime types'),
      el(
        'ul',
        { className: 'category-list', id: 'an-category-list' },
        ...info.categories.map((c) => el('li', {}, `${c.name}: ${c.count.toLocaleString('en')}`)),
      ),
    );
  }

  private renderRejected(info: DatasetInfo): void {
    const wrap = byId<HTMLDetailsElement>('an-rejected-wrap');
    wrap.hidden = info.rejectedTotal === 0;
    const shown = info.rejected.length < info.rejectedTotal ? ` (first ${info.rejected.length} shown)` : '';
    byId('an-rejected-title').textContent = `Rejected rows: ${info.rejectedTotal.toLocaleString('en')}${shown}`;
    const body = byId('an-rejected').querySelector('tbody')!;
    replaceChildren(
      body,
      ...info.rejected.map((row) =>
        el(
          'tr',
          { attrs: { title: row.message } },
          el('td', {}, row.source.file),
          el('td', { className: 'num' }, String(row.source.line)),
          el('td', {}, row.reason.replaceAll('_', ' ')),
          el('td', {}, row.field ?? ''),
          el('td', {}, row.value ?? ''),
        ),
      ),
    );
  }

  /** The model settings as set in the form. */
  readModel(): ModelSettings {
    const number = (id: string): number | undefined => {
      const raw = byId<HTMLInputElement>(id).value.trim();
      if (raw === '') return undefined;
      const value = Number(raw);
      return Number.isFinite(value) ? value : undefined;
    };
    const fitOptions: { -readonly [K in keyof EtasFitOptions]: EtasFitOptions[K] } = {};
    const thetaMax = number('an-theta-max');
    const thetaFixed = number('an-theta-fixed');
    const delayMin = number('an-delay-min');
    const delayFixed = number('an-delay-fixed');
    if (thetaMax !== undefined) fitOptions.thetaMax = thetaMax;
    const model = byId<HTMLSelectElement>('an-model').value as ModelName;
    if (thetaFixed !== undefined && model === 'etas-2015') fitOptions.fixedTheta = thetaFixed;
    if (delayMin !== undefined) fitOptions.minMeanDelayHours = delayMin;
    if (delayFixed !== undefined && model === 'etas-2015') fitOptions.fixedMeanDelayHours = delayFixed;
    const boxes = [...this.categoriesBox.querySelectorAll<HTMLInputElement>('input[type=checkbox]')];
    const chosen = boxes.filter((b) => b.checked).map((b) => b.value);
    return {
      model,
      res: Number(byId<HTMLSelectElement>('an-res').value),
      categories: chosen.length === boxes.length ? null : chosen,
      // Empty = all history known before the training end (the default of the CLI and the backtest).
      trainingDays: number('an-train-days') ?? null,
      fitOptions,
      top: Math.max(1, Math.round(number('an-top') ?? 20)),
      placement: this.placement.value === 'grid' ? 'grid' : 'fine',
    };
  }

  private async fit(): Promise<void> {
    const trainToDate = byId<HTMLInputElement>('an-train-to').value;
    if (!trainToDate) return;
    const model = this.readModel();
    if (model.categories && model.categories.length === 0) {
      this.app.showError('Choose at least one crime type to fit.');
      return;
    }
    const trace: [number, number][] = [];
    const result = await this.app.run('Fitting the model', (onProgress) =>
      this.app.client.fit({ trainToDate, model }, (progress) => {
        onProgress(progress);
        if (progress.iteration !== undefined && progress.logLikelihood !== undefined) {
          trace.push([progress.iteration, progress.logLikelihood]);
          if (trace.length % 5 === 1) this.drawTrace(trace, model.model);
        }
      }),
    );
    if (!result) return;
    this.lastFit = result;
    byId<HTMLButtonElement>('an-save-fit').disabled = false;
    this.renderFit(result);
    document.body.dataset['fitDone'] = String(result.fit.iterations);
  }

  /** The EM trace: the log-likelihood (etas: penalised by the profiles' log prior, what its EM increases). */
  private drawTrace(trace: readonly (readonly [number, number])[], model: ModelName): void {
    const label = model === 'etas' ? 'penalised log-likelihood' : 'log-likelihood';
    lineChart(byId('an-ll-chart'), [{ name: label, points: trace }], {
      xLabel: 'EM iteration',
      yLabel: label,
      dots: trace.length < 60,
      yFormat: (v) => v.toExponential(3),
    });
  }

  private renderFit(result: FitResult): void {
    const fit = result.fit;
    const tz = this.app.dataset?.tz ?? 'UTC';
    byId('an-words').textContent = fit.words;
    const facts: [string, string][] = [
      ['Model', fit.model === 'etas' ? `etas (beyond 2015): ${fit.ingredients ?? ''}` : 'etas-2015 (Mohler et al. 2015)'],
      ['Branching ratio θ', fmt(fit.theta, 4)],
      ['Decay ω', `${fmt(fit.omegaPerHour, 5)} per hour`],
      ['Mean trigger delay 1/ω', `${fmt(fit.meanDelayHours, 1)} hours (${fmt(fit.meanDelayHours / 24, 1)} days)`],
      ['Triggered share', pct(fit.triggeredShare)],
      ...(fit.model === 'etas'
        ? ([
            ['Ring weights w_d', fit.ringWeights.map((w) => fmt(w, 3)).join(' / ') || 'none (no triggering)'],
            ['Profile bins', fit.profileBins.join(', ') || 'none'],
          ] as [string, string][])
        : []),
      ['Training events', fit.events.toLocaleString('en')],
      ['Training window', `${localDateTime(fit.windowStartMs, tz)} to ${localDateTime(fit.windowEndMs, tz)}`],
      ['Boxes with a background rate', fit.cellsWithBackground.toLocaleString('en')],
      ['EM iterations', `${fit.iterations} (stopped: ${fit.stopReason})`],
      ['Fingerprint', fit.fingerprint],
    ];
    for (const note of fit.notes) facts.push(['Note', note]);
    for (const warning of [...result.warnings, ...fit.warnings]) facts.push(['Warning', warning]);
    replaceChildren(byId('an-facts'), ...facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
    this.drawTrace(
      fit.logLikelihoodTrace.map((ll, i) => [i + 1, ll] as const),
      fit.model,
    );
    // Decay: the extra expected crimes per hour in the box t hours after one crime, θ w_0 ω e^(−ω t)
    // (w_0 = 1 for the 2015 model; the etas model's rings share the rest).
    const thetaBox = fit.theta * (fit.ringWeights[0] ?? 0);
    const horizon = Math.max(24, Math.min(24 * 60, 5 * fit.meanDelayHours));
    const points: [number, number][] = [];
    for (let i = 0; i <= 120; i++) {
      const tHours = (horizon * i) / 120;
      points.push([tHours / 24, thetaBox * fit.omegaPerHour * Math.exp(-fit.omegaPerHour * tHours) * 24]);
    }
    lineChart(byId('an-decay-chart'), [{ name: 'extra risk', points }], {
      xLabel: 'days after a crime',
      yLabel: 'extra crimes per day',
      yFromZero: true,
      yFormat: (v) => v.toPrecision(2),
    });
    if (this.map) void this.drawBackground(result);
    else this.pendingBackground = result;
  }

  private async drawBackground(result: FitResult): Promise<void> {
    const map = this.map!;
    const values = result.background.features
      .map((f) => Number(f.properties?.['muPerDay']))
      .filter((v) => Number.isFinite(v) && v > 0)
      .sort((a, b) => a - b);
    const quantile = (q: number): number => values[Math.min(values.length - 1, Math.floor(q * values.length))] ?? 0;
    const breaks = [0.5, 0.7, 0.85, 0.95, 0.99].map(quantile);
    await map.setMuBreaks(breaks);
    await map.setData('mu', result.background);
    map.fitBounds(result.bounds);
    void map.idle().then(() => {
      document.body.dataset['backgroundDrawn'] = String(result.background.features.length);
    });
    const labels = [`< ${breaks[0]!.toPrecision(2)}`, ...breaks.map((b) => `≥ ${b.toPrecision(2)}`)];
    replaceChildren(
      byId('an-legend'),
      'μ per day',
      ...labels.map((label, i) =>
        el('span', {}, el('span', { className: 'swatch', attrs: { style: `background:${MU_COLOURS[i]}` } }), ` ${label}`),
      ),
    );
  }
}
