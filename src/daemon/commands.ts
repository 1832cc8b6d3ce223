/**
 * The subcommands of `introducer`. Each says what it does in `--help`; `--json` prints
 * machine-readable output where a script would want it.
 */
import { Command, Option } from 'commander'
import { access, appendFile, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { BootstrapFileError, formatBootstrapList, parseBootstrapList, readBootstrapFile } from '../bootstrap-file.js'
import { describeError, InvalidOptionError } from '../errors.js'
import { loadOrCreateKey } from '../store/data-dir.js'
import { describeCertificate, signCertificate } from '../announcement/admission.js'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { generateKey } from '@libp2p/pnet'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { VERSION } from '../version.js'
import { CONFIG_FILE, ConfigError, defaultConfigText, loadConfig, parseList } from './config.js'
import { NODE_INFO_FILE, type NodeInfoFile } from './node-info.js'
import { EXIT_UNREACHABLE, EXIT_USAGE } from './exit-codes.js'
import type { RunningNode } from './run.js'
import type { PeerJson, PeersJson, PermutedJson, StatusJson } from './status.js'

/** A stop that takes longer than this ends the process anyway. */
export const STOP_TIMEOUT_MS = 10_000

/** Where `grid-manager create` keeps the manager's key. */
export const GRID_MANAGER_KEY_FILE = 'grid-manager.key'

/** A node's own bootstrap list, read at start when present. */
export const NODE_BOOTSTRAP_FILE = 'bootstrap.txt'

class ExitError extends Error {
  constructor (message: string, readonly exitCode: number) {
    super(message)
  }
}

function log (message: string): void {
  process.stdout.write(`${new Date().toISOString()} ${message}\n`)
}

function collect (value: string, previous: string[] = []): string[] {
  return [...previous, ...parseList(value)]
}

function runFlags (opts: Record<string, unknown>): Record<string, unknown> {
  const flags: Record<string, unknown> = {}
  const storage: Record<string, unknown> = {}
  const http: Record<string, unknown> = {}
  if (opts.grid != null) flags.grid = opts.grid
  if (opts.nickname != null) flags.nickname = opts.nickname
  if (opts.listen != null) flags.listen = opts.listen
  if (opts.bootstrap != null) flags.bootstrap = opts.bootstrap
  if (opts.bootstrapFile != null) flags.bootstrap_file = opts.bootstrapFile
  if (opts.introducer === true) flags.introducer = true
  if (opts.introducerTarget != null) flags.introducer_target = opts.introducerTarget
  if (opts.ttlMs != null) flags.announcement_ttl_ms = opts.ttlMs
  if (opts.services != null) flags.services = opts.services
  if (opts.dialRetryMaxMs != null) flags.dial_retry_max_ms = opts.dialRetryMaxMs
  if (opts.storage === true) storage.enabled = true
  if (opts.readonly === true) storage.readonly = true
  if (opts.storageOnly === true) storage.storage_only = true
  if (opts.availableSpace != null) storage.available_space = opts.availableSpace
  if (opts.http === false) http.enabled = false
  if (opts.httpListen != null) http.listen = opts.httpListen
  if (Object.keys(storage).length > 0) flags.storage = storage
  if (Object.keys(http).length > 0) flags.http = http
  return flags
}

function integer (name: string) {
  return (value: string): number => {
    const n = Number(value)
    if (!Number.isInteger(n)) {
      throw new ExitError(`${name} takes a whole number, not ${JSON.stringify(value)}`, EXIT_USAGE)
    }
    return n
  }
}

async function exists (path: string): Promise<boolean> {
  try {
    await access(path)
    return true
  } catch {
    return false
  }
}

async function runCommand (dir: string, opts: Record<string, unknown>): Promise<void> {
  let config
  try {
    config = await loadConfig(dir, { env: process.env, flags: runFlags(opts) })
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
      import('./run.js'), import('./welcome-page.js'), import('./metrics.js')
    ])
    // metrics are only read through /metrics: without HTTP nothing collects them
    const metrics = config.http.enabled ? createRegistry(resolve(dir)) : undefined
    running = await runNode(dir, config, log, metrics == null ? [] : [welcomePage, (app) => { metricsPlugin(app, metrics.registry) }], { metrics: metrics?.libp2p })
  } catch (err) {
    const usage = err instanceof ConfigError || err instanceof BootstrapFileError || err instanceof InvalidOptionError
    throw new ExitError(`cannot start: ${describeError(err)}`, usage ? EXIT_USAGE : 1)
  }
  if (signalled) stop()
  await stopped
}

