import type { Command } from 'commander';
import { CliError } from '../errors.ts';

// Placeholder: replaced by the issue that builds this command.
export function registerForecast(program: Command): void {
  program
    .command('forecast')
    .description('(not built yet)')
    .action(() => {
      throw new CliError('the forecast command is not built yet');
    });
}
