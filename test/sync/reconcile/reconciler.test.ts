/**
 * The reconciliation state machine: table-driven cases of two honest sides, then each
 * rule a peer's message can break, each ending in its ReconcileError code.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Sync2Mode, type Sync2Range } from '../../../src/pb/sync2.js'
import { ItemSet } from '../../../src/sync/reconcile/item-set.js'
import { Reconciler } from '../../../src/sync/reconcile/reconciler.js'
import { Prng } from '../../fuzz/fuzz-kit.js'
import { conflicting, describeResult, expected, newer, randomItem, reconcile, SERVICES } from '../../helpers/reconcile.js'
import type { SyncItem } from '../../../src/sync/reconcile/item.js'

const rng = new Prng(11)
const base = Array.from({ length: 500 }, () => randomItem(rng))
const all = new Set(SERVICES)

describe('reconciliation between honest sides', () => {
  const cases: Array<[string, SyncItem[], SyncItem[]]> = [
    ['both empty', [], []],
    ['initiator empty', [], base],
    ['responder empty', base, []],
    ['equal', base, base],
    ['one item only on the initiator', base, base.slice(1)],
    ['one item only on the responder', base.slice(1), base],
    ['initiator a superset', base, base.slice(0, 250)],
    ['responder newer for one slot', base, base.map((x, i) => i === 77 ? newer(rng, x) : x)],
    ['initiator newer for ten slots', base.map((x, i) => i % 50 === 0 ? newer(rng, x) : x), base],
    ['equal seqnum, other bytes', base, base.map((x, i) => i === 5 ? conflicting(rng, x) : x)],
    ['disjoint', base.slice(0, 200), base.slice(200)],
    ['one item each, different', base.slice(0, 1), base.slice(1, 2)]
  ]
  for (const [name, a, b] of cases) {
    it(name, () => {
      const run = reconcile(a, b)
      assert.deepEqual(describeResult(run.initiator), expected(a, b, all))
      assert.deepEqual(describeResult(run.responder), expected(b, a, all))
      if (name === 'equal' || name === 'both empty') {
        assert.equal(run.messages, 2, 'one round trip')
      }
    })
  }

  it('items of services not reconciled are left out on both sides', () => {
    const extra = Array.from({ length: 40 }, () => randomItem(rng, 'other'))
    const services = ['upload_storage', 'helper']
    const run = reconcile([...base, ...extra.slice(0, 20)], [...base.slice(100), ...extra.slice(20)], { services })
    assert.deepEqual(describeResult(run.initiator), expected([...base], base.slice(100), new Set(services)))
    assert.ok(run.initiator.theyNeed.every(i => services.includes(i.service)))
  })

  it('a conflict is reported on both sides and transferred by neither', () => {
    const b = base.map((x, i) => i === 9 ? conflicting(rng, x) : x)
    const run = reconcile(base, b)
    assert.equal(run.initiator.conflicts.length, 1)
    assert.equal(run.responder.conflicts.length, 1)
    assert.equal(run.initiator.iNeed.length + run.initiator.theyNeed.length, 0)
  })
})

/** A responder that takes `ranges` as the initiator's first message. */
function responderTakes (ranges: Sync2Range[], items: SyncItem[] = base, limits = {}): () => unknown {
  return () => new Reconciler(ItemSet.of(items), { services: all, limits }).receive(ranges)
}

function range (fields: Partial<Sync2Range>): Sync2Range {
  return { service: '', keyPrefix: new Uint8Array(), toEnd: false, mode: Sync2Mode.SKIP, fingerprint: new Uint8Array(), items: [], missing: [], ...fields }
}

function wireItem (item: SyncItem, fields: Record<string, unknown> = {}): Sync2Range['items'][number] {
  return { service: item.service, publicKey: item.publicKey as Uint8Array<ArrayBuffer>, seqnum: item.seqnum, digest: item.digest.slice(0, 16), ...fields }
}

const fp = (): Uint8Array<ArrayBuffer> => rng.bytes(16) as Uint8Array<ArrayBuffer>
const key = (b: number): Uint8Array<ArrayBuffer> => new Uint8Array(32).fill(b)
const sorted = ItemSet.of(base)
const first = sorted.item(0)
const second = sorted.item(1)

