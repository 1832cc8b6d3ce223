/**
 * `createNode()`: a complete node — a libp2p host (TCP, Noise, Yamux, identify,
 * gossipsub set up for signed records) with the introduction service — started on
 * return. Storage and client roles of Tahoe #271 are options here.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { gossipsub, type GossipSub, type GossipsubOpts } from '@libp2p/gossipsub'
import { identify, type Identify } from '@libp2p/identify'
import { preSharedKey } from '@libp2p/pnet'
import { tcp } from '@libp2p/tcp'
import { createLibp2p, type Libp2p, type Libp2pOptions } from 'libp2p'
import { DOWNLOAD_STORAGE, UPLOAD_STORAGE } from './announcement/names.js'
import { InvalidOptionError } from './errors.js'
import { gossipsubOptions } from './gossip/settings.js'
import { connectionSlots, type ConnectionSlotsInit, type ConnectionSlotsService } from './connections/index.js'
import { introducer, type IntroducerService, type IntroductionInit } from './introduction/index.js'
import { FileStore, loadOrCreateKey } from './store/data-dir.js'
import { assertSupportedRuntime } from './version.js'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** Listen on loopback only unless told otherwise: nothing is exposed by accident. */
export const DEFAULT_LISTEN = ['/ip4/127.0.0.1/tcp/0']

/**
 * How often libp2p's connection monitor pings each connected peer (a connection that
 * fails the ping is closed). libp2p's default is 10 s; its pings were more than half of
 * an idle node's CPU and 80 % of its bytes (docs/benchmarks.md), and a dead peer's records
 * do not depend on it (they expire, or are withdrawn).
 */
export const DEFAULT_PING_INTERVAL_MS = 30_000
/** The range `pingIntervalMs` may take. */
export const PING_INTERVAL_RANGE_MS = { min: 1000, max: 3_600_000 } as const

/**
 * The least time a ping is given before its connection is closed (libp2p's adaptive
 * timeout may give more, never less). libp2p's own floor is 5 s: a node whose event loop
 * stalls longer than that (a burst of signature checks, many nodes in one process) lost
 * its connections, and redialling them cost more of the same CPU. In a 1000-node bench on
 * 2 cores, 2 723 of about 5 000 dials failed in the second pass with pings (60 s apart),
 * 81 with none (docs/scaling.md).
 */
export const DEFAULT_PING_TIMEOUT_MS = 20_000
/** The range `pingTimeoutMs` may take. */
export const PING_TIMEOUT_RANGE_MS = { min: 1000, max: 600_000 } as const
/** libp2p's ceiling on the adaptive ping timeout, kept unless the floor is above it. */
const PING_TIMEOUT_MAX_MS = 60_000

export interface StorageOptions {
  /** Offer storage: announce `upload_storage` and `download_storage`. */
  enabled: boolean
  /** Serve reads only: announce `download_storage` alone. @default false */
  readonly?: boolean
  /** Do not subscribe to other storage servers (Tahoe: storage-only nodes). @default false */
  storageOnly?: boolean
  /** Bytes available for new shares, announced when given. */
  availableSpace?: number
}

export interface NodeOptions extends Omit<IntroductionInit, 'services'> {
  /** Key, seqnum and cache live here; everything is in memory when absent. */
  dataDir?: string
  /** Multiaddrs to listen on. @default DEFAULT_LISTEN */
  listen?: string[]
  /** Storage role; client-only (no storage offered) when absent. */
  storage?: StorageOptions
  /** Services to subscribe to besides the defaults (storage services unless storage-only). */
  services?: string[]
  /** The node's key, when not kept in `dataDir`. @default a new Ed25519 key */
  privateKey?: PrivateKey
  /** libp2p metrics implementation, e.g. `prometheusMetrics()` (the daemon uses it). @default none */
  metrics?: Libp2pOptions['metrics']
  /**
   * gossipsub options of your own, applied over `gossipsubOptions()` (e.g. `D`,
   * `maxOutboundBufferSize`). The signature policy and message ids must stay the grid's:
   * the service refuses to start otherwise. @default none
   */
  gossipsub?: Partial<GossipsubOpts>
  /**
   * A libp2p private network key (the bytes of a swarm.key file): only nodes with the same
   * key can connect at all. @default none (an open grid)
   */
  networkKey?: Uint8Array
  /**
   * Start the node before returning. `false`: return it unstarted, so that the caller can
   * add event listeners first and see everything of the start (e.g. peers loaded from the
   * cache, first connections); then it calls `node.start()`. @default true
   */
  start?: boolean
  /** Connection limits per host and peer, reserved slots, pruning (src/connections). @default their defaults */
  connections?: ConnectionSlotsInit
  /** How often each connection is pinged; one whose ping fails is closed. @default DEFAULT_PING_INTERVAL_MS */
  pingIntervalMs?: number
  /** The least time a ping is given before its connection is closed. @default DEFAULT_PING_TIMEOUT_MS */
  pingTimeoutMs?: number
}

