/** The entry (ServicePeer) the peer table makes of a verified record it takes, and the key of its slot. */
import { peerIdFromString } from '@libp2p/peer-id'
import { clockOffsetMs, type VerifiedAnnouncement } from '../announcement/record.js'
import type { OfferOptions, ServicePeer } from './types.js'
import type { PeerId } from '@libp2p/interface'

/** Slots are keyed by service and raw public key, which an unverified record also has. */
export function slotKey (service: string, publicKey: Uint8Array): string {
  return `${service}\n${Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength).toString('base64')}`
}

/** The raw public key in a peer id (empty when it holds none). */
export function peerKey (peerId: PeerId | string): Uint8Array {
  const id = typeof peerId === 'string' ? peerIdFromString(peerId) : peerId
  return id.publicKey?.raw ?? new Uint8Array()
}

/**
 * The entry for `record`, received `now` and expiring at `expiresAt`. `firstSeen` carries
 * over from the entry it replaces, if any; otherwise it is now, or the cache's (never later
 * than now). An empty permutation seed means the publisher's key.
 */
export function entryOf (record: VerifiedAnnouncement, now: number, expiresAt: number, previous: ServicePeer | undefined, options: OfferOptions): ServicePeer {
  const a = record.announcement
  return {
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
    firstSeen: previous?.firstSeen ?? Math.min(options.firstSeen ?? now, now),
    lastSeen: now,
    expiresAt,
    clockOffsetMs: clockOffsetMs(a, now, options.ageMs),
    record
  }
}
