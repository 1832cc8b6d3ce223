/**
 * Keeps this node connected: bootstrap entries are dialled until they answer (libp2p's
 * bootstrap module dials once only) and re-dialled with exponential backoff while they
 * are down; connections to known introducers are kept at the target count, replacing
 * lost ones from what the peer table knows, those reached before first; a node with no
 * connection at all falls back on any peer it knows (e.g. from its cache). Which
 * addresses may be dialled when is the DialPolicy's: per-address backoff, and a budget
 * for addresses never confirmed, so that records cannot aim the grid's dials at a third
 * party (issue #10). Kept connections are tagged so that libp2p re-dials them when they
 * drop.
 */
import { KEEP_ALIVE } from '@libp2p/interface'
import { repeatingTask, type RepeatingTask } from '@libp2p/utils'
import { INTRODUCER } from '../announcement/names.js'
import { describeError } from '../errors.js'
import { DialPolicy, withoutPeer, withPeer, type DialCounts, type DialPlan } from './dial-policy.js'
import { MAX_DIAL_ADDRESSES } from './constants.js'
import { shuffled } from './shuffle.js'
import type { DialTarget } from './bootstrap-entry.js'
import type { Reachability } from './cache.js'
import type { IntroductionComponents } from './index.js'
import type { ResolvedOptions } from './options.js'
import type { PeerTable, ServicePeer } from '../peer-table.js'
import type { Connection, Logger, PeerId, Startable } from '@libp2p/interface'

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

type DialResult = 'started' | 'skipped' | 'over-budget'

export type KeeperOptions = Pick<ResolvedOptions, 'bootstrap' | 'bootstrapRetryMs' | 'bootstrapRetryMaxMs' | 'introducerTarget' | 'maintenanceIntervalMs' | 'now'>

export class ConnectionKeeper implements Startable, Reachability {
  private readonly backoff = new Map<string, Backoff>()
  private readonly maintenance: RepeatingTask
  private readonly policy: DialPolicy
  private readonly counts: DialCounts = { confirmed: 0, new: 0, failed: 0, 'over-budget': 0 }
  /** The entries given at start, then those added at run time. */
  private readonly bootstrap: DialTarget[]
  private running = false

  constructor (
    private readonly components: Pick<IntroductionComponents, 'peerId' | 'connectionManager' | 'peerStore' | 'events'>,
    private readonly table: PeerTable,
    private readonly init: KeeperOptions,
    private readonly log: Logger
  ) {
    this.maintenance = repeatingTask(() => { this.tick() }, init.maintenanceIntervalMs, { runImmediately: true })
    this.policy = new DialPolicy({ retryMs: init.bootstrapRetryMs, retryMaxMs: init.bootstrapRetryMaxMs })
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
    this.components.events.addEventListener('connection:open', this.onConnection)
    for (const connection of this.components.connectionManager.getConnections()) {
      this.policy.connected(connection.remotePeer.toString(), connection.remoteAddr, connection.direction)
    }
    this.running = true
    this.maintenance.start()
  }

