#!/usr/bin/env node
/**
 * The `introducer` command. `run` is the node process; `init` prepares a data directory;
 * the query commands read a running node's JSON API (found through DIR/node.json).
 */
import { CommanderError, type Command } from 'commander'
import { assertSupportedRuntime } from '../version.js'
import { describeError } from '../errors.js'

import { EXIT_FAILURE, EXIT_USAGE } from './exit-codes.js'

try {
  assertSupportedRuntime()
} catch (err) {
  process.stderr.write(`introducer: ${describeError(err)}\n`)
  process.exit(EXIT_USAGE)
}

const { buildProgram } = await import('./commands/program.js')
const program: Command = buildProgram()
try {
  await program.parseAsync(process.argv)
} catch (err) {
  if (err instanceof CommanderError) {
    process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE)
  }
  process.stderr.write(`introducer: ${describeError(err)}\n`)
  process.exit((err as { exitCode?: number }).exitCode ?? EXIT_FAILURE)
}
