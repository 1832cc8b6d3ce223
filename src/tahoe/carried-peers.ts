/**
 * Reading `tahoe-storage` entries: several daemons may carry the same Tahoe server (a
 * Tahoe server lists several introducers), each under its own carrier key, so the table
 * holds one entry per (daemon, server). Readers want one per server: the entry with the
 * highest Tahoe seqnum, then the one that expires last (the most recently vouched for).
 * The fields read here were checked against the signed Tahoe announcement on intake
 * (carriage.ts), so they need no new verification. Pure.
 */
import { SERVER_ID_FIELD, TAHOE_SEQNUM_FIELD } from './carriage.js'
import type { SignedTahoeAnnouncement } from './announcement.js'
import type { ServicePeer } from '../peer-table.js'

/** The Tahoe server id of a carrying entry, or undefined for any other entry. */
export function tahoeServerIdOf (peer: ServicePeer): string | undefined {
  return peer.record.announcement.tahoe !== undefined ? peer.fields[SERVER_ID_FIELD] : undefined
}

/** The signed Tahoe announcement an entry carries, exactly as its server signed it. */
export function tahoeAnnouncementOf (peer: ServicePeer): SignedTahoeAnnouncement | undefined {
  const t = peer.record.announcement.tahoe
  return t === undefined ? undefined : { msg: t.msg, sig: t.sig, key: t.key }
}

function tahoeSeqnum (peer: ServicePeer): bigint {
  const s = peer.fields[TAHOE_SEQNUM_FIELD]
  return s === undefined ? -1n : BigInt(s)
}

/** Whether `a` should be shown rather than `b`, for the same Tahoe server. */
export function preferCarried (a: ServicePeer, b: ServicePeer): boolean {
  const [x, y] = [tahoeSeqnum(a), tahoeSeqnum(b)]
  if (x !== y) return x > y
  if (a.expiresAt !== b.expiresAt) return a.expiresAt > b.expiresAt
  return a.peerId.toString() < b.peerId.toString()
}

/**
 * One entry per Tahoe server id, in the order of first appearance; entries that carry
 * nothing pass through unchanged. O(n).
 */
export function dedupeCarried (peers: readonly ServicePeer[]): ServicePeer[] {
  const best = new Map<string, ServicePeer>()
  for (const p of peers) {
    const id = tahoeServerIdOf(p)
    if (id === undefined) continue
    const held = best.get(id)
    if (held === undefined || preferCarried(p, held)) best.set(id, p)
  }
  if (best.size === 0) return [...peers]
  const out: ServicePeer[] = []
  const placed = new Set<string>()
  for (const p of peers) {
    const id = tahoeServerIdOf(p)
    if (id === undefined) {
      out.push(p)
    } else if (!placed.has(id)) {
      placed.add(id)
      out.push(best.get(id) as ServicePeer)
    }
  }
  return out
}
