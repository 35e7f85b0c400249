/**
 * The engine's shared vocabulary: plain, readonly data that crosses module boundaries.
 * Times are epoch milliseconds (UTC) at the boundary; inside the model they are hours since
 * the training window's start (`...Hours` names). Coordinates are `{lat, lng}` (WGS84 degrees).
 */

/** How precisely an incident's time is known. */
export type TimePrecision = 'minute' | 'hour' | 'day' | 'month';

/** Where a row came from: file name (as given by the caller) and 1-based line number. */
export interface SourceRef {
  readonly file: string;
  readonly line: number;
}

/** One validated incident. */
export interface Incident {
  /** Publisher's id, or null when the format has none (e.g. data.police.uk anti-social behaviour). */
  readonly id: string | null;
  /**
   * Epoch ms (UTC). For month precision: the first instant of the month in the data's zone
   * (data.police.uk: Europe/London). For day precision: local midnight starting that day.
   */
  readonly timeMs: number;
  readonly precision: TimePrecision;
  /** True when the time-of-day is unknown (e.g. exactly 00:00 in otherwise minute-precise data, or month/day precision). */
  readonly timeOfDayUnknown: boolean;
  readonly lat: number;
  readonly lng: number;
  readonly category: string | null;
  /** A district label from the data (LSOA local authority, neighbourhood, police district), if any. */
  readonly district: string | null;
  /**
   * The location text as published (a Vancouver HUNDRED_BLOCK "8XX W GEORGIA ST", a
   * data.police.uk Location "On or near Tufton Street", a plain CSV's address column): names a
   * patrol box's place (engine/forecast boxPlace). Null when blank or withheld (Vancouver's
   * "OFFSET TO PROTECT PRIVACY"); absent when the reader had none.
   */
  readonly location?: string | null;
  readonly source: SourceRef;
}

/** Why a row was rejected. Stable codes: tests and reports key on them. */
export type RejectReason =
  | 'missing_time'
  | 'bad_time'
  | 'local_time_without_zone'
  | 'span_too_long'
  | 'bad_span'
  | 'missing_coords'
  | 'bad_coords'
  | 'coords_out_of_range'
  | 'coords_zero'
  | 'privacy_offset'
  | 'wrong_field_count'
  | 'not_a_point'
  | 'empty_row'
  /** The CSV tokenizer could not split the record. */
  | 'bad_csv'
  /** A quote opened on this line is never closed (engine/ingest/tokenizer.ts): the line is rejected, the next ones read again. */
  | 'unclosed_quote'
  /** An exact duplicate of an earlier row or file (engine/ingest/duplicates.ts). */
  | 'duplicate';

export interface RejectedRow {
  readonly source: SourceRef;
  readonly reason: RejectReason;
  /** The field (column name) at fault, when one is. */
  readonly field: string | null;
  /** The offending raw value, when there is one. */
  readonly value: string | null;
  /** Human-readable sentence naming file, line, field and value. */
  readonly message: string;
}

export type IngestFormat = 'police-uk' | 'vancouver' | 'plain' | 'geojson';

export interface IngestResult {
  readonly format: IngestFormat;
  readonly rowsRead: number;
  readonly incidents: readonly Incident[];
  readonly rejected: readonly RejectedRow[];
  /**
   * What a reader decided that the user should hear of, one sentence each naming the file (e.g. the
   * plain reader's columns found under another name: engine/ingest/plain.ts COLUMN_SYNONYMS).
   * Absent when there is nothing to say.
   */
  readonly notes?: readonly string[];
}

/** The summary printed by `patrolcast ingest` (and shown by the web app). */
export interface IngestSummary {
  readonly rowsRead: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly rejectedByReason: Readonly<Record<string, number>>;
  readonly categories: Readonly<Record<string, number>>;
  /** ISO 8601 (UTC) of the earliest and latest accepted incident, or null when none. */
  readonly first: string | null;
  readonly last: string | null;
  readonly precision: Readonly<Record<string, number>>;
  readonly timeOfDayUnknown: number;
}

/** H3 cell id as h3-js writes it (15-hex-digit string). */
export type H3Cell = string;

/**
 * Events prepared for the model: parallel arrays, one entry per event, sorted by (cell, time).
 * `cell[k]` indexes `cells`. Times are hours since `originMs`.
 */
export interface EventSet {
  readonly originMs: number;
  readonly cells: readonly H3Cell[];
  readonly cell: Int32Array;
  readonly tHours: Float64Array;
  /** Index into the incident array the events were made from (for explanations). */
  readonly incidentIndex: Int32Array;
  /** Optional provenance set by engine/grid buildEventSet (read by the fit for its notes): events per time precision. */
  readonly precisionCounts?: Readonly<Partial<Record<TimePrecision, number>>>;
  /** Optional: how many events have an unknown time of day. */
  readonly timeOfDayUnknown?: number;
  /** Optional: how month-precision events were placed in time ('start': the month's first instant; 'spread': evenly over the month). */
  readonly monthPlacement?: 'start' | 'spread';
}

/**
 * Overrides of a model configuration's triggering bounds, fixed values and EM limits (the CLI's
 * fit flags, the web app's analyst settings), applied with engine/model `withFitOptions`.
 * All optional: a field left out keeps the configuration's value.
 */
