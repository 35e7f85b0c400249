/**
 * User settings kept in localStorage: the map's tiles, and where patrol boxes may sit.
 * Tiles are off by default: the map draws no tiles and fetches nothing.
 * A force with its own tile server can set a raster tile URL template or a MapLibre style URL;
 * the page's Content-Security-Policy (web/index.html) only allows the page's own origin, so a
 * tile server on another host must also be added to its img-src/connect-src.
 */

export interface AppSettings {
  /** Raster tile URL template, e.g. "/tiles/{z}/{x}/{y}.png"; '' = none. */
  readonly tileUrl: string;
  /** MapLibre style JSON URL; '' = the built-in plain style. */
  readonly styleUrl: string;
  /**
   * Where patrol boxes may sit (the analyst's "Boxes" setting, engine/service shiftBoxes
   * `placement`, the CLI's --placement): 'fine' (default), centred on hot spots; 'grid', the
   * grid's own hexagons.
   */
  readonly placement: 'fine' | 'grid';
}

const KEY = 'patrolcast.settings.v1';
const DEFAULTS: AppSettings = { tileUrl: '', styleUrl: '', placement: 'fine' };

export function loadSettings(): AppSettings {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return DEFAULTS;
    const parsed = JSON.parse(raw) as Partial<AppSettings>;
    return {
      tileUrl: typeof parsed.tileUrl === 'string' ? parsed.tileUrl : '',
      styleUrl: typeof parsed.styleUrl === 'string' ? parsed.styleUrl : '',
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
