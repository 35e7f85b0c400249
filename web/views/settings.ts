/**
 * Settings: the base map (bundled, a PMTiles archive kept in this browser, a style or tile URL on
 * the force's own server, or nothing; kept in localStorage, the archive in IndexedDB) and the
 * district polygons of the loaded data (a GeoJSON file, or the bundled local areas of Vancouver).
 */
import type { App } from '../app.ts';
import { BASEMAP_ERROR_EVENT, loadBasemap } from '../basemap.ts';
import { openArchive } from '../basemapArchive.ts';
import { forgetArchive, loadArchive, saveArchive } from '../basemapStore.ts';
import type { ArchiveSchema } from '../basemapStyle.ts';
import { directiveSources, pagePolicy, refusedBasemapUrl } from '../csp.ts';
import { byId, fmt } from '../dom.ts';
import type { DatasetInfo, DistrictsRequest } from '../protocol.ts';
import { type BasemapChoice, loadSettings, saveSettings } from '../settings.ts';

/** An archive's schema in words (web/basemapStyle.ts). */
const SCHEMA_WORDS: Readonly<Record<ArchiveSchema, string>> = {
  protomaps: 'Protomaps basemap schema',
  openmaptiles: 'OpenMapTiles schema',
  generic: 'a schema patrolcast does not know: every layer drawn plainly',
};

/** The name the bundled local areas go by when used as districts. */
export const LOCAL_AREAS_NAME = 'the 22 local areas of Vancouver';

export function setupSettingsView(app: App): void {
  setupBasemap();
  setupDistricts(app);
  byId('about-text').textContent =
    'patrolcast forecasts where crime is most likely in the next shift with a self-exciting point process: ' +
    'by default the etas model, a background rate for every 150 m hexagon that forgets old crime and differs by shift of the day, ' +
    'plus a short-lived rise after each crime; the plain model of Mohler et al. (2015) is available as etas-2015 (Analyst, Model). ' +
    'Everything runs in this browser; no data leaves it. Bundled data: Vancouver Police Department open data (property crime, 2022–2023).';
}

/** "12.3 MB" */
function sizeWords(bytes: number): string {
  return bytes >= 1e6 ? `${fmt(bytes / 1e6, 1)} MB` : `${fmt(bytes / 1e3, 1)} kB`;
}

function setupBasemap(): void {
  const current = loadSettings();
  const radios = [...document.querySelectorAll<HTMLInputElement>('input[name="set-basemap"]')];
  const style = byId<HTMLInputElement>('set-style');
  const tiles = byId<HTMLInputElement>('set-tiles');
  const file = byId<HTMLInputElement>('set-pmtiles');
  const info = byId('set-pmtiles-info');
  const forget = byId<HTMLButtonElement>('set-pmtiles-forget');
  const message = byId('set-basemap-message');
  for (const radio of radios) radio.checked = radio.value === current.basemap;
  style.value = current.styleUrl;
  tiles.value = current.tileUrl;
  const say = (text: string): void => {
    message.textContent = text;
    message.hidden = text === '';
  };
  const choose = (value: BasemapChoice): void => radios.forEach((r) => (r.checked = r.value === value));
  window.addEventListener(BASEMAP_ERROR_EVENT, (event) => say((event as CustomEvent<string>).detail));
  if (document.body.dataset['basemapError']) say(document.body.dataset['basemapError']);
  byId('set-policy').textContent = policyWords();
  let kept = false;
  const showKept = async (): Promise<void> => {
    const stored = await loadArchive().catch((error: unknown) => (say(String(error)), null));
    kept = stored !== null;
    info.textContent = stored ? `Kept in this browser: ${stored.name} (${sizeWords(stored.bytes)}).` : 'No archive kept.';
    forget.disabled = !kept;
  };
  void showKept();
  file.addEventListener('change', () => {
    const chosen = file.files?.[0];
    if (!chosen) return;
    void (async () => {
      try {
        // Read its header and metadata first: a file that is not an archive is refused now.
        const opened = await openArchive(chosen, chosen.name);
        await saveArchive(chosen);
        await showKept();
        const what =
          opened.kind === 'raster' ? 'Raster tiles' : `Vector tiles, ${SCHEMA_WORDS[opened.schema!]} (layers ${opened.layers.join(', ')})`;
        info.textContent += ` ${what}.`;
        choose('pmtiles');
        say('');
      } catch (error) {
        say(error instanceof Error ? error.message : String(error));
      }
      file.value = '';
    })();
  });
  forget.addEventListener('click', () => void forgetArchive().then(showKept, (error: unknown) => say(String(error))));
  byId<HTMLFormElement>('settings-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const basemap = (radios.find((r) => r.checked)?.value ?? 'bundled') as BasemapChoice;
    const refused = refusal(basemap, style.value.trim(), tiles.value.trim(), kept);
    if (refused) {
      say(refused);
      return;
    }
    saveSettings({ basemap, styleUrl: style.value.trim(), tileUrl: tiles.value.trim() });
    // Back on the shift map, with the new base map.
    location.hash = '#sergeant';
    location.reload();
  });
}

