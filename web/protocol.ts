/**
 * Messages between the page and the engine worker (web/worker.ts). Everything crossing is
 * plain structured-clone data. The page never runs engine code on its own thread, so it never
 * freezes; cancelling a job terminates the worker and starts a fresh one (a synchronous EM fit
 * cannot read messages while it runs).
 */
import type { BoxPlacement, EtasFitOptions, IngestFormat, IngestSummary, ReasonCounts, RejectedRow, ShiftWindow } from '../engine/index.ts';
import type { Feature, FeatureCollection } from 'geojson';

/** Where the active data set came from, so a restarted worker can load it again. */
export type DataSource =
  | { readonly kind: 'bundled'; readonly files: readonly { readonly url: string; readonly name: string }[] }
  | {
      readonly kind: 'files';
      readonly files: readonly { readonly name: string; readonly bytes: ArrayBuffer }[];
      readonly format?: IngestFormat | undefined;
      readonly columns?: Readonly<Record<string, string>> | undefined;
      readonly tz?: string | undefined;
      /** Dates written with slashes: month first (default) or day first (engine IngestOptions.dateOrder). */
      readonly dateOrder?: 'mdy' | 'dmy' | undefined;
      /** Load a file even when most of its rows are rejected (engine/ingest/quality.ts). */
      readonly allowRejected?: boolean | undefined;
    };

export interface PresetInfo {
  readonly key: string;
  readonly label: string;
  readonly categories: readonly string[];
}

/** What the page knows about the data set loaded in the worker. */
export interface DatasetInfo {
  readonly name: string;
  /** The bundled Vancouver data (the page then draws its bundled base map, web/basemap.ts). */
  readonly bundled: boolean;
  readonly format: IngestFormat;
  /** IANA zone used for shifts. */
  readonly tz: string;
  readonly summary: IngestSummary;
  /** The first rejected rows (at most `rejectedShownMax`), for the readable list. */
  readonly rejected: readonly RejectedRow[];
  readonly rejectedTotal: number;
  /** One line per file with rejected rows (counts by reason, duplicates included), as the CLI warns. */
  readonly warnings?: readonly string[];
  readonly firstMs: number | null;
  readonly lastMs: number | null;
  /** Categories present, most frequent first. */
  readonly categories: readonly { readonly name: string; readonly count: number }[];
  /** Crime-type presets, the default first ("victim-reported" when the data holds types left out by default). */
  readonly presets: readonly PresetInfo[];
  /** The victim-reported default in words (engine victimReportedDefault), '' when there is nothing to say. */
  readonly trainingDefault: string;
  /** District labels in the data (or of the district polygons loaded, {@link DistrictsRequest}), most incidents first. */
  readonly districts: readonly { readonly name: string; readonly count: number }[];
  /** Where the districts come from: the polygons' file name, or absent for the data's own labels. */
  readonly districtsFrom?: string;
  /** Local date (YYYY-MM-DD) of the day after the last incident: the default "tonight". */
  readonly dayAfterLast: string | null;
  /** Local date of the last incident. */
  readonly lastDate: string | null;
  readonly firstDate: string | null;
  /** The engine's fit defaults, shown as placeholders (the page does not bundle the engine). */
  readonly fitDefaults: { readonly thetaMax: number; readonly minMeanDelayHours: number };
}

/**
 * The forecast model: 'etas' (engine/model with its default configuration ETAS_DEFAULTS:
 * recency, shift-type profile, same-cell near-repeats) or 'etas-2015' (its preset ETAS_2015, the
 * plain Mohler et al. 2015 model). The same names as the CLI's --model.
 */
export type ModelName = 'etas' | 'etas-2015';

/** Model settings shared by the sergeant, analyst and evaluation views. */
export interface ModelSettings {
  readonly model: ModelName;
  readonly res: number;
  /** Crime types to use; null = all. */
  readonly categories: readonly string[] | null;
  /**
   * Days of history before the shift start (or before `trainToDate`) to fit on; null (the
   * default) = all history known before it, the CLI's and the backtest's training window.
   */
  readonly trainingDays: number | null;
  /**
   * Bounds, fixed parameters and the EM limit, applied over the model's configuration (as the
   * CLI's fit flags do).
   */
  readonly fitOptions: EtasFitOptions;
  /** Boxes per district. */
  readonly top: number;
  /**
   * Where boxes may sit (engine/service shiftBoxes, the CLI's --placement): 'fine' (default),
   * boxes of one cell's area centred on any cell of the next finer resolution; 'grid', the
   * grid's own cells. Not part of the fit: switching it reuses the fit.
   */
  readonly placement?: BoxPlacement;
}

