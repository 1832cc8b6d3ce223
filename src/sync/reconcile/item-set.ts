/**
 * One side's items, sorted, with prefix sums of their hashes so that any range's
 * fingerprint costs one subtraction and one SHA-256, and bounds between ranges.
 */
import { InvalidOptionError } from '../../errors.js'
import { PrefixSums } from './fingerprint.js'
import { compareKeys, itemProblem, slotId, sortKey, type SyncItem } from './item.js'

/**
 * A position in the item order: every item whose sort key is below `key` comes before
 * it. `service` and `prefix` are `key` split at its first zero byte (how bounds travel).
 */
export interface Bound {
  service: string
  prefix: Uint8Array
  key: string
}

/** The start of the item space, below every item; a range's upper bound may also be END. */
export const START: Bound = { service: '', prefix: new Uint8Array(), key: '' }
export const END = 'end'
export type UpperBound = Bound | typeof END

export function bound (service: string, prefix: Uint8Array): Bound {
  return { service, prefix, key: sortKey(service, prefix) }
}

/** Orders bounds; END after everything. */
export function compareBounds (a: UpperBound, b: UpperBound): number {
  if (a === END || b === END) {
    return a === b ? 0 : a === END ? 1 : -1
  }
  return compareKeys(a.key, b.key)
}

/** Whether the sort key `key` lies in [lower, upper). */
export function inRange (key: string, lower: Bound, upper: UpperBound): boolean {
  return key >= lower.key && (upper === END || key < upper.key)
}

export class ItemSet {
  private readonly sums: PrefixSums

  private constructor (private readonly items: readonly SyncItem[], private readonly keys: readonly string[]) {
    // an item's digest (SHA-256 of its record) is what fingerprints sum: see fingerprint.ts
    this.sums = new PrefixSums(items.map(item => item.digest))
  }

  /**
   * Sorts and indexes `items`. Throws InvalidOptionError for a malformed item or two
   * items of one slot (the caller holds one record per slot). Items are not copied: do
   * not change them while the set is in use.
   */
  static of (items: Iterable<SyncItem>): ItemSet {
    const entries: Array<{ item: SyncItem, key: string }> = []
    for (const item of items) {
      const problem = itemProblem(item)
      if (problem != null) {
        throw new InvalidOptionError('items', problem)
      }
      entries.push({ item, key: sortKey(item.service, item.publicKey) })
    }
    entries.sort((a, b) => compareKeys(a.key, b.key))
    for (let i = 1; i < entries.length; i++) {
      if (entries[i - 1].key === entries[i].key) {
        throw new InvalidOptionError('items', `two items for the slot ${slotId(entries[i].item)}`)
      }
    }
    return new ItemSet(entries.map(e => e.item), entries.map(e => e.key))
  }

  get size (): number {
    return this.items.length
  }

  item (i: number): SyncItem {
    return this.items[i]
  }

  key (i: number): string {
    return this.keys[i]
  }

  /** Items begin..end-1. */
  slice (begin: number, end: number): readonly SyncItem[] {
    return this.items.slice(begin, end)
  }

  /** The services that have items here. */
  services (): Set<string> {
    return new Set(this.items.map(i => i.service))
  }

  /** The items of `services` only (hashes are kept; prefix sums are rebuilt). */
  restrict (services: ReadonlySet<string>): ItemSet {
    const kept: number[] = []
    for (let i = 0; i < this.items.length; i++) {
      if (services.has(this.items[i].service)) {
        kept.push(i)
      }
    }
    return kept.length === this.items.length ? this : new ItemSet(kept.map(i => this.items[i]), kept.map(i => this.keys[i]))
  }

  /** The first index at or after `from` whose item is not below `b`. */
  lowerIndex (b: UpperBound, from = 0): number {
    if (b === END) {
      return this.items.length
    }
    let lo = from
    let hi = this.items.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.keys[mid] < b.key) {
        lo = mid + 1
      } else {
        hi = mid
      }
    }
    return lo
  }

  fingerprint (begin: number, end: number): Uint8Array {
    return this.sums.fingerprint(begin, end)
  }

  /**
   * The shortest bound above item i-1 and at most item i (0 < i < size): item i's
   * service with an empty prefix when the services differ, else item i's key cut one
   * byte after the prefix it shares with item i-1.
   */
  boundBefore (i: number): Bound {
    const prev = this.items[i - 1]
    const curr = this.items[i]
    if (prev.service !== curr.service) {
      return bound(curr.service, new Uint8Array())
    }
    let shared = 0
    while (shared < curr.publicKey.byteLength && prev.publicKey[shared] === curr.publicKey[shared]) {
      shared++
    }
    return bound(curr.service, curr.publicKey.slice(0, shared + 1))
  }
}
