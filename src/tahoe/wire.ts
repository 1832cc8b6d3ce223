/**
 * Announcements in and out of banana values: Tahoe sends each as a tuple of three byte
 * strings, and a batch (announce_v2) as a set of them.
 */
import { FSet, Tuple, type BananaValue } from '../foolscap/values.js'
import type { SignedTahoeAnnouncement } from './announcement.js'

export function announcementToWire (a: SignedTahoeAnnouncement): Tuple {
  return new Tuple([a.msg, a.sig, a.key])
}

/** The announcement a banana value holds, or undefined if it is not a triple of byte strings. */
export function announcementFromWire (v: BananaValue | undefined): SignedTahoeAnnouncement | undefined {
  const items = v instanceof Tuple ? v.items : Array.isArray(v) ? v : undefined
  if (items?.length !== 3) return undefined
  const [msg, sig, key] = items
  if (!(msg instanceof Uint8Array) || !(sig instanceof Uint8Array) || !(key instanceof Uint8Array)) return undefined
  return { msg, sig, key }
}

export function batchToWire (anns: readonly SignedTahoeAnnouncement[]): FSet {
  return new FSet(anns.map(announcementToWire))
}

/** The items of an announce_v2 batch (a set; a list or tuple is accepted too). */
export function batchItems (v: BananaValue | undefined): BananaValue[] | undefined {
  if (v instanceof FSet || v instanceof Tuple) return v.items
  if (Array.isArray(v)) return v
  return undefined
}
