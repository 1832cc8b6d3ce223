import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { PublisherRateLimiter } from '../../src/gossip/rate-limit.js'

describe('publisher rate limit', () => {
  it('allows a burst, then refills at the rate', () => {
    const limiter = new PublisherRateLimiter({ burst: 3, perSecond: 2 })
    assert.deepEqual([0, 0, 0, 0].map(() => limiter.take('a', 1000)), [true, true, true, false])
    assert.equal(limiter.take('a', 1400), false, '0.8 of a token after 400 ms')
    assert.equal(limiter.take('a', 1500), true, 'one token after 500 ms')
    assert.equal(limiter.take('b', 1500), true, 'each key has its own bucket')
  })

  it('says whether a token is available without taking it', () => {
    const limiter = new PublisherRateLimiter({ burst: 1, perSecond: 1 })
    assert.equal(limiter.available('a', 1000), true, 'an unknown key has a full bucket')
    assert.equal(limiter.available('a', 1000), true, 'asking takes nothing')
    assert.equal(limiter.take('a', 1000), true)
    assert.equal(limiter.available('a', 1500), false)
    assert.equal(limiter.available('a', 2000), true, 'refilled after a second')
  })

  it('keeps at most maxKeys buckets, dropping the one idle longest', () => {
    const limiter = new PublisherRateLimiter({ burst: 1, perSecond: 0.001 }, 2)
    assert.equal(limiter.take('a', 0), true)
    assert.equal(limiter.take('b', 1), true)
    assert.equal(limiter.take('a', 2), false, 'a is empty and now used most recently')
    assert.equal(limiter.take('c', 3), true, 'a third key evicts b, idle longest')
    assert.equal(limiter.take('a', 4), false, 'a was kept: still empty')
    assert.equal(limiter.take('b', 5), true, 'b was dropped: it starts again with a full bucket')
  })
})
