import type { Command } from 'commander';
import { CliError } from '../errors.ts';

// Placeholder: replaced by the issue that builds this command.
export function registerBacktest(program: Command): void {
  program
    .command('backtest')
    .description('(not built yet)')
    .action(() => {
      throw new CliError('the backtest command is not built yet');
    });
}
