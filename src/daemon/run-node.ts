/**
 * One node process's node: created unstarted so that the log sees all of its start (peers
 * loaded from the cache, the first connections), then started; HTTP; DIR/node.json (peer
 * id, addresses, HTTP URL, pid) once it is up; one log line per meaningful event.
 */
import { readFile, rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { readBootstrapFile } from '../bootstrap-file.js'
import { createNode, type IntroducerNode, type NodeOptions } from '../node.js'
import { FileStore, writeFileAtomic } from '../store/data-dir.js'
import { BootstrapWatch } from './bootstrap-watch.js'
import { Contacts } from './contacts.js'
import { GridIndex } from './grid-index.js'
import { startHttpServer } from './http.js'
import { applyPublications, publications, type PublicationChange, type Publications } from './publications.js'
import { NODE_INFO_FILE, type NodeInfoFile } from './node-info.js'
import { ConfigError, type Config } from './config/index.js'
import { quote, type Logger } from './log.js'
import { LogBudget } from './log-budget.js'
import { readiness, type Readiness } from './readiness.js'
import { describeError } from '../errors.js'
import { TAHOE_STORAGE_SERVICE } from '../tahoe/carriage.js'
import { startTahoeGateway } from './tahoe.js'
import type { TahoeGateway } from '../tahoe/gateway.js'
import type { ServicePeer } from '../peer-table.js'
import type { ApiInit } from './api.js'
import type { FastifyInstance } from 'fastify'

/** A route owner (welcome page, metrics): gets the app and what the API is built from. */
export type HttpPlugin = (app: FastifyInstance, context: ApiInit) => void

export interface RunningNode {
  node: IntroducerNode
  httpUrl?: string
  readiness(): Readiness
  /** Takes what a changed configuration allows without a restart (SIGHUP); returns what changed. */
  reload(config: Config): Promise<string[]>
  stop(): Promise<void>
}

/** A listen address (libp2p or HTTP) that another process holds: the message says which. */
export class AddressInUseError extends Error {
  static readonly NAME = 'AddressInUseError'
  override readonly name = AddressInUseError.NAME
}

/** Whether an error (or one of its causes) is EADDRINUSE. */
function isAddressInUse (err: unknown): boolean {
  for (let e = err, depth = 0; e != null && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE' || /EADDRINUSE/.test(String((e as Error).message))) return true
    if (e instanceof AggregateError && e.errors.some(isAddressInUse)) return true
  }
  return false
}

export function roles (config: Config): string[] {
  const out: string[] = []
  if (config.introducer === true) out.push('introducer')
  if (config.storage.enabled) out.push(config.storage.readonly ? 'storage (read-only)' : 'storage')
  if (!config.storage.storage_only) out.push('client')
  return out
}

/** The bootstrap entries of a configuration: `bootstrap`, then the file's. */
export async function bootstrapEntries (dataDir: string, config: Config): Promise<string[]> {
  const entries = [...config.bootstrap]
  if (config.bootstrap_file !== '') {
    entries.push(...await readBootstrapFile(resolve(dataDir, config.bootstrap_file)))
  }
  return [...new Set(entries)]
}

function peerFields (peer: ServicePeer): Record<string, string> {
  return { service: peer.service, peer: peer.peerId.toString(), nickname: peer.nickname, version: peer.version }
}

const describeChange = (c: PublicationChange): string => `${c.change} ${c.service}${c.error != null ? ` FAILED (${c.error})` : ''}`

/** What is published after `changes` were tried from `current` towards `next`. */
function published (current: Publications, next: Publications, changes: PublicationChange[]): Publications {
  const out = new Map(next)
  for (const c of changes.filter(c => c.error != null)) {
    const before = current.get(c.service)
    if (before != null) out.set(c.service, before)
    else out.delete(c.service)
  }
  return out
}

export async function runNode (dir: string, config: Config, log: Logger, plugins: HttpPlugin[] = [], extra: Pick<NodeOptions, 'metrics'> = {}): Promise<RunningNode> {
  const dataDir = resolve(dir)
  const bootstrap = await bootstrapEntries(dataDir, config)
  if (config.introducer == null) {
    // with nowhere to join, the simplest start is a grid of one: its own introducer
    config = { ...config, introducer: bootstrap.length === 0 }
    if (config.introducer === true) {
      log.info('no bootstrap entries: starting as a grid of one (introducer role on)')
    }
  }
  const readOptional = async (file: string, what: string): Promise<Uint8Array | undefined> => {
    if (file === '') {
      return undefined
    }
    try {
      return await readFile(resolve(dataDir, file))
    } catch (err) {
      throw new ConfigError(`${what} ${resolve(dataDir, file)}: cannot read: ${describeError(err)}`)
    }
  }
  const certificate = await readOptional(config.certificate_file, 'certificate_file')
  const node = await createNode({
    ...extra,
    start: false,
    networkKey: await readOptional(config.network_key_file, 'network_key_file'),
    certificate,
    admission: { publishers: config.admission.publishers, gridManagers: config.admission.grid_managers },
    dataDir,
    grid: config.grid,
    nickname: config.nickname,
    listen: config.listen,
    bootstrap,
    introducer: config.introducer === true,
    introducerTarget: config.introducer_target,
    announcementTtlMs: config.announcement_ttl_ms,
    // a node follows what it announces too (introducers then follow and hold it), and the
    // gateway's service from the start, so that the cache keeps its records
    services: [...new Set([...config.services, ...Object.keys(config.publish), ...(config.tahoe.enabled ? [TAHOE_STORAGE_SERVICE] : [])])],
    bootstrapRetryMaxMs: config.dial_retry_max_ms,
    pingIntervalMs: config.ping_interval_ms,
    pingTimeoutMs: config.ping_timeout_ms,
    storage: {
      enabled: config.storage.enabled,
      readonly: config.storage.readonly,
      storageOnly: config.storage.storage_only,
      availableSpace: config.storage.available_space
    },
    store: new FileStore({ dir: dataDir, onDiscard: (path, reason) => { log.warn(`discarded ${path}: ${reason}`, { event: 'discarded', path, reason }) } })
  })
  // before start: the peers of the cache and the first connections are logged too.
  // Updates (refreshes, every TTL/3 per publisher) are not: they would drown the rest.
  // at most DEFAULT_LOG_LINES_PER_WINDOW of each kind per window, then one line saying how many more
  const budget = new LogBudget({
    summary: (verb, left, { lines, windowMs }) => {
      log.info(`${verb} ${left} more peers (not logged one by one: at most ${lines} lines per ${windowMs / 1000} s)`, { event: `${verb}-more`, count: left })
    }
  })
  for (const [event, verb] of [['peer:added', 'added'], ['peer:withdrawn', 'withdrawn'], ['peer:expired', 'expired']] as const) {
    node.introducer.addEventListener(event, (evt) => {
      budget.line(verb, () => {
        const p = evt.detail
        log.info(`${verb} ${p.service} ${p.peerId.toString()} ${quote(p.nickname, 32)}`, { event: verb, ...peerFields(p) })
      })
    })
  }
  node.introducer.addEventListener('store:error', (evt) => {
    const f = evt.detail
    log.error(`data directory: ${f.operation} failed, going on in memory: ${quote(f.message, 200)}`, { event: 'store-error', operation: f.operation, message: f.message })
  })
  node.introducer.addEventListener('peer:clock-skew', (evt) => {
    const { peerId, service, offsetMs } = evt.detail
    const minutes = Math.round(offsetMs / 60_000)
    log.warn(`clock of ${peerId.toString()} (${service}) looks ${Math.abs(minutes)} min ${offsetMs > 0 ? 'ahead of' : 'behind'} ours: check both clocks (records still expire by ours)`,
      { event: 'clock-skew', peer: peerId.toString(), service, offsetMs })
  })
  node.libp2p.addEventListener('peer:connect', (evt) => { log.info(`connected ${evt.detail.toString()}`, { event: 'connected', peer: evt.detail.toString() }) })
  node.libp2p.addEventListener('peer:disconnect', (evt) => { log.info(`disconnected ${evt.detail.toString()}`, { event: 'disconnected', peer: evt.detail.toString() }) })

  // before start, as the log's listeners: it sees the peers of the cache too
  const index = new GridIndex(node.introducer)
  const watch = new BootstrapWatch(node, log, bootstrap)
  const contacts = new Contacts(node)
  contacts.start()
  // createNode publishes the storage services itself; the [publish] ones are added after start
  let announced = publications({ ...config, publish: {} })
  let started = false
  const state = (): Readiness => readiness(node, { started, bootstrapEntries: watch.size, unreachableBootstrap: watch.unreachable(), known: (service) => index.count(service) })
  const startedAt = Date.now()
  let http: { url: string, close(): Promise<void> } | undefined
  let gateway: TahoeGateway | undefined
  try {
    try {
      await node.start()
    } catch (err) {
      if (!isAddressInUse(err)) throw err
      // libp2p's message lists each address that failed, with a stack: name the addresses only
      const failed = [...String((err as Error).message).matchAll(/^\s*(\/\S+): \S*Error: listen EADDRINUSE/gm)].map(m => m[1])
      throw new AddressInUseError(`listen address in use by another process: ${(failed.length > 0 ? failed : config.listen).join(', ')} (listen)`)
    }
    watch.start()
    if (config.tahoe.enabled) {
      try {
        gateway = await startTahoeGateway(dataDir, config, node, log, certificate)
      } catch (err) {
        throw isAddressInUse(err) ? new AddressInUseError(`the Tahoe introducer address ${config.tahoe.listen} is in use by another process (tahoe.listen)`) : err
      }
    }
    const wanted = publications(config)
    const changes = await applyPublications(node, announced, wanted)
    const failed = changes.find(c => c.error != null)
    if (failed != null) {
      throw new ConfigError(`publish.${failed.service}: cannot announce it: ${failed.error ?? ''}`)
    }
    announced = wanted
    for (const c of changes) {
      log.info(`publishing ${c.service}`, { event: 'publishing', service: c.service })
    }
    if (config.http.enabled) {
      try {
        http = await startHttpServer({
          node,
          info: { nickname: config.nickname, roles: roles(config), startedAt, readiness: state, tahoe: gateway?.status.bind(gateway) },
          contacts,
          index,
          listen: config.http.listen,
          plugins
        })
      } catch (err) {
        throw isAddressInUse(err) ? new AddressInUseError(`the HTTP address ${config.http.listen} is in use by another process (http.listen)`) : err
      }
    }
    const info: NodeInfoFile = {
      peerId: node.peerId.toString(),
      multiaddrs: node.getMultiaddrs().map(String),
      http: http?.url ?? null,
      pid: process.pid,
      grid: config.grid,
      roles: roles(config)
    }
    await writeFileAtomic(join(dataDir, NODE_INFO_FILE), JSON.stringify(info, null, 2) + '\n')
  } catch (err) {
    watch.stop()
    contacts.stop()
    index.close()
    await http?.close()
    await gateway?.stop()
    await node.stop()
    budget.flush()
    throw err
  }
  started = true
  log.info(`started ${node.peerId.toString()} grid ${config.grid} roles ${roles(config).join(', ')}`, { event: 'started', peer: node.peerId.toString(), grid: config.grid, roles: roles(config) })
  for (const ma of node.getMultiaddrs()) {
    log.info(`listening ${ma.toString()}`, { event: 'listening', multiaddr: ma.toString() })
  }
  if (http != null) {
    log.info(`welcome page ${http.url}/`, { event: 'http', url: http.url })
  }
  return {
    node,
    httpUrl: http?.url,
    readiness: state,
    reload: async (next) => {
      const applied: string[] = []
      if (next.log_level !== log.level) {
        applied.push(`log_level ${log.level} -> ${next.log_level}`)
        log.setLevel(next.log_level)
      }
      const added = watch.reload(await bootstrapEntries(dataDir, next))
      if (added.length > 0) applied.push(`${added.length} new bootstrap entr${added.length === 1 ? 'y' : 'ies'}, dialled now`)
      const wanted = publications(next)
      const changes = await applyPublications(node, announced, wanted)
      announced = published(announced, wanted, changes)
      applied.push(...changes.map(describeChange))
      return applied
    },
    stop: async () => {
      watch.stop()
      contacts.stop()
      await http?.close()
      await gateway?.stop()
      await node.stop()
      index.close()
      budget.flush()
      await rm(join(dataDir, NODE_INFO_FILE), { force: true })
      log.info('stopped', { event: 'stopped' })
    }
  }
}
