/**
 * `introducer run DIR`: one node process with the roles its configuration gives. Writes
 * DIR/node.json (peer id, addresses, HTTP URL, pid) once it is up, logs one line per
 * meaningful event, and on SIGINT/SIGTERM withdraws its announcements and stops.
 */
import { readFile, rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { readBootstrapFile } from '../bootstrap-file.js'
import { createNode, type IntroducerNode, type NodeOptions } from '../node.js'
import { FileStore, writeFileAtomic } from '../store/data-dir.js'
import { startHttpServer } from './http.js'
import { NODE_INFO_FILE, type NodeInfoFile } from './node-info.js'
import { ConfigError, type Config } from './config/index.js'
import { describeError } from '../errors.js'
import type { ServicePeer } from '../peer-table.js'
import type { FastifyInstance } from 'fastify'

export type Log = (message: string) => void

export interface RunningNode {
  node: IntroducerNode
  httpUrl?: string
  stop(): Promise<void>
}


export function roles (config: Config): string[] {
  const out: string[] = []
  if (config.introducer === true) out.push('introducer')
  if (config.storage.enabled) out.push(config.storage.readonly ? 'storage (read-only)' : 'storage')
  if (!config.storage.storage_only) out.push('client')
  return out
}

function describePeer (peer: ServicePeer): string {
  // nicknames are untrusted: shown escaped and short
  return `${peer.service} ${peer.peerId.toString()} ${JSON.stringify(peer.nickname.slice(0, 32))}`
}

export async function runNode (dir: string, config: Config, log: Log, plugins: Array<(app: FastifyInstance, node: IntroducerNode) => void> = [], extra: Pick<NodeOptions, 'metrics'> = {}): Promise<RunningNode> {
  const dataDir = resolve(dir)
  const bootstrap = [...config.bootstrap]
  if (config.bootstrap_file !== '') {
    bootstrap.push(...await readBootstrapFile(resolve(dataDir, config.bootstrap_file)))
  }
  if (config.introducer == null) {
    // with nowhere to join, the simplest start is a grid of one: its own introducer
    config = { ...config, introducer: bootstrap.length === 0 }
    if (config.introducer === true) {
      log('no bootstrap entries: starting as a grid of one (introducer role on)')
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
  const node = await createNode({
    ...extra,
    networkKey: await readOptional(config.network_key_file, 'network_key_file'),
    certificate: await readOptional(config.certificate_file, 'certificate_file'),
    admission: { publishers: config.admission.publishers, gridManagers: config.admission.grid_managers },
    dataDir,
    grid: config.grid,
    nickname: config.nickname,
    listen: config.listen,
    bootstrap,
    introducer: config.introducer === true,
    introducerTarget: config.introducer_target,
    announcementTtlMs: config.announcement_ttl_ms,
    services: config.services,
    bootstrapRetryMaxMs: config.dial_retry_max_ms,
    storage: {
      enabled: config.storage.enabled,
      readonly: config.storage.readonly,
      storageOnly: config.storage.storage_only,
      availableSpace: config.storage.available_space
    },
    store: new FileStore({ dir: dataDir, onDiscard: (path, reason) => { log(`discarded ${path}: ${reason}`) } })
  })
  // updates (refreshes, every TTL/3 per publisher) are not logged: they would drown the rest
  for (const [event, verb] of [['peer:added', 'added'], ['peer:withdrawn', 'withdrawn'], ['peer:expired', 'expired']] as const) {
    node.introducer.addEventListener(event, (evt) => { log(`${verb} ${describePeer(evt.detail)}`) })
  }
  node.libp2p.addEventListener('peer:connect', (evt) => { log(`connected ${evt.detail.toString()}`) })
  node.libp2p.addEventListener('peer:disconnect', (evt) => { log(`disconnected ${evt.detail.toString()}`) })

  const startedAt = Date.now()
  let http: { url: string, close(): Promise<void> } | undefined
  try {
    if (config.http.enabled) {
      http = await startHttpServer({
        node,
        info: { nickname: config.nickname, roles: roles(config), startedAt },
        listen: config.http.listen,
        plugins: plugins.map(p => (app: FastifyInstance) => { p(app, node) })
      })
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
    await http?.close()
    await node.stop()
    throw err
  }
  log(`started ${node.peerId.toString()} grid ${config.grid} roles ${roles(config).join(', ')}`)
  for (const ma of node.getMultiaddrs()) {
    log(`listening ${ma.toString()}`)
  }
  if (http != null) {
    log(`welcome page ${http.url}/`)
  }
  return {
    node,
    httpUrl: http?.url,
    stop: async () => {
      await http?.close()
      await node.stop()
      await rm(join(dataDir, NODE_INFO_FILE), { force: true })
      log('stopped')
    }
  }
}