/** Finds the API of a running node: --api URL, or DIR/node.json. */
async function apiBase (opts: { api?: string, dir?: string }): Promise<string> {
  if (opts.api != null) {
    return opts.api.replace(/\/$/, '')
  }
  const dir = resolve(opts.dir ?? process.env.INTRODUCER_DIR ?? '.')
  let info: NodeInfoFile
  try {
    info = JSON.parse(await readFile(join(dir, NODE_INFO_FILE), 'utf8')) as NodeInfoFile
  } catch {
    throw new ExitError(`no running node found in ${dir} (no ${NODE_INFO_FILE}): start one with \`introducer run ${dir}\`, or pass --api URL`, EXIT_UNREACHABLE)
  }
  if (info.http == null) {
    throw new ExitError(`the node in ${dir} runs without HTTP (http.enabled = false)`, EXIT_UNREACHABLE)
  }
  return info.http
}

async function getJson<T> (base: string, path: string): Promise<T> {
  let response: Response
  try {
    response = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(10_000) })
  } catch (err) {
    throw new ExitError(`cannot reach the node at ${base}: ${describeError(err)}`, EXIT_UNREACHABLE)
  }
  let body: T & { error?: string }
  try {
    body = await response.json() as T & { error?: string }
  } catch (err) {
    throw new ExitError(`the node at ${base} answered HTTP ${response.status} with no JSON: ${describeError(err)}`, response.ok ? 1 : EXIT_USAGE)
  }
  if (!response.ok) {
    throw new ExitError(body.error ?? `HTTP ${response.status}`, EXIT_USAGE)
  }
  return body
}

function printPeers (peers: Array<PeerJson & { permutedId?: string }>): void {
  if (peers.length === 0) {
    process.stdout.write('(none)\n')
    return
  }
  for (const p of peers) {
    const flags = [p.readonly === true ? 'read-only' : '', p.connected === true ? 'connected' : 'not connected'].filter(Boolean).join(', ')
    process.stdout.write(`${p.permutedId != null ? `${p.permutedId.slice(0, 12)}  ` : ''}${p.peerId}  ${JSON.stringify(p.nickname)}  ${p.version}  (${flags})\n`)
  }
}

const queryOptions = (cmd: Command): Command => cmd
  .option('--dir <dir>', 'data directory of the running node (default: $INTRODUCER_DIR or .)')
  .option('--api <url>', 'base URL of the node\'s HTTP API, instead of --dir')
  .option('--json', 'print JSON')

