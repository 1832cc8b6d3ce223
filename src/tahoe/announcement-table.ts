/**
 * Which announcements an introducer (or subscriber) holds: one per (service name, key), and
 * Tahoe's replacement rule (introducer/server.py `_publish`, client.py `_process_announcement`):
 * an announcement equal to the held one is a duplicate; otherwise, if the held one has a
 * seqnum, the new one must have a strictly greater integer seqnum. Pure: no I/O, no clock.
 */
import { isDeepStrictEqual } from 'node:util'
import type { VerifiedTahoeAnnouncement } from './announcement.js'

export type OfferOutcome = 'new' | 'updated' | 'duplicate' | 'no-seqnum' | 'old-seqnum' | 'table-full'

export class AnnouncementTable {
  private readonly byIndex = new Map<string, VerifiedTahoeAnnouncement>()

  constructor (private readonly maxEntries: number) {}

  get size (): number {
    return this.byIndex.size
  }

  /** Applies the replacement rule; keeps `ann` when the outcome is 'new' or 'updated'. */
  offer (ann: VerifiedTahoeAnnouncement): OfferOutcome {
    const index = indexOf(ann.serviceName, ann.keyId)
    const old = this.byIndex.get(index)
    if (old === undefined) {
      if (this.byIndex.size >= this.maxEntries) return 'table-full'
      this.byIndex.set(index, ann)
      return 'new'
    }
    if (isDeepStrictEqual(old.fields, ann.fields)) return 'duplicate'
    if (old.hasSeqnum) {
      if (ann.seqnum === undefined) return 'no-seqnum'
      // Tahoe compares an integer seqnum with a held non-integer one numerically; we refuse.
      if (old.seqnum === undefined || ann.seqnum <= old.seqnum) return 'old-seqnum'
    }
    this.byIndex.set(index, ann)
    return 'updated'
  }

  /** The held announcements, of one service or all. */
  list (serviceName?: string): VerifiedTahoeAnnouncement[] {
    const all = [...this.byIndex.values()]
    return serviceName === undefined ? all : all.filter(a => a.serviceName === serviceName)
  }

  /** Drops the announcements of `keyId` (of one service, or all); returns how many. */
  forget (keyId: string, serviceName?: string): number {
    let n = 0
    for (const [index, a] of this.byIndex) {
      if (a.keyId === keyId && (serviceName === undefined || a.serviceName === serviceName)) {
        this.byIndex.delete(index)
        n++
      }
    }
    return n
  }
}

function indexOf (serviceName: string, keyId: string): string {
  return `${serviceName}\u0000${keyId}`
}
