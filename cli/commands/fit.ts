import type { Command } from 'commander';
import { CliError } from '../errors.ts';

// Placeholder: replaced by the issue that builds this command.
export function registerFit(program: Command): void {
  program
    .command('fit')
    .description('(not built yet)')
    .action(() => {
      throw new CliError('the fit command is not built yet');
    });
}
