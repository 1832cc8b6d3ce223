/**
 * Departures: entries that left the table recently (withdrawn by their publisher, expired,
 * or pushed out at a cap), so that a grid-wide view can show a node as gone, and when,
 * instead of letting it vanish. Bounded in count and age (DEFAULT_MAX_DEPARTURES,
 * DEFAULT_DEPARTURE_MAX_AGE_MS); one entry per (service, publisher), the latest; an
 * entry that comes back (peer:added) is no longer a departure.
 */
import type { Departure, DepartureReason } from './index.js'
import type { PeerTable, PeerTableEventName, ServicePeer } from '../peer-table.js'
import type { Startable } from '@libp2p/interface'

/** Most departures kept (the oldest go first). */
export const DEFAULT_MAX_DEPARTURES = 256
/** A departure is forgotten this long after it happened. */
export const DEFAULT_DEPARTURE_MAX_AGE_MS = 24 * 60 * 60 * 1000

const REASONS: ReadonlyArray<[PeerTableEventName, DepartureReason]> = [
  ['peer:withdrawn', 'withdrawn'], ['peer:expired', 'expired'], ['peer:evicted', 'evicted']
]

export interface DeparturesInit {
  now: () => number
  /** @default DEFAULT_MAX_DEPARTURES */
  maxEntries?: number
  /** @default DEFAULT_DEPARTURE_MAX_AGE_MS */
  maxAgeMs?: number
}

const keyOf = (peer: ServicePeer): string => `${peer.service}\n${peer.peerId.toString()}`

export class Departures implements Startable {
  /** In the order they happened (a Map keeps insertion order): the oldest first. */
  private readonly entries = new Map<string, Departure>()
  private readonly maxEntries: number
  private readonly maxAgeMs: number
  private readonly listeners = REASONS.map(([event, reason]) => [event, (evt: CustomEvent<ServicePeer>) => { this.add(evt.detail, reason) }] as const)

  constructor (private readonly table: PeerTable, private readonly init: DeparturesInit) {
    this.maxEntries = init.maxEntries ?? DEFAULT_MAX_DEPARTURES
    this.maxAgeMs = init.maxAgeMs ?? DEFAULT_DEPARTURE_MAX_AGE_MS
  }

  start (): void {
    for (const [event, listener] of this.listeners) {
      this.table.addEventListener(event, listener)
    }
    this.table.addEventListener('peer:added', this.onAdded)
  }

  stop (): void {
    for (const [event, listener] of this.listeners) {
      this.table.removeEventListener(event, listener)
    }
    this.table.removeEventListener('peer:added', this.onAdded)
  }

  /** Departures within the age bound, the most recent first. */
  list (): Departure[] {
    this.prune()
    return [...this.entries.values()].reverse()
  }

  private add (peer: ServicePeer, reason: DepartureReason): void {
    const key = keyOf(peer)
    this.entries.delete(key)
    this.entries.set(key, {
      service: peer.service,
      peerId: peer.peerId,
      nickname: peer.nickname,
      version: peer.version,
      multiaddrs: peer.multiaddrs,
      reason,
      at: this.init.now(),
      lastSeen: peer.lastSeen
    })
    this.prune()
  }

  private readonly onAdded = (evt: CustomEvent<ServicePeer>): void => {
    // (a late joiner adds thousands with no departure to forget: no key to make for them)
    if (this.entries.size > 0) {
      this.entries.delete(keyOf(evt.detail))
    }
  }

  private prune (): void {
    const oldest = this.init.now() - this.maxAgeMs
    for (const [key, departure] of this.entries) {
      if (this.entries.size <= this.maxEntries && departure.at > oldest) {
        break
      }
      this.entries.delete(key)
    }
  }
}
