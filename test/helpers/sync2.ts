/**
 * For tests of the sync 2.0.0 stream protocol: sides holding synthetic records (random
 * bytes standing in for signed records, which the protocol does not open), the options
 * that serve them, and the state each side reaches once it applies what it received.
 */
import { ItemSet } from '../../src/sync/reconcile/item-set.js'
import { recordDigest, type SyncItem } from '../../src/sync/reconcile/item.js'
import type { Sync2Options } from '../../src/sync/sync2-protocol.js'
import type { Prng } from '../fuzz/fuzz-kit.js'

export const GRID = 'test'

/** Every synthetic record made, by digest: how a receiver "decodes" bytes into an item. */
const registry = new Map<string, SyncItem>()

const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex')

export interface Held { item: SyncItem, record: Uint8Array }

export function makeRecord (rng: Prng, service: string, publicKey: Uint8Array = rng.bytes(32), seqnum = BigInt(rng.range(1, 1_000_000)), size = rng.range(100, 700)): Held {
  const record = rng.bytes(size)
  const item = { service, publicKey, seqnum, digest: recordDigest(record) }
  registry.set(hexOf(item.digest), item)
  return { item, record }
}

export function newerRecord (rng: Prng, h: Held): Held {
  return makeRecord(rng, h.item.service, h.item.publicKey, h.item.seqnum + BigInt(rng.range(1, 10)))
}

/** The age a side reports for a record it sends: derived from the item, so receivers can check it. */
export function ageOf (item: SyncItem): number {
  return Number(item.seqnum % 100_000n) + 17
}

export interface Received { record: Uint8Array, ageMs: number }

/** Options for one side holding `held`; what it receives is collected in `received`. */
export function sideOptions (held: readonly Held[], services: string[], extra: Partial<Sync2Options> = {}): Sync2Options & { received: Received[] } {
  const byDigest = new Map(held.map(h => [hexOf(h.item.digest), h.record]))
  const received: Received[] = []
  return {
    grid: GRID,
    services,
    items: ItemSet.of(held.map(h => h.item)),
    getRecord: (item) => {
      const record = byDigest.get(hexOf(item.digest))
      return record != null ? { record, ageMs: ageOf(item) } : undefined
    },
    onRecord: (record, ageMs) => { received.push({ record, ageMs }) },
    received,
    ...extra
  }
}

/** The slots of `held` after taking `received` by the replacement rule (greater seqnum wins). */
export function applied (held: readonly Held[], received: readonly Received[], services: readonly string[]): Map<string, string> {
  const slots = new Map<string, SyncItem>()
  const take = (item: SyncItem): void => {
    if (!services.includes(item.service)) return
    const slot = `${item.service}/${hexOf(item.publicKey)}`
    const now = slots.get(slot)
    if (now == null || item.seqnum > now.seqnum) slots.set(slot, item)
  }
  held.forEach(h => { take(h.item) })
  for (const r of received) {
    const item = registry.get(hexOf(recordDigest(r.record)))
    if (item == null) throw new Error('received bytes that no side made')
    take(item)
  }
  return new Map([...slots].map(([slot, item]) => [slot, `${item.seqnum}/${hexOf(item.digest)}`]))
}
