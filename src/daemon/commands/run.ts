/**
 * `introducer run DIR`: loads the configuration (file, environment, flags), takes the data
 * directory's lock, runs the node, stops it gracefully on SIGINT/SIGTERM (withdrawing its
 * announcements) and reloads on SIGHUP what can change without a restart: the log level
 * the bootstrap list (new entries are dialled; removed ones stay until a restart) and what
 * the node announces (`[publish.*]` and `[storage]`: changed fields are published again).
 */
import { join, resolve } from 'node:path'
import type { Command } from 'commander'
import { BootstrapFileError } from '../../bootstrap-file.js'
import { describeError, InvalidOptionError } from '../../errors.js'
import { KEY_FILE } from '../../store/data-dir.js'
import { DataDirLockedError, lockDataDir, type DataDirLock } from '../../store/data-dir-lock.js'
import { addConfigOptions, CONFIG_FILE, CONFIG_KEYS, ConfigError, configFromFlags, loadConfig, type Config } from '../config/index.js'
import { EXIT_USAGE } from '../exit-codes.js'
import { createLogger, type Logger } from '../log.js'
import { handleSignals } from '../signals.js'
import type { RunningNode } from '../run-node.js'
import { NODE_BOOTSTRAP_FILE } from './bootstrap.js'
import { initDataDir } from './init.js'
import { ExitError, exists } from './shared.js'

/** Keys SIGHUP applies to a running node; a change to any other waits for a restart. */
export const RELOADABLE_KEYS = ['log_level', 'bootstrap', 'bootstrap_file', 'publish', 'storage.enabled', 'storage.readonly', 'storage.available_space']

const valueAt = (config: Config, key: string): string =>
  JSON.stringify(key.split('.').reduce<unknown>((at, part) => (at as Record<string, unknown>)[part], config))

async function load (dir: string, flags: Record<string, unknown>): Promise<Config> {
  const config = await loadConfig(dir, { env: process.env, flags })
  if (config.bootstrap_file === '' && await exists(join(dir, NODE_BOOTSTRAP_FILE))) {
    config.bootstrap_file = NODE_BOOTSTRAP_FILE
  }
  return config
}

/** A directory never initialised is refused (a typo must not start a new identity), unless `init`. */
async function ensureInitialised (dir: string, config: Config, log: Logger): Promise<void> {
  if (await exists(join(dir, CONFIG_FILE)) || await exists(join(dir, KEY_FILE))) return
  if (!config.init) {
    throw new ExitError(`${resolve(dir)} is not a node's data directory (no ${CONFIG_FILE}, no ${KEY_FILE}): create it with \`introducer init ${dir}\`, or pass --init (INTRODUCER_INIT=true) to create it now`, EXIT_USAGE)
  }
  const { path, peerId } = await initDataDir(dir)
  log.info(`initialised ${resolve(dir)}: created ${path} and the key of ${peerId}`, { event: 'initialised', dir: resolve(dir), peer: peerId })
}

async function runCommand (dir: string, command: Command): Promise<void> {
  const flags = configFromFlags(command)
  let config: Config
  try {
    config = await load(dir, flags)
  } catch (err) {
    throw new ExitError(describeError(err), err instanceof ConfigError || err instanceof BootstrapFileError ? EXIT_USAGE : 1)
  }
  const log = createLogger({ level: config.log_level, format: config.log_format })

  let running: RunningNode | undefined
  let lock: DataDirLock | undefined
  let resolveStopped = (): void => {}
  const stopped = new Promise<void>((resolve) => { resolveStopped = resolve })
  let stopRequested = false
  const stop = (): void => {
    stopRequested = true
    if (running == null) return // still starting: stopped as soon as start ends
    const node = running
    running = undefined
    node.stop().then(resolveStopped, (err: unknown) => {
      log.error(`stop failed: ${describeError(err)}`)
      process.exit(1)
    })
  }

  const reload = (): void => {
    void (async () => {
      if (running == null) {
        log.warn('SIGHUP while starting or stopping: nothing reloaded')
        return
      }
      let next: Config
      try {
        next = await load(dir, flags)
      } catch (err) {
        log.error(`SIGHUP: configuration not reloaded, the running one is kept: ${describeError(err)}`, { event: 'reload-failed' })
        return
      }
      const applied = await running.reload(next)
      const later = CONFIG_KEYS.map(k => k.key).filter(key => !RELOADABLE_KEYS.includes(key) && valueAt(config, key) !== valueAt(next, key))
      log.info(`SIGHUP: reloaded (${applied.length > 0 ? applied.join('; ') : 'nothing changed'})${later.length > 0 ? `; changed, applied at the next restart only: ${later.join(', ')}` : ''}`,
        { event: 'reloaded', applied, restartNeeded: later })
    })().catch((err: unknown) => { log.error(`SIGHUP: reload failed: ${describeError(err)}`) })
  }
  // in as early as can be: node.json (which tells other processes the node is up) is
  // written during start, and a signal that comes before start ends must still stop it
  const unhandle = handleSignals({ log, stop, reload, exit: (code) => process.exit(code) })
  try {
    await ensureInitialised(dir, config, log)
    try {
      lock = await lockDataDir(dir, {
        onLost: (reason) => {
          log.error(`lost the lock on the data directory (${reason}): stopping`, { event: 'lock-lost' })
          process.exitCode = 1
          stop()
        }
      })
    } catch (err) {
      throw new ExitError(describeError(err), err instanceof DataDirLockedError ? EXIT_USAGE : 1)
    }
    if (stopRequested && running == null) {
      log.info('stopped before the node started')
      return
    }
    // loaded here, not at the top: `--help` and the query commands need none of libp2p
    const [{ runNode, AddressInUseError }, { welcomePage }, { createRegistry, metricsPlugin }] = await Promise.all([
      import('../run-node.js'), import('../welcome-page.js'), import('../metrics.js')
    ])
    try {
      // metrics are only read through /metrics: without HTTP nothing collects them
      const metrics = config.http.enabled ? createRegistry(resolve(dir)) : undefined
      running = await runNode(dir, config, log, metrics == null ? [] : [welcomePage, (app) => { metricsPlugin(app, metrics.registry) }], { metrics: metrics?.libp2p })
    } catch (err) {
      const usage = err instanceof ConfigError || err instanceof BootstrapFileError || err instanceof InvalidOptionError || err instanceof AddressInUseError
      throw new ExitError(`cannot start: ${describeError(err)}`, usage ? EXIT_USAGE : 1)
    }
    if (stopRequested) stop()
    await stopped
  } finally {
    unhandle()
    await lock?.release()
  }
}

export function runCommandOf (program: Command): void {
  addConfigOptions(program.command('run')
    .description('run a node (its roles come from DIR/introducer.toml, the environment and these flags)')
    .argument('<dir>', 'the node\'s data directory (key, seqnum, cache, config)'))
    .action(async (dir: string, _opts: unknown, command: Command) => { await runCommand(dir, command) })
}
