/**
 * Sync 2.0.0 reconciliation against lying peers, on the pure module: a peer whose answers
 * contradict its fingerprints, one that splits forever, one that floods items, and honest
 * exchanges with one message mutated on the way. Each must end, with a ReconcileError (or
 * a decode error for bytes that are not a message), within maxRounds messages.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Sync2Mode, Sync2Reconcile, type Sync2Range } from '../../src/pb/sync2.js'
import { ItemSet } from '../../src/sync/reconcile/item-set.js'
import { Reconciler } from '../../src/sync/reconcile/reconciler.js'
import { DEFAULT_MAX_RECONCILE_ROUNDS } from '../../src/sync/reconcile/limits.js'
import { cases, mutate, prngFor, report, Tally, type Prng } from './fuzz-kit.js'
import { newer, randomItem, SERVICES } from '../helpers/reconcile.js'
import type { SyncItem } from '../../src/sync/reconcile/item.js'

const all = new Set(SERVICES)

function codeOf (err: unknown): string {
  const e = err as Error & { code?: string }
  return e.name === 'ReconcileError' ? `ReconcileError/${e.code}` : e.name
}

function range (fields: Partial<Sync2Range>): Sync2Range {
  return { service: '', keyPrefix: new Uint8Array(), toEnd: false, mode: Sync2Mode.SKIP, fingerprint: new Uint8Array(), items: [], missing: [], ...fields }
}

/** Random FINGERPRINT ranges at increasing bounds inside `service`, then one to the end. */
function randomSplit (rng: Prng, count: number): Sync2Range[] {
  const service = rng.pick(SERVICES)
  const prefixes = Array.from({ length: count }, () => rng.bytes(rng.range(1, 4))).sort((x, y) => Buffer.compare(x, y))
    .filter((p, i, all) => i === 0 || Buffer.compare(all[i - 1], p) !== 0)
  return [
    ...prefixes.map((p, i) => range({ service: i === 0 ? service : '', keyPrefix: p as Uint8Array<ArrayBuffer>, mode: Sync2Mode.FINGERPRINT, fingerprint: rng.bytes(16) as Uint8Array<ArrayBuffer> })),
    range({ toEnd: true, mode: Sync2Mode.FINGERPRINT, fingerprint: rng.bytes(16) as Uint8Array<ArrayBuffer> })
  ]
}

function items (rng: Prng, n: number): SyncItem[] {
  return Array.from({ length: n }, () => randomItem(rng))
}