  stop (): void {
    this.running = false
    this.maintenance.stop()
    this.components.events.removeEventListener('connection:open', this.onConnection)
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

  /** Whether this node had a connection with `peer`'s publisher at an address of its record (Reachability). */
  reached (peer: ServicePeer): boolean {
    return this.policy.confirmedAny(peer.peerId.toString(), peer.multiaddrs)
  }

  /** Restored from the cache: `peer`'s addresses count as confirmed (Reachability). */
  confirm (peer: ServicePeer): void {
    this.policy.confirm(peer.peerId.toString(), peer.multiaddrs)
  }

  dialCounts (): DialCounts {
    return { ...this.counts }
  }

  private readonly onConnection = (evt: CustomEvent<Connection>): void => {
    const connection = evt.detail
    this.policy.connected(connection.remotePeer.toString(), connection.remoteAddr, connection.direction)
  }

  /** One pass: bootstrap peers, introducers up to the target, and a fallback. Never throws. */
  private tick (): void {
    for (const target of this.bootstrap) {
      if (!this.isConnected(target.peerId)) {
        this.dial(target, true)
      }
    }
    const introducers = this.dialTargets(this.table.getPeers(INTRODUCER))
    let connected = introducers.filter(t => this.isConnected(t.peerId)).length
    if (connected < this.init.introducerTarget) {
      for (const target of this.preferred(introducers.filter(t => !this.isConnected(t.peerId)))) {
        if (connected >= this.init.introducerTarget) {
          break
        }
        const result = this.dial(target)
        if (result === 'started') {
          connected++
        } else if (result === 'over-budget') {
          break // the rest are new too
        }
      }
    }
    if (this.components.connectionManager.getConnections().length === 0) {
      // e.g. a restart from the cache while every bootstrap peer is down
      const known = [...this.table.sizes().keys()].flatMap(service => this.table.getPeers(service))
      let dialled = 0
      for (const target of this.preferred(this.dialTargets(known))) {
        if (dialled >= FALLBACK_DIALS) {
          break
        }
        const result = this.dial(target)
        if (result === 'started') {
          dialled++
        } else if (result === 'over-budget') {
          break
        }
      }
    }
  }

  /** Targets with a confirmed address that may be dialled now first, each group in random order. */
  private preferred (targets: DialTarget[]): DialTarget[] {
    const now = this.init.now()
    const known: DialTarget[] = []
    const others: DialTarget[] = []
    for (const target of targets) {
      (this.policy.hasConfirmed(target.peerId.toString(), target.multiaddrs, now) ? known : others).push(target)
    }
    return [...shuffled(known), ...shuffled(others)]
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

  /**
   * Starts a dial unless one is under way, the peer or its addresses are backing off, or
   * (for addresses never confirmed) the budget is spent. `configured`: a bootstrap entry.
   */
  private dial (target: DialTarget, configured = false): DialResult {
    const key = target.peerId.toString()
    if (target.peerId.equals(this.components.peerId)) {
      return 'skipped'
    }
    const state = this.backoff.get(key) ?? { failures: 0, nextAttemptAt: 0, inFlight: false }
    const now = this.init.now()
    if (state.inFlight || state.nextAttemptAt > now) {
      return 'skipped'
    }
    const plan = this.policy.plan(key, target.multiaddrs, now, configured)
    if (plan === 'over-budget') {
      this.counts['over-budget']++
      return plan
    }
    if (plan === 'waiting') {
      return 'skipped'
    }
    this.counts[plan.confirmed ? 'confirmed' : 'new']++
    state.inFlight = true
    this.backoff.delete(key)
    this.backoff.set(key, state)
    if (this.backoff.size > MAX_DIAL_ADDRESSES) {
      const oldest = this.backoff.entries().next().value
      if (oldest != null && !oldest[1].inFlight) this.backoff.delete(oldest[0])
    }
    this.policy.started(plan)
    void this.connect(target.peerId, plan).then(() => {
      state.failures = 0
      state.nextAttemptAt = 0
      this.policy.succeeded(plan)
    }, (err: unknown) => {
      this.counts.failed++
      state.failures++
      const delay = Math.min(this.init.bootstrapRetryMaxMs, this.init.bootstrapRetryMs * 2 ** Math.min(30, state.failures - 1))
      const now = this.init.now()
      state.nextAttemptAt = now + delay
      const addressDelay = this.policy.failed(plan, now)
      this.log('dial %p failed (%d times, %s address), next try in %d ms: %s', target.peerId, state.failures,
        plan.confirmed ? 'a confirmed' : 'a new', Math.max(delay, addressDelay), describeError(err))
    }).finally(() => {
      state.inFlight = false
    })
    return 'started'
  }

  /** Dials exactly the plan's addresses; only once connected is the peer kept (tagged). */
  private async connect (peerId: PeerId, plan: DialPlan): Promise<void> {
    const { peerStore, connectionManager } = this.components
    await connectionManager.openConnection(plan.multiaddrs.map(ma => withPeer(ma, peerId)), { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) })
    await peerStore.merge(peerId, {
      multiaddrs: plan.multiaddrs.map(withoutPeer),
      tags: { [KEEP_ALIVE_TAG]: { value: 1 } }
    })
  }
}