describe('a peer message breaking a rule ends in a ReconcileError', () => {
  const table: Array<[string, Sync2Range[], string, Record<string, number>?]> = [
    ['bounds out of order', [range({ service: 'helper', mode: Sync2Mode.FINGERPRINT, fingerprint: fp() }), range({ service: 'download_storage', mode: Sync2Mode.FINGERPRINT, fingerprint: fp() })], 'bad-bound'],
    ['two equal bounds', [range({ service: 'helper' }), range({ service: 'helper', mode: Sync2Mode.FINGERPRINT, fingerprint: fp() })], 'bad-bound'],
    ['a range after the end', [range({ toEnd: true }), range({ service: 'helper' })], 'bad-bound'],
    ['a first bound with no service', [range({ keyPrefix: key(1), mode: Sync2Mode.FINGERPRINT, fingerprint: fp() })], 'bad-bound'],
    ['a bound naming an invalid service', [range({ service: 'No Such', mode: Sync2Mode.FINGERPRINT, fingerprint: fp() })], 'bad-bound'],
    ['a key prefix of 33 bytes', [range({ service: 'helper', keyPrefix: new Uint8Array(33) })], 'bad-bound'],
    ['an end bound that names a service', [range({ toEnd: true, service: 'helper' })], 'malformed'],
    ['a 15-byte fingerprint', [range({ toEnd: true, mode: Sync2Mode.FINGERPRINT, fingerprint: rng.bytes(15) as Uint8Array<ArrayBuffer> })], 'malformed'],
    ['a SKIP with a fingerprint', [range({ toEnd: true, fingerprint: fp() })], 'malformed'],
    ['a FINGERPRINT with items', [range({ toEnd: true, mode: Sync2Mode.FINGERPRINT, fingerprint: fp(), items: [wireItem(first)] })], 'malformed'],
    ['ITEMS with DIFF indexes', [range({ toEnd: true, mode: Sync2Mode.ITEMS, missing: [0] })], 'malformed'],
    ['an item with a 31-byte key', [range({ toEnd: true, mode: Sync2Mode.ITEMS, items: [wireItem(first, { publicKey: new Uint8Array(31) })] })], 'bad-item'],
    ['an item with a 32-byte digest', [range({ toEnd: true, mode: Sync2Mode.ITEMS, items: [wireItem(first, { digest: new Uint8Array(32) })] })], 'bad-item'],
    ['an item with seqnum 0', [range({ toEnd: true, mode: Sync2Mode.ITEMS, items: [wireItem(first, { seqnum: 0n })] })], 'bad-item'],
    ['a first item with no service', [range({ toEnd: true, mode: Sync2Mode.ITEMS, items: [wireItem(first, { service: '' })] })], 'bad-item'],
    ['an item of a service not reconciled', [range({ toEnd: true, mode: Sync2Mode.ITEMS, items: [wireItem(first, { service: 'other' })] })], 'bad-item'],
    ['items out of order', [range({ toEnd: true, mode: Sync2Mode.ITEMS, items: [wireItem(second), wireItem(first)] })], 'bad-item'],
    ['the same item twice', [range({ toEnd: true, mode: Sync2Mode.ITEMS, items: [wireItem(first), wireItem(first)] })], 'bad-item'],
    ['an item outside its range', [range({ service: 'a', mode: Sync2Mode.ITEMS, items: [wireItem(first)] })], 'bad-item'],
    ['a DIFF for a range we did not list', [range({ toEnd: true, mode: Sync2Mode.DIFF, items: [wireItem(first)] })], 'bad-diff'],
    ['DIFF indexes out of order', [range({ toEnd: true, mode: Sync2Mode.DIFF, missing: [2, 1] })], 'bad-diff'],
    ['more ranges than the limit', Array.from({ length: 9 }, (_, i) => range({ service: `s${i}` })), 'too-many-ranges', { maxRanges: 8 }],
    ['more items than the limit', [range({ toEnd: true, mode: Sync2Mode.ITEMS, items: sorted.slice(0, 34).map(i => wireItem(i)) })], 'too-many-items', { maxItemsPerMessage: 33 }]
  ]
  for (const [what, ranges, code, limits] of table) {
    it(what, () => {
      assert.throws(responderTakes(ranges, base, limits), (err: Error & { code?: string }) => err.name === 'ReconcileError' && err.code === code, code)
    })
  }

  it('a DIFF index beyond the list we sent, and a DIFF that repeats our item', () => {
    // the initiator is empty, so it lists nothing (ITEMS over everything)
    for (const [answer, code] of [
      [range({ toEnd: true, mode: Sync2Mode.DIFF, missing: [0] }), 'bad-diff']
    ] as const) {
      const initiator = new Reconciler(ItemSet.of([]), { services: all })
      initiator.initiate()
      assert.throws(() => initiator.receive([answer]), (err: Error & { code?: string }) => err.code === code)
    }
    const one = [first]
    const initiator = new Reconciler(ItemSet.of(one), { services: all })
    const responder = new Reconciler(ItemSet.of([]), { services: all })
    const listed = responder.receive(initiator.initiate()).reply ?? []
    assert.equal(listed[0].mode, Sync2Mode.ITEMS)
    const step = initiator.receive(listed)
    assert.equal(step.reply?.[0].mode, Sync2Mode.DIFF)
    // DIFFs back that contradict the list we sent: our very item, as it is; or a slot both
    // listed with another record and called missing
    for (const diff of [
      range({ toEnd: true, mode: Sync2Mode.DIFF, items: [wireItem(first)] }),
      range({ toEnd: true, mode: Sync2Mode.DIFF, items: [wireItem(first, { seqnum: first.seqnum + 1n })], missing: [0] })
    ]) {
      const lister = new Reconciler(ItemSet.of([first]), { services: all })
      const asked = lister.receive([range({ toEnd: true, mode: Sync2Mode.FINGERPRINT, fingerprint: fp() })])
      assert.equal(asked.reply?.[0].mode, Sync2Mode.ITEMS)
      assert.throws(() => lister.receive([diff]), (err: Error & { code?: string }) => err.code === 'bad-diff')
    }
  })

  it('a message after the end, and a second first message', () => {
    const a = new Reconciler(ItemSet.of(base), { services: all })
    const b = new Reconciler(ItemSet.of(base), { services: all })
    const step = b.receive(a.initiate())
    assert.equal(step.done, true)
    assert.throws(() => b.receive([]), (err: Error & { code?: string }) => err.code === 'unexpected-message')
    const done = a.receive(step.reply ?? [])
    assert.equal(done.done, true)
    assert.equal(done.reply, undefined)
    assert.throws(() => a.receive([]), (err: Error & { code?: string }) => err.code === 'unexpected-message')
  })
})
