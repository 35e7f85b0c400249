import { checkTimeZone } from '../engine/index.ts';

/** An error meant for the user: printed as one line, without a stack trace. */
export class CliError extends Error {
  readonly code: string;
  constructor(message: string, code = 'E_CLI') {
    super(message);
    this.name = 'CliError';
    this.code = code;
  }
}

/**
 * A time zone from the command line or a file, checked by the engine's one zone check
 * (checkTimeZone), so an unknown zone reads the same from every command and every source:
 * `<where>: unknown time zone "X" (use an IANA name such as America/Vancouver or Europe/London)`,
 * code E_TIMEZONE.
 * @param where the flag or file field the zone came from, e.g. `--tz` or `fit.json: field "tz"`
 * @throws CliError E_TIMEZONE
 */
export function checkZone(where: string, tz: string): string {
  try {
    return checkTimeZone(tz);
  } catch (err) {
    throw new CliError(`${where}: ${(err as Error).message}`, 'E_TIMEZONE');
  }
}
