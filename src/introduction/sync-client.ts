/**
 * The asking side of the sync protocol, as the introduction service uses it: one
 * exchange at a time per peer (a request asked for while one runs is repeated once it
 * ends, so a new subscription is not missed), every record through intake, and news
 * relayed on gossip at once (see FRESH_RECORD_MS).
 */
import { NotStartedError } from '@libp2p/interface'
import { asError, describeError } from '../errors.js'
import { requestSync, SYNC_PROTOCOL } from '../sync/sync-protocol.js'
import type { Intake } from './intake.js'
import type { ServiceMetrics } from './metrics.js'
import type { SyncRelays } from './relays.js'
import type { FollowedServices } from './subscriptions.js'
import type { OfferResult } from '../peer-table.js'
import type { AbortOptions, Logger, PeerId, Startable, Stream } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'

/**
 * A record learned by sync and signed less than this long ago is relayed on gossip by any
 * node: it is likely news to others too (a server that just joined through this node).
 * Older ones, the bulk of a late joiner's catch-up, are relayed only by introducers.
 */
export const FRESH_RECORD_MS = 30_000

/** A sync asked for again while one runs is repeated, at most this many times in all. */
export const MAX_SYNC_ROUNDS = 3

export interface SyncClientInit {
  grid: string
  timeoutMs: number
  /** Relay every record that was news on gossip (the introducer role), not only fresh ones. */
  relayAll: boolean
  now(): number
}

export class SyncClient implements Startable {
  private readonly running = new Map<string, { again: boolean }>()
  private controller = new AbortController()

  constructor (
    private readonly connectionManager: ConnectionManager,
    private readonly intake: Intake,
    private readonly relays: SyncRelays,
    private readonly subscriptions: FollowedServices,
    private readonly metrics: ServiceMetrics,
    private readonly init: SyncClientInit,
    private readonly log: Logger
  ) {}

  start (): void {
    this.controller = new AbortController()
  }

  stop (): void {
    this.controller.abort(new NotStartedError('the introduction service stopped'))
  }

  /**
   * Asks `peer` for what it holds of our services; returns the records taken. A call made
   * while a sync with `peer` runs returns 0 at once, and that sync runs once more when it ends.
   */
  async syncWith (peer: PeerId, options: AbortOptions = {}): Promise<number> {
    const key = peer.toString()
    const running = this.running.get(key)
    if (running != null) {
      // the request under way was sent before whatever asks now (e.g. a new subscription)
      running.again = true
      return 0
    }
    const state = { again: false }
    this.running.set(key, state)
    try {
      let taken = await this.exchange(peer, options)
      for (let round = 1; state.again && !this.controller.signal.aborted && round < MAX_SYNC_ROUNDS; round++) {
        state.again = false
        taken += await this.exchange(peer, options)
      }
      return taken
    } finally {
      this.running.delete(key)
    }
  }

  private async exchange (peer: PeerId, options: AbortOptions): Promise<number> {
    this.metrics.sync('made')
    const signal = AbortSignal.any([
      AbortSignal.timeout(this.init.timeoutMs),
      this.controller.signal,
      ...(options.signal != null ? [options.signal] : [])
    ])
    let taken = 0
    let stream: Stream | undefined
    try {
      const connection = await this.connectionManager.openConnection(peer, { signal })
      stream = await connection.newStream(SYNC_PROTOCOL, { signal })
      for await (const page of requestSync(stream, { grid: this.init.grid, services: this.subscriptions.list(), signal })) {
        for (const data of page) {
          if (await this.take(data, peer)) {
            taken++
          }
        }
      }
      // the holder has closed its side; close ours so the stream is released at both ends
      await stream.close({ signal })
      this.log('synced %d new records from %p', taken, peer)
      return taken
    } catch (err) {
      this.metrics.sync('failed')
      stream?.abort(asError(err))
      this.log('sync with %p failed: %s', peer, describeError(err))
      throw err
    }
  }

  private async take (data: Uint8Array, peer: PeerId): Promise<boolean> {
    let result: OfferResult
    try {
      result = await this.intake.ingest(data, { via: 'sync', from: peer })
    } catch {
      return false // counted by intake
    }
    if (result.outcome !== 'tombstoned' && (this.init.relayAll || this.init.now() - result.peer.issuedAt < FRESH_RECORD_MS)) {
      // relay what was news to us (a newcomer's first record, a healed partition)
      this.relays.relay(data, result.peer.service)
    }
    return true
  }
}
