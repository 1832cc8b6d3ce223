/**
 * The peer table: what a node holds, keyed by (service, publisher key). Pure: no I/O,
 * no timers; time comes from the injected clock and the owner calls `expire()`.
 *
 * Replacement rule (Tahoe's, plus withdrawal and expiry):
 * - an expired record is ignored;
 * - the byte-identical record is ignored, and nobody is notified again;
 * - only a strictly greater seqnum replaces what is held; equal (even with other
 *   content) and lower seqnums are ignored;
 * - a withdrawal with a greater seqnum removes the entry and leaves a tombstone until the
 *   later of the two records' expiry, so older copies still in flight cannot return.
 */
import { TypedEventEmitter } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { expiresAt, type PeekedAnnouncement, type VerifiedAnnouncement } from './announcement/record.js'
import { equals as uint8ArrayEquals } from 'uint8arrays/equals'
import { ignore, type AnnouncementRejection } from './announcement/rejection.js'
import type { PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** What a node knows of one publisher's service: the item of `getPeers()`. */
export interface ServicePeer {
  service: string
  peerId: PeerId
  nickname: string
  /** Software version the publisher announced. */
  version: string
  multiaddrs: readonly Multiaddr[]
  fields: Readonly<Record<string, string>>
  seqnum: bigint
  readonly: boolean
  availableSpace?: number
  permutationSeed: Uint8Array
  /** When the publisher signed this record (its clock), ms since the epoch. */
  issuedAt: number
  /** When this node first held an entry for this (service, publisher). */
  firstSeen: number
  /** When this node received the current record. */
  lastSeen: number
  /** When the entry expires unless refreshed. */
  expiresAt: number
  /** The signed record, as it travels. */
  record: VerifiedAnnouncement
}

export type OfferResult =
  | { outcome: 'added' | 'updated' | 'withdrawn', peer: ServicePeer }
  /** A withdrawal for something not held: kept as a tombstone, nobody notified. */
  | { outcome: 'tombstoned' }

/** Any change to what the table holds; `deadline`: when the changed slot may next need `expire()`. */
export interface TableChange {
  deadline?: number
}

export interface PeerTableEvents {
  change: CustomEvent<TableChange>
  'peer:added': CustomEvent<ServicePeer>
  'peer:updated': CustomEvent<ServicePeer>
  'peer:withdrawn': CustomEvent<ServicePeer>
  'peer:expired': CustomEvent<ServicePeer>
}

export type PeerTableEventName = Exclude<keyof PeerTableEvents, 'change'>

interface Slot {
  /** The newest record taken for this key, live or withdrawn. */
  record: VerifiedAnnouncement
  /** The live entry, absent when the newest record is a withdrawal. */
  peer?: ServicePeer
  /** When the slot may be forgotten. */
  forgetAt: number
}

export interface PeerTableInit {
  /** Clock in ms since the epoch. @default Date.now */
  now?: () => number
}

/** Slots are keyed by service and raw public key, which an unverified record also has. */
function slotKey (service: string, publicKey: Uint8Array): string {
  return `${service}\n${Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength).toString('base64')}`
}

function peerKey (peerId: PeerId | string): Uint8Array {
  const id = typeof peerId === 'string' ? peerIdFromString(peerId) : peerId
  return id.publicKey?.raw ?? new Uint8Array()
}

export class PeerTable extends TypedEventEmitter<PeerTableEvents> {
  private readonly slots = new Map<string, Slot>()
  private readonly now: () => number

  constructor (init: PeerTableInit = {}) {
    super()
    this.now = init.now ?? Date.now
  }

  /**
   * Explains why `record` would not be taken, or returns undefined when it would. Lets a
   * validator decide without changing anything.
   */
  check (record: VerifiedAnnouncement): AnnouncementRejection | undefined {
    const now = this.now()
    if (expiresAt(record.announcement, now) <= now) {
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
    const slot = this.slots.get(slotKey(peeked.service, peeked.publicKey))
    if (slot == null) {
      return undefined
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
   * AnnouncementRejection (always `ignore`) that says why nothing did.
   */
  offer (record: VerifiedAnnouncement): OfferResult {
    const rejection = this.check(record)
    if (rejection != null) {
      throw rejection
    }
    const now = this.now()
    const a = record.announcement
    const key = slotKey(a.service, a.publicKey)
    const held = this.slots.get(key)
    const expiry = expiresAt(a, now)

    if (a.withdrawn) {
      const forgetAt = Math.max(expiry, held?.forgetAt ?? 0)
      this.slots.set(key, { record, forgetAt })
      this.safeDispatchEvent('change', { detail: { deadline: forgetAt } })
      if (held?.peer == null) {
        return { outcome: 'tombstoned' }
      }
      this.safeDispatch('peer:withdrawn', held.peer)
      return { outcome: 'withdrawn', peer: held.peer }
    }

    const peer: ServicePeer = {
      service: a.service,
      peerId: record.peerId,
      nickname: a.nickname,
      version: a.version,
      multiaddrs: record.multiaddrs,
      fields: record.fields,
      seqnum: a.seqnum,
      readonly: a.readonly,
      availableSpace: a.availableSpace,
      permutationSeed: a.permutationSeed.byteLength > 0 ? a.permutationSeed : a.publicKey,
      issuedAt: a.issuedAtMs,
      firstSeen: held?.peer?.firstSeen ?? now,
      lastSeen: now,
      expiresAt: expiry,
      record
    }
    // never forget a key before the records it replaced would have expired, or an older
    // copy still valid somewhere could come back as new
    this.slots.set(key, { record, peer, forgetAt: Math.max(expiry, held?.forgetAt ?? 0) })
    this.safeDispatchEvent('change', { detail: { deadline: expiry } })
    const outcome = held?.peer != null ? 'updated' : 'added'
    this.safeDispatch(outcome === 'added' ? 'peer:added' : 'peer:updated', peer)
    return { outcome, peer }
  }

  /** Drops entries and tombstones whose time has passed; returns the expired entries. */
  expire (): ServicePeer[] {
    const now = this.now()
    const expired: ServicePeer[] = []
    let forgotten = 0
    for (const [key, slot] of this.slots) {
      if (slot.peer != null && slot.peer.expiresAt <= now) {
        expired.push(slot.peer)
        // the entry goes; the slot stays as a tombstone until older copies are dead too
        slot.peer = undefined
      }
      if (slot.forgetAt <= now) {
        this.slots.delete(key)
        forgotten++
      }
    }
    if (expired.length + forgotten > 0) {
      this.safeDispatchEvent('change', { detail: {} })
    }
    for (const peer of expired) {
      this.safeDispatch('peer:expired', peer)
    }
    return expired
  }

  /** The earliest time at which `expire()` has something to do, if any. */
  nextExpiry (): number | undefined {
    let next: number | undefined
    for (const slot of this.slots.values()) {
      const at = Math.min(slot.forgetAt, slot.peer?.expiresAt ?? Infinity)
      if (next == null || at < next) {
        next = at
      }
    }
    return next
  }

  /** Live entries of one service, in no particular order. */
  getPeers (service: string): ServicePeer[] {
    const now = this.now()
    const peers: ServicePeer[] = []
    for (const slot of this.slots.values()) {
      if (slot.peer?.service === service && slot.peer.expiresAt > now) {
        peers.push(slot.peer)
      }
    }
    return peers
  }

  get (service: string, peerId: PeerId | string): ServicePeer | undefined {
    const peer = this.slots.get(slotKey(service, peerKey(peerId)))?.peer
    return peer != null && peer.expiresAt > this.now() ? peer : undefined
  }

  /** Every record held (live and withdrawn) for the given services: what sync hands out. */
  records (services?: ReadonlySet<string>): VerifiedAnnouncement[] {
    const now = this.now()
    const out: VerifiedAnnouncement[] = []
    for (const slot of this.slots.values()) {
      const live = slot.peer != null || slot.record.announcement.withdrawn
      if (live && slot.forgetAt > now && (services == null || services.has(slot.record.announcement.service))) {
        out.push(slot.record)
      }
    }
    return out
  }

  /** Number of live entries per service. */
  sizes (): Map<string, number> {
    const sizes = new Map<string, number>()
    for (const slot of this.slots.values()) {
      if (slot.peer != null) {
        sizes.set(slot.peer.service, (sizes.get(slot.peer.service) ?? 0) + 1)
      }
    }
    return sizes
  }

  private safeDispatch (type: PeerTableEventName, peer: ServicePeer): void {
    // EventTarget reports a throwing listener itself; the change is already made
    this.safeDispatchEvent(type, { detail: peer })
  }
}
