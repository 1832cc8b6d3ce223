/**
 * The pure parts of connection slots: admission rules, victim choice, host keys, options.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import { checkInbound, checkPeer, chooseVictims, type AdmissionLimits, type HostCounts, type SlotConnection } from '../../src/connections/admission.js'
import { DEFAULT_MAX_CONNECTIONS, PRUNE_MARGIN } from '../../src/connections/constants.js'
import { expandIp6, hostKey, LocalAddresses, remoteIp } from '../../src/connections/host-key.js'
import { libp2pConnectionManagerInit, resolveSlotsOptions } from '../../src/connections/options.js'
import { InvalidOptionError } from '../../src/errors.js'

const LIMITS: AdmissionLimits = { maxConnections: 10, maxConnectionsPerHost: 5, maxPendingPerHost: 2, maxConnectionsPerPeer: 3, maxRefusedHandshakesPerHost: 2 }

function counts (byHost: Record<string, number>, pendingByHost: Record<string, number> = {}): HostCounts {
  return {
    total: Object.values(byHost).reduce((a, b) => a + b, 0),
    byHost: new Map(Object.entries(byHost)),
    pendingByHost: new Map(Object.entries(pendingByHost))
  }
}

const host = (key: string, local = false, refusedHandshakes = 0): { key: string, local: boolean, refusedHandshakes: number } => ({ key, local, refusedHandshakes })

describe('checkInbound', () => {
  const cases: Array<[string, HostCounts, ReturnType<typeof host>, string | undefined]> = [
    ['an empty node admits', counts({}), host('a'), undefined],
    ['a host under its limits is admitted', counts({ a: 3 }, { a: 1 }), host('a'), undefined],
    ['a host at its pending limit is refused', counts({ a: 2 }, { a: 2 }), host('a'), 'host-pending'],
    ['a host at its connection limit is refused', counts({ a: 5 }), host('a'), 'host-connections'],
    ['a host that wasted its handshakes is refused', counts({ a: 1 }), host('a', false, 2), 'host-refused-handshakes'],
    ['a local host is exempt from the pending limit', counts({ l: 4 }, { l: 4 }), host('l', true), undefined],
    ['a local host is exempt from the connection limit', counts({ l: 8 }), host('l', true), undefined],
    ['a local host is exempt from the handshake penalty', counts({ l: 1 }), host('l', true, 9), undefined],
    ['full: the host holding the most is refused', counts({ a: 4, b: 3, c: 3 }), host('a'), 'full'],
    ['full: a host holding fewer is admitted', counts({ a: 4, b: 3, c: 3 }), host('b'), undefined],
    ['full: a new host is admitted', counts({ a: 5, b: 5 }), host('z'), undefined],
    ['full: hosts tied for the most are refused', counts({ a: 4, b: 4, c: 2 }), host('b'), 'full'],
    ['full: a local host holding the most is refused too', counts({ l: 10 }), host('l', true), 'full'],
    ['full: a local host holding fewer is admitted', counts({ l: 3, a: 5, b: 2 }), host('l', true), undefined]
  ]
  for (const [name, c, h, expected] of cases) {
    it(name, () => { assert.equal(checkInbound(c, h, LIMITS), expected) })
  }

  it('checkPeer refuses a peer at its limit only', () => {
    assert.equal(checkPeer(2, LIMITS), undefined)
    assert.equal(checkPeer(3, LIMITS), 'peer-connections')
  })
})

describe('chooseVictims', () => {
  const NOW = 1_000_000
  const GRACE = 10_000
  let n = 0
  const conn = (hostKey: string, peer: string, fields: Partial<SlotConnection> = {}): SlotConnection =>
    ({ id: `c${n++}`, host: hostKey, peer, protected: false, tagValue: 0, streams: 2, openedAt: NOW - 60_000 + n, ...fields })
  const ids = (cs: SlotConnection[]): string[] => cs.map(c => c.id).sort()

  it('chooses nothing within the limit', () => {
    assert.deepEqual(chooseVictims([conn('a', 'p1'), conn('a', 'p2')], 2, NOW, GRACE), [])
  })

  it('takes from the host holding the most until hosts are level', () => {
    const big = Array.from({ length: 6 }, (_, i) => conn('a', `pa${i}`))
    const small = [conn('b', 'pb0'), conn('b', 'pb1')]
    const victims = chooseVictims([...big, ...small], 5, NOW, GRACE)
    assert.equal(victims.length, 3)
    assert.ok(victims.every(v => v.host === 'a'))
    // once level, the next victims alternate
    const more = chooseVictims([...big, ...small], 2, NOW, GRACE)
    assert.equal(more.filter(v => v.host === 'a').length, 5)
    assert.equal(more.filter(v => v.host === 'b').length, 1)
  })

  it('never chooses protected connections, even if fewer are returned than asked', () => {
    const kept = conn('a', 'k', { protected: true })
    const others = [conn('a', 'p1'), conn('a', 'p2')]
    const victims = chooseVictims([kept, ...others], 0, NOW, GRACE)
    assert.deepEqual(ids(victims), ids(others))
    const onlyKept = [conn('a', 'k1', { protected: true }), conn('a', 'k2', { protected: true })]
    assert.deepEqual(chooseVictims(onlyKept, 1, NOW, GRACE), [])
  })

  it('within a host: a peer\'s extra connections, then old before young, lower tag value, fewer streams', () => {
    const first = conn('a', 'dup', { openedAt: NOW - 50_000 })
    const extra = conn('a', 'dup', { openedAt: NOW - 40_000 })
    assert.deepEqual(chooseVictims([first, extra, conn('a', 'x', { streams: 0 })], 2, NOW, GRACE), [extra])

    const young = conn('a', 'young', { openedAt: NOW - 1000, streams: 0 })
    const old = conn('a', 'old', { streams: 5 })
    assert.deepEqual(chooseVictims([young, old], 1, NOW, GRACE), [old])

    const tagged = conn('a', 'tagged', { tagValue: 50, streams: 0 })
    const untagged = conn('a', 'untagged', { tagValue: 0, streams: 9 })
    assert.deepEqual(chooseVictims([tagged, untagged], 1, NOW, GRACE), [untagged])

    const busy = conn('a', 'busy', { streams: 4 })
    const idle = conn('a', 'idle', { streams: 0 })
    assert.deepEqual(chooseVictims([busy, idle], 1, NOW, GRACE), [idle])
  })

  it('one host holding almost everything loses connections, a newcomer on another host keeps its own', () => {
    const flood = Array.from({ length: 298 }, (_, i) => conn('127.0.0.2', `f${i % 8}`))
    const honest = [conn('127.0.0.1', 'server'), conn('127.0.0.1', 'late', { openedAt: NOW - 10, streams: 0 })]
    const victims = chooseVictims([...flood, ...honest], 290, NOW, GRACE)
    assert.equal(victims.length, 10)
    assert.ok(victims.every(v => v.host === '127.0.0.2'))
  })
})

describe('host keys', () => {
  it('an IPv4 address is its own key; IPv6 counts by /64; IPv4-mapped counts as IPv4', () => {
    assert.equal(remoteIp(multiaddr('/ip4/127.0.0.2/tcp/4001')), '127.0.0.2')
    assert.equal(hostKey('127.0.0.2'), '127.0.0.2')
    assert.equal(remoteIp(multiaddr('/ip6/::ffff:1.2.3.4/tcp/1')), '1.2.3.4')
    assert.equal(hostKey(remoteIp(multiaddr('/ip6/2001:db8:1:2:aaaa::1/tcp/1'))!), '2001:db8:1:2::/64')
    assert.equal(hostKey('2001:db8:1:2:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64')
    assert.equal(hostKey('2001:db8::1'), '2001:db8:0:0::/64')
    assert.equal(hostKey('::1'), '0:0:0:0::/64')
    assert.equal(remoteIp(multiaddr('/dns4/example.com/tcp/1')), undefined)
  })

  it('expandIp6 handles ::, leading zeros and an embedded IPv4 tail', () => {
    assert.deepEqual(expandIp6('::'), ['0', '0', '0', '0', '0', '0', '0', '0'])
    assert.deepEqual(expandIp6('fe80::0001'), ['fe80', '0', '0', '0', '0', '0', '0', '1'])
    assert.deepEqual(expandIp6('::ffff:1.2.3.4'), ['0', '0', '0', '0', '0', 'ffff', '102', '304'])
    assert.deepEqual(expandIp6('1:2:3:4:5:6:7:8'), ['1', '2', '3', '4', '5', '6', '7', '8'])
  })

  it('LocalAddresses knows this machine\'s addresses (127.0.0.1, not 127.0.0.2) and reads them again after a while', () => {
    assert.equal(new LocalAddresses().has('127.0.0.1'), true)
    assert.equal(new LocalAddresses().has('127.0.0.2'), false)
    let now = 0
    let addresses = ['10.0.0.1']
    let reads = 0
    const local = new LocalAddresses(() => now, () => { reads++; return addresses })
    assert.equal(local.has('10.0.0.1'), true)
    addresses = ['10.0.0.2']
    now += 1000
    assert.equal(local.has('10.0.0.2'), false)
    now += 10_000
    assert.equal(local.has('10.0.0.2'), true)
    assert.equal(reads, 2)
  })
})

describe('resolveSlotsOptions', () => {
  it('defaults, and the libp2p settings that go with them', () => {
    const o = resolveSlotsOptions()
    assert.equal(o.maxConnections, DEFAULT_MAX_CONNECTIONS)
    assert.equal(o.maxConnectionsPerHost, 64)
    assert.equal(o.maxConnectionsPerPeer, 4)
    const init = libp2pConnectionManagerInit(o)
    assert.equal(init.maxConnections, DEFAULT_MAX_CONNECTIONS + PRUNE_MARGIN)
    assert.equal(init.maxIncomingPendingConnections, 256)
    assert.equal(init.inboundConnectionThreshold, 50)
    assert.equal(o.handshakeTimeoutMs, 5000)
    assert.equal(init.inboundUpgradeTimeout, 10_000)
  })

  it('a small maxConnections lowers the per-host and reserved defaults with it', () => {
    const o = resolveSlotsOptions({ maxConnections: 20 })
    assert.equal(o.maxConnectionsPerHost, 20)
    assert.equal(o.reservedConnections, 20)
  })

  for (const [init, option] of [
    [{ maxConnections: 0 }, 'connections.maxConnections'],
    [{ maxConnections: 1.5 }, 'connections.maxConnections'],
    [{ maxConnections: 10, maxConnectionsPerHost: 11 }, 'connections.maxConnectionsPerHost'],
    [{ handshakeTimeoutMs: 10 }, 'connections.handshakeTimeoutMs'],
    [{ handshakeTimeoutMs: 5000, localHandshakeTimeoutMs: 4000 }, 'connections.localHandshakeTimeoutMs'],
    [{ reservedConnections: -1 }, 'connections.reservedConnections']
  ] as const) {
    it(`rejects ${JSON.stringify(init)}`, () => {
      assert.throws(() => resolveSlotsOptions(init), (err: unknown) =>
        err instanceof InvalidOptionError && err.name === 'InvalidOptionError' && err.option === option)
    })
  }
})
