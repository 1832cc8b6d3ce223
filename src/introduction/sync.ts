/**
 * The sync part: answers sync exchanges from others (both protocol versions, bounded by
 * the protocol modules, MAX_INBOUND_SYNC_STREAMS per connection and
 * MAX_CONCURRENT_SYNC_ANSWERS in all), and asks — when a peer that speaks sync is
 * identified (at once, and FOLLOW_UP_SYNC_MS later), when a service is followed after
 * start (a few connected peers), and every anti-entropy interval (one random connected
 * peer that speaks sync), to repair whatever gossip lost.
 */
import { repeatingTask, type RepeatingTask } from '@libp2p/utils'
import { asError, describeError } from '../errors.js'
import { answerSync, DEFAULT_MAX_SYNC_RECORDS, SYNC_PROTOCOL } from '../sync/sync-protocol.js'
import { answerSync2, SYNC2_PROTOCOL } from '../sync/sync2-protocol.js'
import { ANTI_ENTROPY_FOLLOW_UPS, CATCH_UP_PEERS, FOLLOW_UP_SYNC_MS, HANDOVER_PEERS, HANDOVER_TIMEOUT_MS, MAX_CONCURRENT_SYNC_ANSWERS, MAX_INBOUND_SYNC_STREAMS, V1_ANTI_ENTROPY_INTERVAL_MS } from './constants.js'
import { shuffled } from './shuffle.js'
import { SyncClient, type SyncOutcome } from './sync-client.js'
import { ExchangeTally, SyncGuard } from './sync-guard.js'
import { SyncItems } from './sync-items.js'
import { SyncRecords } from './sync-records.js'
import type { IntroductionComponents } from './index.js'
import type { Intake } from './intake.js'
import type { ServiceMetrics } from './metrics.js'
import type { SyncRelays } from './relays.js'
import type { FollowedServices, Subscriptions } from './subscriptions.js'
import type { PeerTable } from '../peer-table.js'
import type { AbortOptions, Connection, IdentifyResult, Logger, PeerId, Startable, Stream } from '@libp2p/interface'

export interface SyncInit {
  grid: string
  timeoutMs: number
  antiEntropyIntervalMs: number
  /** The introducer role: relays older news too (sync-records.ts). */
  introducer: boolean
  now: () => number
}

/** The parts of the service the sync part works with. */
export interface SyncDependencies {
  table: PeerTable
  followed: FollowedServices
  subscriptions: Subscriptions
  intake: Intake
  relays: SyncRelays
  metrics: ServiceMetrics
}

interface SyncPeer {
  id: PeerId
  /** Speaks 2.0.0 (else only 1.0.0). */
  v2: boolean
  /** When we last synced with it (to space out full-state 1.0.0 exchanges). */
  lastSyncAt: number
}

export class Sync implements Startable {
  private readonly antiEntropy: RepeatingTask
  /** Follow-up syncs with newly identified peers, pending. */
  private readonly followUps = new Set<ReturnType<typeof setTimeout>>()
  /** Connected peers that speak sync, as identify told. */
  private readonly peers = new Map<string, SyncPeer>()
  private answering = 0
  private started = false
  private readonly table: PeerTable
  private readonly followed: FollowedServices
  private readonly subscriptions: Subscriptions
  private readonly metrics: ServiceMetrics
  private readonly items: SyncItems
  private readonly guard: SyncGuard
  private readonly records: SyncRecords
  private readonly client: SyncClient

  constructor (
    private readonly components: Pick<IntroductionComponents, 'registrar' | 'events' | 'pubsub' | 'connectionManager'>,
    deps: SyncDependencies,
    private readonly init: SyncInit,
    private readonly log: Logger
  ) {
    ({ table: this.table, followed: this.followed, subscriptions: this.subscriptions, metrics: this.metrics } = deps)
    this.items = new SyncItems(deps.table, init.now)
    this.guard = new SyncGuard(components.connectionManager, init.now, log)
    this.records = new SyncRecords(deps.intake, deps.relays, init)
    this.client = new SyncClient(components.connectionManager, this.records, this.items, deps.followed, this.guard, deps.metrics, init, log)
    this.antiEntropy = repeatingTask(async () => { await this.repair() }, init.antiEntropyIntervalMs)
  }