export function buildProgram (): Command {
  const program = new Command('introducer')
    .description('gossip-introducer: service introduction for storage grids, over libp2p')
    .version(VERSION)
    .showHelpAfterError()

  program.command('init')
    .description(`create a data directory: the node key and a commented ${CONFIG_FILE}`)
    .argument('<dir>', 'data directory to create')
    .option('--grid <id>', 'grid id written into the config')
    .option('--nickname <name>', 'nickname written into the config')
    .action(async (dir: string, opts: { grid?: string, nickname?: string }) => {
      const path = join(dir, CONFIG_FILE)
      if (await exists(path)) {
        throw new ExitError(`${path} exists already: refusing to overwrite it`, EXIT_USAGE)
      }
      await mkdir(dir, { recursive: true })
      const key = await loadOrCreateKey(dir)
      await writeFile(path, defaultConfigText(opts), { flag: 'wx' })
      process.stdout.write(`created ${path}\nnode id ${peerIdFromPrivateKey(key).toString()}\n`)
    })

  program.command('run')
    .description('run a node (its roles come from DIR/introducer.toml, the environment and these flags)')
    .argument('<dir>', 'the node\'s data directory (key, seqnum, cache, config)')
    .option('--grid <id>', 'grid id')
    .option('--nickname <name>', 'nickname shown to other nodes')
    .option('--listen <multiaddr>', 'multiaddr to listen on (repeatable)', collect)
    .option('--bootstrap <multiaddr>', 'bootstrap peer, ending in /p2p/<id> (repeatable)', collect)
    .option('--bootstrap-file <path>', 'bootstrap list file (one multiaddr per line), relative to DIR')
    .option('--introducer', 'run the introducer role')
    .option('--introducer-target <n>', 'connections to keep to introducers', integer('--introducer-target'))
    .option('--storage', 'offer storage')
    .option('--readonly', 'offer read-only storage')
    .option('--storage-only', 'do not subscribe to other storage servers')
    .option('--available-space <bytes>', 'announce available space', integer('--available-space'))
    .option('--ttl-ms <ms>', 'lifetime of this node\'s announcements', integer('--ttl-ms'))
    .option('--dial-retry-max-ms <ms>', 'longest wait between dials of an unreachable peer', integer('--dial-retry-max-ms'))
    .option('--services <names>', 'extra services to subscribe to (comma-separated)', collect)
    .option('--http-listen <host:port>', 'HTTP server address')
    .addOption(new Option('--no-http', 'do not serve HTTP'))
    .action(async (dir: string, opts: Record<string, unknown>) => { await runCommand(dir, opts) })

  queryOptions(program.command('peers'))
    .description('list the known peers of a service')
    .argument('<service>', 'e.g. upload_storage')
    .action(async (service: string, opts: { dir?: string, api?: string, json?: boolean }) => {
      const body = await getJson<PeersJson>(await apiBase(opts), `/api/v1/peers?service=${encodeURIComponent(service)}`)
      if (opts.json === true) {
        process.stdout.write(JSON.stringify(body, null, 2) + '\n')
      } else {
        printPeers(body.peers)
      }
    })

  queryOptions(program.command('permuted'))
    .description('list a service\'s peers in Tahoe\'s permuted order for a storage index')
    .argument('<service>', 'e.g. upload_storage')
    .argument('<storage-index>', 'Tahoe base32 (26 characters) or 32 hex digits')
    .action(async (service: string, index: string, opts: { dir?: string, api?: string, json?: boolean }) => {
      const body = await getJson<PermutedJson>(await apiBase(opts), `/api/v1/permuted?service=${encodeURIComponent(service)}&storage-index=${encodeURIComponent(index)}`)
      if (opts.json === true) {
        process.stdout.write(JSON.stringify(body, null, 2) + '\n')
      } else {
        printPeers(body.peers)
      }
    })

  queryOptions(program.command('status'))
    .description('show a running node: identity, introducers, services')
    .action(async (opts: { dir?: string, api?: string, json?: boolean }) => {
      const body = await getJson<StatusJson>(await apiBase(opts), '/api/v1/status')
      if (opts.json === true) {
        process.stdout.write(JSON.stringify(body, null, 2) + '\n')
        return
      }
      const n = body.node
      process.stdout.write(`node ${n.peerId} ${JSON.stringify(n.nickname)} grid ${n.grid} roles ${n.roles.join(', ')} version ${n.version}\n`)
      process.stdout.write(`connected to ${body.introducers.connected} of ${body.introducers.known} known introducers\n`)
      for (const [service, s] of Object.entries(body.services)) {
        process.stdout.write(`${service}: connected to ${s.connected} of ${s.known} known\n`)
      }
    })

  const bootstrap = program.command('bootstrap').description(`manage a node's bootstrap list (DIR/${NODE_BOOTSTRAP_FILE})`)
  bootstrap.command('add')
    .description('add bootstrap entries (multiaddrs ending in /p2p/<peer id>)')
    .argument('<multiaddr...>', 'entries to add')
    .option('--dir <dir>', 'data directory (default: $INTRODUCER_DIR or .)')
    .action(async (entries: string[], opts: { dir?: string }) => {
      const dir = resolve(opts.dir ?? process.env.INTRODUCER_DIR ?? '.')
      const path = join(dir, NODE_BOOTSTRAP_FILE)
      let valid: string[]
      try {
        valid = parseBootstrapList(entries.join('\n'), 'argument')
      } catch (err) {
        throw new ExitError(describeError(err), EXIT_USAGE)
      }
      const held = await exists(path) ? await readBootstrapFile(path) : []
      const fresh = valid.filter(e => !held.includes(e))
      await mkdir(dir, { recursive: true })
      await appendFile(path, held.length === 0 && !await exists(path) ? formatBootstrapList(fresh, 'bootstrap list: one multiaddr per line') : formatBootstrapList(fresh))
      process.stdout.write(`added ${fresh.length} entr${fresh.length === 1 ? 'y' : 'ies'} to ${path}\n`)
    })
  bootstrap.command('list')
    .description('print the bootstrap list')
    .option('--dir <dir>', 'data directory (default: $INTRODUCER_DIR or .)')
    .option('--json', 'print JSON')
    .action(async (opts: { dir?: string, json?: boolean }) => {
      const path = join(resolve(opts.dir ?? process.env.INTRODUCER_DIR ?? '.'), NODE_BOOTSTRAP_FILE)
      const entries = await exists(path) ? await readBootstrapFile(path) : []
      process.stdout.write(opts.json === true ? JSON.stringify(entries) + '\n' : entries.map(e => `${e}\n`).join(''))
    })

  const gridManager = program.command('grid-manager').description('grid admission: a grid manager\'s key and the certificates it signs')
  gridManager.command('create')
    .description(`create a grid manager key in DIR/${GRID_MANAGER_KEY_FILE} (keep it offline); prints its id for admission.grid_managers`)
    .argument('<dir>', 'directory for the key')
    .action(async (dir: string) => {
      const path = join(dir, GRID_MANAGER_KEY_FILE)
      if (await exists(path)) {
        throw new ExitError(`${path} exists already: refusing to overwrite it`, EXIT_USAGE)
      }
      await mkdir(dir, { recursive: true })
      const key = await generateKeyPair('Ed25519')
      await writeFile(path, privateKeyToProtobuf(key), { mode: 0o600, flag: 'wx' })
      process.stdout.write(`created ${path}\ngrid manager id ${peerIdFromPrivateKey(key).toString()}\n`)
    })
  gridManager.command('sign')
    .description('sign a certificate admitting a node to a grid')
    .argument('<dir>', `directory holding ${GRID_MANAGER_KEY_FILE}`)
    .requiredOption('--grid <id>', 'grid id')
    .requiredOption('--node <peer-id>', 'the node admitted (its id, from `introducer init` or its status)')
    .option('--services <names>', 'services it may announce (comma-separated; default: all)', collect)
    .option('--days <n>', 'days of validity (1 or more)', integer('--days'), 365)
    .requiredOption('--out <file>', 'certificate file to write (the node\'s certificate_file)')
    .action(async (dir: string, opts: { grid: string, node: string, services?: string[], days: number, out: string }) => {
      let manager
      try {
        manager = privateKeyFromProtobuf(await readFile(join(dir, GRID_MANAGER_KEY_FILE)))
      } catch (err) {
        throw new ExitError(`cannot read the grid manager key in ${dir}: ${describeError(err)}`, EXIT_USAGE)
      }
      if (opts.days < 1) {
        throw new ExitError(`--days must be 1 or more, not ${opts.days}: the certificate would be expired already`, EXIT_USAGE)
      }
      let certificate
      try {
        certificate = await signCertificate(manager, { grid: opts.grid, subject: opts.node, services: opts.services, expiresAtMs: Date.now() + opts.days * 86_400_000 })
      } catch (err) {
        throw new ExitError(describeError(err), EXIT_USAGE)
      }
      await writeFile(opts.out, certificate)
      const c = describeCertificate(certificate)
      process.stdout.write(`wrote ${opts.out}: ${c.subject} admitted to grid ${c.grid} for ${c.services.length > 0 ? c.services.join(', ') : 'all services'} until ${new Date(c.expiresAtMs).toISOString()}\n`)
    })

  program.command('network-key')
    .description('create a private network key (libp2p swarm key): only nodes holding it can connect; set network_key_file')
    .argument('<file>', 'file to create')
    .action(async (file: string) => {
      const key = new Uint8Array(95)
      generateKey(key)
      try {
        await writeFile(file, key, { mode: 0o600, flag: 'wx' })
      } catch (err) {
        throw new ExitError(`cannot create ${file}: ${describeError(err)}`, EXIT_USAGE)
      }
      process.stdout.write(`created ${file}: copy it to every node of the grid\n`)
    })

  return program
}
