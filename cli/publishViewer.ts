/**
 * The published site's viewer: one HTML page, one JavaScript module and one style sheet, written
 * as they are (no build step), with MapLibre GL copied next to them from the installed package.
 * The page fetches only its own origin (manifest.json, shifts/<id>/<district>.json, the base map
 * and the map library), under a strict Content-Security-Policy; it lists the shifts and
 * districts, draws the chosen shift's boxes (outlines, rank, patrol route) and lists their
 * places, reasons and expected crimes. `#shift=<id>&district=<name>` in the address opens a shift
 * and district. The script is cli/publishViewerScript.ts.
 *
 * Why a small viewer rather than the web app in a "published" mode: the site must hold nothing
 * but the published files, work from any static server with no build, and stay small enough to
 * audit; the web app carries the engine, the data loaders and settings the site must not have.
 */

/** The page's Content-Security-Policy: its own origin only (blob: for MapLibre's workers and images). */
export const SITE_CSP =
  "default-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data: blob:; worker-src 'self' blob:; child-src 'self' blob:; style-src 'self' 'unsafe-inline'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'none'";

export const VIEWER_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta http-equiv="Content-Security-Policy" content="${SITE_CSP}" />
    <title>Patrol boxes by shift</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="./maplibre-gl.css" />
    <link rel="stylesheet" href="./viewer.css" />
    <link rel="modulepreload" href="./viewer.js" />
    <link rel="modulepreload" href="./maplibre-gl.js" />
  </head>
  <body>
    <header>
      <h1>Patrol boxes by shift</h1>
      <label>Shift <select id="shift"></select></label>
      <label>District <select id="district"></select></label>
      <p id="status" role="status" aria-live="polite">Loading…</p>
    </header>
    <main>
      <div id="map" aria-label="Map of the patrol boxes"></div>
      <section id="list" aria-label="The boxes">
        <p id="rotation" class="note">
          These boxes do not rotate: the same places can be boxed shift after shift, because the boxes go where the most
          crime is expected. Crime that patrols find in a box, and that nobody would otherwise have reported, counts
          there too and can keep the same streets boxed.
        </p>
        <p id="types" class="note"></p>
        <div id="boxes"></div>
      </section>
    </main>
    <footer id="about"></footer>
    <script type="module" src="./viewer.js"></script>
  </body>
</html>
`;

export const VIEWER_CSS = `html, body { margin: 0; height: 100%; font: 14px/1.4 system-ui, sans-serif; color: #1d1d1f; }
body { display: flex; flex-direction: column; }
header { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center; padding: 0.5rem 1rem; background: #1f3a5f; color: #fff; }
header h1 { font-size: 1.1rem; margin: 0; }
header select { font: inherit; max-width: 22rem; }
#status { margin: 0; }
main { flex: 1; display: flex; min-height: 0; }
#map { flex: 2; min-height: 300px; }
#list { flex: 1; overflow: auto; padding: 0.5rem 1rem; border-left: 1px solid #ccc; }
#list h2 { font-size: 1rem; margin: 0.8rem 0 0.3rem; }
#list ol { padding-left: 1.4rem; margin: 0; }
#list li { margin-bottom: 0.5rem; }
.warning { background: #fff4d6; border-left: 4px solid #d49b00; padding: 0.3rem 0.5rem; }
.rank { background: #fff; border: 2px solid #b3261e; border-radius: 50%; width: 1.4rem; height: 1.4rem; font-weight: 700; font-size: 12px; display: flex; align-items: center; justify-content: center; }
footer { font-size: 12px; padding: 0.3rem 1rem; color: #555; }
.note { font-size: 12px; color: #444; margin: 0.4rem 0; }
body[data-state='error'] #status { background: #b3261e; color: #fff; padding: 0.2rem 0.5rem; font-weight: 700; }
@media print { header select { display: none; } #map { min-height: 60vh; } }
`;
