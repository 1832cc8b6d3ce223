/**
 * The peer table: what a node holds, keyed by (service, publisher key). Pure: no I/O,
 * no timers; time comes from the injected clock and the owner calls `expire()` at
 * `nextExpiry()`.
 *
 * Replacement rule (Tahoe's, plus withdrawal and expiry):
 * - an expired record is ignored; expiry is by this node's clock: receipt + TTL - age
 *   (announcement/expiry.ts), so hosts need not agree on the time;
 * - the byte-identical record is ignored, and nobody is notified again;
 * - only a strictly greater seqnum replaces what is held; equal (even with other
 *   content) and lower seqnums are ignored;
 * - a withdrawal with a greater seqnum removes the entry and leaves a tombstone until the
 *   later of the two records' expiry, so older copies still in flight cannot return; a
 *   withdrawal for a key not held leaves only its key and seqnum, in a bounded memory.
 * Bounds (peer-table/capacity.ts): caps on live entries and tombstones, per service and
 * in total; at a cap a newcomer pushes out another newcomer, never an established entry.
 * Costs: offer, and expire per slot, O(log n); getPeers O(entries of the service).
 */
import { TypedEventEmitter } from '@libp2p/interface'
import { equals as uint8ArrayEquals } from 'uint8arrays/equals'
import type { PeekedAnnouncement } from './announcement/peek.js'
import { expiresAt, originAt, type VerifiedAnnouncement } from './announcement/record.js'
import { ignore, type AnnouncementRejection } from './announcement/rejection.js'
import { Capacity, type Slot } from './peer-table/capacity.js'
import { Deadlines } from './peer-table/deadlines.js'
import { entryOf, peerKey, slotKey } from './peer-table/entry.js'
import { resolveTableOptions, type ResolvedTableOptions } from './peer-table/options.js'
import { WithdrawnKeys } from './peer-table/withdrawn-keys.js'
import type { HeldOptions, HeldRecord, OfferOptions, OfferResult, PeerTableEventName, PeerTableEvents, PeerTableInit, ServicePeer, TableCounts } from './peer-table/types.js'
import type { PeerId } from '@libp2p/interface'

export type * from './peer-table/types.js'
export * from './peer-table/constants.js'

export class PeerTable extends TypedEventEmitter<PeerTableEvents> {
  private readonly slots = new Map<string, Slot>()
  private readonly options: ResolvedTableOptions
  private readonly now: () => number
  private readonly capacity: Capacity
  private readonly deadlines = new Deadlines()
  private readonly withdrawn: WithdrawnKeys

  /** Throws InvalidOptionError for an option out of range. */
  constructor (init: PeerTableInit = {}) {
    super()
    this.options = resolveTableOptions(init)
    this.now = this.options.now
    this.capacity = new Capacity(this.options)
    this.withdrawn = new WithdrawnKeys(this.options.maxWithdrawnKeys)
  }

  /**
   * Explains why `record` would not be taken, or returns undefined when it would (a cap
   * may still refuse it: see `offer`). Lets a validator decide without changing anything.
   */
  check (record: VerifiedAnnouncement, options: OfferOptions = {}): AnnouncementRejection | undefined {
    const now = this.now()
    if (expiresAt(record.announcement, now, options.ageMs) <= now) {
      return ignore('expired')
    }
    const { service, publicKey, seqnum } = record.announcement
    return this.checkKnown({ service, publicKey, seqnum, signed: record.signed })
  }

  /**
   * The part of `check` that needs no verified record: is this (unverified) record one we
   * hold, or older than it? Lets the caller skip the signature check of records it has.
   */
  checkKnown (peeked: Pick<PeekedAnnouncement, 'service' | 'publicKey' | 'seqnum' | 'signed'>): AnnouncementRejection | undefined {
    const key = slotKey(peeked.service, peeked.publicKey)
    const slot = this.slots.get(key)
    if (slot == null) {
      const withdrawnAt = this.withdrawn.get(key)
      return withdrawnAt != null && peeked.seqnum <= withdrawnAt ? ignore('stale', `seqnum ${peeked.seqnum} <= withdrawn ${withdrawnAt}`) : undefined
    }
    if (uint8ArrayEquals(slot.record.signed, peeked.signed)) {
      return ignore('duplicate')
    }
    if (peeked.seqnum <= slot.record.announcement.seqnum) {
      return ignore('stale', `seqnum ${peeked.seqnum} <= held ${slot.record.announcement.seqnum}`)
    }
    return undefined
  }

