/** Settings: an optional tile or style URL for the map (off by default), kept in localStorage. */
import { byId } from '../dom.ts';
import { loadSettings, saveSettings } from '../settings.ts';

export function setupSettingsView(): void {
  const tiles = byId<HTMLInputElement>('set-tiles');
  const style = byId<HTMLInputElement>('set-style');
  const current = loadSettings();
  tiles.value = current.tileUrl;
  style.value = current.styleUrl;
  byId<HTMLFormElement>('settings-form').addEventListener('submit', (event) => {
    event.preventDefault();
    saveSettings({ tileUrl: tiles.value.trim(), styleUrl: style.value.trim() });
    location.reload();
  });
  byId('set-clear').addEventListener('click', () => {
    saveSettings({ tileUrl: '', styleUrl: '' });
    location.reload();
  });
  byId('about-text').textContent =
    'patrolcast forecasts where crime is most likely in the next shift with a self-exciting point process: ' +
    'by default the etas model, a background rate for every 150 m hexagon that forgets old crime and differs by shift of the day, ' +
    'plus a short-lived rise after each crime; the plain model of Mohler et al. (2015) is available as etas-2015 (Analyst, Model). ' +
    'Everything runs in this browser; no data leaves it. Bundled data: Vancouver Police Department open data (property crime, 2022–2023).';
}
