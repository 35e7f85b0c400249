/** An error meant for the user: printed as one line, without a stack trace. */
export class CliError extends Error {
  readonly code: string;
  constructor(message: string, code = 'E_CLI') {
    super(message);
    this.name = 'CliError';
    this.code = code;
  }
}