  /**
   * Applies the replacement rule. Returns what changed, or throws the
   * AnnouncementRejection (always `ignore`) that says why nothing did: `table-full` when
   * a cap is reached and no entry may give way.
   */
  offer (record: VerifiedAnnouncement, options: OfferOptions = {}): OfferResult {
    const result = this.apply(record, options)
    this.safeDispatchEvent('change', { detail: {} })
    return result
  }

  private apply (record: VerifiedAnnouncement, options: OfferOptions): OfferResult {
    const rejection = this.check(record, options)
    if (rejection != null) {
      throw rejection
    }
    // what is due goes first (O(1) when nothing is), so an entry past its time is never refreshed
    this.expire()
    const now = this.now()
    const a = record.announcement
    const key = slotKey(a.service, a.publicKey)
    const held = this.slots.get(key)
    const originMs = originAt(a, now, options.ageMs)
    const expiry = originMs + a.ttlMs
    // never forget a key before the records it replaced would have expired, or an older
    // copy still valid somewhere could come back as new
    const forgetAt = Math.max(expiry, held?.forgetAt ?? 0)

    if (a.withdrawn) {
      if (held == null) {
        // never held: no lasting state, only the key and seqnum against an older copy
        this.withdrawn.remember(key, a.seqnum)
        return { outcome: 'tombstoned' }
      }
      const peer = held.peer
      if (peer != null) {
        this.capacity.removeLive(held)
        held.peer = undefined
      } else {
        this.capacity.removeTombstone(held)
      }
      Object.assign(held, { record, expiresAt: expiry, originMs, forgetAt, refreshes: 0 })
      this.addTombstone(held)
      this.deadlines.set(key, forgetAt)
      if (peer == null) {
        return { outcome: 'tombstoned' }
      }
      this.safeDispatch('peer:withdrawn', peer)
      return { outcome: 'withdrawn', peer }
    }

    let evicted: ServicePeer | undefined
    if (held?.peer == null) {
      const victim = this.capacity.makeRoom(a.service)
      if (victim === 'refused') {
        throw ignore('table-full', `${a.service}: the cap is reached and every entry is established`)
      }
      if (victim != null) {
        evicted = victim.peer
        this.capacity.removeLive(victim)
        this.slots.delete(victim.key)
        this.deadlines.delete(victim.key)
      }
    }
    const peer = entryOf(record, now, expiry, held?.peer, options)
    this.deadlines.set(key, expiry)
    if (held?.peer != null) {
      Object.assign(held, { record, peer, expiresAt: expiry, originMs, forgetAt, refreshes: held.refreshes + 1 })
      this.capacity.refreshed(held, now)
      this.safeDispatch('peer:updated', peer)
      return { outcome: 'updated', peer }
    }
    if (held != null) {
      this.capacity.removeTombstone(held)
    }
    this.withdrawn.forget(key)
    const slot: Slot = { key, service: a.service, record, peer, expiresAt: expiry, originMs, forgetAt, refreshes: options.refreshes ?? 0, established: false }
    this.slots.set(key, slot)
    this.capacity.addLive(slot, now)
    if (evicted != null) {
      this.safeDispatch('peer:evicted', evicted)
    }
    this.safeDispatch('peer:added', peer)
    return evicted != null ? { outcome: 'added', peer, evicted } : { outcome: 'added', peer }
  }

  private addTombstone (slot: Slot): void {
    for (const dropped of this.capacity.addTombstone(slot)) {
      this.slots.delete(dropped.key)
      this.deadlines.delete(dropped.key)
      if (dropped.record.announcement.withdrawn) {
        this.withdrawn.remember(dropped.key, dropped.record.announcement.seqnum)
      }
    }
  }