export interface EtasFitOptions {
  readonly maxIterations?: number;
  /** Stop when |Δ objective| / |objective| falls below this. */
  readonly relTolerance?: number;
  /** Fix θ (branching ratio) instead of estimating it. */
  readonly fixedTheta?: number;
  /** Fix the mean trigger delay (1/ω, hours) instead of estimating it. */
  readonly fixedMeanDelayHours?: number;
  readonly thetaMax?: number;
  /** Floor on the mean trigger delay 1/ω in hours (guards against the tie runaway). */
  readonly minMeanDelayHours?: number;
  /** Ceiling on the mean trigger delay 1/ω in hours. */
  readonly maxMeanDelayHours?: number;
}

export type StopReason = 'tolerance' | 'max-iterations';

/** A shift window [startMs, startMs + hours·3.6e6). */
export interface ShiftWindow {
  readonly startMs: number;
  readonly hours: number;
  /** Label in local time, e.g. "2023-07-01 22:00 (night)". */
  readonly label: string;
}

export interface BoxContribution {
  readonly incidentId: string | null;
  readonly category: string | null;
  readonly ageHours: number;
  /** Expected events in the shift this incident contributes. */
  readonly contribution: number;
}

/** A location text with its count among a box's incidents and its share of those with a text. */
export interface PlaceCount {
  readonly text: string;
  readonly count: number;
  /** count / incidents with a location text, in [0, 1]. */
  readonly share: number;
}

/** How a box's place was found (PatrolBox.placeDetail, engine/forecast boxPlace). */
export interface BoxPlace {
  /** 'text': the most common location text; 'centre': no incident has one, so district and centre. */
  readonly kind: 'text' | 'centre';
  /** The most common location text, or null for kind 'centre'. */
  readonly first: PlaceCount | null;
  /** The next most common, only when `first` has under half of the texts (and there is one). */
  readonly second: PlaceCount | null;
  /** The box's history incidents, and how many of them have a location text. */
  readonly incidents: number;
  readonly withText: number;
  /** The centre of the box's centre cell, WGS84 degrees. */
  readonly lat: number;
  readonly lng: number;
}

export interface PatrolBox {
  readonly h3: H3Cell;
  readonly district: string;
  /** 1-based rank within its district. */
  readonly rank: number;
  readonly expected: number;
  readonly background: number;
  readonly triggered: number;
  readonly backgroundShare: number;
  readonly triggeredShare: number;
  readonly contributors: readonly BoxContribution[];
  /**
   * The box's cells when it is placed on the finer lattice (engine/forecast placedPatrolBoxes):
   * the centre `h3` (resolution r + 1) and its ring-1 neighbours, sorted by id. Absent for a grid
   * box, whose only cell is `h3`.
   */
  readonly cells?: readonly H3Cell[];
  /**
   * The box's place in words, from its history incidents' location text (engine/forecast
   * placeText): "8XX W GEORGIA ST (62%)", two texts when the first has under half, or
   * "<district>, near <lat>, <lng>" when none has a text. Set by patrolBoxes and placedPatrolBoxes.
   */
  readonly place?: string;
  /** How `place` was found: the texts with their counts and shares (engine/forecast BoxPlace). */
  readonly placeDetail?: BoxPlace;
  /**
   * Why the box is here in plain words, from counts of its history incidents (engine/forecast
   * reasonText): "9 thefts from vehicles here in the past year, 4 of them on night shifts; 2 in
   * the last 14 days, the latest 3 days ago". Set by patrolBoxes and placedPatrolBoxes when given
   * the shift's time zone (engine/service shiftBoxes always gives it).
   */
  readonly reason?: string;
  /** The counts `reason` says in words (engine/forecast reasonCounts), for exports and the web app. */
  readonly reasonCounts?: ReasonCounts;
}

/**
 * The counts behind a box's reason (PatrolBox.reasonCounts), over the box's history incidents
 * before the shift start (engine/forecast/reason.ts for the rules).
 */
export interface ReasonCounts {
  /** Length of the past year, days (365). */
  readonly yearDays: number;
  /** Length of the recent period, days (14). */
  readonly recentDays: number;
  /** The shift's name ('day', 'evening', 'night'): what `sameShift` counts. */
  readonly shift: 'day' | 'evening' | 'night';
  /** Incidents in the past year, month-precision ones included. */
  readonly year: number;
  /** The past year's incidents per category, by count descending, then name (unnamed last). */
  readonly categories: readonly { readonly category: string | null; readonly count: number }[];
  /** Of `year`, those whose local time falls in the same shift of their day. */
  readonly sameShift: number;
  /** Of `year`, those with a day but no time of day (never on a shift). */
  readonly timeUnknown: number;
  /** Of `year`, those dated to the month only (counted in `year` alone). */
  readonly monthOnly: number;
  /** Incidents in the last `recentDays` days (month-precision ones not counted). */
  readonly recent: number;
  /** Hours from the latest past-year incident with a day (not month-only) to the shift start; null when none. */
  readonly latestAgeHours: number | null;
  /** Whether that latest incident has a time of day; null when there is none. */
  readonly latestTimeKnown: boolean | null;
  /** Local calendar days from that latest incident's day to the shift start's day; null when none. */
  readonly latestDaysAgo: number | null;
  /** The box's history incidents before the past year. */
  readonly older: number;
}

/**
 * Expected counts for one shift [s, s + H), one entry per cell (engine/forecast `forecastShift`):
 * `expected[k] = background[k] + triggered[k]` for `cells[k]`; `background` is the background
 * rate's integral over the shift and `triggered` the part excited by incidents before s
 * (docs/model.md#forecast).
 */
export interface CellForecast {
  readonly cells: readonly H3Cell[];
  readonly expected: Float64Array;
  readonly background: Float64Array;
  readonly triggered: Float64Array;
}
