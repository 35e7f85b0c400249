/**
 * A saved fit checked against the data it is asked to forecast from (`forecast --fit-in`, the
 * web app's loaded fit): a fit made from other data (another force's area, another zone) would
 * give that data's boxes for this shift; one made from changed data forecasts from rates the
 * data no longer supports.
 */
import { fingerprintEvents, type EtasFit } from '../model/index.ts';
import type { EventSet } from '../types.ts';
import { ServiceError } from './errors.ts';
import { trainingSet, type TrainingData, type TrainingSet } from './training.ts';

/** A saved fit is refused when fewer than this share of the training incidents lie in cells it knows (it was made elsewhere). */
export const MIN_FIT_CELL_OVERLAP = 0.5;

/** The share of the events whose cell the fit has a rate for. O(N + cells). */
function overlapShare(fit: EtasFit, events: EventSet): { inFit: number; share: number } {
  const known = events.cells.map((c) => Object.hasOwn(fit.ratePerHour, c));
  let inFit = 0;
  for (let k = 0; k < events.cell.length; k++) if (known[events.cell[k]!]) inFit++;
  return { inFit, share: events.cell.length === 0 ? 1 : inFit / events.cell.length };
}

/**
 * The fingerprint of the data in the saved fit's window: the shift's own training set when the
 * fit was trained on exactly that window (same start, ended at the shift start: `fit --until T`
 * then `forecast --at T`, or the web app's fit of that shift), so the set is built once; else
 * the set rebuilt at the fit's window ('none' when nothing is known there). O(N) or O(N log N).
 */
function fingerprintNow(saved: EtasFit, request: TrainingData, set: TrainingSet): string {
  if (saved.window.startMs === set.window.startMs && saved.window.endMs === set.untilMs) return fingerprintEvents(set.events);
  try {
    return fingerprintEvents(trainingSet({ ...request, trainFromMs: saved.window.startMs }, saved.window.endMs).events);
  } catch {
    return 'none';
  }
}

/**
 * Refuses a saved fit whose zone differs from the request's, or whose cells hold fewer than
 * {@link MIN_FIT_CELL_OVERLAP} of the training incidents; returns a warning when the data
 * before the fit's end no longer gives the fit's fingerprint (other or changed data, another
 * category filter). `set` is the shift's training set (built from `request`). Cost O(N) when
 * the fit was made for the shift's own window, else a training set rebuilt at the fit's window,
 * O(N log N).
 * @throws {ServiceError} E_FIT_DATA (value: { fitZone, zone } or { fitCells, events, inFit })
 */
export function checkSavedFit(saved: EtasFit, request: TrainingData, set: TrainingSet): string[] {
  const events = set.events;
  if (saved.tz !== null && saved.tz !== request.tz) {
    throw new ServiceError(
      'E_FIT_DATA',
      `the saved fit's shift profile is in zone ${saved.tz}, but the data and the shift are in ${request.tz}: it was made for other data`,
      { fitZone: saved.tz, zone: request.tz },
    );
  }
  const { inFit, share } = overlapShare(saved, events);
  const fitCells = Object.keys(saved.ratePerHour).length;
  if (share < MIN_FIT_CELL_OVERLAP) {
    throw new ServiceError(
      'E_FIT_DATA',
      `the saved fit's ${fitCells} cells hold only ${inFit} of the data's ${events.cell.length} training incidents (${(100 * share).toFixed(1)}%, at least ${100 * MIN_FIT_CELL_OVERLAP}% expected) in ${events.cells.length} cells: it was made from data of another area`,
      { fitCells, events: events.cell.length, inFit },
    );
  }
  const now = fingerprintNow(saved, request, set);
  if (now === saved.fingerprint) return [];
  return [
    `the data before the saved fit's end is not what it was fitted on (fingerprint ${saved.fingerprint}, the data's now ${now}): other or changed data, or another category filter; refit to forecast from this data.`,
  ];
}
