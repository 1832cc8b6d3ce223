/**
 * Departures over a real peer table with an injected clock: withdrawn, expired and
 * evicted entries are kept with their reason and time, the most recent first; one per
 * (service, publisher); bounded in count and age; an entry that comes back is no longer a
 * departure; nothing is recorded after stop.
 */
import assert from 'node:assert/strict'
import { beforeEach, describe, it } from 'node:test'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { Departures } from '../../src/introduction/departures.js'
import { PeerTable } from '../../src/peer-table.js'
import { key, signed, T0 } from '../helpers/records.js'
import type { PrivateKey } from '@libp2p/interface'

describe('departures', () => {
  const clock = { now: T0 }
  let table: PeerTable

  beforeEach(() => {
    clock.now = T0
    table = new PeerTable({ now: () => clock.now })
  })

  const start = (init: { maxEntries?: number, maxAgeMs?: number } = {}): Departures => {
    const departures = new Departures(table, { now: () => clock.now, ...init })
    departures.start()
    return departures
  }

  it('keeps withdrawn, expired and evicted entries with reason and time, the most recent first', async () => {
    const departures = start()
    const [a, b] = [await key(), await key()]
    table.offer(await signed(a, { nickname: 'a', ttlMs: 60_000 }))
    table.offer(await signed(b, { nickname: 'b', ttlMs: 5_000 }))
    clock.now += 1000
    table.offer(await signed(a, { nickname: 'a', seqnum: 2n, withdrawn: true, multiaddrs: [] }))
    clock.now += 10_000
    table.expire()
    const list = departures.list()
    assert.deepEqual(list.map(d => [d.nickname, d.reason, d.at - T0]), [['b', 'expired', 11_000], ['a', 'withdrawn', 1000]])
    assert.equal(list[0].service, 'upload_storage')
    assert.ok(list[0].peerId.equals(peerIdFromPrivateKey(b)))
    assert.equal(list[1].lastSeen, T0, 'when its record was last received')
    assert.equal(list[0].multiaddrs.length, 1, 'the addresses it had')

    // an evicted newcomer at a full cap
    const small = new PeerTable({ now: () => clock.now, maxPeersPerService: 2 })
    const evictions = new Departures(small, { now: () => clock.now })
    evictions.start()
    for (const name of ['x', 'y', 'z']) {
      small.offer(await signed(await key(), { nickname: name, issuedAtMs: clock.now }))
    }
    assert.deepEqual(evictions.list().map(d => d.reason), ['evicted'])
  })

  it('one entry per (service, publisher): the latest; an entry that comes back is no longer departed', async () => {
    const departures = start()
    const k: PrivateKey = await key()
    table.offer(await signed(k, { seqnum: 1n }))
    table.offer(await signed(k, { service: 'helper', seqnum: 1n }))
    table.offer(await signed(k, { seqnum: 2n, withdrawn: true, multiaddrs: [] }))
    table.offer(await signed(k, { service: 'helper', seqnum: 2n, withdrawn: true, multiaddrs: [] }))
    assert.deepEqual(departures.list().map(d => d.service), ['helper', 'upload_storage'])
    table.offer(await signed(k, { seqnum: 3n }))
    assert.deepEqual(departures.list().map(d => d.service), ['helper'], 'back in upload_storage')
  })

  it('keeps at most maxEntries (the oldest go) and none older than maxAgeMs', async () => {
    const departures = start({ maxEntries: 3, maxAgeMs: 60_000 })
    for (let i = 0; i < 5; i++) {
      const k = await key()
      table.offer(await signed(k, { nickname: `n${i}`, issuedAtMs: clock.now }))
      clock.now += 1000
      table.offer(await signed(k, { nickname: `n${i}`, seqnum: 2n, withdrawn: true, multiaddrs: [], issuedAtMs: clock.now }))
    }
    assert.deepEqual(departures.list().map(d => d.nickname), ['n4', 'n3', 'n2'])
    clock.now += 59_500
    assert.deepEqual(departures.list().map(d => d.nickname), ['n4'], 'n2 and n3 are over a minute old')
    clock.now += 1000
    assert.deepEqual(departures.list(), [])
  })

  it('records nothing after stop', async () => {
    const departures = start()
    departures.stop()
    const k = await key()
    table.offer(await signed(k))
    table.offer(await signed(k, { seqnum: 2n, withdrawn: true, multiaddrs: [] }))
    assert.deepEqual(departures.list(), [])
  })
})
