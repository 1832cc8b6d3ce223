/**
 * For tests of the pure reconciliation: random items from a seeded PRNG, and two
 * Reconcilers run against each other with every message encoded and decoded as it
 * travels (Sync2Reconcile frames), counting messages and bytes.
 */
import { Sync2Reconcile } from '../../src/pb/sync2.js'
import { ItemSet } from '../../src/sync/reconcile/item-set.js'
import { Reconciler } from '../../src/sync/reconcile/reconciler.js'
import type { ReconcileResult } from '../../src/sync/reconcile/differences.js'
import type { SyncItem } from '../../src/sync/reconcile/item.js'
import type { ReconcileLimits } from '../../src/sync/reconcile/limits.js'
import type { Prng } from '../fuzz/fuzz-kit.js'

export const SERVICES = ['upload_storage', 'download_storage', 'helper']

export function randomItem (rng: Prng, service = rng.pick(SERVICES)): SyncItem {
  return { service, publicKey: rng.bytes(32), seqnum: BigInt(rng.range(1, 1_000_000)), digest: rng.bytes(32) }
}

/** The same slot with a higher seqnum (and other bytes). */
export function newer (rng: Prng, item: SyncItem): SyncItem {
  return { ...item, seqnum: item.seqnum + BigInt(rng.range(1, 100)), digest: rng.bytes(32) }
}

/** The same slot and seqnum with other bytes. */
export function conflicting (rng: Prng, item: SyncItem): SyncItem {
  return { ...item, digest: rng.bytes(32) }
}

export interface Run {
  initiator: ReconcileResult
  responder: ReconcileResult
  /** Messages, both ways. */
  messages: number
  /** Encoded bytes of every message (Open/Accept framing not included). */
  bytes: number
  largest: number
}

/** Runs a whole reconciliation of `a` (initiator) with `b` over `services`. */
export function reconcile (a: readonly SyncItem[], b: readonly SyncItem[], options: { services?: string[], limits?: Partial<ReconcileLimits> } = {}): Run {
  const services = new Set(options.services ?? SERVICES)
  const initiator = new Reconciler(ItemSet.of(a), { services, limits: options.limits })
  const responder = new Reconciler(ItemSet.of(b), { services, limits: options.limits })
  let messages = 1
  let bytes = 0
  let largest = 0
  const travel = (ranges: Sync2Reconcile['ranges']): Sync2Reconcile['ranges'] => {
    const encoded = Sync2Reconcile.encode({ ranges })
    bytes += encoded.byteLength
    largest = Math.max(largest, encoded.byteLength)
    return Sync2Reconcile.decode(encoded).ranges
  }
  let message = travel(initiator.initiate())
  let receiver = responder
  let other = initiator
  for (;;) {
    const step = receiver.receive(message)
    if (step.reply != null) {
      messages++
      message = travel(step.reply)
    }
    if (step.done) {
      if (step.reply != null) {
        // the last message asks for no answer: the other side takes it and is done too
        const last = other.receive(message)
        if (last.reply != null || !last.done) {
          throw new Error('a side answered a message that asked for no answer')
        }
      }
      break
    }
    [receiver, other] = [other, receiver]
  }
  if (!initiator.done || !responder.done) {
    throw new Error('reconciliation ended with a side not done')
  }
  return { initiator: initiator.result(), responder: responder.result(), messages, bytes, largest }
}

function id (item: SyncItem): string {
  return `${item.service}/${Buffer.from(item.publicKey).toString('hex')}/${item.seqnum}/${Buffer.from(item.digest.subarray(0, 16)).toString('hex')}`
}

/** A result as sorted strings, for comparing. */
export function describeResult (r: ReconcileResult): { iNeed: string[], theyNeed: string[], conflicts: string[] } {
  return {
    iNeed: r.iNeed.map(id).sort(),
    theyNeed: r.theyNeed.map(id).sort(),
    conflicts: r.conflicts.map(c => `${id(c.mine)} ${id(c.theirs)}`).sort()
  }
}

/** What `a`'s side should find against `b`, computed naively from both sets. */
export function expected (a: readonly SyncItem[], b: readonly SyncItem[], services: ReadonlySet<string>): { iNeed: string[], theyNeed: string[], conflicts: string[] } {
  const slot = (i: SyncItem): string => `${i.service}/${Buffer.from(i.publicKey).toString('hex')}`
  const mine = new Map(a.filter(i => services.has(i.service)).map(i => [slot(i), i]))
  const theirs = new Map(b.filter(i => services.has(i.service)).map(i => [slot(i), i]))
  const out = { iNeed: [] as string[], theyNeed: [] as string[], conflicts: [] as string[] }
  for (const [s, t] of theirs) {
    const m = mine.get(s)
    if (m == null || t.seqnum > m.seqnum) out.iNeed.push(id(t))
    else if (t.seqnum === m.seqnum && id(t) !== id(m)) out.conflicts.push(`${id(m)} ${id(t)}`)
  }
  for (const [s, m] of mine) {
    const t = theirs.get(s)
    if (t == null || m.seqnum > t.seqnum) out.theyNeed.push(id(m))
  }
  return { iNeed: out.iNeed.sort(), theyNeed: out.theyNeed.sort(), conflicts: out.conflicts.sort() }
}
