/**
 * The published site's viewer: one HTML page, one JavaScript module and one style sheet, written
 * as they are (no build step), with MapLibre GL copied next to them from the installed package.
 * The page fetches only its own origin (manifest.json, shifts/*.json, basemap.geojson and the map
 * library), under a strict Content-Security-Policy; it lists the shifts and districts, draws the
 * chosen shift's boxes (outlines, rank, patrol route) and lists their places, reasons and
 * expected crimes. `#shift=<id>&district=<name>` in the address opens a shift and district.
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
      <section id="list" aria-label="The boxes"></section>
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
@media print { header select { display: none; } #map { min-height: 60vh; } }
`;

/** The viewer module (plain JavaScript, run as is by the browser). */
export const VIEWER_JS = String.raw`// patrolcast published site viewer (written by patrolcast publish; see docs/publish.md).
import * as maplibregl from './maplibre-gl.mjs';

const $ = (id) => document.getElementById(id);
const ALL = '';
let manifest = null;
let map = null;
let markers = [];
const shiftFiles = new Map();

function text(tag, content, cls) {
  const el = document.createElement(tag);
  el.textContent = content;
  if (cls) el.className = cls;
  return el;
}

async function getJson(path) {
  const response = await fetch(path, { cache: 'no-cache' });
  if (!response.ok) throw new Error('could not load ' + path + ': HTTP ' + response.status);
  return response.json();
}

function readHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  return { shift: params.get('shift'), district: params.get('district') };
}

function writeHash() {
  const params = new URLSearchParams();
  params.set('shift', $('shift').value);
  if ($('district').value !== ALL) params.set('district', $('district').value);
  history.replaceState(null, '', '#' + params.toString());
}

function fillSelects() {
  const wanted = readHash();
  for (const s of manifest.shifts) $('shift').append(new Option(s.label, s.id));
  $('district').append(new Option('All districts', ALL));
  for (const d of manifest.districts) $('district').append(new Option(d, d));
  if (wanted.shift && manifest.shifts.some((s) => s.id === wanted.shift)) $('shift').value = wanted.shift;
  if (wanted.district && manifest.districts.includes(wanted.district)) $('district').value = wanted.district;
}

function baseStyle() {
  return { version: 8, sources: {}, layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#f2efe9' } }] };
}

async function addBasemap() {
  if (!manifest.basemap) return;
  const data = await getJson(manifest.basemap);
  map.addSource('basemap', { type: 'geojson', data, maxzoom: 12 });
  const kind = (name) => ['==', ['get', 'layer'], name];
  map.addLayer({ id: 'basemap-water', type: 'fill', source: 'basemap', filter: kind('water'), paint: { 'fill-color': '#b9d3e8' } }, 'boxes-fill');
  map.addLayer({ id: 'basemap-park', type: 'fill', source: 'basemap', filter: kind('park'), paint: { 'fill-color': '#cfe3c3' } }, 'boxes-fill');
  map.addLayer({ id: 'basemap-area', type: 'line', source: 'basemap', filter: kind('area'), paint: { 'line-color': '#9a8f80', 'line-width': 0.6 } }, 'boxes-fill');
}

function addLayers() {
  const empty = { type: 'FeatureCollection', features: [] };
  map.addSource('boxes', { type: 'geojson', data: empty });
  map.addSource('route', { type: 'geojson', data: empty });
  map.addLayer({ id: 'boxes-fill', type: 'fill', source: 'boxes', paint: { 'fill-color': '#b3261e', 'fill-opacity': 0.25 } });
  map.addLayer({ id: 'boxes-line', type: 'line', source: 'boxes', paint: { 'line-color': '#b3261e', 'line-width': 2 } });
  map.addLayer({ id: 'route-line', type: 'line', source: 'route', paint: { 'line-color': '#1f3a5f', 'line-width': 1.5, 'line-dasharray': [2, 2] } });
}

function centre(feature) {
  const ring = feature.geometry.coordinates[0];
  let lng = 0;
  let lat = 0;
  const n = ring.length - 1;
  for (let i = 0; i < n; i++) {
    lng += ring[i][0];
    lat += ring[i][1];
  }
  return [lng / n, lat / n];
}

async function shiftFile(entry) {
  if (!shiftFiles.has(entry.id)) shiftFiles.set(entry.id, getJson(entry.file));
  return shiftFiles.get(entry.id);
}

function routeLines(districts) {
  const features = [];
  for (const d of districts) {
    if (!d.route) continue;
    const byRank = new Map(d.boxes.features.map((f) => [f.properties.rank, f]));
    const coordinates = d.route.ranks.map((r) => centre(byRank.get(r)));
    if (coordinates.length > 1) features.push({ type: 'Feature', geometry: { type: 'LineString', coordinates }, properties: { district: d.district } });
  }
  return { type: 'FeatureCollection', features };
}

function listBoxes(file, districts) {
  const list = $('list');
  list.replaceChildren();
  for (const d of districts) {
    list.append(text('h2', d.district + ' (' + d.boxes.features.length + ' boxes)'));
    if (d.warning) list.append(text('p', d.warning, 'warning'));
    if (d.route) list.append(text('p', 'Patrol order: ' + d.route.ranks.join(' → ') + ' (' + (d.route.totalM / 1000).toFixed(1) + ' km)'));
    const ol = document.createElement('ol');
    for (const f of d.boxes.features) {
      const p = f.properties;
      const li = document.createElement('li');
      li.append(text('strong', p.place ?? p.h3));
      li.append(text('div', 'Expected crimes this shift: ' + p.expected.toFixed(2)));
      if (p.reason) li.append(text('div', p.reason));
      ol.append(li);
    }
    list.append(ol);
  }
  $('about').textContent =
    file.shift.label + ' (' + file.shift.tz + ') · ' + manifest.model + ' ' + manifest.modelVersion + ' · data ' + manifest.dataFrom + ' to ' + manifest.dataTo + ' · published ' + manifest.generatedAt;
}

function drawMarkers(features) {
  for (const m of markers) m.remove();
  markers = features.map((f) => {
    const el = text('div', String(f.properties.rank), 'rank');
    el.title = f.properties.district + ', box ' + f.properties.rank;
    return new maplibregl.Marker({ element: el }).setLngLat(centre(f)).addTo(map);
  });
}

function fitTo(features) {
  if (features.length === 0) return;
  const bounds = new maplibregl.LngLatBounds();
  for (const f of features) for (const c of f.geometry.coordinates[0]) bounds.extend(c);
  map.fitBounds(bounds, { padding: 40, animate: false, maxZoom: 15 });
}

/** Marks the page once the map has drawn the chosen boxes (the browser test reads these). */
function markDrawn(count) {
  const done = () => {
    if (count > 0 && map.queryRenderedFeatures({ layers: ['boxes-fill'] }).length === 0) return;
    map.off('idle', done);
    document.body.dataset.boxes = String(count);
    document.body.dataset.state = 'ready';
    if (window.firstBoxesMs === undefined) window.firstBoxesMs = performance.now();
  };
  map.on('idle', done);
  map.triggerRepaint();
}

async function show() {
  document.body.dataset.state = 'loading';
  writeHash();
  const entry = manifest.shifts.find((s) => s.id === $('shift').value);
  const file = await shiftFile(entry);
  const chosen = $('district').value;
  const districts = file.districts.filter((d) => chosen === ALL || d.district === chosen);
  const features = districts.flatMap((d) => d.boxes.features);
  map.getSource('boxes').setData({ type: 'FeatureCollection', features });
  map.getSource('route').setData(routeLines(districts));
  drawMarkers(features);
  fitTo(features);
  listBoxes(file, districts);
  $('status').textContent = features.length + ' boxes';
  markDrawn(features.length);
}

async function start() {
  manifest = await getJson('manifest.json');
  fillSelects();
  map = new maplibregl.Map({ container: 'map', style: baseStyle(), center: [0, 0], zoom: 1, fadeDuration: 0, attributionControl: false, dragRotate: false });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  await new Promise((resolve) => map.once('load', resolve));
  addLayers();
  const shown = show();
  await addBasemap();
  await shown;
  $('shift').addEventListener('change', () => void show().catch(fail));
  $('district').addEventListener('change', () => void show().catch(fail));
}

function fail(err) {
  document.body.dataset.state = 'error';
  $('status').textContent = 'Error: ' + err.message;
}

start().catch(fail);
`;