export interface ForecastRequest {
  /** Local date YYYY-MM-DD of the shift start. */
  readonly date: string;
  /** Local start time HH:MM. */
  readonly shiftStart: string;
  readonly hours: number;
  /** District label, or '' for every district. */
  readonly district: string;
  readonly model: ModelSettings;
  /** Also return the incidents that happened inside the shift (evaluation view). */
  readonly withActuals?: boolean;
  /**
   * Share this many boxes across all districts by their expected crime in the shift (engine
   * allocateBoxes, the CLI's --boxes-total) instead of `model.top` each; a quiet district may get none.
   */
  readonly boxesTotal?: number;
}

export interface BoxView {
  readonly rank: number;
  readonly h3: string;
  readonly district: string;
  /** The box's place in words (engine PatrolBox.place): its incidents' most common location text, or district and centre. */
  readonly place: string;
  readonly expected: number;
  readonly background: number;
  readonly triggered: number;
  readonly backgroundShare: number;
  readonly triggeredShare: number;
  /** The model's breakdown in words (engine explainBox): background rate, recent incidents. */
  readonly why: string;
  /**
   * Why the box is here, in counts a sergeant can check (engine PatrolBox.reason): "9 thefts from
   * vehicles here in the past year, 4 of them on night shifts; 2 in the last 14 days, the latest 3 days ago".
   */
  readonly reason: string;
  /** The counts `reason` says (engine ReasonCounts), so the page need not parse the words. */
  readonly reasonCounts: ReasonCounts;
  /** [lng, lat] of the cell centre, for the numbered marker. */
  readonly center: readonly [number, number];
}

export interface FitSummary {
  /** The model's name ('etas' or 'etas-2015'). */
  readonly model: ModelName;
  /** The saved fit's kind ('patrolcast-etas-fit'). */
  readonly kind: string;
  readonly version: number;
  readonly theta: number;
  readonly omegaPerHour: number;
  readonly meanDelayHours: number;
  readonly res: number;
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  readonly events: number;
  readonly iterations: number;
  readonly stopReason: string;
  readonly notes: readonly string[];
  readonly warnings: readonly string[];
  readonly fingerprint: string;
  /** The etas-2015 fit's settings as options (bounds, fixed values, EM limits; {} for etas: its settings are in `ingredients`). */
  readonly options: EtasFitOptions;
  /** The etas model's configuration in words (engine describeEtasConfig); null for etas-2015. */
  readonly ingredients: string | null;
  /** w_d, the share of offspring at ring distance d (etas; [1] for etas-2015's same-box triggering). */
  readonly ringWeights: readonly number[];
  /** Shift-type profile bins of the etas model's background (e.g. 06:00, 14:00, 22:00); [] without one. */
  readonly profileBins: readonly string[];
  /** The engine's description in words (describeFit, after the configuration for etas). */
  readonly words: string;
  /** Log-likelihood by EM iteration (etas: the penalised objective, ℓ plus the profiles' log prior). */
  readonly logLikelihoodTrace: readonly number[];
  /** Share of training events the model calls triggered (Σ p_ij / N = θ at the fit). */
  readonly triggeredShare: number;
  readonly cellsWithBackground: number;
}

/** A district's patrol order: box ranks in visiting order, leg lengths and total in metres, and the order in words. */
export interface RouteView {
  readonly district: string;
  readonly ranks: readonly number[];
  readonly legsM: readonly number[];
  readonly totalM: number;
  readonly words: string;
}

export interface ActualIncident {
  readonly lng: number;
  readonly lat: number;
  readonly category: string | null;
  readonly timeMs: number;
  readonly h3: string;
  readonly hit: boolean;
}

export interface ForecastResult {
  readonly shift: ShiftWindow;
  readonly tz: string;
  readonly district: string;
  readonly boxes: readonly BoxView[];
  readonly boxesGeoJSON: FeatureCollection;
  readonly boxesCsv: string;
  /** The placement the boxes were made with. */
  readonly placement: BoxPlacement;
  /** Per district shown, the patrol order over its boxes from box 1 (engine/forecast/route.ts), with the order in words. */
  readonly routes: readonly RouteView[];
  /** With `boxesTotal`: every district's number of boxes (0 for one given none), by name; else null. */
  readonly allocation: Readonly<Record<string, number>> | null;
  /** Districts shown whose boxes are not a confident ranking (all quiet, or within noise), in words (engine/forecast rankingWarnings). */
  readonly rankingWarnings: readonly string[];
  /** The routes as LineString features joining the box centres in visiting order (property `district`); one-box districts have none. */
  readonly routesGeoJSON: FeatureCollection;
  /** District outlines (the union of each district's cells, as line features), name in properties. */
  readonly districts: FeatureCollection;
  /** [west, south, east, north] to fit the map to. */
  readonly bounds: readonly [number, number, number, number];
  readonly fit: FitSummary;
  /** Incidents in the training history used for the forecast. */
  readonly historyEvents: number;
  /** What the user should know about the forecast (month-precision data, data ending long before the shift). */
  readonly warnings: readonly string[];
  readonly actuals?: readonly ActualIncident[];
  readonly actualHits?: number;
}

