/**
 * Intake: the one path by which a record from gossip, sync or the cache enters the peer
 * table. The checks run cheapest first (protocol.md §7.1): a record already held costs no
 * signature check; a new entry costs a token of the handing peer's budget
 * (newcomer-budget.ts), also before the signature check; then decoding and the
 * signature, admission, subscription, our own records, the replacement rule, the
 * publisher's rate limit; then the offer. Every outcome from the network is counted
 * here, once.
 */
import { equals as uint8ArrayEquals } from 'uint8arrays/equals'
import { peekAnnouncement, type PeekedAnnouncement } from '../announcement/peek.js'
import { openAnnouncement } from '../announcement/record.js'
import { AnnouncementRejection, ignore, outcomeOf, reject } from '../announcement/rejection.js'
import { checkAdmission, type ResolvedAdmission } from '../announcement/admission.js'
import { PublisherRateLimiter, type RateLimit } from '../gossip/rate-limit.js'
import { slotId } from '../sync/reconcile/item.js'
import { NewcomerBudget, type NewcomerBudgetInit } from './newcomer-budget.js'
import type { ClockWatch } from './clock-watch.js'
import type { ServiceMetrics } from './metrics.js'
import type { FollowedServices } from './subscriptions.js'
import type { OfferOptions, OfferResult, PeerTable } from '../peer-table.js'
import type { Logger, PeerId } from '@libp2p/interface'

/** Where a record came from: `service` is the topic it travelled on, `from` the peer that handed it over. */
export type RecordSource =
  | { via: 'gossip', service: string, from: PeerId }
  | { via: 'sync', from: PeerId }
  | { via: 'cache' }
  /** Signed here with another key this node holds (a Tahoe gateway's carrier keys). */
  | { via: 'local' }

export interface IntakeInit {
  grid: string
  self: PeerId
  now: () => number
  admission?: ResolvedAdmission
  publisherRateLimit: RateLimit
  /** Budgets for new entries per handing peer and host. @default NEW_ENTRIES_PER_PEER, NEW_ENTRIES_PER_HOST, no host */
  newcomers?: NewcomerBudgetInit
  /** Told of every entry taken from gossip, to notice publishers with far-off clocks. */
  clocks?: ClockWatch
  /** Where refused records are logged, one line each (DEBUG=introducer). */
  log?: Logger
}

export class Intake {
  private readonly limiter: PublisherRateLimiter
  private readonly newcomers: NewcomerBudget
  /**
   * Records being taken now (their signature being checked), by slot: a byte-identical
   * copy that arrives meanwhile (the same record by sync from two peers at once, or by
   * sync and gossip) waits for the first instead of being checked again. Holds only what
   * is in flight.
   */
  private readonly inFlight = new Map<string, { signed: Uint8Array, settled: Promise<unknown> }>()

  constructor (
    private readonly table: PeerTable,
    private readonly subscriptions: Pick<FollowedServices, 'has'>,
    private readonly metrics: ServiceMetrics,
    private readonly init: IntakeInit
  ) {
    this.limiter = new PublisherRateLimiter(init.publisherRateLimit)
    this.newcomers = new NewcomerBudget(init.newcomers)
  }

  /**
   * Takes a record into the table, or throws the AnnouncementRejection that says why
   * not (anything else thrown is an internal error). Counts the outcome of records from
   * the network (gossip, sync). `held.ageMs`: how long the record had existed when it
   * reached us (0 on gossip; what the holder says on sync; from the cache, its age now).
   */
  async ingest (data: Uint8Array, source: RecordSource, held: OfferOptions = {}): Promise<OfferResult> {
    const counted = source.via === 'gossip' || source.via === 'sync'
    try {
      const result = await this.take(data, source, held)
      if (counted) {
        this.metrics.outcome('accepted')
        if (result.outcome !== 'tombstoned') {
          this.metrics.recordAge(result.peer.lastSeen - result.peer.issuedAt)
          if (source.via === 'gossip') this.init.clocks?.observe(result.peer, source.from)
        }
      }
      return result
    } catch (err) {
      if (counted) {
        const outcome = outcomeOf(err)
        this.metrics.outcome(outcome)
        this.init.log?.('dropped a record from %p by %s: %s (%s)', source.from, source.via, outcome, err instanceof Error ? err.message : String(err))
      }
      throw err
    }
  }

