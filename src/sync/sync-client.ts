/**
 * The asking side of the sync protocol, as the introduction service uses it: one
 * exchange at a time per peer (a request asked for while one runs is repeated once it
 * ends, so a new subscription is not missed), every record through the service's
 * `ingest`, and news relayed on gossip at once (see FRESH_RECORD_MS).
 */
import { outcomeOf, type RejectionCode } from '../announcement/rejection.js'
import { asError, describeError } from '../errors.js'
import { serviceTopic } from '../gossip/topic.js'
import { requestSync, SYNC_PROTOCOL } from './sync-protocol.js'
import type { IntroductionComponents } from '../introduction/index.js'
import type { OfferResult } from '../peer-table.js'
import type { AbortOptions, Logger, PeerId, Stream } from '@libp2p/interface'

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
  /** Told of every record this client relays, before it does. */
  onRelay(data: Uint8Array): void
  now(): number
  services(): Iterable<string>
  ingest(data: Uint8Array, from: PeerId): Promise<OfferResult>
  count(outcome: 'accepted' | RejectionCode | 'internal-error'): void
  onExchange(outcome: 'made' | 'failed'): void
  /** Aborted when the service stops. */
  signal(): AbortSignal
  log: Logger
}

export class SyncClient {
  private readonly running = new Map<string, { again: boolean }>()

  constructor (private readonly components: Pick<IntroductionComponents, 'connectionManager' | 'pubsub'>, private readonly init: SyncClientInit) {}

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
      for (let round = 1; state.again && !this.init.signal().aborted && round < MAX_SYNC_ROUNDS; round++) {
        state.again = false
        taken += await this.exchange(peer, options)
      }
      return taken
    } finally {
      this.running.delete(key)
    }
  }

  private async exchange (peer: PeerId, options: AbortOptions): Promise<number> {
    this.init.onExchange('made')
    const signal = AbortSignal.any([
      AbortSignal.timeout(this.init.timeoutMs),
      this.init.signal(),
      ...(options.signal != null ? [options.signal] : [])
    ])
    let taken = 0
    let stream: Stream | undefined
    try {
      const connection = await this.components.connectionManager.openConnection(peer, { signal })
      stream = await connection.newStream(SYNC_PROTOCOL, { signal })
      for await (const page of requestSync(stream, { grid: this.init.grid, services: this.init.services(), signal })) {
        for (const data of page) {
          if (await this.take(data, peer)) {
            taken++
          }
        }
      }
      // the holder has closed its side; close ours so the stream is released at both ends
      await stream.close({ signal })
      this.init.log('synced %d new records from %p', taken, peer)
      return taken
    } catch (err) {
      this.init.onExchange('failed')
      stream?.abort(asError(err))
      this.init.log('sync with %p failed: %s', peer, describeError(err))
      throw err
    }
  }

  private async take (data: Uint8Array, peer: PeerId): Promise<boolean> {
    let result: OfferResult
    try {
      result = await this.init.ingest(data, peer)
    } catch (err) {
      this.init.count(outcomeOf(err))
      return false
    }
    this.init.count('accepted')
    if (result.outcome !== 'tombstoned' && (this.init.relayAll || this.init.now() - result.peer.issuedAt < FRESH_RECORD_MS)) {
      // relay what was news to us, so the rest of our side hears it now rather than at
      // the publisher's next refresh (a newcomer's first record, a healed partition)
      const service = result.peer.service
      this.init.onRelay(data)
      this.components.pubsub.publish(serviceTopic(this.init.grid, service), data).catch((err: unknown) => {
        this.init.log('relaying a synced %s record: %s', service, describeError(err))
      })
    }
    return true
  }
}
