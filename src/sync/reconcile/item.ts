/**
 * Items of sync 2.0.0: one per (service, publisher key) slot held, with the seqnum and a
 * digest of the exact signed record bytes, so that an equal seqnum with other bytes is a
 * difference too. Items are ordered by their sort key: the service's bytes, a zero byte,
 * then the raw key (services never contain a zero byte, so this is (service, key) order).
 */
import { hash } from 'node:crypto'
import { isValidServiceName } from '../../announcement/names.js'
import { ED25519_PUBLIC_KEY_BYTES, MAX_SEQNUM } from '../../announcement/record.js'

/** Bytes of an item's digest: SHA-256 of the signed record. */
export const ITEM_DIGEST_BYTES = 32
/** Bytes of the digest in item lists on the wire: its first 16. */
export const WIRE_DIGEST_BYTES = 16


/** One slot held: what reconciliation compares. */
export interface SyncItem {
  service: string
  /** The publisher's raw 32-byte Ed25519 public key. */
  publicKey: Uint8Array
  seqnum: bigint
  /**
   * {@link recordDigest} of the exact signed record bytes held for the slot (32 bytes). Items
   * learned from a peer carry its first 16 bytes only (WIRE_DIGEST_BYTES).
   */
  digest: Uint8Array
}

/** SHA-256 of `signed`: the digest an item carries, and what fingerprints sum. */
export function recordDigest (signed: Uint8Array): Uint8Array {
  return hash('sha256', signed, 'buffer')
}

/**
 * The item of a record held, e.g. a VerifiedAnnouncement's announcement and signed bytes
 * (`syncItemOf({ ...record.announcement, signed: record.signed })`).
 */
export function syncItemOf (record: { service: string, publicKey: Uint8Array, seqnum: bigint, signed: Uint8Array }): SyncItem {
  return { service: record.service, publicKey: record.publicKey, seqnum: record.seqnum, digest: recordDigest(record.signed) }
}

/** Why `item` is not a well-formed item (with a digest of `digestBytes`), or undefined when it is. */
export function itemProblem (item: SyncItem, digestBytes = ITEM_DIGEST_BYTES): string | undefined {
  if (!isValidServiceName(item.service)) {
    return `service ${JSON.stringify(item.service)} is not a valid service name`
  }
  if (!(item.publicKey instanceof Uint8Array) || item.publicKey.byteLength !== ED25519_PUBLIC_KEY_BYTES) {
    return `public key of ${item.publicKey?.byteLength} bytes, not ${ED25519_PUBLIC_KEY_BYTES}`
  }
  if (typeof item.seqnum !== 'bigint' || item.seqnum < 1n || item.seqnum > MAX_SEQNUM) {
    return `seqnum ${item.seqnum} outside 1 to 2^64-1`
  }
  if (!(item.digest instanceof Uint8Array) || item.digest.byteLength !== digestBytes) {
    return `digest of ${item.digest?.byteLength} bytes, not ${digestBytes}`
  }
  return undefined
}

/**
 * The item's position in the order: service bytes, 0x00, raw key, as a string of one
 * character per byte (service names are ASCII, names.ts), so that comparing two keys as
 * strings compares the bytes, without allocating.
 */
export function sortKey (service: string, keyOrPrefix: Uint8Array): string {
  return `${service}\0${Buffer.from(keyOrPrefix.buffer, keyOrPrefix.byteOffset, keyOrPrefix.byteLength).toString('latin1')}`
}

/** Orders two sort keys. */
export function compareKeys (a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** A string naming the slot, for maps. */
export function slotId (item: Pick<SyncItem, 'service' | 'publicKey'>): string {
  return `${item.service}\n${Buffer.from(item.publicKey.buffer, item.publicKey.byteOffset, item.publicKey.byteLength).toString('hex')}`
}

/** Whether two items of the same slot are the same record: seqnum and (wire) digest. */
export function sameRecord (a: SyncItem, b: SyncItem): boolean {
  return a.seqnum === b.seqnum && Buffer.compare(a.digest.subarray(0, WIRE_DIGEST_BYTES), b.digest.subarray(0, WIRE_DIGEST_BYTES)) === 0
}
