/**
 * Keeps this node connected: bootstrap entries are dialled until they answer (libp2p's
 * bootstrap module dials once only) and re-dialled with exponential backoff while they
 * are down; connections to known introducers are kept at the target count, replacing
 * lost ones from what the peer table knows; a node with no connection at all falls back
 * on any peer it knows (e.g. from its cache). Kept connections are tagged so that libp2p
 * re-dials them when they drop.
 */
import { KEEP_ALIVE } from '@libp2p/interface'
import { repeatingTask, type RepeatingTask } from '@libp2p/utils'
import { INTRODUCER } from '../announcement/names.js'
import { describeError } from '../errors.js'
import type { DialTarget } from './bootstrap-entry.js'
import type { IntroductionComponents } from './index.js'
import type { ResolvedOptions } from './options.js'
import type { PeerTable, ServicePeer } from '../peer-table.js'
import type { Logger, PeerId, Startable } from '@libp2p/interface'

export const KEEP_ALIVE_TAG = `${KEEP_ALIVE}-gossip-introducer`
/** A dial attempt gives up after this long. */
export const DIAL_TIMEOUT_MS = 5000
/** With no connection at all, this many known peers are dialled at once. */
export const FALLBACK_DIALS = 3

interface Backoff {
  failures: number
  nextAttemptAt: number
  inFlight: boolean
}

export type KeeperOptions = Pick<ResolvedOptions, 'bootstrap' | 'bootstrapRetryMs' | 'bootstrapRetryMaxMs' | 'introducerTarget' | 'maintenanceIntervalMs' | 'now'>

export class ConnectionKeeper implements Startable {
  private readonly backoff = new Map<string, Backoff>()
  private readonly maintenance: RepeatingTask
  /** The entries given at start, then those added at run time. */
  private readonly bootstrap: DialTarget[]
  private running = false

  constructor (
    private readonly components: Pick<IntroductionComponents, 'peerId' | 'connectionManager' | 'peerStore'>,
    private readonly table: PeerTable,
    private readonly init: KeeperOptions,
    private readonly log: Logger
  ) {
    this.maintenance = repeatingTask(() => { this.tick() }, init.maintenanceIntervalMs, { runImmediately: true })
    this.bootstrap = [...init.bootstrap]
  }

  /**
   * A bootstrap entry added at run time: kept and dialled like the others, at once when
   * running. An entry for a peer listed already adds its addresses to that peer's. False
   * when nothing is new, or the entry is this node.
   */
  addBootstrap (target: DialTarget): boolean {
    if (target.peerId.equals(this.components.peerId)) {
      return false
    }
    const at = this.bootstrap.findIndex(t => t.peerId.equals(target.peerId))
    if (at >= 0) {
      const known = new Set(this.bootstrap[at].multiaddrs.map(String))
      const fresh = target.multiaddrs.filter(ma => !known.has(ma.toString()))
      if (fresh.length === 0) {
        return false
      }
      this.bootstrap[at] = { peerId: target.peerId, multiaddrs: [...this.bootstrap[at].multiaddrs, ...fresh] }
    } else {
      this.bootstrap.push(target)
    }
    if (this.running) {
      this.maintenance.run()
    }
    return true
  }

  start (): void {
    // dials wait for afterStart: libp2p's transports start in parallel with us
  }

  /** The first pass runs as soon as the node is up. */
  afterStart (): void {
    this.running = true
    this.maintenance.start()
  }

  stop (): void {
    this.running = false
    this.maintenance.stop()
  }

  isConnected (peerId: PeerId): boolean {
    return this.components.connectionManager.getConnections(peerId).length > 0
  }

  /** Introducers this node is connected to (not itself). */
  connectedIntroducers (): PeerId[] {
    return this.table.getPeers(INTRODUCER)
      .map(p => p.peerId)
      .filter(id => !id.equals(this.components.peerId) && this.isConnected(id))
  }

  /** One pass: bootstrap peers, introducers up to the target, and a fallback. Never throws. */
  private tick (): void {
    for (const target of this.bootstrap) {
      if (!this.isConnected(target.peerId)) {
        this.dial(target)
      }
    }
    const introducers = this.dialTargets(this.table.getPeers(INTRODUCER))
    let connected = introducers.filter(t => this.isConnected(t.peerId)).length
    for (const target of shuffle(introducers)) {
      if (connected >= this.init.introducerTarget) {
        break
      }
      if (!this.isConnected(target.peerId) && this.dial(target)) {
        connected++
      }
    }
    if (this.components.connectionManager.getConnections().length === 0) {
      // e.g. a restart from the cache while every bootstrap peer is down
      const known = [...this.table.sizes().keys()].flatMap(service => this.table.getPeers(service))
      for (const target of shuffle(this.dialTargets(known)).slice(0, FALLBACK_DIALS)) {
        this.dial(target)
      }
    }
  }

  /** One target per publisher with addresses, not this node. */
  private dialTargets (peers: ServicePeer[]): DialTarget[] {
    const seen = new Set<string>()
    const out: DialTarget[] = []
    for (const peer of peers) {
      const id = peer.peerId.toString()
      if (!seen.has(id) && !peer.peerId.equals(this.components.peerId) && peer.multiaddrs.length > 0) {
        seen.add(id)
        out.push({ peerId: peer.peerId, multiaddrs: peer.multiaddrs })
      }
    }
    return out
  }

  /** Starts a dial unless one is under way or backing off; true when one started. */
  private dial (target: DialTarget): boolean {
    const key = target.peerId.toString()
    if (target.peerId.equals(this.components.peerId)) {
      return false
    }
    const state = this.backoff.get(key) ?? { failures: 0, nextAttemptAt: 0, inFlight: false }
    const now = this.init.now()
    if (state.inFlight || state.nextAttemptAt > now) {
      return false
    }
    state.inFlight = true
    this.backoff.set(key, state)
    void this.connect(target).then(() => {
      state.failures = 0
      state.nextAttemptAt = 0
    }, (err: unknown) => {
      state.failures++
      const delay = Math.min(this.init.bootstrapRetryMaxMs, this.init.bootstrapRetryMs * 2 ** (state.failures - 1))
      state.nextAttemptAt = this.init.now() + delay
      this.log('dial %p failed (%d times), next try in %d ms: %s', target.peerId, state.failures, delay, describeError(err))
    }).finally(() => {
      state.inFlight = false
    })
    return true
  }

  private async connect (target: DialTarget): Promise<void> {
    const { peerStore, connectionManager } = this.components
    await peerStore.merge(target.peerId, {
      multiaddrs: [...target.multiaddrs],
      tags: { [KEEP_ALIVE_TAG]: { value: 1 } }
    })
    await connectionManager.openConnection(target.peerId, { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) })
  }
}

function shuffle<T> (items: T[]): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[out[i], out[j]] = [out[j], out[i]]
  }
  return out
}
