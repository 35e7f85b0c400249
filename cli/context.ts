/**
 * What a command runs with: where it writes (stdout, stderr) and the arguments it was given.
 * The CLI touches no global process state, so `main()` can run many times in one process
 * (the tests call it directly); only cli/bin.ts binds it to the real process.
 */

/** A text sink: process.stdout/stderr, or a test's capturing writer. */
export interface CliWriter {
  write(text: string): unknown;
  /** A terminal: progress bars are drawn only then (cli-progress then also uses `columns`). */
  readonly isTTY?: boolean;
  /** Terminal width in characters, for wrapping --help (read only when isTTY). */
  readonly columns?: number;
}

/** The CLI's outside world. */
export interface CliIo {
  readonly stdout: CliWriter;
  readonly stderr: CliWriter;
  /** Environment variables (PATROLCAST_DEBUG prints the stack of an unexpected error); none when absent. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** What each command's action is given. */
export interface CliContext {
  readonly io: CliIo;
  /** The arguments after the program name, as passed to main(): recorded in reports as the command line. */
  readonly argv: readonly string[];
}
