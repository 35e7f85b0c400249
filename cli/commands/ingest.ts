import type { Command } from 'commander';
import { CliError } from '../errors.ts';

// Placeholder: replaced by the issue that builds this command.
export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description('(not built yet)')
    .action(() => {
      throw new CliError('the ingest command is not built yet');
    });
}
