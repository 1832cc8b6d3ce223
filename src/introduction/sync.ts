/**
 * The sync part: answers sync requests from others (bounded by the protocol module and
 * MAX_INBOUND_SYNC_STREAMS), and asks — when a peer that speaks sync is identified (at
 * once, and FOLLOW_UP_SYNC_MS later), when a service is followed after start (a few
 * connected peers), and every anti-entropy interval (one connected peer, an introducer
 * when there is one) to repair what gossip lost.
 */
import { repeatingTask, type RepeatingTask } from '@libp2p/utils'
import { asError, describeError } from '../errors.js'
import { answerSync, DEFAULT_MAX_SYNC_RECORDS, SYNC_PROTOCOL } from '../sync/sync-protocol.js'
import { CATCH_UP_PEERS, FOLLOW_UP_SYNC_MS, MAX_INBOUND_SYNC_STREAMS } from './constants.js'
import type { ConnectionKeeper } from './connections.js'
import type { IntroductionComponents } from './index.js'
import type { ServiceMetrics } from './metrics.js'
import type { Subscriptions } from './subscriptions.js'
import type { SyncClient } from './sync-client.js'
import type { PeerTable } from '../peer-table.js'
import type { AbortOptions, IdentifyResult, Logger, PeerId, Startable, Stream } from '@libp2p/interface'

export interface SyncInit {
  grid: string
  timeoutMs: number
  antiEntropyIntervalMs: number
}

export class Sync implements Startable {
  private readonly antiEntropy: RepeatingTask
  /** Follow-up syncs with newly identified peers, pending. */
  private readonly followUps = new Set<ReturnType<typeof setTimeout>>()
  private started = false

  constructor (
    private readonly components: Pick<IntroductionComponents, 'registrar' | 'events' | 'pubsub' | 'connectionManager'>,
    private readonly table: PeerTable,
    private readonly subscriptions: Subscriptions,
    private readonly client: SyncClient,
    private readonly keeper: ConnectionKeeper,
    private readonly metrics: ServiceMetrics,
    private readonly init: SyncInit,
    private readonly log: Logger
  ) {
    this.antiEntropy = repeatingTask(async () => { await this.repair() }, init.antiEntropyIntervalMs)
  }

  async start (): Promise<void> {
    this.client.start()
    await this.components.registrar.handle(SYNC_PROTOCOL, this.answer, { maxInboundStreams: MAX_INBOUND_SYNC_STREAMS, runOnLimitedConnection: false })
    this.components.events.addEventListener('peer:identify', this.onIdentify)
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
    for (const timer of this.followUps) {
      clearTimeout(timer)
    }
    this.followUps.clear()
    this.components.events.removeEventListener('peer:identify', this.onIdentify)
    this.subscriptions.removeEventListener('subscribed', this.onSubscribed)
    await this.components.registrar.unhandle(SYNC_PROTOCOL)
  }

  async syncWith (peer: PeerId, options?: AbortOptions): Promise<number> {
    return this.client.syncWith(peer, options)
  }

  private readonly answer = async (stream: Stream): Promise<void> => {
    this.metrics.sync('served')
    try {
      await answerSync(stream, {
        grid: this.init.grid,
        // live entries first, and never more than an asker takes
        records: (wanted) => this.table.records(wanted, { limit: DEFAULT_MAX_SYNC_RECORDS }).map(r => r.signed),
        signal: AbortSignal.timeout(this.init.timeoutMs)
      })
    } catch (err) {
      this.log('sync answer failed: %s', describeError(err))
      stream.abort(asError(err))
    }
  }

  private background (peer: PeerId): void {
    void this.client.syncWith(peer).catch(() => {}) // logged and counted by the client
  }

  private readonly onIdentify = (evt: CustomEvent<IdentifyResult>): void => {
    if (!this.started || !evt.detail.protocols.includes(SYNC_PROTOCOL)) {
      return
    }
    const peer = evt.detail.peerId
    this.background(peer)
    // and once more a little later (FOLLOW_UP_SYNC_MS says why), if still connected
    const timer = setTimeout(() => {
      this.followUps.delete(timer)
      if (this.started && this.components.connectionManager.getConnections(peer).length > 0) {
        this.background(peer)
      }
    }, FOLLOW_UP_SYNC_MS)
    this.followUps.add(timer)
  }

  /** A service followed after start: catch up at once from a few connected peers. */
  private readonly onSubscribed = (): void => {
    for (const peer of this.components.pubsub.getPeers().slice(0, CATCH_UP_PEERS)) {
      this.background(peer)
    }
  }

  /** Anti-entropy: sync with one connected peer (an introducer when there is one). */
  private async repair (): Promise<void> {
    const introducers = this.keeper.connectedIntroducers()
    const candidates = introducers.length > 0 ? introducers : this.components.pubsub.getPeers()
    if (candidates.length === 0) {
      return
    }
    const peer = candidates[Math.floor(Math.random() * candidates.length)]
    try {
      await this.client.syncWith(peer)
    } catch (err) {
      this.log('anti-entropy sync with %p: %s', peer, describeError(err))
    }
  }
}
