/**
 * Decoding a record without checking it: the bytes bound, the two protobuf layers, and
 * a peek at what identifies it (service, key, seqnum), so that intake can drop what it
 * already holds before the costly signature check. record.ts checks the rest.
 */
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { Announcement, SignedAnnouncement } from '../pb/announcement.js'
import type { PeerId } from '@libp2p/interface'

/** Largest encoded SignedAnnouncement accepted from anyone, checked before decoding. */
export const MAX_SIGNED_ANNOUNCEMENT_BYTES = 8192

/** What can be read from a record without checking it: enough to tell whether it is news. */
export interface PeekedAnnouncement {
  service: string
  /** The claimed publisher's raw public key (unverified). */
  publicKey: Uint8Array
  seqnum: bigint
  signed: Uint8Array
  outer: SignedAnnouncement
  announcement: Announcement
  /** The peer id of `publicKey`, made once (intake and openAnnouncement both need it); undefined when it is not an Ed25519 key. */
  publisher(): PeerId | undefined
}

/** Both layers of a record; throws what protons throws. */
export function decodeRecord (signed: Uint8Array): { outer: SignedAnnouncement, announcement: Announcement } {
  const outer = SignedAnnouncement.decode(signed)
  // no decoder limits on multiaddrs and fields: the 8 KiB bound keeps them small, and
  // their counts are checked after decoding (over-limits), fields by distinct keys
  return { outer, announcement: Announcement.decode(outer.payload) }
}

/** The peer id of a raw Ed25519 public key; undefined when it is not one. */
function peerIdOfKey (publicKey: Uint8Array): PeerId | undefined {
  try {
    return peerIdFromPublicKey(publicKeyFromRaw(publicKey))
  } catch {
    return undefined
  }
}

/**
 * Decodes just enough of a record to look it up, without verifying its signature (the
 * costly part); undefined when it does not decode. Never trust what it returns beyond
 * deciding to drop a record as already held or older (an `ignore`, never a `reject`).
 */
export function peekAnnouncement (signed: Uint8Array): PeekedAnnouncement | undefined {
  if (signed.byteLength > MAX_SIGNED_ANNOUNCEMENT_BYTES) {
    return undefined
  }
  let decoded: ReturnType<typeof decodeRecord>
  try {
    decoded = decodeRecord(signed)
  } catch {
    return undefined
  }
  const { outer, announcement } = decoded
  let publisher: { id: PeerId | undefined } | undefined
  return {
    service: announcement.service,
    publicKey: announcement.publicKey,
    seqnum: announcement.seqnum,
    signed,
    outer,
    announcement,
    publisher: () => {
      publisher ??= { id: peerIdOfKey(announcement.publicKey) }
      return publisher.id
    }
  }
}
