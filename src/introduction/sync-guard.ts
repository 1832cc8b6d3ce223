/**
 * What a peer may cost us through sync. Invalid records in one exchange are cheap to
 * forge and costly to check (a signature each): past MAX_INVALID_SYNC_RECORDS the
 * exchange is aborted and the peer penalised — hung up on, and neither asked nor answered
 * for a backoff that doubles with each offence. Syncs started by identify (that is, by a
 * peer connecting, which a peer can do again and again) are rate-limited per peer and per
 * remote host; hosts of this machine are exempt, as in the connection gater.
 */
import { describeError } from '../errors.js'
import { hostKey, LocalAddresses, remoteIp } from '../connections/host-key.js'
import { PublisherRateLimiter } from '../gossip/rate-limit.js'
import { SyncProtocolError } from '../sync/frames.js'
import type { AnnouncementRejection } from '../announcement/rejection.js'
import type { ConnectionManager } from '@libp2p/interface-internal'
import type { Logger, PeerId } from '@libp2p/interface'

/** Invalid (rejected, not merely ignored) records one exchange may bring before it is cut. */
export const MAX_INVALID_SYNC_RECORDS = 5
/** First backoff from a penalised peer; doubled per offence up to the maximum. */
export const SYNC_PENALTY_MS = 30_000
export const MAX_SYNC_PENALTY_MS = 60 * 60 * 1000
/** Identify-triggered syncs: per peer (a burst for the first sync and its follow-up), and per remote host. */
export const IDENTIFY_SYNCS_PER_PEER = { burst: 4, perSecond: 1 / 30 }
export const IDENTIFY_SYNCS_PER_HOST = { burst: 32, perSecond: 4 }
/** Most peers and hosts whose counts are kept (least recently seen forgotten first). */
export const MAX_GUARDED_KEYS = 10_000

interface Penalty { until: number, strikes: number }

/** Counts the invalid records of one exchange; throws once there are too many. */
export class ExchangeTally {
  invalid = 0

  /** Whether the exchange brought more invalid records than it may. */
  get exceeded (): boolean {
    return this.invalid > MAX_INVALID_SYNC_RECORDS
  }

  record (rejection: AnnouncementRejection): void {
    if (rejection.action !== 'reject') {
      return
    }
    this.invalid++
    if (this.invalid > MAX_INVALID_SYNC_RECORDS) {
      throw new TooManyInvalidRecordsError(`more than ${MAX_INVALID_SYNC_RECORDS} invalid records (last: ${rejection.code})`)
    }
  }
}

export class TooManyInvalidRecordsError extends SyncProtocolError {}

export class SyncGuard {
  private readonly penalties = new Map<string, Penalty>()
  private readonly perPeer = new PublisherRateLimiter(IDENTIFY_SYNCS_PER_PEER, MAX_GUARDED_KEYS)
  private readonly perHost = new PublisherRateLimiter(IDENTIFY_SYNCS_PER_HOST, MAX_GUARDED_KEYS)
  private readonly local: LocalAddresses
  penalised = 0

  constructor (private readonly connectionManager: ConnectionManager, private readonly now: () => number, private readonly log: Logger) {
    this.local = new LocalAddresses(now)
  }

  /** Whether `peer` is being kept away for an earlier offence. */
  isPenalised (peer: PeerId): boolean {
    const penalty = this.penalties.get(peer.toString())
    return penalty != null && penalty.until > this.now()
  }

  /** Whether a sync with a peer that just connected (identify) may start now. */
  allowIdentifySync (peer: PeerId): boolean {
    if (this.isPenalised(peer)) {
      return false
    }
    const now = this.now()
    const ip = this.connectionManager.getConnections(peer).map(c => remoteIp(c.remoteAddr)).find(a => a != null)
    if (ip != null && !this.local.has(ip) && !this.perHost.take(hostKey(ip), now)) {
      return false
    }
    return this.perPeer.take(peer.toString(), now)
  }

  /** Keeps `peer` away for a doubling backoff, and hangs up on it. */
  penalise (peer: PeerId, err: unknown): void {
    const key = peer.toString()
    const strikes = (this.penalties.get(key)?.strikes ?? 0) + 1
    const backoffMs = Math.min(MAX_SYNC_PENALTY_MS, SYNC_PENALTY_MS * 2 ** (strikes - 1))
    this.penalties.delete(key)
    this.penalties.set(key, { until: this.now() + backoffMs, strikes })
    if (this.penalties.size > MAX_GUARDED_KEYS) {
      this.penalties.delete(this.penalties.keys().next().value as string)
    }
    this.penalised++
    this.log('penalising %p for %d ms: %s', peer, backoffMs, describeError(err))
    void this.connectionManager.closeConnections(peer).catch(() => {})
  }
}
