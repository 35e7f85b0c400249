/**
 * patrolcast: the command-line tool. All file reading and writing happens here (and in web/);
 * the engine is pure. Each command lives in cli/commands/<name>.ts and registers itself.
 */
import { Command, CommanderError } from 'commander';
import { registerIngest } from './commands/ingest.ts';
import { registerFit } from './commands/fit.ts';
import { registerForecast } from './commands/forecast.ts';
import { registerBacktest } from './commands/backtest.ts';
import { registerTune } from './commands/tune.ts';
import { CliError } from './errors.ts';

const program = new Command();
program
  .name('patrolcast')
  .description('Open predictive patrol hotspots: read police incident data, fit the self-exciting (ETAS) model, forecast patrol boxes for a shift, and backtest them honestly.')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

registerIngest(program);
registerFit(program);
registerForecast(program);
registerBacktest(program);
registerTune(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode;
  } else if (err instanceof CliError || (err instanceof Error && (err as { code?: unknown }).code !== undefined && !(err instanceof TypeError))) {
    // Known, coded errors: one readable line, no stack trace.
    process.stderr.write(`patrolcast: ${(err as Error).message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`patrolcast: unexpected error: ${err instanceof Error ? err.message : String(err)}\n`);
    if (process.env.PATROLCAST_DEBUG) process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
    process.exitCode = 1;
  }
}
