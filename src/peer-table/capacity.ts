/**
 * The peer table's bounds: which slots of each service are live (established or not yet)
 * and which are tombstones, with caps per service and in total (issue #10).
 *
 * The rule for live entries, per service (cap C, newcomer slots P) and in total (T, Pt):
 * - an entry is *established* once held without a break for `establishedAfterMs` and
 *   refreshed `establishedAfterRefreshes` times, when it is next offered and the
 *   established entries are fewer than C - P (and T - Pt in all); otherwise it stays a
 *   *newcomer*, and tries again at its next refresh;
 * - below the caps every record is taken; at a cap, a new key pushes out the newcomer
 *   refreshed least recently (of its own service at C; of the service with most newcomers
 *   at T). Established entries are never pushed out: they leave by expiry or withdrawal.
 *   With P = 0 and no newcomer left, the new key is refused.
 * Guarantees: any number of new keys can never displace an established entry; since at
 * least P slots always hold newcomers, a new server's record is always taken, and stays
 * until P other keys came or refreshed after it; one that refreshes more often than the
 * newcomer slots turn over stays for good, and is established once it qualifies and a
 * slot among the C - P is free. Both caps bound memory whatever the number of keys.
 *
 * Tombstones have caps of their own; past one, the oldest tombstone is dropped (its key
 * and seqnum go to the withdrawn-keys memory).
 */
import type { VerifiedAnnouncement } from '../announcement/record.js'
import type { TableLimits } from './options.js'
import type { ServiceCounts, ServicePeer } from './types.js'

/** One (service, publisher key) the table holds. */
export interface Slot {
  readonly key: string
  readonly service: string
  /** The newest record taken for this key, live or withdrawn. */
  record: VerifiedAnnouncement
  /** The live entry, absent for a tombstone. */
  peer?: ServicePeer
  /** When the record itself expires. */
  expiresAt: number
  /** When, by this node's clock, the record came into being (receipt - age). */
  originMs: number
  /** When the slot may be forgotten: no older copy of any record it held is alive. */
  forgetAt: number
  /** Times the live entry was refreshed since firstSeen. */
  refreshes: number
  established: boolean
}

interface ServiceIndex {
  /** Established entries, in the order they were established. */
  established: Map<string, Slot>
  /** Newcomers, least recently refreshed (or added) first. */
  newcomers: Map<string, Slot>
  /** Tombstones, oldest first. */
  tombstones: Map<string, Slot>
  counts: Pick<ServiceCounts, 'evicted' | 'refused' | 'tombstonesDropped'>
}

function first<T> (map: Map<string, T>): T | undefined {
  return map.values().next().value
}

export class Capacity {
  private readonly services = new Map<string, ServiceIndex>()
  private live = 0
  private established = 0
  private tombstones = 0

  constructor (private readonly limits: TableLimits) {}

  private index (service: string): ServiceIndex {
    let index = this.services.get(service)
    if (index == null) {
      index = { established: new Map(), newcomers: new Map(), tombstones: new Map(), counts: { evicted: 0, refused: 0, tombstonesDropped: 0 } }
      this.services.set(service, index)
    }
    return index
  }

  /**
   * Before a new key of `service` goes live: the newcomer that must give way (the caller
   * removes it), undefined when there is room, or 'refused'. Counts the outcome.
   */
  makeRoom (service: string): Slot | 'refused' | undefined {
    const index = this.index(service)
    let victim: Slot | undefined
    if (index.established.size + index.newcomers.size >= this.limits.maxPeersPerService) {
      victim = first(index.newcomers)
    } else if (this.live >= this.limits.maxPeers) {
      let most: ServiceIndex | undefined
      for (const other of this.services.values()) {
        if (other.newcomers.size > (most?.newcomers.size ?? 0)) {
          most = other
        }
      }
      victim = most != null ? first(most.newcomers) : undefined
    } else {
      return undefined
    }
    if (victim == null) {
      index.counts.refused++
      return 'refused'
    }
    this.index(victim.service).counts.evicted++
    return victim
  }

