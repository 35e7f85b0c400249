import { defineConfig, type Plugin } from 'vite';

/**
 * The one other server the web app may fetch its base map from (a self-hosted MapLibre style, its
 * tiles, glyphs and sprites), written into the page's Content-Security-Policy at build time:
 * `PATROLCAST_BASEMAP_ORIGIN=https://maps.example.org npm run build`. A meta policy cannot be
 * widened at run time, and the app refuses a base map on any origin the policy does not list
 * (web/csp.ts). Unset: the page fetches from its own origin only.
 */
export function basemapOrigin(value: string | undefined = process.env['PATROLCAST_BASEMAP_ORIGIN']): Plugin {
  const origin = checkedOrigin(value);
  return {
    name: 'patrolcast-basemap-origin',
    transformIndexHtml(html) {
      if (origin === null) return html;
      let widened = 0;
      const out = html.replace(/(connect-src|img-src) 'self'/g, (match) => {
        widened++;
        return `${match} ${origin}`;
      });
      if (widened !== 2)
        throw new Error(
          `PATROLCAST_BASEMAP_ORIGIN: web/index.html's Content-Security-Policy has no connect-src 'self' and img-src 'self' to widen`,
        );
      return out;
    },
  };
}

/** The origin given, checked (scheme, host and optional port; no path), or null when unset. */
function checkedOrigin(value: string | undefined): string | null {
  if (value === undefined || value.trim() === '') return null;
  const given = value.trim().replace(/\/$/, '');
  let url: URL | null = null;
  try {
    url = new URL(given);
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== given.toLowerCase()) {
    throw new Error(
      `PATROLCAST_BASEMAP_ORIGIN must be an origin such as https://maps.example.org (scheme, host and port, no path): got "${value}"`,
    );
  }
  return url.origin;
}

// The web app lives in web/; `npm run build` writes a static site to dist/ that works offline
// from any web server (relative asset paths).
export default defineConfig({
  root: 'web',
  base: './',
  publicDir: 'public',
  plugins: [basemapOrigin()],
  build: { outDir: '../dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 4000 },
  worker: { format: 'es' },
  server: { host: '127.0.0.1', port: 5173, strictPort: false },
  preview: { host: '127.0.0.1', port: 4173 },
});
