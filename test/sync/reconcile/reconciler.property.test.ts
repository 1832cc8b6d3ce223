/**
 * Property: for random sets and random differences of every kind, both sides end up
 * knowing exactly the difference (what each needs, and the conflicts), within the
 * message bounds, with default and with the smallest allowed limits (which force
 * messages to run out of room and ask about the rest again). Seeded: replay a failure
 * with FUZZ_SEED=<seed printed> (see test/fuzz/fuzz-kit.ts).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { cases, prngFor, report, type Prng } from '../../fuzz/fuzz-kit.js'
import { conflicting, describeResult, expected, newer, randomItem, reconcile, SERVICES } from '../../helpers/reconcile.js'
import type { SyncItem } from '../../../src/sync/reconcile/item.js'
import type { ReconcileLimits } from '../../../src/sync/reconcile/limits.js'

const SMALLEST: Partial<ReconcileLimits> = { maxMessageBytes: 8192, maxRanges: 8, maxItemsPerMessage: 33, maxRounds: 1000 }

/** Two sets from one base: each kind of difference in random amounts, sometimes none. */
function scenario (rng: Prng): { a: SyncItem[], b: SyncItem[], services: string[] } {
  const n = rng.pick([0, 1, 2, 17, 100, 600, 2500])
  const every = [...SERVICES, 'other']
  const base = Array.from({ length: n }, () => randomItem(rng, rng.pick(every)))
  const a: SyncItem[] = []
  const b: SyncItem[] = []
  const p = rng.pick([0, 0.002, 0.02, 0.2, 0.9])
  for (const item of base) {
    if (!rng.chance(p)) {
      a.push(item)
      b.push(item)
      continue
    }
    switch (rng.int(5)) {
      case 0: a.push(item); break
      case 1: b.push(item); break
      case 2: a.push(newer(rng, item)); b.push(item); break
      case 3: a.push(item); b.push(newer(rng, item)); break
      default: a.push(item); b.push(conflicting(rng, item)); break
    }
  }
  // sometimes one side is a superset, or empty
  const shape = rng.int(6)
  const services = rng.chance(0.3) ? SERVICES.slice(0, rng.range(1, SERVICES.length)) : SERVICES
  if (shape === 0) return { a: [], b, services }
  if (shape === 1) return { a, b: [], services }
  if (shape === 2) return { a: base, b: b.filter(x => base.includes(x)), services }
  return { a, b, services }
}

describe('property: both sides learn exactly the difference', () => {
  for (const [name, limits] of [['default limits', {}], ['smallest limits', SMALLEST]] as const) {
    it(name, () => {
      const rng = prngFor(`reconcile/property/${name}`)
      const n = cases(0.006, 40)
      const started = performance.now()
      let messages = 0
      let largest = 0
      for (let i = 0; i < n; i++) {
        const { a, b, services } = scenario(rng)
        const run = reconcile(a, b, { services, limits })
        const set = new Set(services)
        assert.deepEqual(describeResult(run.initiator), expected(a, b, set), `case ${i}: initiator (${a.length} vs ${b.length})`)
        assert.deepEqual(describeResult(run.responder), expected(b, a, set), `case ${i}: responder (${b.length} vs ${a.length})`)
        assert.ok(run.largest <= (limits.maxMessageBytes ?? 256 * 1024), `case ${i}: a message of ${run.largest} bytes`)
        messages += run.messages
        largest = Math.max(largest, run.largest)
      }
      report(`reconcile/property/${name}`, n, started)
      console.log(`  ${messages} messages in all, largest ${largest} bytes`)
    })
  }
})