  /** Peers penalised for invalid sync records, since start. */
  get penalised (): number {
    return this.guard.penalised
  }

  async start (): Promise<void> {
    this.client.start()
    this.items.start()
    const options = { maxInboundStreams: MAX_INBOUND_SYNC_STREAMS, runOnLimitedConnection: false }
    await this.components.registrar.handle(SYNC2_PROTOCOL, this.answer, options)
    await this.components.registrar.handle(SYNC_PROTOCOL, this.answer, options)
    this.components.events.addEventListener('peer:identify', this.onIdentify)
    this.components.events.addEventListener('peer:disconnect', this.onDisconnect)
    this.subscriptions.addEventListener('subscribed', this.onSubscribed)
    this.started = true
  }

  afterStart (): void {
    this.antiEntropy.start()
  }

  async stop (): Promise<void> {
    this.started = false
    this.antiEntropy.stop()
    this.client.stop()
    this.items.stop()
    for (const timer of this.followUps) {
      clearTimeout(timer)
    }
    this.followUps.clear()
    this.peers.clear()
    this.components.events.removeEventListener('peer:identify', this.onIdentify)
    this.components.events.removeEventListener('peer:disconnect', this.onDisconnect)
    this.subscriptions.removeEventListener('subscribed', this.onSubscribed)
    await this.components.registrar.unhandle(SYNC2_PROTOCOL)
    await this.components.registrar.unhandle(SYNC_PROTOCOL)
  }

  /**
   * At a graceful stop, after the withdrawals: hands them over by sync 2.0.0 to up to
   * HANDOVER_PEERS connected peers, which relay them on gossip. Gossip alone loses them
   * when the connection closes before the peer has processed them (libp2p closes
   * connections right after this phase); a sync exchange ends only once both sides have
   * read each other's records. Bounded by HANDOVER_TIMEOUT_MS in all; never throws.
   */
  async handOver (): Promise<void> {
    const peers = [...this.peers.values()].filter(p => p.v2 && !this.guard.isPenalised(p.id))
    const signal = AbortSignal.timeout(HANDOVER_TIMEOUT_MS)
    await Promise.allSettled(shuffled(peers).slice(0, HANDOVER_PEERS).map(async p => this.client.syncWith(p.id, { signal })))
  }

  async syncWith (peer: PeerId, options?: AbortOptions): Promise<number> {
    return (await this.exchangeWith(peer, options)).taken
  }

  private async exchangeWith (peer: PeerId, options?: AbortOptions): Promise<SyncOutcome> {
    const outcome = await this.client.syncWith(peer, options)
    const known = this.peers.get(peer.toString())
    if (known != null) {
      known.lastSyncAt = this.init.now()
    }
    return outcome
  }

  private readonly answer = async (stream: Stream, connection: Connection): Promise<void> => {
    const peer = connection.remotePeer
    if (this.guard.isPenalised(peer) || this.answering >= MAX_CONCURRENT_SYNC_ANSWERS) {
      stream.abort(new Error(this.answering >= MAX_CONCURRENT_SYNC_ANSWERS ? 'too many sync exchanges at once' : 'penalised'))
      return
    }
    this.answering++
    this.metrics.sync('served')
    const tally = new ExchangeTally()
    const signal = AbortSignal.timeout(this.init.timeoutMs)
    try {
      if (stream.protocol === SYNC2_PROTOCOL) {
        const snapshot = this.items.current()
        const summary = await answerSync2(stream, {
          grid: this.init.grid,
          services: this.followed.list(),
          items: snapshot.items,
          getRecord: (item) => snapshot.record(item),
          onRecord: async (data, ageMs) => { await this.records.take(data, peer, ageMs, tally) },
          timeoutMs: this.init.timeoutMs,
          signal
        })
        this.metrics.syncBytes(summary.bytesSent, summary.bytesReceived)
      } else {
        await answerSync(stream, {
          grid: this.init.grid,
          // live entries first, and never more than an asker takes
          records: (wanted) => this.table.records(wanted, { limit: DEFAULT_MAX_SYNC_RECORDS }).map(r => r.signed),
          signal
        })
      }
    } catch (err) {
      this.log('sync answer to %p failed: %s', peer, describeError(err))
      stream.abort(asError(err))
      if (tally.exceeded) {
        this.guard.penalise(peer, err)
      }
    } finally {
      this.answering--
    }
  }

