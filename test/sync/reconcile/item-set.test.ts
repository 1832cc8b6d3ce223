/** Item sets: order, validation, bounds between items, lookups. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ItemSet, END, bound, compareBounds, inRange } from '../../../src/sync/reconcile/item-set.js'
import { sortKey, type SyncItem } from '../../../src/sync/reconcile/item.js'
import { Prng } from '../../fuzz/fuzz-kit.js'
import { randomItem } from '../../helpers/reconcile.js'

function item (service: string, firstKeyBytes: number[], seqnum = 1n): SyncItem {
  const publicKey = new Uint8Array(32)
  publicKey.set(firstKeyBytes)
  return { service, publicKey, seqnum, digest: new Uint8Array(32).fill(seqnum === 1n ? 1 : 2) }
}

describe('ItemSet', () => {
  it('orders by service, then by key bytes (a service that is a prefix of another comes first)', () => {
    const items = [item('upload_storage', [2]), item('b', [0xff]), item('ba', [0]), item('upload_storage', [1, 9]), item('upload_storage', [1, 8])]
    const set = ItemSet.of(items)
    assert.deepEqual(
      Array.from({ length: set.size }, (_, i) => `${set.item(i).service}:${set.item(i).publicKey[0]}.${set.item(i).publicKey[1]}`),
      ['b:255.0', 'ba:0.0', 'upload_storage:1.8', 'upload_storage:1.9', 'upload_storage:2.0'])
  })

  const bad: Array<[string, SyncItem[], RegExp]> = [
    ['an invalid service name', [item('Upload', [1])], /service/],
    ['a 31-byte key', [{ ...item('s', [1]), publicKey: new Uint8Array(31) }], /public key of 31/],
    ['seqnum 0', [item('s', [1], 0n)], /seqnum 0/],
    ['a seqnum above 2^64-1', [item('s', [1], 2n ** 64n)], /seqnum/],
    ['a 16-byte digest', [{ ...item('s', [1]), digest: new Uint8Array(16) }], /digest of 16/],
    ['two items of one slot', [item('s', [1]), item('s', [1], 2n)], /two items for the slot/]
  ]
  for (const [what, items, message] of bad) {
    it(`refuses ${what}`, () => {
      assert.throws(() => ItemSet.of(items), (err: Error) => err.name === 'InvalidOptionError' && message.test(err.message))
    })
  }

  it('bounds between neighbours are the shortest that separate them', () => {
    const set = ItemSet.of([item('a', [5, 1]), item('a', [5, 2]), item('a', [6]), item('b', [0])])
    const table: Array<[number, string, number[]]> = [
      [1, 'a', [5, 2]],
      [2, 'a', [6]],
      [3, 'b', []]
    ]
    for (const [i, service, prefix] of table) {
      const b = set.boundBefore(i)
      assert.equal(b.service, service)
      assert.deepEqual([...b.prefix], prefix)
      assert.ok(!inRange(set.key(i - 1), b, END) && inRange(set.key(i), b, END), `bound ${i} separates`)
      assert.equal(set.lowerIndex(b), i)
    }
  })

  it('boundBefore and lowerIndex agree on random sets', () => {
    const rng = new Prng(3)
    const set = ItemSet.of(Array.from({ length: 2000 }, () => randomItem(rng)))
    for (let i = 1; i < set.size; i++) {
      const b = set.boundBefore(i)
      assert.equal(set.lowerIndex(b), i)
      assert.ok(compareBounds(b, bound(set.item(i).service, set.item(i).publicKey)) <= 0)
    }
    assert.equal(set.lowerIndex(END), set.size)
    assert.equal(set.lowerIndex(bound('', new Uint8Array())), 0)
  })

  it('restrict keeps the items of the services named, and their fingerprints', () => {
    const rng = new Prng(4)
    const items = Array.from({ length: 300 }, () => randomItem(rng))
    const set = ItemSet.of(items)
    const only = set.restrict(new Set(['helper']))
    const direct = ItemSet.of(items.filter(i => i.service === 'helper'))
    assert.equal(only.size, direct.size)
    assert.deepEqual(only.fingerprint(0, only.size), direct.fingerprint(0, direct.size))
    assert.equal(set.restrict(new Set(['upload_storage', 'download_storage', 'helper'])), set)
    assert.ok(sortKey('a', new Uint8Array([1])) < sortKey('a', new Uint8Array([1, 0])))
  })
})
