/**
 * The dial policy alone (pure, clock injected): per-address backoff whichever keys name
 * the address, the budget for addresses never confirmed, what confirms an address, and
 * the bounds of what it remembers.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import { addressKey, DialPolicy, withPeer, type DialPlan } from '../../src/introduction/dial-policy.js'
import { MAX_REMEMBERED_PEERS, NEW_ADDRESS_DIAL_BURST, NEW_ADDRESS_RETRY_MAX_MS } from '../../src/introduction/constants.js'

const VICTIM = multiaddr('/ip4/192.0.2.7/tcp/80')
const PEER = '12D3KooWLRPJAA5o6zR4L4SLjf9eBzu6H3ST1vjQ1Y7M6xTHEwHn'

function policy (): DialPolicy {
  return new DialPolicy({ retryMs: 1000, retryMaxMs: 60_000 })
}

function isPlan (p: ReturnType<DialPolicy['plan']>): p is DialPlan {
  return typeof p === 'object'
}

describe('dial policy', () => {
  it('keys addresses by host:port, with or without /p2p', () => {
    assert.equal(addressKey(multiaddr(`/ip4/192.0.2.7/tcp/80/p2p/${PEER}`)), '192.0.2.7:80')
    assert.equal(addressKey(multiaddr('/ip6/2001:db8::1/tcp/4001')), '2001:db8::1:4001')
    assert.equal(withPeer(multiaddr(`/ip4/192.0.2.7/tcp/80/p2p/${PEER}/p2p/${PEER}`), PEER).toString(), `/ip4/192.0.2.7/tcp/80/p2p/${PEER}`, 'a repeated suffix')
    assert.equal(withPeer(multiaddr('/ip4/192.0.2.7/tcp/80/p2p/12D3KooWPjceQrSwdWXPyLLeABRXmuqt69Rg3sBYbU1Nft9HyQ6X'), PEER).toString(), `/ip4/192.0.2.7/tcp/80/p2p/${PEER}`)
  })

  it('backs an address off for every key that names it, and never dials one twice at once', () => {
    const p = policy()
    const first = p.plan('sybil-1', [VICTIM], 0)
    assert.ok(isPlan(first) && !first.confirmed)
    p.started(first)
    assert.equal(p.plan('sybil-2', [VICTIM], 0), 'waiting', 'in flight under another key')
    assert.equal(p.failed(first, 0), 1000)
    assert.equal(p.plan('sybil-3', [VICTIM], 999), 'waiting')
    const second = p.plan('sybil-4', [VICTIM], 1000)
    assert.ok(isPlan(second))
    p.started(second)
    assert.equal(p.failed(second, 1000), 2000, 'the backoff doubles across keys')
  })

  it('lets a new address wait up to NEW_ADDRESS_RETRY_MAX_MS, a confirmed one up to retryMaxMs', () => {
    const p = new DialPolicy({ retryMs: 1000, retryMaxMs: 60_000, newBurst: 1000, newPerMinute: 1000 })
    const confirmed = multiaddr('/ip4/192.0.2.8/tcp/4001')
    p.connected(PEER, confirmed, 'outbound')
    let waitNew = 0
    let waitConfirmed = 0
    for (let i = 0, now = 0; i < 30; i++, now += NEW_ADDRESS_RETRY_MAX_MS) {
      const a = p.plan('sybil', [VICTIM], now)
      const b = p.plan(PEER, [confirmed], now)
      assert.ok(isPlan(a) && isPlan(b) && b.confirmed && !a.confirmed)
      p.started(a)
      p.started(b)
      waitNew = p.failed(a, now)
      waitConfirmed = p.failed(b, now)
    }
    assert.equal(waitNew, NEW_ADDRESS_RETRY_MAX_MS)
    assert.equal(waitConfirmed, 60_000)
  })

  it('spends a budget on new addresses only, refilled over time', () => {
    const p = new DialPolicy({ retryMs: 1000, retryMaxMs: 60_000, newBurst: 2, newPerMinute: 2 })
    const address = (i: number): ReturnType<typeof multiaddr> => multiaddr(`/ip4/192.0.2.7/tcp/${1000 + i}`)
    assert.ok(isPlan(p.plan('s0', [address(0)], 0)))
    assert.ok(isPlan(p.plan('s1', [address(1)], 0)))
    assert.equal(p.plan('s2', [address(2)], 0), 'over-budget')
    // bootstrap entries and confirmed addresses are not counted
    assert.ok(isPlan(p.plan('boot', [address(3)], 0, true)))
    p.connected(PEER, address(4), 'outbound')
    assert.ok(isPlan(p.plan(PEER, [address(4)], 0)))
    assert.equal(p.plan('s2', [address(2)], 29_000), 'over-budget')
    assert.ok(isPlan(p.plan('s2', [address(2)], 30_000)), 'one token a half minute')
  })

  it('confirms the host an inbound connection came from, and only for that peer', () => {
    const p = policy()
    p.connected(PEER, multiaddr('/ip4/192.0.2.9/tcp/53211'), 'inbound')
    assert.ok(p.knows(PEER))
    assert.ok(p.hasConfirmed(PEER, [multiaddr('/ip4/192.0.2.9/tcp/4001')], 0))
    assert.ok(!p.hasConfirmed(PEER, [VICTIM], 0), 'another host')
    assert.ok(!p.hasConfirmed('another-peer', [multiaddr('/ip4/192.0.2.9/tcp/4001')], 0))
    // a peer with a confirmed and a new address: the confirmed one alone is dialled, at no cost
    const plan = p.plan(PEER, [VICTIM, multiaddr('/ip4/192.0.2.9/tcp/4001')], 0)
    assert.ok(isPlan(plan) && plan.confirmed)
    assert.deepEqual(plan.multiaddrs.map(String), ['/ip4/192.0.2.9/tcp/4001'])
  })

  it('remembers at most MAX_REMEMBERED_PEERS peers, forgetting the least recently connected', () => {
    const p = policy()
    for (let i = 0; i <= MAX_REMEMBERED_PEERS; i++) {
      p.connected(`peer-${i}`, multiaddr(`/ip4/10.0.${i >> 8}.${i & 255}/tcp/4001`), 'outbound')
    }
    assert.ok(!p.knows('peer-0'))
    assert.ok(p.knows('peer-1') && p.knows(`peer-${MAX_REMEMBERED_PEERS}`))
  })

  it('has a burst of NEW_ADDRESS_DIAL_BURST by default', () => {
    const p = policy()
    let started = 0
    for (let i = 0; i < 100; i++) {
      if (isPlan(p.plan(`s${i}`, [multiaddr(`/ip4/192.0.2.7/tcp/${2000 + i}`)], 0))) started++
    }
    assert.equal(started, NEW_ADDRESS_DIAL_BURST)
  })
})
