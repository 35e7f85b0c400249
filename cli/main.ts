/**
 * patrolcast: the command-line tool. All file reading and writing happens here (and in web/);
 * the engine is pure. Each command lives in cli/commands/<name>.ts and registers itself; shared
 * helpers are in cli/ (io, options, files, training, progress), and no command imports another.
 *
 * `main(argv, io)` builds a new commander program per call and writes only to `io`, so it can
 * run many times in one process; cli/bin.ts runs it on the real process.
 */
import { Command, CommanderError } from 'commander';
import { processIo } from './bin.ts';
import { registerIngest } from './commands/ingest.ts';
import { registerFit } from './commands/fit.ts';
import { registerForecast } from './commands/forecast.ts';
import { registerBacktest } from './commands/backtest.ts';
import { registerTune } from './commands/tune.ts';
import { registerPublish } from './commands/publish.ts';
import { registerReview } from './commands/review.ts';
import type { CliContext, CliIo } from './context.ts';
import { outOfMemoryMessage } from './memory.ts';
import { CliError } from './errors.ts';
import { terminalSafe } from './terminal.ts';
import { packageVersion } from './version.ts';

export type { CliContext, CliIo, CliWriter } from './context.ts';

/** A new program with every command, writing to `ctx.io` and throwing instead of exiting. */
function buildProgram(ctx: CliContext): Command {
  const { stdout, stderr } = ctx.io;
  const program = new Command();
  program
    .name('patrolcast')
    .description(
      'Open predictive patrol hotspots: read police incident data, fit the self-exciting (ETAS) model, forecast patrol boxes for a shift, and backtest them honestly.',
    )
    .version(packageVersion())
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void stdout.write(s),
      writeErr: (s) => void stderr.write(s),
      // As commander's defaults, on io's writers: the terminal's width, else 80 (undefined).
      getOutHelpWidth: () => (stdout.isTTY ? stdout.columns : undefined) as number,
      getErrHelpWidth: () => (stderr.isTTY ? stderr.columns : undefined) as number,
    });

  // Registered after exitOverride/configureOutput: the commands inherit both.
  registerIngest(program, ctx);
  registerFit(program, ctx);
  registerForecast(program, ctx);
  registerBacktest(program, ctx);
  registerTune(program, ctx);
  registerPublish(program, ctx);
  registerReview(program, ctx);
  return program;
}

/**
 * Runs the CLI on `argv` (the arguments after the program name, e.g. ['ingest', 'a.csv']) and
 * resolves with the exit code: 0 on success; commander's code for --help/--version (0) and
 * usage errors (1); 2 for a coded error (one line `patrolcast: <message>` on stderr); 1 for
 * an unexpected error ("unexpected error", and the stack when PATROLCAST_DEBUG is set).
 * Never rejects, never exits the process.
 */
export async function main(argv: readonly string[], rawIo: CliIo = processIo()): Promise<number> {
  // Everything printed is cleaned of control characters (cli/terminal.ts).
  const io: CliIo = { ...rawIo, stdout: terminalSafe(rawIo.stdout), stderr: terminalSafe(rawIo.stderr) };
  try {
    await buildProgram({ io, argv }).parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (err) {
    const outOfMemory = outOfMemoryMessage(err);
    if (err instanceof CommanderError) {
      return err.exitCode;
    } else if (outOfMemory !== null) {
      // An allocation failure (a data-sized array too large for the heap): one line, what to do.
      io.stderr.write(`patrolcast: ${outOfMemory}\n`);
      return 2;
    } else if (
      err instanceof CliError ||
      (err instanceof Error && (err as { code?: unknown }).code !== undefined && !(err instanceof TypeError))
    ) {
      // Known, coded errors: one readable line, no stack trace.
      io.stderr.write(`patrolcast: ${(err as Error).message}\n`);
      return 2;
    } else {
      io.stderr.write(`patrolcast: unexpected error: ${err instanceof Error ? err.message : String(err)}\n`);
      if (io.env?.PATROLCAST_DEBUG) io.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
      return 1;
    }
  }
}