export interface FitRequest {
  /** Local date YYYY-MM-DD: the fit uses the incidents known before this date's local midnight. */
  readonly trainToDate: string;
  readonly model: ModelSettings;
}

export interface FitResult {
  readonly fit: FitSummary;
  /** Background rate per cell as hexagon features with property `muPerDay` (etas: the forecast's recency-weighted rate). */
  readonly background: FeatureCollection;
  readonly bounds: readonly [number, number, number, number];
  /** The fit itself, plain JSON, for saving. */
  readonly fitJson: string;
  /** What the user should know about the training data (e.g. month-precision times). */
  readonly warnings: readonly string[];
}

export interface BacktestRequest {
  readonly fromDate: string;
  readonly toDate: string;
  readonly hours: number;
  readonly shiftStarts: readonly string[];
  readonly model: ModelSettings;
  readonly refitEveryDays: number;
  readonly models: readonly string[];
  readonly flaggedKm2: readonly number[];
  /** Which ingredients of the etas model (engine/model) are on; all on when left out. */
  readonly etasIngredients?: { readonly recency: boolean; readonly profile: boolean; readonly triggering: boolean };
  /**
   * The feedback-loop stress test (engine discoveryStudy, the CLI's --discovery p and
   * --rotate-after k), run after the backtest on the same input; its report comes back as the
   * result's `discovery` block, as in the CLI's report.json. Left out: not run.
   */
  readonly discovery?: { readonly p: number; readonly rotateAfter: number | null };
}

/**
 * District polygons for the loaded data, as the CLI's --districts: each cell goes to the first
 * polygon containing its centre (engine/grid districtsFromPolygons), cells outside every polygon
 * have no district and get no boxes. null = back to the data's own district labels. Loading
 * another data set forgets them.
 */
export interface DistrictsRequest {
  /** A FeatureCollection of named Polygon/MultiPolygon features. */
  readonly geojson: unknown;
  /** The file name (named in errors and in the page). */
  readonly name: string;
  /** The property naming each polygon; by default the first of name, district, NAME on every feature. */
  readonly nameProperty?: string;
}

export type Request =
  | { readonly id: number; readonly type: 'load'; readonly source: DataSource }
  | { readonly id: number; readonly type: 'forecast'; readonly request: ForecastRequest }
  | { readonly id: number; readonly type: 'fit'; readonly request: FitRequest }
  | { readonly id: number; readonly type: 'backtest'; readonly request: BacktestRequest }
  | { readonly id: number; readonly type: 'districts'; readonly request: DistrictsRequest | null };

export interface Progress {
  /** What is running, in words ("Fitting the model"). */
  readonly phase: string;
  /** Fraction done in [0, 1], or null when unknown. */
  readonly fraction: number | null;
  readonly detail?: string;
  /** EM iteration and log-likelihood, for fit progress. */
  readonly iteration?: number;
  readonly logLikelihood?: number;
}

/**
 * What a failed job means to the page (web/workerErrors.ts decides it in the worker):
 * - 'cancelled': the engine stopped on request (code E_CANCELLED); the page says nothing;
 * - 'input': a coded error (an engine CodedError, e.g. IngestError E_UNKNOWN_FORMAT or
 *   TimeZoneError E_TIMEZONE, or the worker's own WorkerError): the data or settings are at
 *   fault, and the message says how;
 * - 'bug': anything else (a TypeError, an uncoded Error): patrolcast itself is at fault.
 */
export type ErrorKind = 'cancelled' | 'input' | 'bug';

export type Response =
  | { readonly id: number; readonly type: 'progress'; readonly progress: Progress }
  | { readonly id: number; readonly type: 'result'; readonly value: unknown }
  /** `code` is the error's stable code (null for an uncoded error, always a bug). */
  | { readonly id: number; readonly type: 'error'; readonly message: string; readonly code: string | null; readonly kind: ErrorKind };

export type { Feature, FeatureCollection };
