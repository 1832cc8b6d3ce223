/**
 * What one side learns in a reconciliation: per slot found to differ, our item and the
 * peer's (either may be absent). The same slot must always be described the same way;
 * the peer's items recorded are bounded.
 */
import { ReconcileError } from './errors.js'
import { compareKeys, sameRecord, slotId, sortKey, type SyncItem } from './item.js'
import type { ItemSet } from './item-set.js'

/** What reconciliation found. Every list is in item order. */
export interface ReconcileResult {
  /** The peer's items for slots we lack or hold with a lower seqnum: records to receive. */
  iNeed: SyncItem[]
  /** Our items for slots the peer lacks or holds with a lower seqnum: records to send. */
  theyNeed: SyncItem[]
  /** Slots both hold at the same seqnum with different bytes: neither replaces the other. */
  conflicts: Array<{ mine: SyncItem, theirs: SyncItem }>
}

interface Difference { mine?: SyncItem, theirs?: SyncItem }

export class Differences {
  private readonly bySlot = new Map<string, Difference>()
  private theirs = 0

  constructor (private readonly maxItems: number) {}

  /** Notes a difference (idempotent); throws ReconcileError on a contradiction or past maxItems. */
  record (mine: SyncItem | undefined, theirs: SyncItem | undefined): void {
    const id = slotId((mine ?? theirs)!)
    const known = this.bySlot.get(id)
    if (known != null) {
      const same = known.theirs == null ? theirs == null : theirs != null && sameRecord(known.theirs, theirs)
      if (!same) {
        throw new ReconcileError('inconsistent', `two different answers for the slot ${id}`)
      }
      return
    }
    if (theirs != null && ++this.theirs > this.maxItems) {
      throw new ReconcileError('too-many-items', `more than ${this.maxItems} peer items`)
    }
    this.bySlot.set(id, { mine, theirs })
  }

  /**
   * Our items begin..end-1 of `items` against the peer's list of the same range, both in
   * item order: records each difference, and returns ours that differ and the indexes
   * (in `theirs`) of slots we lack.
   */
  compare (items: ItemSet, begin: number, end: number, theirs: readonly SyncItem[]): { mine: SyncItem[], missing: number[] } {
    const mine: SyncItem[] = []
    const missing: number[] = []
    let i = begin
    let k = 0
    while (i < end || k < theirs.length) {
      const order = i >= end ? 1 : k >= theirs.length ? -1 : compareKeys(items.key(i), sortKey(theirs[k].service, theirs[k].publicKey))
      if (order < 0) {
        mine.push(items.item(i))
        this.record(items.item(i), undefined)
        i++
      } else if (order > 0) {
        missing.push(k)
        this.record(undefined, theirs[k])
        k++
      } else {
        if (!sameRecord(items.item(i), theirs[k])) {
          mine.push(items.item(i))
          this.record(items.item(i), theirs[k])
        }
        i++
        k++
      }
    }
    return { mine, missing }
  }

  result (): ReconcileResult {
    const iNeed: SyncItem[] = []
    const theyNeed: SyncItem[] = []
    const conflicts: Array<{ mine: SyncItem, theirs: SyncItem }> = []
    const entries = [...this.bySlot.values()].map(d => {
      const any = (d.mine ?? d.theirs)!
      return { d, key: sortKey(any.service, any.publicKey) }
    })
    entries.sort((a, b) => compareKeys(a.key, b.key))
    for (const { d: { mine, theirs } } of entries) {
      if (theirs != null && (mine == null || theirs.seqnum > mine.seqnum)) {
        iNeed.push(theirs)
      } else if (mine != null && (theirs == null || mine.seqnum > theirs.seqnum)) {
        theyNeed.push(mine)
      } else if (mine != null && theirs != null) {
        conflicts.push({ mine, theirs })
      }
    }
    return { iNeed, theyNeed, conflicts }
  }
}