export interface IntroducerNode {
  readonly peerId: PeerId
  readonly libp2p: Libp2p<{ identify: Identify, pubsub: GossipSub, introducer: IntroducerService, connectionSlots: ConnectionSlotsService }>
  readonly introducer: IntroducerService
  getMultiaddrs(): Multiaddr[]
  /** Starts the node (and publishes its storage services); for `createNode({ start: false })`. */
  start(): Promise<void>
  /** Withdraws this node's announcements and stops it. */
  stop(): Promise<void>
}

/** Services a node subscribes to by default. */
export function defaultServices (storage?: StorageOptions): string[] {
  return storage?.storageOnly === true ? [] : [UPLOAD_STORAGE, DOWNLOAD_STORAGE]
}

function checkStorage (storage: StorageOptions | undefined): void {
  if (storage == null) {
    return
  }
  if (typeof storage.enabled !== 'boolean') {
    throw new InvalidOptionError('storage.enabled', 'must be true or false')
  }
  const space = storage.availableSpace
  if (space != null && (!Number.isSafeInteger(space) || space < 0)) {
    throw new InvalidOptionError('storage.availableSpace', `must be a whole number of bytes from 0 to 2^53-1, not ${space}`)
  }
}

function checkRange (name: string, ms: number | undefined, { min, max }: { min: number, max: number }): void {
  if (ms != null && (!Number.isSafeInteger(ms) || ms < min || ms > max)) {
    throw new InvalidOptionError(name, `must be a whole number of ms from ${min} to ${max}, not ${ms}`)
  }
}

/**
 * Builds and starts a node. Every option is checked before anything starts; if starting
 * fails, whatever started is stopped again before the error is thrown.
 */
export async function createNode (options: NodeOptions = {}): Promise<IntroducerNode> {
  assertSupportedRuntime()
  checkStorage(options.storage)
  checkRange('pingIntervalMs', options.pingIntervalMs, PING_INTERVAL_RANGE_MS)
  checkRange('pingTimeoutMs', options.pingTimeoutMs, PING_TIMEOUT_RANGE_MS)
  const privateKey = options.privateKey ??
    (options.dataDir != null ? await loadOrCreateKey(options.dataDir) : await generateKeyPair('Ed25519'))
  const { dataDir, listen, storage, services, metrics, networkKey, connections, pingIntervalMs, pingTimeoutMs, privateKey: _key, start, gossipsub: gossipsubInit, ...introInit } = options
  const slots = connectionSlots(connections)

  const libp2p = await createLibp2p({
    start: false,
    privateKey,
    metrics,
    connectionProtector: networkKey != null ? preSharedKey({ psk: networkKey }) : undefined,
    addresses: { listen: listen ?? DEFAULT_LISTEN },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: slots.connectionGater,
    connectionManager: slots.connectionManager,
    connectionMonitor: {
      pingInterval: pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS,
      pingTimeout: { minTimeout: pingTimeoutMs ?? DEFAULT_PING_TIMEOUT_MS, maxTimeout: Math.max(PING_TIMEOUT_MAX_MS, pingTimeoutMs ?? 0) }
    },
    services: {
      connectionSlots: slots.service,
      identify: identify(),
      pubsub: gossipsub({ ...gossipsubOptions({ grid: options.grid, services }), ...gossipsubInit }),
      introducer: introducer({
        ...introInit,
        services: [...defaultServices(storage), ...(services ?? [])],
        store: introInit.store ?? (dataDir != null ? new FileStore({ dir: dataDir }) : undefined)
      })
    }
  })

  const node: IntroducerNode = {
    peerId: libp2p.peerId,
    libp2p,
    introducer: libp2p.services.introducer,
    getMultiaddrs: () => libp2p.getMultiaddrs(),
    start: async () => {
      try {
        await libp2p.start()
        if (storage?.enabled === true) {
          const fields = { readonly: storage.readonly ?? false, availableSpace: storage.availableSpace }
          if (storage.readonly !== true) {
            await node.introducer.publish(UPLOAD_STORAGE, fields)
          }
          await node.introducer.publish(DOWNLOAD_STORAGE, fields)
        }
      } catch (err) {
        await libp2p.stop()
        throw err
      }
    },
    stop: async () => { await libp2p.stop() }
  }
  if (start !== false) {
    await node.start()
  }
  return node
}
