/** The peer table's caps under Sybil keys (issue #10 item 1). */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { AnnouncementRejection } from '../../src/announcement/rejection.js'
import { PeerTable, type PeerTableInit } from '../../src/peer-table.js'
import { fakeRecord } from '../helpers/fake-records.js'
import { T0 } from '../helpers/records.js'
import type { VerifiedAnnouncement } from '../../src/announcement/record.js'

const MIN = 60_000
const TTL = 15 * MIN
const SERVICE = 'upload_storage'

/** A publisher that refreshes its record with a greater seqnum. */
class Publisher {
  readonly publicKey = crypto.getRandomValues(new Uint8Array(32))
  private seqnum = 0n
  constructor (readonly service = SERVICE) {}
  record (now: number): VerifiedAnnouncement {
    return fakeRecord({ service: this.service, publicKey: this.publicKey, seqnum: ++this.seqnum, issuedAtMs: now, ttlMs: TTL })
  }
}

function harness (init: PeerTableInit): { table: PeerTable, clock: { now: number }, evicted: string[] } {
  const clock = { now: T0 }
  const table = new PeerTable({ now: () => clock.now, establishedAfterMs: 10 * MIN, establishedAfterRefreshes: 2, ...init })
  const evicted: string[] = []
  table.addEventListener('peer:evicted', (evt) => { evicted.push(evt.detail.peerId.toString()) })
  return { table, clock, evicted }
}

function has (table: PeerTable, p: Publisher, service = SERVICE): boolean {
  return table.getPeers(service).some(peer => Buffer.from(peer.record.announcement.publicKey).equals(p.publicKey))
}

/** Servers that join at T0 and refresh every 5 minutes until `until`: established at T0 + 10 min. */
function establish (table: PeerTable, clock: { now: number }, servers: Publisher[], until: number): void {
  for (let t = T0; t <= until; t += 5 * MIN) {
    clock.now = t
    for (const s of servers) {
      table.offer(s.record(t))
    }
  }
}

function flood (table: PeerTable, clock: { now: number }, n: number, service = SERVICE): number {
  let taken = 0
  for (let i = 0; i < n; i++) {
    const result = table.offer(fakeRecord({ service, issuedAtMs: clock.now, ttlMs: TTL }))
    taken += result.outcome === 'added' ? 1 : 0
  }
  return taken
}

describe('peer table caps', () => {
  it('keeps at most the cap of live entries under 1 000 fresh keys, and never pushes out an established server', () => {
    const { table, clock, evicted } = harness({ maxPeersPerService: 100, newcomerShare: 0.1 })
    const servers = Array.from({ length: 20 }, () => new Publisher())
    establish(table, clock, servers, T0 + 10 * MIN)
    assert.equal(table.counts().services.get(SERVICE)?.established, 20)
    clock.now += MIN
    assert.equal(flood(table, clock, 1000), 1000, 'every newcomer is taken')
    const counts = table.counts().services.get(SERVICE)
    assert.equal(table.getPeers(SERVICE).length, 100)
    assert.equal(counts?.live, 100)
    assert.equal(counts?.evicted, 1000 - 80)
    assert.equal(evicted.length, 1000 - 80)
    assert.ok(servers.every(s => has(table, s)), 'all established servers stay')
  })

  it('lets a new server in during a flood; it stays while it refreshes, and is established once the flood ends', () => {
    const { table, clock } = harness({ maxPeersPerService: 100, newcomerShare: 0.1 })
    const servers = Array.from({ length: 20 }, () => new Publisher())
    establish(table, clock, servers, T0 + 10 * MIN)
    clock.now += MIN
    flood(table, clock, 500)
    const newcomer = new Publisher()
    const first = table.offer(newcomer.record(clock.now))
    assert.equal(first.outcome, 'added')
    assert.ok(first.outcome === 'added' && first.evicted != null, 'an older newcomer gave way')
    // 79 more fresh keys: the 80 newcomer slots turn over once, without it
    flood(table, clock, 79)
    assert.ok(has(table, newcomer))
    flood(table, clock, 1)
    assert.ok(!has(table, newcomer), 'pushed out by the 80th newcomer after it')
    // back at its next refresh; refreshing faster than the slots turn over, it stays
    for (let round = 0; round < 20; round++) {
      clock.now += 30_000
      table.offer(newcomer.record(clock.now))
      if (round % 10 === 0) {
        servers.forEach(s => table.offer(s.record(clock.now)))
      }
      flood(table, clock, 60)
      assert.ok(has(table, newcomer), `still there after round ${round}`)
    }
    assert.ok(servers.every(s => has(table, s)))
    // the flood stops; two more refreshes 10 min after it was taken again: established
    for (let i = 0; i < 3; i++) {
      clock.now += 5 * MIN
      table.offer(newcomer.record(clock.now))
      for (const s of servers) {
        table.offer(s.record(clock.now))
      }
    }
    assert.equal(table.counts().services.get(SERVICE)?.established, 21)
    flood(table, clock, 1000)
    assert.ok(has(table, newcomer) && servers.every(s => has(table, s)))
  })

  it('keeps newcomer slots that established entries never fill', () => {
    const { table, clock } = harness({ maxPeersPerService: 10, newcomerShare: 0.2 })
    const servers = Array.from({ length: 10 }, () => new Publisher())
    establish(table, clock, servers, T0 + 20 * MIN)
    const counts = table.counts().services.get(SERVICE)
    assert.equal(counts?.established, 8, '10 - 2 newcomer slots')
    assert.equal(counts?.live, 10)
    clock.now += MIN
    flood(table, clock, 3)
    assert.equal(servers.filter(s => has(table, s)).length, 8, 'two newcomers (the unestablished servers) gave way')
  })

  it('refuses a newcomer when there are no newcomer slots and every entry is established', () => {
    const { table, clock } = harness({ maxPeersPerService: 5, newcomerShare: 0 })
    establish(table, clock, Array.from({ length: 5 }, () => new Publisher()), T0 + 10 * MIN)
    assert.throws(() => table.offer(fakeRecord({ issuedAtMs: clock.now })),
      (err: unknown) => err instanceof AnnouncementRejection && err.action === 'ignore' && err.code === 'table-full')
    assert.equal(table.counts().services.get(SERVICE)?.refused, 1)
    assert.equal(table.getPeers(SERVICE).length, 5)
  })

  it('caps the whole table: a flood of one service pushes out its own newcomers, not another service\'s', () => {
    const { table, clock } = harness({ maxPeersPerService: 1000, maxPeers: 150, newcomerShare: 0.1 })
    const introducers = Array.from({ length: 3 }, () => new Publisher('introducer'))
    for (const p of introducers) {
      table.offer(p.record(clock.now))
    }
    flood(table, clock, 500, 'helper')
    assert.equal([...table.sizes().values()].reduce((a, b) => a + b, 0), 150)
    assert.ok(introducers.every(p => has(table, p, 'introducer')), 'the newcomers of the flooded service gave way')
    const late = new Publisher('introducer')
    assert.equal(table.offer(late.record(clock.now)).outcome, 'added')
    assert.equal(table.counts().services.get('helper')?.live, 146)
  })

  it('checks its options once', () => {
    assert.throws(() => new PeerTable({ maxPeersPerService: 0 }), { name: 'InvalidOptionError' })
    assert.throws(() => new PeerTable({ newcomerShare: 2 }), { name: 'InvalidOptionError' })
  })
})