  private async take (data: Uint8Array, source: RecordSource, held: OfferOptions): Promise<OfferResult> {
    const peeked = peekAnnouncement(data)
    const slot = peeked != null ? slotId(peeked) : undefined
    const flying = slot != null ? this.inFlight.get(slot) : undefined
    if (flying != null && uint8ArrayEquals(flying.signed, data)) {
      // the same bytes are being checked: once that is done, this copy is a duplicate if
      // it was taken, or goes through every check itself if it was refused
      await flying.settled
    }
    if (slot == null || this.inFlight.has(slot)) {
      return this.check(data, peeked, slot, source, held)
    }
    const checking = this.check(data, peeked, slot, source, held)
    this.inFlight.set(slot, { signed: data, settled: checking.catch(() => {}) })
    try {
      return await checking
    } finally {
      this.inFlight.delete(slot)
    }
  }

  /** `slot`: the peeked record's slot id (undefined when it did not decode). */
  private async check (data: Uint8Array, peeked: PeekedAnnouncement | undefined, slot: string | undefined, source: RecordSource, held: OfferOptions): Promise<OfferResult> {
    const topicService = source.via === 'gossip' ? source.service : undefined
    const from = source.via === 'gossip' || source.via === 'sync' ? source.from : undefined
    const now = this.init.now()
    // a record we already hold (or a newer one) costs no signature check: sync answers
    // are mostly such records
    if (peeked != null && (topicService == null || peeked.service === topicService)) {
      const known = this.table.checkKnown(peeked)
      if (known != null) {
        throw known
      }
      // a new entry costs the handing peer (and its host) a token: a Sybil's fresh keys
      // are cut off before their signatures are checked
      const publisher = peeked.publisher()
      if (from != null && this.subscriptions.has(peeked.service) && !this.holds(peeked.service, publisher) && !this.newcomers.take(from, now)) {
        throw ignore('too-many-new', `from ${from.toString()}`)
      }
      // a publisher over its rate costs no signature check either (a rapid-fire flood);
      // only a verified record takes a token (below), so forgeries cannot spend an
      // honest publisher's budget
      if (from != null && publisher != null && slot != null && !this.limiter.available(slot, now)) {
        throw (publisher.equals(from) ? reject : ignore)('rate-limited', publisher.toString())
      }
    }
    const record = await openAnnouncement(data, { grid: this.init.grid, service: topicService, now, ageMs: held.ageMs }, peeked)
    if (this.init.admission != null) {
      try {
        await checkAdmission(record, this.init.admission, now)
      } catch (err) {
        // only the publisher itself is surely to blame: a relay may run without a policy
        if (from != null && !record.peerId.equals(from) && err instanceof AnnouncementRejection) {
          throw ignore(err.code, err.message)
        }
        throw err
      }
    }
    if (!this.subscriptions.has(record.announcement.service)) {
      throw ignore('not-subscribed', record.announcement.service)
    }
    if (record.peerId.equals(this.init.self)) {
      // our own record coming back: we are its only source of truth
      throw ignore('duplicate', 'own record')
    }
    const stale = this.table.check(record, held)
    if (stale != null) {
      throw stale
    }
    if (from != null && !this.limiter.take(slot ?? slotId(record.announcement), now)) {
      // only the publisher itself is to blame (reject, scored); a relay may be honest (ignore)
      throw (record.peerId.equals(from) ? reject : ignore)('rate-limited', record.peerId.toString())
    }
    return this.table.offer(record, held)
  }

  /** Whether the table has a live entry of `service` under this publisher, or it is us (or no key at all). */
  private holds (service: string, id: PeerId | undefined): boolean {
    // not a key: openAnnouncement rejects it, at no cost to anyone's budget
    return id == null || id.equals(this.init.self) || this.table.get(service, id) != null
  }
}

