/**
 * User settings kept in localStorage. Off by default: the map draws no tiles and fetches nothing.
 * A force with its own tile server can set a raster tile URL template or a MapLibre style URL;
 * the page's Content-Security-Policy (web/index.html) only allows the page's own origin, so a
 * tile server on another host must also be added to its img-src/connect-src.
 */

export interface AppSettings {
  /** Raster tile URL template, e.g. "/tiles/{z}/{x}/{y}.png"; '' = none. */
  readonly tileUrl: string;
  /** MapLibre style JSON URL; '' = the built-in plain style. */
  readonly styleUrl: string;
}

const KEY = 'patrolcast.settings.v1';
const DEFAULTS: AppSettings = { tileUrl: '', styleUrl: '' };

export function loadSettings(): AppSettings {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return DEFAULTS;
    const parsed = JSON.parse(raw) as Partial<AppSettings>;
    return {
      tileUrl: typeof parsed.tileUrl === 'string' ? parsed.tileUrl : '',
      styleUrl: typeof parsed.styleUrl === 'string' ? parsed.styleUrl : '',
    };
  } catch {
    return DEFAULTS;
  }
}

export function saveSettings(settings: AppSettings): void {
  localStorage.setItem(KEY, JSON.stringify(settings));
}