  addLive (slot: Slot, now: number): void {
    this.index(slot.service).newcomers.set(slot.key, slot)
    this.live++
    this.maybeEstablish(slot, now)
  }

  /** A live entry was replaced by a greater seqnum. */
  refreshed (slot: Slot, now: number): void {
    const index = this.index(slot.service)
    if (!slot.established) {
      // to the back of the line: the newcomers that stopped refreshing give way first
      index.newcomers.delete(slot.key)
      index.newcomers.set(slot.key, slot)
      this.maybeEstablish(slot, now)
    }
  }

  private maybeEstablish (slot: Slot, now: number): void {
    const index = this.index(slot.service)
    const firstSeen = slot.peer?.firstSeen ?? now
    if (now - firstSeen >= this.limits.establishedAfterMs && slot.refreshes >= this.limits.establishedAfterRefreshes &&
      index.established.size < this.limits.maxPeersPerService - this.limits.newcomerSlotsPerService &&
      this.established < this.limits.maxPeers - this.limits.newcomerSlots) {
      index.newcomers.delete(slot.key)
      index.established.set(slot.key, slot)
      slot.established = true
      this.established++
    }
  }

  removeLive (slot: Slot): void {
    const index = this.index(slot.service)
    if (slot.established) {
      index.established.delete(slot.key)
      this.established--
      slot.established = false
    } else {
      index.newcomers.delete(slot.key)
    }
    this.live--
  }

  /** Adds a tombstone; returns those dropped to keep within the caps (the caller forgets them). */
  addTombstone (slot: Slot): Slot[] {
    const index = this.index(slot.service)
    index.tombstones.set(slot.key, slot)
    this.tombstones++
    const dropped: Slot[] = []
    const drop = (from: ServiceIndex): void => {
      const oldest = first(from.tombstones) as Slot
      this.removeTombstone(oldest)
      from.counts.tombstonesDropped++
      dropped.push(oldest)
    }
    while (index.tombstones.size > this.limits.maxTombstonesPerService) {
      drop(index)
    }
    while (this.tombstones > this.limits.maxTombstones) {
      let most = index
      for (const other of this.services.values()) {
        most = other.tombstones.size > most.tombstones.size ? other : most
      }
      drop(most)
    }
    return dropped
  }

  removeTombstone (slot: Slot): void {
    if (this.index(slot.service).tombstones.delete(slot.key)) {
      this.tombstones--
    }
  }

  /** Live slots of one service (established first), without building a list. */
  * liveOf (service: string): Generator<Slot> {
    const index = this.services.get(service)
    if (index != null) {
      yield * index.established.values()
      yield * index.newcomers.values()
    }
  }

  /**
   * Every slot of the given services, what matters most first: established entries
   * (longest first), newcomers that refreshed (most recent first), newcomers that never
   * did (most recent first), tombstones (newest first).
   */
  * ordered (services?: ReadonlySet<string>): Generator<Slot> {
    const wanted = [...this.services].filter(([service]) => services == null || services.has(service)).map(([, index]) => index)
    for (const index of wanted) {
      yield * index.established.values()
    }
    const newcomers = wanted.map(index => [...index.newcomers.values()].reverse())
    for (const list of newcomers) {
      yield * list.filter(slot => slot.refreshes > 0)
    }
    for (const list of newcomers) {
      yield * list.filter(slot => slot.refreshes === 0)
    }
    for (const index of wanted) {
      yield * [...index.tombstones.values()].reverse()
    }
  }

  counts (): Map<string, ServiceCounts> {
    const out = new Map<string, ServiceCounts>()
    for (const [service, index] of this.services) {
      out.set(service, {
        live: index.established.size + index.newcomers.size,
        established: index.established.size,
        tombstones: index.tombstones.size,
        ...index.counts
      })
    }
    return out
  }
}
