/**
 * `introducer run DIR`: loads the configuration (file, environment, flags), runs the node
 * and stops it gracefully on SIGINT/SIGTERM (withdrawing its announcements).
 */
import { join, resolve } from 'node:path'
import type { Command } from 'commander'
import { BootstrapFileError } from '../../bootstrap-file.js'
import { describeError, InvalidOptionError } from '../../errors.js'
import { addConfigOptions, ConfigError, configFromFlags, loadConfig } from '../config/index.js'
import { EXIT_USAGE } from '../exit-codes.js'
import type { RunningNode } from '../run-node.js'
import { NODE_BOOTSTRAP_FILE } from './bootstrap.js'
import { ExitError, exists } from './shared.js'

/** A stop that takes longer than this ends the process anyway. */
export const STOP_TIMEOUT_MS = 10_000

function log (message: string): void {
  process.stdout.write(`${new Date().toISOString()} ${message}\n`)
}

async function runCommand (dir: string, command: Command): Promise<void> {
  let config
  try {
    config = await loadConfig(dir, { env: process.env, flags: configFromFlags(command) })
  } catch (err) {
    throw new ExitError(describeError(err), err instanceof ConfigError ? EXIT_USAGE : 1)
  }
  if (config.bootstrap_file === '' && await exists(join(dir, NODE_BOOTSTRAP_FILE))) {
    config.bootstrap_file = NODE_BOOTSTRAP_FILE
  }
  // Signal handlers go in before the node starts: node.json (which tells other processes
  // the node is up) is written during start, and a SIGTERM that arrives between then and
  // the end of start must still withdraw and stop, not kill the process.
  let running: RunningNode | undefined
  let stopping: Promise<void> | undefined
  let resolveStop = (): void => {}
  const stopped = new Promise<void>((resolve) => { resolveStop = resolve })
  const stop = (): void => {
    if (running == null || stopping != null) return
    stopping = running.stop().then(resolveStop, (err: unknown) => {
      log(`stop failed: ${describeError(err)}`)
      process.exit(1)
    })
  }
  let signalled = false
  const onSignal = (signal: string): void => {
    if (signalled) {
      log(`${signal} again: exiting at once`)
      process.exit(1)
    }
    signalled = true
    log(`${signal}: withdrawing announcements and stopping`)
    const timer = setTimeout(() => {
      log(`stop took longer than ${STOP_TIMEOUT_MS} ms: exiting`)
      process.exit(1)
    }, STOP_TIMEOUT_MS)
    timer.unref()
    stop() // or, while still starting, as soon as start ends
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    // loaded here, not at the top: `--help` and the query commands need none of libp2p
    const [{ runNode }, { welcomePage }, { createRegistry, metricsPlugin }] = await Promise.all([
      import('../run-node.js'), import('../welcome-page.js'), import('../metrics.js')
    ])
    // metrics are only read through /metrics: without HTTP nothing collects them
    const metrics = config.http.enabled ? createRegistry(resolve(dir)) : undefined
    running = await runNode(dir, config, log, metrics == null ? [] : [welcomePage, (app, node) => { metricsPlugin(app, node, metrics.registry) }], { metrics: metrics?.libp2p })
  } catch (err) {
    const usage = err instanceof ConfigError || err instanceof BootstrapFileError || err instanceof InvalidOptionError
    throw new ExitError(`cannot start: ${describeError(err)}`, usage ? EXIT_USAGE : 1)
  }
  if (signalled) stop()
  await stopped
}

export function runCommandOf (program: Command): void {
  addConfigOptions(program.command('run')
    .description('run a node (its roles come from DIR/introducer.toml, the environment and these flags)')
    .argument('<dir>', 'the node\'s data directory (key, seqnum, cache, config)'))
    .action(async (dir: string, _opts: unknown, command: Command) => { await runCommand(dir, command) })
}
