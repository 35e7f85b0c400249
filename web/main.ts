/**
 * Entry point: wires the views to the shared App, routes by the URL hash (#sergeant, #analyst,
 * #evaluation, #settings) and loads the bundled data on start.
 */
import { App } from './app.ts';
import { BUNDLED_SOURCE } from './bundled.ts';
import { byId } from './dom.ts';
import { AnalystView } from './views/analyst.ts';
import { EvaluationView } from './views/evaluation.ts';
import { SergeantView } from './views/sergeant.ts';
import { setupSettingsView } from './views/settings.ts';

const VIEWS = ['sergeant', 'analyst', 'evaluation', 'settings'] as const;
type ViewName = (typeof VIEWS)[number];

// The script runs: the "has not started" hint (index.html, shown by CSS after 4 s) is not needed.
document.getElementById('no-start')?.remove();

const app = new App();
const sergeant = new SergeantView(app);
const analyst = new AnalystView(
  app,
  () => {
    location.hash = '#sergeant';
    void sergeant.refresh();
  },
  () => sergeant.settingsChanged(),
);
const evaluation = new EvaluationView(app);
setupSettingsView(app);

function route(): void {
  const wanted = location.hash.replace('#', '') as ViewName;
  const current: ViewName = VIEWS.includes(wanted) ? wanted : 'sergeant';
  for (const name of VIEWS) {
    byId(`view-${name}`).hidden = name !== current;
    const tab = byId(`tab-${name}`);
    if (name === current) tab.setAttribute('aria-current', 'page');
    else tab.removeAttribute('aria-current');
  }
  document.body.dataset['view'] = current;
  if (current === 'sergeant') sergeant.show();
  if (current === 'analyst') analyst.show();
  if (current === 'evaluation') evaluation.show();
}

window.addEventListener('hashchange', route);
route();

void (async () => {
  const info = await app.run('Loading the bundled data', (onProgress) => app.client.load(BUNDLED_SOURCE, onProgress));
  if (info) {
    document.body.dataset['loaded'] = String(info.summary.accepted);
    app.announceDataset(info);
  }
})();
