/**
 * What sync 2.0.0 reconciles: the records this node holds (live entries and withdrawals)
 * as an ItemSet, built from the peer table at most once per table change and shared by
 * every exchange until the next change, with each record's digest computed once (records
 * are immutable). An exchange keeps the snapshot it started with; a record sent from it
 * goes with its age at the moment it is sent.
 */
import { ItemSet, recordDigest, type SyncItem } from '../sync/reconcile/index.js'
import { slotId } from '../sync/reconcile/item.js'
import type { RecordToSend } from '../sync/sync2-protocol.js'
import type { VerifiedAnnouncement } from '../announcement/record.js'
import type { HeldRecord, PeerTable } from '../peer-table.js'
import type { Startable } from '@libp2p/interface'

export interface SyncSnapshot {
  items: ItemSet
  /** The record of an item of this snapshot, with its age now. */
  record(item: SyncItem): RecordToSend | undefined
}

export class SyncItems implements Startable {
  private snapshot?: SyncSnapshot
  private readonly digests = new WeakMap<VerifiedAnnouncement, Uint8Array>()

  constructor (private readonly table: PeerTable, private readonly now: () => number) {}

  start (): void {
    this.table.addEventListener('change', this.invalidate)
  }

  stop (): void {
    this.table.removeEventListener('change', this.invalidate)
    this.snapshot = undefined
  }

  /** The items held now (built again only if the table changed since the last call). */
  current (): SyncSnapshot {
    this.snapshot ??= this.build()
    return this.snapshot
  }

  private readonly invalidate = (): void => {
    this.snapshot = undefined
  }

  private build (): SyncSnapshot {
    const bySlot = new Map<string, HeldRecord>()
    const items: SyncItem[] = []
    for (const held of this.table.held()) {
      const a = held.record.announcement
      const item: SyncItem = { service: a.service, publicKey: a.publicKey, seqnum: a.seqnum, digest: this.digest(held.record) }
      items.push(item)
      bySlot.set(slotId(item), held)
    }
    return {
      items: ItemSet.of(items),
      record: (item) => {
        const held = bySlot.get(slotId(item))
        return held == null ? undefined : { record: held.record.signed, ageMs: Math.max(0, this.now() - held.originMs) }
      }
    }
  }

  private digest (record: VerifiedAnnouncement): Uint8Array {
    let digest = this.digests.get(record)
    if (digest == null) {
      digest = recordDigest(record.signed)
      this.digests.set(record, digest)
    }
    return digest
  }
}
