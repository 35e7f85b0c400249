/**
 * The engine's coded errors (h3-js style): a stable `code` that tests and callers key on, and
 * the offending `value`, so the CLI and the web app can say which file, line and field.
 * Each module narrows the code to its own union, documented in its errors.ts: IngestError
 * (engine/ingest), GridError (engine/grid), ModelError (engine/model), ForecastError
 * (engine/forecast), EvaluateError (engine/evaluate), ServiceError (engine/service). The engine
 * throws nothing else on bad input: anything that is not a CodedError is a bug.
 *
 * One code is shared by every stage:
 * - E_TIMEZONE (TimeZoneError): a time zone that is not a valid IANA name; `value` is the zone
 *   as given. Thrown only by checkTimeZone (engine/timezone.ts), whoever asked, so an unknown
 *   zone reads the same from ingest, shifts, the model's calendar and the backtest.
 */
export class CodedError<Code extends string = string> extends Error {
  readonly code: Code;
  readonly value: unknown;
  constructor(code: Code, message: string, value?: unknown) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.value = value;
  }
}

/** An unknown time zone (code E_TIMEZONE, value: the zone as given). See checkTimeZone. */
export class TimeZoneError extends CodedError<'E_TIMEZONE'> {}