  /**
   * Drops entries and tombstones whose time has passed; returns the expired entries.
   * Costs O(log n) per slot due, nothing for the others.
   */
  expire (): ServicePeer[] {
    const now = this.now()
    const expired: ServicePeer[] = []
    let changed = false
    for (let key = this.deadlines.takeDue(now); key != null; key = this.deadlines.takeDue(now)) {
      const slot = this.slots.get(key)
      if (slot == null) {
        continue
      }
      changed = true
      if (slot.peer != null) {
        expired.push(slot.peer)
        this.capacity.removeLive(slot)
        slot.peer = undefined
        if (slot.forgetAt > now) {
          // the entry goes; the slot stays as a tombstone until older copies are dead too
          slot.refreshes = 0
          this.addTombstone(slot)
          if (this.slots.has(key)) {
            this.deadlines.set(key, slot.forgetAt)
          }
          continue
        }
      } else {
        this.capacity.removeTombstone(slot)
      }
      this.slots.delete(key)
    }
    if (changed) {
      this.safeDispatchEvent('change', { detail: {} })
    }
    for (const peer of expired) {
      this.safeDispatch('peer:expired', peer)
    }
    return expired
  }

  /** The earliest time at which `expire()` has something to do, if any. O(1) amortised. */
  nextExpiry (): number | undefined {
    return this.deadlines.next()
  }

  /** Live entries of one service, established first. */
  getPeers (service: string): ServicePeer[] {
    const now = this.now()
    const peers: ServicePeer[] = []
    for (const slot of this.capacity.liveOf(service)) {
      if (slot.peer != null && slot.peer.expiresAt > now) {
        peers.push(slot.peer)
      }
    }
    return peers
  }

  get (service: string, peerId: PeerId | string): ServicePeer | undefined {
    const peer = this.slots.get(slotKey(service, peerKey(peerId)))?.peer
    return peer != null && peer.expiresAt > this.now() ? peer : undefined
  }

  /**
   * The records held for the given services (all when absent) that are worth handing on:
   * live entries and unexpired withdrawals, what matters most first: established entries
   * (longest held first), newcomers that refreshed (most recent first), other newcomers,
   * then withdrawals (newest first). Each with the age sync passes on and the cache keeps.
   */
  held (services?: ReadonlySet<string>, options: HeldOptions = {}): HeldRecord[] {
    const now = this.now()
    const limit = options.limit ?? Infinity
    const out: HeldRecord[] = []
    for (const slot of this.capacity.ordered(services)) {
      if (out.length >= limit) {
        break
      }
      const live = slot.peer != null && slot.peer.expiresAt > now
      if (live || (slot.peer == null && slot.record.announcement.withdrawn && slot.expiresAt > now)) {
        out.push({ record: slot.record, ageMs: Math.max(0, now - slot.originMs), originMs: slot.originMs, peer: slot.peer, refreshes: slot.refreshes, established: slot.established })
      }
    }
    return out
  }

  /** The records of `held()` alone: what sync hands out. */
  records (services?: ReadonlySet<string>, options: HeldOptions = {}): VerifiedAnnouncement[] {
    return this.held(services, options).map(h => h.record)
  }

  /** Number of live entries per service. */
  sizes (): Map<string, number> {
    const sizes = new Map<string, number>()
    for (const [service, counts] of this.capacity.counts()) {
      if (counts.live > 0) {
        sizes.set(service, counts.live)
      }
    }
    return sizes
  }

  /** Live entries, tombstones, evictions and refusals per service; withdrawn keys remembered. */
  counts (): TableCounts {
    return { services: this.capacity.counts(), withdrawnKeys: this.withdrawn.size }
  }

  private safeDispatch (type: PeerTableEventName, peer: ServicePeer): void {
    // EventTarget reports a throwing listener itself; the change is already made
    this.safeDispatchEvent(type, { detail: peer })
  }
}
