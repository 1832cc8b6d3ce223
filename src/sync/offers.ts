/**
 * Offers of sync 2.0.0 (docs/protocol.md §12.5.6): records a side holds of services it
 * does not reconcile — a publisher's own records of services it does not follow, a
 * gateway's carried records — listed as items beside the reconciliation, so that the
 * peer can ask for those it follows and lacks. Without them a record of a service its
 * publisher does not follow reached others by gossip only, and a lost copy waited for
 * the next refresh. Pure: items in, items and indexes out.
 */
import { Sync2Item } from '../pb/sync2.js'
import { SyncProtocolError } from './frames.js'
import { bound, type ItemSet } from './reconcile/item-set.js'
import { itemProblem, sameRecord, sortKey, WIRE_DIGEST_BYTES, type SyncItem } from './reconcile/item.js'

/** Most items one side offers in one exchange (a random choice when it holds more). */
export const MAX_OFFERED_ITEMS = 16

/**
 * The items of `items` to offer: those of services `offerable` accepts, at most
 * MAX_OFFERED_ITEMS, chosen at random among more, so that every one is offered in time.
 */
export function offerItems (items: ItemSet, offerable: (service: string) => boolean, random: () => number = Math.random): SyncItem[] {
  const candidates: SyncItem[] = []
  for (let i = 0; i < items.size; i++) {
    const item = items.item(i)
    if (offerable(item.service)) {
      candidates.push(item)
    }
  }
  // a partial Fisher-Yates shuffle: the first MAX_OFFERED_ITEMS places
  for (let i = 0; i < Math.min(MAX_OFFERED_ITEMS, candidates.length - 1); i++) {
    const j = i + Math.floor(random() * (candidates.length - i))
    ;[candidates[i], candidates[j]] = [candidates[j], candidates[i]]
  }
  return candidates.slice(0, MAX_OFFERED_ITEMS)
}

/** Offered items on the wire: each with its service, and the first WIRE_DIGEST_BYTES of its digest. */
export function offersToWire (items: readonly SyncItem[]): Sync2Item[] {
  return items.map(item => ({ service: item.service, publicKey: item.publicKey as Uint8Array<ArrayBuffer>, seqnum: item.seqnum, digest: item.digest.subarray(0, WIRE_DIGEST_BYTES) as Uint8Array<ArrayBuffer> }))
}

/**
 * The peer's offer, checked: at most MAX_OFFERED_ITEMS well-formed items, no slot twice.
 * Throws SyncProtocolError naming the first problem.
 */
export function readOffers (wire: readonly Sync2Item[]): SyncItem[] {
  if (wire.length > MAX_OFFERED_ITEMS) {
    throw new SyncProtocolError(`an offer of ${wire.length} items, at most ${MAX_OFFERED_ITEMS}`)
  }
  const slots = new Set<string>()
  return wire.map((item, i) => {
    const problem = itemProblem(item, WIRE_DIGEST_BYTES)
    if (problem != null) {
      throw new SyncProtocolError(`offered item ${i}: ${problem}`)
    }
    const key = sortKey(item.service, item.publicKey)
    if (slots.has(key)) {
      throw new SyncProtocolError(`offered item ${i}: a slot offered twice`)
    }
    slots.add(key)
    return item
  })
}

/**
 * Indexes of the offered items to ask for: those of a service `wanted` accepts (one we
 * follow and do not reconcile in this exchange) whose slot we hold nothing for, or an
 * older record (a lower seqnum, or the same seqnum with other bytes: intake decides).
 */
export function wantedOffers (offered: readonly SyncItem[], items: ItemSet, wanted: (service: string) => boolean): number[] {
  const indexes: number[] = []
  offered.forEach((item, i) => {
    if (!wanted(item.service)) {
      return
    }
    const held = heldItem(items, item)
    if (held == null || held.seqnum < item.seqnum || (held.seqnum === item.seqnum && !sameRecord(held, item))) {
      indexes.push(i)
    }
  })
  return indexes
}

/** The offered items the peer asked for; throws SyncProtocolError for an index out of range or repeated. */
export function takeWanted (offered: readonly SyncItem[], indexes: readonly number[]): SyncItem[] {
  const seen = new Set<number>()
  return indexes.map(i => {
    if (!Number.isInteger(i) || i >= offered.length || seen.has(i)) {
      throw new SyncProtocolError(`asked for offered item ${i} of ${offered.length} (or twice)`)
    }
    seen.add(i)
    return offered[i]
  })
}

/** Our item of `item`'s slot, if any. */
function heldItem (items: ItemSet, item: SyncItem): SyncItem | undefined {
  const at = items.lowerIndex(bound(item.service, item.publicKey))
  return at < items.size && items.key(at) === sortKey(item.service, item.publicKey) ? items.item(at) : undefined
}
