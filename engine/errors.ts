/**
 * The engine's coded errors (h3-js style): a stable `code` that tests and callers key on, and
 * the offending `value`, so the CLI and the web app can say which file, line and field.
 * Each module narrows the code to its own union (ModelError, GridError, ForecastError, ...).
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
