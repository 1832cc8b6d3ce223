import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Deadlines } from '../../src/peer-table/deadlines.js'
import { WithdrawnKeys } from '../../src/peer-table/withdrawn-keys.js'

describe('peer table deadlines', () => {
  it('gives the earliest deadline and takes only what is due, in order', () => {
    const d = new Deadlines()
    d.set('a', 30)
    d.set('b', 10)
    d.set('c', 20)
    assert.equal(d.next(), 10)
    assert.equal(d.takeDue(5), undefined)
    assert.equal(d.takeDue(25), 'b')
    assert.equal(d.takeDue(25), 'c')
    assert.equal(d.takeDue(25), undefined)
    assert.equal(d.next(), 30)
  })

  it('moves and deletes deadlines, skipping the stale ones', () => {
    const d = new Deadlines()
    d.set('a', 10)
    d.set('a', 50)
    d.set('b', 20)
    d.delete('b')
    assert.equal(d.next(), 50)
    assert.equal(d.size, 1)
    assert.equal(d.takeDue(100), 'a')
    assert.equal(d.next(), undefined)
  })

  it('stays within twice the keys plus a constant however often deadlines move', () => {
    const d = new Deadlines()
    for (let i = 0; i < 100_000; i++) {
      d.set(`k${i % 10}`, i)
    }
    assert.equal(d.size, 10)
    const heapSize = (d as unknown as { heap: { size(): number } }).heap.size()
    assert.ok(heapSize <= 2 * 10 + 1024 + 1, `heap of ${heapSize}`)
    assert.equal(d.next(), 99_990)
  })
})

describe('withdrawn keys', () => {
  it('keeps the greatest seqnum of the keys touched last, up to its bound', () => {
    const w = new WithdrawnKeys(2)
    w.remember('a', 5n)
    w.remember('a', 3n)
    w.remember('b', 1n)
    w.remember('c', 1n)
    assert.equal(w.size, 2)
    assert.equal(w.get('a'), undefined)
    w.remember('b', 2n)
    w.remember('d', 1n)
    assert.equal(w.get('b'), 2n)
    assert.equal(w.get('c'), undefined)
    w.remember('x', 9n)
    w.remember('x', 3n)
    assert.equal(w.get('x'), 9n)
  })
})