/** Why the base map chosen cannot be saved, or null. */
function refusal(basemap: BasemapChoice, styleUrl: string, tileUrl: string, archiveKept: boolean): string | null {
  if (basemap === 'pmtiles' && !archiveKept) return 'Choose a .pmtiles file first: no archive is kept in this browser.';
  if (basemap !== 'style' && basemap !== 'tiles') return null;
  const url = basemap === 'style' ? styleUrl : tileUrl;
  if (!url) return basemap === 'style' ? 'Give the style URL.' : 'Give the tile URL template.';
  const refused = refusedBasemapUrl(url, document.baseURI, pagePolicy());
  return refused ? `Not saved: ${refused}` : null;
}

/** Which servers the page's policy lets the base map come from, in words. */
function policyWords(): string {
  const policy = pagePolicy();
  if (policy === null) return 'This page has no Content-Security-Policy of its own: the server it comes from decides what it may fetch.';
  const others = (directiveSources(policy, 'connect-src') ?? []).filter((s) => !s.startsWith("'") && s !== 'blob:' && s !== 'data:');
  return others.length === 0
    ? `This copy of the app fetches its base map from its own server (${location.origin}) only.`
    : `This copy of the app may fetch its base map from its own server (${location.origin}) and from ${others.join(', ')}.`;
}

/** The bundled base map's local areas as district polygons. @throws Error when the base map cannot be loaded */
async function localAreas(): Promise<DistrictsRequest> {
  const basemap = await loadBasemap();
  const features = basemap.features.filter((f) => f.properties?.['layer'] === 'area');
  return { geojson: { type: 'FeatureCollection', features }, name: LOCAL_AREAS_NAME, nameProperty: 'name' };
}

/** A GeoJSON file chosen as district polygons. @throws string naming the file when it is not JSON */
async function districtFile(file: File, nameProperty: string): Promise<DistrictsRequest> {
  let geojson: unknown;
  try {
    geojson = JSON.parse(await file.text());
  } catch (error) {
    throw `${file.name}: not valid JSON (${error instanceof Error ? error.message : String(error)})`;
  }
  return { geojson, name: file.name, ...(nameProperty ? { nameProperty } : {}) };
}

function setupDistricts(app: App): void {
  const file = byId<HTMLInputElement>('set-districts');
  const property = byId<HTMLInputElement>('set-district-property');
  const localButton = byId<HTMLButtonElement>('set-local-areas');
  const clear = byId<HTMLButtonElement>('set-districts-clear');
  const status = byId('set-districts-status');
  const use = async (request: () => Promise<DistrictsRequest | null>): Promise<void> => {
    const info = await app.run('Labelling the districts', async () => app.client.setDistricts(await request()));
    if (info) app.announceDataset(info);
  };
  file.addEventListener('change', () => {
    const chosen = file.files?.[0];
    if (chosen) void use(() => districtFile(chosen, property.value.trim())).finally(() => (file.value = ''));
  });
  localButton.addEventListener('click', () => void use(localAreas));
  clear.addEventListener('click', () => void use(async () => null));
  app.onDataset((info: DatasetInfo) => {
    localButton.hidden = !info.bundled;
    clear.disabled = info.districtsFrom === undefined;
    const names = info.districts.length;
    status.textContent =
      info.districtsFrom === undefined
        ? `The districts named in the data: ${names}.`
        : `${names} districts from ${info.districtsFrom}, with ${info.districts.reduce((n, d) => n + d.count, 0).toLocaleString('en')} of the ` +
          `${info.summary.accepted.toLocaleString('en')} incidents inside them.`;
  });
}
