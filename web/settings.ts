/**
 * User settings kept in localStorage: the base map, and where patrol boxes may sit.
 * The base map (web/basemap.ts) is the bundled one by default (drawn with the bundled data only);
 * the others are nothing, a PMTiles archive the analyst chose (kept in IndexedDB,
 * web/basemapStore.ts), a MapLibre style URL or a raster tile URL template on the force's own
 * server. A server on another origin must be allowed by the page's Content-Security-Policy,
 * written at build time (web/csp.ts, docs/web.md "Base map").
 */

/** What the map draws under the boxes. */
export type BasemapChoice = 'none' | 'bundled' | 'pmtiles' | 'style' | 'tiles';

export interface AppSettings {
  readonly basemap: BasemapChoice;
  /** Raster tile URL template, e.g. "/tiles/{z}/{x}/{y}.png" (basemap 'tiles'); '' = none. */
  readonly tileUrl: string;
  /** MapLibre style JSON URL (basemap 'style'); '' = none. */
  readonly styleUrl: string;
  /**
   * Where patrol boxes may sit (the analyst's "Boxes" setting, engine/service shiftBoxes
   * `placement`, the CLI's --placement): 'fine' (default), centred on hot spots; 'grid', the
   * grid's own hexagons.
   */
  readonly placement: 'fine' | 'grid';
}

const KEY = 'patrolcast.settings.v1';
const DEFAULTS: AppSettings = { basemap: 'bundled', tileUrl: '', styleUrl: '', placement: 'fine' };
const CHOICES: readonly BasemapChoice[] = ['none', 'bundled', 'pmtiles', 'style', 'tiles'];

export function loadSettings(): AppSettings {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return DEFAULTS;
    const parsed = JSON.parse(raw) as Partial<AppSettings>;
    const tileUrl = typeof parsed.tileUrl === 'string' ? parsed.tileUrl : '';
    const styleUrl = typeof parsed.styleUrl === 'string' ? parsed.styleUrl : '';
    // Settings saved before the choice existed: a style or tile URL set meant using it.
    const basemap: BasemapChoice = CHOICES.includes(parsed.basemap as BasemapChoice)
      ? (parsed.basemap as BasemapChoice)
      : styleUrl
        ? 'style'
        : tileUrl
          ? 'tiles'
          : 'bundled';
    return {
      basemap,
      tileUrl,
      styleUrl,
      // Settings saved before the switch existed, or a value this version does not know: the default.
      placement: parsed.placement === 'grid' ? 'grid' : 'fine',
    };
  } catch {
    return DEFAULTS;
  }
}

/** Saves the settings given, keeping the others as they were. */
export function saveSettings(settings: Partial<AppSettings>): void {
  localStorage.setItem(KEY, JSON.stringify({ ...loadSettings(), ...settings }));
}
