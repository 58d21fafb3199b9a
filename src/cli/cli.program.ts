// The `pipescope` command line: a client of a running service, built on commander.
import { Command } from 'commander';
import { addGlobalOptions } from './cli.options';
import { ingestCommand } from './ingest.command';
import { queryCommands } from './query.commands';
import { replayCommands } from './replay.commands';

export function buildProgram(version: string): Command {
  const program = new Command('pipescope')
    .description('Command-line client of a running pipescope service (docs/cli.md)')
    .version(version)
    .showHelpAfterError()
    // Set before the commands are added, so they inherit it: errors reach main() as exceptions.
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) });
  addGlobalOptions(program);
  ingestCommand(program);
  queryCommands(program);
  replayCommands(program);
  return program;
}
