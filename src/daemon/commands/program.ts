/**
 * The `introducer` program: its subcommands, each in its own file. Each says what it does
 * in `--help`; `--json` prints machine-readable output where a script would want it.
 */
import { Command } from 'commander'
import { VERSION } from '../../version.js'
import { bootstrapCommand } from './bootstrap.js'
import { gridManagerCommand } from './grid-manager.js'
import { initCommand } from './init.js'
import { membersCommand } from './members.js'
import { networkKeyCommand } from './network-key.js'
import { queryCommands } from './query.js'
import { runCommandOf } from './run.js'

export function buildProgram (): Command {
  const program = new Command('introducer')
    .description('gossip-introducer: service introduction for storage grids, over libp2p')
    .version(VERSION)
    .showHelpAfterError()
    // before the subcommands are added, so that they inherit it: a usage error (unknown
    // flag, missing argument) is thrown as a CommanderError, which bin.ts turns into exit 2
    .exitOverride()
  initCommand(program)
  runCommandOf(program)
  queryCommands(program)
  membersCommand(program)
  bootstrapCommand(program)
  gridManagerCommand(program)
  networkKeyCommand(program)
  return program
}
