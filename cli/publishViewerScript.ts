/**
 * The published site's viewer script (viewer.js, plain JavaScript run as is by the browser; the
 * page and style are in cli/publishViewer.ts). docs/publish.md "The viewer".
 *
 * First boxes fast: the map library (1.1 MB) is imported while the manifest and the chosen
 * district's file (about 20 kB) are fetched, the map is created with the boxes already in its
 * style, and the base map is added only once the boxes have been drawn (MapLibre's one worker
 * would otherwise tile the base map first). "Time to first boxes" is the performance mark
 * `patrolcast:first-boxes`: from navigation start to the first rendered frame in which the
 * boxes layer holds the chosen boxes (queryRenderedFeatures), also kept as window.firstBoxesMs.
 *
 * Each shift file is checked against the manifest's SHA-256 (crypto.subtle, which browsers give
 * only to secure contexts: https, or localhost) before its boxes are shown; a mismatch is an
 * error in place of the boxes. On plain http the footer says the files were not verified.
 */
export const VIEWER_JS = String.raw`// patrolcast published site viewer (written by patrolcast publish; see docs/publish.md).
const lib = import('./maplibre-gl.js'); // fetched and parsed while the data loads (the ESM build, copied as .js)
const $ = (id) => document.getElementById(id);
const ALL = '';
const WATER = '#a8cbe6';
const PARK = '#c5e0b0';
let maplibregl = null;
let manifest = null;
let map = null;
let markers = [];
let generation = 0;
let requests = 0;
const files = new Map();
const canVerify = Boolean(window.isSecureContext && window.crypto && crypto.subtle);

function text(tag, content, cls) {
  const el = document.createElement(tag);
  el.textContent = content;
  if (cls) el.className = cls;
  return el;
}

async function fetchBytes(path) {
  const response = await fetch(path, { cache: 'no-cache' });
  if (!response.ok) throw new Error('could not load ' + path + ': HTTP ' + response.status);
  return response.arrayBuffer();
}

const parse = (bytes) => JSON.parse(new TextDecoder().decode(bytes));

async function sha256Hex(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}

/** A shift file, checked against the manifest's SHA-256 when the browser can (a secure context). */
async function loadFile(entry) {
  const bytes = await fetchBytes(entry.file);
  if (canVerify && (await sha256Hex(bytes)) !== entry.sha256) {
    throw new Error(
      entry.file + ' does not match its SHA-256 in the manifest: it was changed or damaged after it was published, so its boxes are not shown. Ask whoever publishes this site to publish it again.',
    );
  }
  return parse(bytes);
}

function fileOf(entry, district) {
  const f = entry.files[district];
  if (!files.has(f.file)) {
    const loading = loadFile(f);
    files.set(f.file, loading);
    loading.catch(() => files.delete(f.file));
  }
  return files.get(f.file);
}

/** The chosen shift's entry and the chosen districts' data (one file each, fetched in parallel). */
async function chosen() {
  const entry = manifest.shifts.find((s) => s.id === $('shift').value);
  const district = $('district').value;
  const names = Object.keys(entry.files).filter((d) => district === ALL || d === district);
  const loaded = await Promise.all(names.map((d) => fileOf(entry, d)));
  return { entry, districts: loaded.flatMap((f) => f.districts) };
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
  $('types').textContent = typesWords(manifest.categories);
}

// "(none)" in the manifest's types stands for incidents without a type (plain data may have them).
function typesWords(categories) {
  const named = categories.filter((c) => c !== '(none)');
  const untyped = named.length < categories.length;
  if (named.length === 0) return untyped ? 'Trained on every incident in the data (it gives no crime types).' : 'Trained on every incident in the data.';
  return 'Trained on these crime types only: ' + named.join(', ') + (untyped ? ', and incidents without a type' : '') + '.';
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

/** The boxes, each tagged with this drawing's generation (so a frame of the previous choice is not taken for this one). */
function boxesData(districts) {
  const features = districts.flatMap((d) => d.boxes.features.map((f) => ({ ...f, properties: { ...f.properties, generation } })));
  return { type: 'FeatureCollection', features };
}

function routeData(districts) {
  const features = [];
  for (const d of districts) {
    if (!d.route) continue;
    const byRank = new Map(d.boxes.features.map((f) => [f.properties.rank, f]));
    const coordinates = d.route.ranks.map((r) => centre(byRank.get(r)));
    if (coordinates.length > 1) features.push({ type: 'Feature', geometry: { type: 'LineString', coordinates }, properties: { district: d.district } });
  }
  return { type: 'FeatureCollection', features };
}

function style(districts) {
  return {
    version: 8,
    sources: { boxes: { type: 'geojson', data: boxesData(districts) }, route: { type: 'geojson', data: routeData(districts) } },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': '#f2efe9' } },
      { id: 'boxes-fill', type: 'fill', source: 'boxes', paint: { 'fill-color': '#b3261e', 'fill-opacity': 0.25 } },
      { id: 'boxes-line', type: 'line', source: 'boxes', paint: { 'line-color': '#b3261e', 'line-width': 2 } },
      { id: 'route-line', type: 'line', source: 'route', paint: { 'line-color': '#1f3a5f', 'line-width': 1.5, 'line-dasharray': [2, 2] } },
    ],
  };
}

function boundsOf(features) {
  if (features.length === 0) return null;
  const bounds = new maplibregl.LngLatBounds();
  for (const f of features) for (const c of f.geometry.coordinates[0]) bounds.extend(c);
  return bounds;
}

function listBoxes(entry, districts) {
  const list = $('boxes');
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
  const check = canVerify ? 'shift files checked against the manifest’s SHA-256' : 'shift files not verified (needs https)';
  $('about').textContent =
    entry.label + ' (' + entry.tz + ') · ' + manifest.model + ' ' + manifest.modelVersion + ' · data ' + manifest.dataFrom + ' to ' + manifest.dataTo + ' · published ' + manifest.generatedAt + ' · ' + check;
}

function drawMarkers(features) {
  for (const m of markers) m.remove();
  markers = features.map((f) => {
    const el = text('div', String(f.properties.rank), 'rank');
    el.title = f.properties.district + ', box ' + f.properties.rank;
    return new maplibregl.Marker({ element: el }).setLngLat(centre(f)).addTo(map);
  });
}

/** Resolves true at the first rendered frame showing this generation's boxes (at once when there are none), false once another choice replaced them. */
function drawn(count) {
  const mine = generation;
  return new Promise((resolve) => {
    const check = () => {
      const superseded = generation !== mine;
      if (!superseded && count > 0 && !map.queryRenderedFeatures({ layers: ['boxes-fill'] }).some((f) => f.properties.generation === mine)) return;
      map.off('render', check);
      resolve(!superseded);
    };
    map.on('render', check);
    map.triggerRepaint();
  });
}

async function show() {
  document.body.dataset.state = 'loading';
  writeHash();
  const request = ++requests;
  const loaded = await chosen().catch((err) => {
    if (request === requests) throw err;
  });
  if (request !== requests) return; // a later choice is being shown (or failed on its own)
  const { entry, districts } = loaded;
  generation++;
  const features = districts.flatMap((d) => d.boxes.features);
  const bounds = boundsOf(features);
  if (map === null) {
    const view = bounds ? { bounds, fitBoundsOptions: { padding: 40, maxZoom: 15 } } : { center: [0, 0], zoom: 1 };
    map = new maplibregl.Map({ container: 'map', style: style(districts), ...view, fadeDuration: 0, attributionControl: false, dragRotate: false });
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  } else {
    map.getSource('boxes').setData(boxesData(districts));
    map.getSource('route').setData(routeData(districts));
    if (bounds) map.fitBounds(bounds, { padding: 40, animate: false, maxZoom: 15 });
  }
  listBoxes(entry, districts);
  $('status').textContent = features.length + ' boxes';
  if (!(await drawn(features.length))) return; // another shift or district was chosen meanwhile
  if (performance.getEntriesByName('patrolcast:first-boxes').length === 0) {
    window.firstBoxesMs = performance.mark('patrolcast:first-boxes').startTime;
  }
  drawMarkers(features); // the rank badges are DOM elements: after the boxes, which they would delay
  document.body.dataset.boxes = String(features.length);
  document.body.dataset.state = 'ready';
}

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.onload = resolve;
    script.onerror = () => reject(new Error('could not load ' + src));
    document.head.append(script);
  });
}

/** Layers for a vector archive in the Protomaps or OpenMapTiles schema (water, parks, roads), else every layer plainly. */
function archiveLayers(vectorLayers) {
  const ids = new Set(vectorLayers.map((l) => l.id));
  const layer = (id, type, sourceLayer, paint, filter) => ({ id: 'basemap-' + id, type, source: 'basemap', 'source-layer': sourceLayer, paint, ...(filter ? { filter } : {}) });
  const kindIn = (field, values) => ['in', ['get', field], ['literal', values]];
  const width = (low, high) => ['interpolate', ['linear'], ['zoom'], 10, low, 16, high];
  const known = (park, parkFilter, roads, field, major, minor) =>
    [
      ids.has(park) && layer('park', 'fill', park, { 'fill-color': PARK }, parkFilter),
      ids.has('water') && layer('water', 'fill', 'water', { 'fill-color': WATER }),
      ids.has(roads) && layer('roads-minor', 'line', roads, { 'line-color': '#ffffff', 'line-width': width(0.5, 4) }, kindIn(field, minor)),
      ids.has(roads) && layer('roads-major', 'line', roads, { 'line-color': '#ffffff', 'line-width': width(1.2, 7) }, kindIn(field, major)),
    ].filter(Boolean);
  if (ids.has('earth') || (ids.has('roads') && ids.has('places')))
    return known('landuse', kindIn('kind', ['park', 'national_park', 'nature_reserve', 'garden', 'golf_course', 'forest', 'wood', 'grass', 'cemetery', 'playground']), 'roads', 'kind', ['highway', 'major_road'], ['medium_road', 'minor_road']);
  if (ids.has('transportation') || (ids.has('water') && ids.has('place')))
    return known(ids.has('park') ? 'park' : 'landcover', ids.has('park') ? null : kindIn('class', ['grass', 'wood']), 'transportation', 'class', ['motorway', 'trunk', 'primary', 'secondary'], ['tertiary', 'minor', 'service']);
  return vectorLayers.flatMap((l, i) => [
    layer(i + '-fill', 'fill', l.id, { 'fill-color': '#d9d7cf', 'fill-opacity': 0.5 }, ['==', ['geometry-type'], 'Polygon']),
    layer(i + '-line', 'line', l.id, { 'line-color': '#b8b6ae', 'line-width': 0.8 }, ['==', ['geometry-type'], 'LineString']),
  ]);
}

/** A PMTiles archive on the site, read by range requests from the same origin (the server must support HTTP ranges). */
async function addArchive(path) {
  await loadScript('./pmtiles.js');
  const protocol = new window.pmtiles.Protocol();
  maplibregl.addProtocol('pmtiles', protocol.tile);
  const archive = new window.pmtiles.PMTiles(new URL(path, location.href).href);
  protocol.add(archive);
  const header = await archive.getHeader();
  const url = 'pmtiles://' + archive.source.getKey();
  if (header.tileType !== 1) {
    map.addSource('basemap', { type: 'raster', url, tileSize: 256 });
    map.addLayer({ id: 'basemap-raster', type: 'raster', source: 'basemap', paint: { 'raster-opacity': 0.7 } }, 'boxes-fill');
    return;
  }
  const metadata = await archive.getMetadata();
  map.addSource('basemap', { type: 'vector', url });
  for (const l of archiveLayers(Array.isArray(metadata?.vector_layers) ? metadata.vector_layers : [])) map.addLayer(l, 'boxes-fill');
}

async function addBasemap() {
  if (!manifest.basemap) return;
  if (manifest.basemap.endsWith('.pmtiles')) return addArchive(manifest.basemap);
  const data = parse(await fetchBytes(manifest.basemap));
  map.addSource('basemap', { type: 'geojson', data, maxzoom: 12 });
  const kind = (name) => ['==', ['get', 'layer'], name];
  map.addLayer({ id: 'basemap-water', type: 'fill', source: 'basemap', filter: kind('water'), paint: { 'fill-color': WATER } }, 'boxes-fill');
  map.addLayer({ id: 'basemap-park', type: 'fill', source: 'basemap', filter: kind('park'), paint: { 'fill-color': PARK } }, 'boxes-fill');
  map.addLayer({ id: 'basemap-area', type: 'line', source: 'basemap', filter: kind('area'), paint: { 'line-color': '#9a8f80', 'line-width': 0.6 } }, 'boxes-fill');
}

function fail(err) {
  document.body.dataset.state = 'error';
  $('status').textContent = 'Error: ' + err.message;
  $('boxes').replaceChildren(text('p', 'Error: ' + err.message, 'warning'));
  if (map && map.getSource('boxes')) {
    generation++;
    map.getSource('boxes').setData({ type: 'FeatureCollection', features: [] });
    map.getSource('route').setData({ type: 'FeatureCollection', features: [] });
    for (const m of markers) m.remove();
  }
}

async function start() {
  manifest = parse(await fetchBytes('manifest.json'));
  performance.mark('patrolcast:manifest');
  fillSelects();
  const data = chosen().then(() => performance.mark('patrolcast:data')); // the first screen's files load while the map library is parsed
  data.catch(() => undefined);
  maplibregl = await lib;
  maplibregl.setWorkerUrl(new URL('./maplibre-gl-worker.js', location.href).href); // its own default is ./maplibre-gl-worker.mjs
  maplibregl.prewarm(); // the worker starts while the map makes its WebGL context
  performance.mark('patrolcast:library');
  $('shift').addEventListener('change', () => void show().catch(fail));
  $('district').addEventListener('change', () => void show().catch(fail));
  await data;
  await show();
  try {
    await addBasemap();
    document.body.dataset.basemap = manifest.basemap ? 'ready' : 'none';
  } catch (err) {
    document.body.dataset.basemap = 'error'; // the boxes stay: a missing base map is not a reason to hide them
    $('about').append(text('span', ' · base map not shown: ' + err.message));
  }
}

start().catch(fail);
`;