describe('fuzz: reconciliation against a lying peer', () => {
  it('a peer that finds equal every part of a range whose fingerprint differed is caught at once', () => {
    const rng = prngFor('reconcile/inconsistent')
    const honest = new Reconciler(ItemSet.of(items(rng, 3000)), { services: all })
    const split = honest.receive([range({ toEnd: true, mode: Sync2Mode.FINGERPRINT, fingerprint: rng.bytes(16) as Uint8Array<ArrayBuffer> })])
    assert.equal(split.reply?.length, 16)
    // "all equal": an empty message (everything SKIP)
    assert.throws(() => honest.receive([]), (err: Error) => codeOf(err) === 'ReconcileError/inconsistent')
    // the same lie about a listed range: we listed our items, it says SKIP
    const small = new Reconciler(ItemSet.of(items(rng, 5)), { services: all })
    const listed = small.receive([range({ toEnd: true, mode: Sync2Mode.FINGERPRINT, fingerprint: rng.bytes(16) as Uint8Array<ArrayBuffer> })])
    assert.equal(listed.reply?.[0].mode, Sync2Mode.ITEMS)
    assert.throws(() => small.receive([range({ toEnd: true })]), (err: Error) => codeOf(err) === 'ReconcileError/inconsistent')
  })

  it('a peer that splits forever is cut at maxRounds', () => {
    const rng = prngFor('reconcile/split-forever')
    const tally = new Tally()
    const started = performance.now()
    const n = cases(0.002, 10)
    for (let c = 0; c < n; c++) {
      const maxRounds = rng.range(2, 40)
      const honest = new Reconciler(ItemSet.of(items(rng, rng.range(0, 5000))), { services: all, limits: { maxRounds } })
      let rounds = 0
      let error: unknown
      try {
        for (; rounds < 10 * maxRounds; rounds++) {
          // whatever we answered, the peer invents new ranges that all differ
          const step = honest.receive(randomSplit(rng, rng.range(1, 200)))
          if (step.done) {
            break
          }
        }
      } catch (err) {
        error = err
      }
      tally.add(error != null ? codeOf(error) : 'ended')
      assert.ok(rounds <= maxRounds, `case ${c}: ${rounds} rounds, limit ${maxRounds}`)
      assert.ok(error != null, `case ${c}: no error`)
    }
    report('reconcile/split-forever', n, started, tally)
    assert.ok(tally.get('ReconcileError/too-many-rounds') > 0, tally.toString())
  })

  it('a peer flooding items is cut at maxItemsPerMessage and maxItems', () => {
    const rng = prngFor('reconcile/item-flood')
    const maxItems = 500
    const honest = new Reconciler(ItemSet.of([]), { services: all, limits: { maxItems, maxItemsPerMessage: 200 } })
    let error: unknown
    let rounds = 0
    try {
      for (; rounds < 100; rounds++) {
        // 200 new items each time in one service, and a fingerprint after them so it goes on
        const listed = items(rng, 200).map(i => ({ ...i, service: 'helper' })).sort((x, y) => Buffer.compare(x.publicKey, y.publicKey))
        honest.receive([
          range({ service: 'helper', keyPrefix: new Uint8Array([0xff, 0xff, 0xff]), mode: Sync2Mode.ITEMS, items: listed.map((i, k) => ({ service: k === 0 ? 'helper' : '', publicKey: i.publicKey as Uint8Array<ArrayBuffer>, seqnum: i.seqnum, digest: i.digest.slice(0, 16) })) }),
          range({ toEnd: true, mode: Sync2Mode.FINGERPRINT, fingerprint: rng.bytes(16) as Uint8Array<ArrayBuffer> })
        ])
      }
    } catch (err) {
      error = err
    }
    assert.equal(codeOf(error), 'ReconcileError/too-many-items')
    assert.equal(rounds, 2, 'the third list passes 500 items')
    assert.throws(() => new Reconciler(ItemSet.of([]), { services: all, limits: { maxItemsPerMessage: 200 } }).receive([
      range({ toEnd: true, mode: Sync2Mode.ITEMS, items: items(rng, 201).sort((x, y) => Buffer.compare(Buffer.from(x.service + x.publicKey.join()), Buffer.from(y.service + y.publicKey.join()))).map(i => ({ ...i, digest: i.digest.slice(0, 16) }) as Sync2Range['items'][number]) })
    ]), (err: Error) => /too-many-items|bad-item/.test(codeOf(err)))
  })

  it('honest exchanges with one message mutated end within maxRounds, with clear errors', () => {
    const rng = prngFor('reconcile/mutated')
    const tally = new Tally()
    const n = cases(0.01, 40)
    const started = performance.now()
    for (let c = 0; c < n; c++) {
      const base = items(rng, rng.pick([0, 3, 40, 800]))
      const other = base.filter(() => rng.chance(0.9)).map(i => rng.chance(0.05) ? newer(rng, i) : i)
      const sides = [new Reconciler(ItemSet.of(base), { services: all }), new Reconciler(ItemSet.of(other), { services: all })]
      let bytes: Uint8Array = Sync2Reconcile.encode({ ranges: sides[0].initiate() })
      const target = rng.int(4)
      let outcome = 'completed'
      let messages = 0
      try {
        for (let turn = 0; ; turn++) {
          if (turn === target) {
            bytes = mutate(rng, bytes).bytes
          }
          const receiver = sides[(turn + 1) % 2]
          const step = receiver.receive(Sync2Reconcile.decode(bytes, { limits: { ranges: receiver.limits.maxRanges } }).ranges)
          messages++
          if (step.done || step.reply == null) {
            if (step.reply != null) {
              const last = sides[turn % 2]
              last.receive(Sync2Reconcile.decode(Sync2Reconcile.encode({ ranges: step.reply })).ranges)
            }
            break
          }
          bytes = Sync2Reconcile.encode({ ranges: step.reply })
        }
      } catch (err) {
        outcome = codeOf(err)
        assert.ok(outcome.startsWith('ReconcileError/') || /Error$/.test(outcome), `case ${c}: ${outcome}`)
        assert.ok(!['TypeError', 'RangeError'].includes(outcome) || /index out of range|decode/i.test((err as Error).message), `case ${c}: ${outcome}: ${(err as Error).message}`)
      }
      assert.ok(messages <= 2 * DEFAULT_MAX_RECONCILE_ROUNDS, `case ${c}: ${messages} messages`)
      tally.add(outcome)
    }
    report('reconcile/mutated', n, started, tally)
    assert.ok(tally.total - tally.get('completed') > 0, tally.toString())
  })
})