  private background (peer: PeerId): void {
    void this.syncWith(peer).catch(() => {}) // logged and counted by the client
  }

  private readonly onIdentify = (evt: CustomEvent<IdentifyResult>): void => {
    const { peerId: peer, protocols } = evt.detail
    const v2 = protocols.includes(SYNC2_PROTOCOL)
    if (!this.started || (!v2 && !protocols.includes(SYNC_PROTOCOL))) {
      return
    }
    const key = peer.toString()
    const known = this.peers.get(key)
    this.peers.set(key, { id: peer, v2, lastSyncAt: known?.lastSyncAt ?? -Infinity })
    if (!this.guard.allowIdentifySync(peer)) {
      return
    }
    // a 2.0.0 exchange is push-pull and teaches both sides, so of two 2.0.0 peers only
    // the one that dialled asks at once: an exchange each way would carry every record
    // twice (a late joiner checked each signature twice)
    if (!v2 || evt.detail.connection?.direction !== 'inbound') {
      this.background(peer)
    }
    // and once more a little later (FOLLOW_UP_SYNC_MS says why), if still connected
    this.followUp(() => {
      if (this.components.connectionManager.getConnections(peer).length > 0) {
        this.background(peer)
      }
    })
  }

  /** Runs `then` FOLLOW_UP_SYNC_MS from now if still started (cleared at stop). */
  private followUp (then: () => void): void {
    const timer = setTimeout(() => {
      this.followUps.delete(timer)
      if (this.started) {
        then()
      }
    }, FOLLOW_UP_SYNC_MS)
    this.followUps.add(timer)
  }

  private readonly onDisconnect = (evt: CustomEvent<PeerId>): void => {
    this.peers.delete(evt.detail.toString())
  }

  /**
   * A service followed after start: catch up from a few connected peers that speak sync,
   * at once and once more FOLLOW_UP_SYNC_MS later, for records they learn moments later.
   */
  private readonly onSubscribed = (): void => {
    const catchUp = (): void => {
      for (const peer of [...this.peers.values()].filter(p => !this.guard.isPenalised(p.id)).slice(0, CATCH_UP_PEERS)) {
        this.background(peer.id)
      }
    }
    catchUp()
    this.followUp(catchUp)
  }

  /**
   * Anti-entropy: sync with one random connected peer that speaks sync and is not
   * penalised, and with more while they move records (ANTI_ENTROPY_FOLLOW_UPS). A 1.0.0-only peer costs a whole state per exchange, so it is asked at most
   * every V1_ANTI_ENTROPY_INTERVAL_MS.
   */
  private async repair (): Promise<void> {
    const now = this.init.now()
    const candidates = shuffled([...this.peers.values()].filter(p =>
      !this.guard.isPenalised(p.id) && (p.v2 || now - p.lastSyncAt >= V1_ANTI_ENTROPY_INTERVAL_MS)))
    // one random peer; while an exchange moves records either way, up to ANTI_ENTROPY_FOLLOW_UPS more
    for (const peer of candidates.slice(0, 1 + ANTI_ENTROPY_FOLLOW_UPS)) {
      if (!this.started) {
        return
      }
      let moved = 0
      try {
        const outcome = await this.exchangeWith(peer.id)
        moved = outcome.taken + outcome.sent
      } catch (err) {
        this.log('anti-entropy sync with %p: %s', peer.id, describeError(err))
      }
      if (moved === 0) {
        return
      }
    }
  }
}
