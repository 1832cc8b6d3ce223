/**
 * The asking side of sync, as the introduction service uses it: one exchange at a time
 * per peer (a request asked for while one runs is repeated once it ends, so a new
 * subscription is not missed), in the newest protocol both sides speak — 2.0.0
 * (reconciliation and push-pull) or 1.0.0 (the peer's whole state) — every record
 * through SyncRecords, and a peer that sends too many invalid records penalised.
 */
import { NotStartedError } from '@libp2p/interface'
import { asError, describeError } from '../errors.js'
import { requestSync, SYNC_PROTOCOL } from '../sync/sync-protocol.js'
import { initiateSync2, SYNC2_PROTOCOL } from '../sync/sync2-protocol.js'
import { ExchangeTally, TooManyInvalidRecordsError, type SyncGuard } from './sync-guard.js'
import type { ServiceMetrics } from './metrics.js'
import type { FollowedServices } from './subscriptions.js'
import type { SyncItems } from './sync-items.js'
import type { SyncRecords } from './sync-records.js'
import type { AbortOptions, Logger, PeerId, Startable, Stream } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'

/** A sync asked for again while one runs is repeated, at most this many times in all. */
export const MAX_SYNC_ROUNDS = 3

/** Newest first: libp2p's negotiation picks the first the peer speaks. */
export const SYNC_PROTOCOLS = [SYNC2_PROTOCOL, SYNC_PROTOCOL]

export interface SyncClientInit {
  grid: string
  timeoutMs: number
}

export interface SyncOutcome {
  /** Records that changed the table. */
  taken: number
  /** Records we sent the peer (sync 2.0.0: what it lacked). */
  sent: number
  protocol: string
}

interface Running {
  /** Asked for again while running: one more exchange follows. */
  again: boolean
  done: Promise<SyncOutcome>
}

export class SyncClient implements Startable {
  private readonly running = new Map<string, Running>()
  private controller = new AbortController()

  constructor (
    private readonly connectionManager: ConnectionManager,
    private readonly records: SyncRecords,
    private readonly items: SyncItems,
    private readonly followed: FollowedServices,
    private readonly guard: SyncGuard,
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
   * Syncs with `peer`; returns what the exchanges took. One exchange runs per peer at a
   * time: a call made while one runs marks it to run once more when it ends (what it
   * sent was listed before whatever asks now: a new subscription, a withdrawal) and
   * waits for that.
   */
  async syncWith (peer: PeerId, options: AbortOptions = {}): Promise<SyncOutcome> {
    const key = peer.toString()
    const running = this.running.get(key)
    if (running != null) {
      running.again = true
      return running.done
    }
    const state: Running = { again: false, done: Promise.resolve({ taken: 0, sent: 0, protocol: '' }) }
    state.done = (async () => {
      try {
        const outcome = await this.exchange(peer, options)
        for (let round = 1; state.again && !this.controller.signal.aborted && round < MAX_SYNC_ROUNDS; round++) {
          state.again = false
          const more = await this.exchange(peer, options)
          outcome.taken += more.taken
          outcome.sent += more.sent
        }
        return outcome
      } finally {
        this.running.delete(key)
      }
    })()
    this.running.set(key, state)
    return state.done
  }

  private async exchange (peer: PeerId, options: AbortOptions): Promise<SyncOutcome> {
    if (this.guard.isPenalised(peer)) {
      throw new TooManyInvalidRecordsError(`${peer.toString()} is penalised for sending invalid records`)
    }
    this.metrics.sync('made')
    const signal = AbortSignal.any([
      AbortSignal.timeout(this.init.timeoutMs),
      this.controller.signal,
      ...(options.signal != null ? [options.signal] : [])
    ])
    const tally = new ExchangeTally()
    let taken = 0
    let sent = 0
    let stream: Stream | undefined
    try {
      const connection = await this.connectionManager.openConnection(peer, { signal })
      stream = await connection.newStream(SYNC_PROTOCOLS, { signal })
      const take = async (data: Uint8Array, ageMs?: number): Promise<void> => {
        if (await this.records.take(data, peer, ageMs, tally)) {
          taken++
        }
      }
      if (stream.protocol === SYNC2_PROTOCOL) {
        const snapshot = this.items.current()
        const summary = await initiateSync2(stream, {
          grid: this.init.grid,
          services: this.followed.list(),
          items: snapshot.items,
          getRecord: (item) => snapshot.record(item),
          onRecord: take,
          timeoutMs: this.init.timeoutMs,
          signal
        })
        this.metrics.syncBytes(summary.bytesSent, summary.bytesReceived)
        sent = summary.recordsSent
      } else {
        for await (const page of requestSync(stream, { grid: this.init.grid, services: this.followed.list(), signal })) {
          for (const data of page) {
            await take(data)
          }
        }
        // the holder has closed its side; close ours so the stream is released at both ends
        await stream.close({ signal })
      }
      this.log('synced %d new records from %p (%s)', taken, peer, stream.protocol)
      return { taken, sent, protocol: stream.protocol ?? '' }
    } catch (err) {
      this.metrics.sync('failed')
      stream?.abort(asError(err))
      if (tally.exceeded) {
        this.guard.penalise(peer, err)
      }
      this.log('sync with %p failed: %s', peer, describeError(err))
      throw err
    }
  }
}
