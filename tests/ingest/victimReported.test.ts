/**
 * Victim-reported crime by default (engine/ingest/victimReported.ts): which types each known
 * publisher's default leaves out, the counts, and the sentence that says so.
 */
import { describe, expect, it } from 'vitest';
import { ingestCsvText } from '../../engine/ingest/index.ts';
import { victimReportedDefault } from '../../engine/ingest/victimReported.ts';
import type { Incident } from '../../engine/types.ts';
import { fixtureText } from './helpers.ts';

/** Incidents of the given categories (only the category matters here). */
function ofTypes(...categories: (string | null)[]): Incident[] {
  return categories.map((category, i) => ({ id: String(i), category }) as unknown as Incident);
}

describe('the default training set', () => {
  it('data.police.uk: the four police-discovered types are left out, counted, most first', () => {
    const incidents = ofTypes('Drugs', 'Burglary', 'Anti-social behaviour', 'Anti-social behaviour', 'Public order', null, 'Vehicle crime');
    const d = victimReportedDefault(incidents, ['police-uk']);
    expect(d.known).toBe(true);
    expect(d.leftOut).toEqual([
      { category: 'Anti-social behaviour', reason: 'police-discovered', count: 2 },
      { category: 'Drugs', reason: 'police-discovered', count: 1 },
      { category: 'Public order', reason: 'police-discovered', count: 1 },
    ]);
    expect(d.incidentsLeftOut).toBe(4);
    // Burglary, the incident without a category and Vehicle crime stay.
    expect(incidents.filter(d.include!).map((i) => i.category)).toEqual(['Burglary', null, 'Vehicle crime']);
    expect(d.words).toBe(
      'Trained on victim-reported crime: left out 3 police-discovered types (Anti-social behaviour 2, Drugs 1, Public order 1) of data.police.uk, 4 incidents in all; --categories all keeps them.',
    );
  });

  it('Vancouver: the collision types are not crime; the rest is kept', () => {
    const d = victimReportedDefault(ofTypes('Theft from Vehicle', 'Vehicle Collision or Pedestrian Struck (with Injury)', 'Mischief'), [
      'vancouver',
    ]);
    expect(d.leftOut).toEqual([{ category: 'Vehicle Collision or Pedestrian Struck (with Injury)', reason: 'not crime', count: 1 }]);
    expect(d.words).toContain(
      'left out 1 type that is not crime (Vehicle Collision or Pedestrian Struck (with Injury) 1) of Vancouver GeoDASH',
    );
  });

  it('nothing to leave out: no filter, and it says so', () => {
    const d = victimReportedDefault(ofTypes('Burglary', 'Vehicle crime'), ['police-uk']);
    expect(d.include).toBeNull();
    expect(d.leftOut).toEqual([]);
    expect(d.words).toBe(
      'Trained on every crime type in the data: none is on the data.police.uk list of police-discovered types and types that are not crime.',
    );
  });

  it('plain CSV: no guess (the same names are kept), and a note that the analyst should choose', () => {
    const d = victimReportedDefault(ofTypes('Drugs', 'Burglary'), ['plain']);
    expect(d.include).toBeNull();
    expect(d.known).toBe(false);
    expect(d.words).toMatch(/^The categories of plain files are your own: .* so it trains on all of them; choose with --categories\.$/);
  });

  it('mixed formats: the known list applies to all, and the unknown format is named', () => {
    const d = victimReportedDefault(ofTypes('Drugs', 'Burglary'), ['police-uk', 'plain']);
    expect(d.incidentsLeftOut).toBe(1);
    expect(d.known).toBe(false);
    expect(d.words).toMatch(/^Trained on victim-reported crime: .* The categories of plain files are your own/);
  });

  it("names the caller's own controls (the web app's, not the CLI's flag)", () => {
    const controls = { keepAll: 'tick them to keep them', choose: 'choose them yourself' };
    expect(victimReportedDefault(ofTypes('Drugs'), ['police-uk'], controls).words).toMatch(/1 incident in all; tick them to keep them\.$/);
    expect(victimReportedDefault(ofTypes('Drugs'), ['plain'], controls).words).toMatch(
      /so it trains on all of them; choose them yourself\.$/,
    );
  });

  it('on the Ashford fixture leaves out 2,050 incidents: ASB 1,709, Drugs 173, Public order 146, weapons 22 (counted with awk)', () => {
    const result = ingestCsvText(fixtureText('kent/ashford_2014.csv.gz'), { file: 'ashford_2014.csv.gz' });
    const d = victimReportedDefault(result.incidents, [result.format]);
    expect(d.leftOut.map((t) => [t.category, t.count])).toEqual([
      ['Anti-social behaviour', 1709],
      ['Drugs', 173],
      ['Public order', 146],
      ['Possession of weapons', 22],
    ]);
    expect(d.incidentsLeftOut).toBe(2050);
    expect(result.incidents.filter(d.include!)).toHaveLength(7855 - 2050);
  });
});
