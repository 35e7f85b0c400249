/**
 * Victim-reported crime by default (docs/data.md#victim-reported-crime-by-default).
 *
 * Some crime types are mostly found by the police themselves rather than reported by victims:
 * drugs, weapons carried, public-order offences, anti-social behaviour. Their counts follow where
 * officers were sent, so a model trained on them sends officers back where they found them, and
 * the boxes lock onto the same streets (Lum & Isaac 2016; Ensign et al. 2018). The default
 * training set therefore leaves out, for each publisher whose categories are known, the types it
 * publishes that are police-discovered, and the types that are not crime at all; `--categories
 * all` (or any preset or list) takes them back. For plain CSVs and GeoJSON the categories are the
 * analyst's own: no guess is made, and the note says that the analyst should choose.
 */
import type { Incident, IngestFormat } from '../types.ts';

/** Why a type is left out of training by default. */
export type LeftOutReason = 'police-discovered' | 'not crime';

/** The types each publisher's format leaves out by default, exactly as the publisher writes them. */
export interface LeftOutTypes {
  /** Whose categories these are (for the note). */
  readonly publisher: string;
  readonly types: Readonly<Record<string, LeftOutReason>>;
}

/**
 * The known publishers' lists.
 * - data.police.uk ("Crime type"; Kent, Cheshire and every force of England and Wales): Drugs,
 *   Possession of weapons and Public order are, in the Home Office counting rules, crimes mostly
 *   recorded on police action (stop and search, patrol); Anti-social behaviour is incidents, mostly
 *   police- or council-logged, and not crime.
 * - Vancouver GeoDASH ("TYPE"): its eleven published types are victim-reported crime except the two
 *   vehicle-collision types, which are not crime. (VPD does not publish drug or weapons offences.)
 */
export const LEFT_OUT_BY_DEFAULT: Readonly<Partial<Record<IngestFormat, LeftOutTypes>>> = {
  'police-uk': {
    publisher: 'data.police.uk',
    types: {
      Drugs: 'police-discovered',
      'Possession of weapons': 'police-discovered',
      'Public order': 'police-discovered',
      'Anti-social behaviour': 'police-discovered',
    },
  },
  vancouver: {
    publisher: 'Vancouver GeoDASH',
    types: {
      'Vehicle Collision or Pedestrian Struck (with Fatality)': 'not crime',
      'Vehicle Collision or Pedestrian Struck (with Injury)': 'not crime',
    },
  },
};

/** One type left out of the default training set, with its incidents in the data. */
export interface LeftOutType {
  readonly category: string;
  readonly reason: LeftOutReason;
  readonly count: number;
}

/** The default training set of a data set: which incidents it keeps, and the sentence that says so. */
export interface VictimReportedDefault {
  /** Keeps the incidents of the other types (incidents without a category are kept); null when nothing is left out. */
  readonly include: ((incident: Incident) => boolean) | null;
  /** The types left out that occur in the data, most incidents first (ties by name). */
  readonly leftOut: readonly LeftOutType[];
  /** Incidents left out in all. */
  readonly incidentsLeftOut: number;
  /** False for formats whose categories are the analyst's own (plain CSV, GeoJSON) or for mixed formats without a list. */
  readonly known: boolean;
  /** One sentence for the CLI and the web app. */
  readonly words: string;
}

/**
 * How the caller's user changes the choice, for the sentence: the CLI names its flag, the web app
 * its control. `keepAll` ends the sentence about types left out ("... ; <keepAll>."), `choose` the
 * one about formats whose categories are the analyst's own ("...; <choose>.").
 */
export interface TypeControls {
  readonly keepAll: string;
  readonly choose: string;
}

/** The command line's controls (`--categories`), the default. */
export const CLI_TYPE_CONTROLS: TypeControls = { keepAll: '--categories all keeps them', choose: 'choose with --categories' };

/** "Drugs 3,210" */
function counted(t: LeftOutType): string {
  return `${t.category} ${t.count.toLocaleString('en')}`;
}

/**
 * The default training set for incidents read in `formats` (every format the files were read in).
 * Cost O(incidents).
 * @example victimReportedDefault([], ['plain']).known // => false
 */
export function victimReportedDefault(
  incidents: readonly Incident[],
  formats: readonly IngestFormat[],
  controls: TypeControls = CLI_TYPE_CONTROLS,
): VictimReportedDefault {
  const lists = formats.map((f) => LEFT_OUT_BY_DEFAULT[f]);
  const unknown = formats.filter((f) => LEFT_OUT_BY_DEFAULT[f] === undefined);
  const types = new Map<string, LeftOutReason>();
  for (const list of lists) if (list) for (const [name, reason] of Object.entries(list.types)) types.set(name, reason);
  const counts = new Map<string, number>();
  for (const incident of incidents) {
    const category = incident.category;
    if (category !== null && types.has(category)) counts.set(category, (counts.get(category) ?? 0) + 1);
  }
  const leftOut: LeftOutType[] = [...counts.entries()]
    .map(([category, count]) => ({ category, reason: types.get(category)!, count }))
    .sort((a, b) => b.count - a.count || (a.category < b.category ? -1 : a.category > b.category ? 1 : 0));
  let incidentsLeftOut = 0;
  for (const t of leftOut) incidentsLeftOut += t.count;
  const include =
    leftOut.length === 0 ? null : (incident: Incident): boolean => incident.category === null || !counts.has(incident.category);
  const known = unknown.length === 0 && formats.length > 0;
  return { include, leftOut, incidentsLeftOut, known, words: defaultWords(leftOut, incidentsLeftOut, lists, unknown, controls) };
}

function defaultWords(
  leftOut: readonly LeftOutType[],
  incidentsLeftOut: number,
  lists: readonly (LeftOutTypes | undefined)[],
  unknown: readonly IngestFormat[],
  controls: TypeControls,
): string {
  const publishers = [...new Set(lists.filter((l) => l !== undefined).map((l) => l.publisher))].join(' and ');
  const parts: string[] = [];
  const discovered = leftOut.filter((t) => t.reason === 'police-discovered');
  const notCrime = leftOut.filter((t) => t.reason === 'not crime');
  if (discovered.length > 0) {
    parts.push(`${discovered.length} police-discovered type${discovered.length === 1 ? '' : 's'} (${discovered.map(counted).join(', ')})`);
  }
  if (notCrime.length > 0)
    parts.push(
      `${notCrime.length} type${notCrime.length === 1 ? ' that is' : 's that are'} not crime (${notCrime.map(counted).join(', ')})`,
    );
  const chosen =
    parts.length > 0
      ? `Trained on victim-reported crime: left out ${parts.join(' and ')} of ${publishers}, ${incidentsLeftOut.toLocaleString('en')} incident${incidentsLeftOut === 1 ? '' : 's'} in all; ${controls.keepAll}.`
      : publishers !== ''
        ? `Trained on every crime type in the data: none is on the ${publishers} list of police-discovered types and types that are not crime.`
        : '';
  if (unknown.length === 0) return chosen;
  const guess =
    `The categories of ${unknown.join(' and ')} files are your own: patrolcast cannot tell which are reported by victims and which the police find ` +
    `themselves (drugs, weapons, public order), so it trains on all of them; ${controls.choose}.`;
  return chosen === '' ? guess : `${chosen} ${guess}`;
}
