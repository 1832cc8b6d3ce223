/** Withdrawals and tombstones, and what the table hands on (issue #10 items 2 and 5). */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import { AnnouncementRejection } from '../../src/announcement/rejection.js'
import { PeerTable, type PeerTableInit } from '../../src/peer-table.js'
import { fakeRecord } from '../helpers/fake-records.js'
import { T0 } from '../helpers/records.js'

const MIN = 60_000
const SERVICE = 'upload_storage'

function harness (init: PeerTableInit = {}): { table: PeerTable, clock: { now: number } } {
  const clock = { now: T0 }
  return { table: new PeerTable({ now: () => clock.now, ...init }), clock }
}

function code (fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    assert.ok(err instanceof AnnouncementRejection)
    return err.code
  }
  return 'taken'
}

describe('peer table tombstones', () => {
  it('keeps no tombstone for a withdrawal of a key never held: only its key, in a bounded memory', () => {
    const { table } = harness({ maxWithdrawnKeys: 256 })
    const keys = Array.from({ length: 2000 }, () => randomBytes(32))
    for (const publicKey of keys) {
      assert.equal(table.offer(fakeRecord({ publicKey, seqnum: 5n, issuedAtMs: T0, withdrawn: true, ttlMs: 7 * 24 * 60 * MIN })).outcome, 'tombstoned')
    }
    const counts = table.counts()
    assert.equal(counts.services.get(SERVICE)?.tombstones ?? 0, 0)
    assert.equal(counts.withdrawnKeys, 256)
    assert.deepEqual(table.records(), [])
    assert.equal(table.nextExpiry(), undefined, 'nothing to forget later')
    // an older live copy of a recent withdrawal, still in flight, cannot come back...
    const recent = keys[keys.length - 1]
    assert.equal(code(() => table.offer(fakeRecord({ publicKey: recent, seqnum: 4n, issuedAtMs: T0 }))), 'stale')
    // ...but the publisher's next record is taken
    assert.equal(table.offer(fakeRecord({ publicKey: recent, seqnum: 6n, issuedAtMs: T0 })).outcome, 'added')
    assert.equal(table.counts().withdrawnKeys, 255)
  })

  it('keeps a tombstone for a held key, counted, within a cap; a dropped one still blocks older copies', () => {
    const { table } = harness({ maxTombstonesPerService: 5 })
    const keys = Array.from({ length: 10 }, () => randomBytes(32))
    for (const publicKey of keys) {
      table.offer(fakeRecord({ publicKey, seqnum: 1n, issuedAtMs: T0 }))
      assert.equal(table.offer(fakeRecord({ publicKey, seqnum: 2n, issuedAtMs: T0, withdrawn: true })).outcome, 'withdrawn')
    }
    const counts = table.counts().services.get(SERVICE)
    assert.equal(counts?.live, 0)
    assert.equal(counts?.tombstones, 5)
    assert.equal(counts?.tombstonesDropped, 5)
    assert.equal(table.records().length, 5)
    assert.equal(code(() => table.offer(fakeRecord({ publicKey: keys[0], seqnum: 1n, issuedAtMs: T0 }))), 'stale', 'dropped first')
    assert.equal(code(() => table.offer(fakeRecord({ publicKey: keys[9], seqnum: 1n, issuedAtMs: T0 }))), 'stale', 'kept')
  })

  it('counts an expired entry kept against an older, longer-lived copy as a tombstone, and forgets it then', () => {
    const { table, clock } = harness()
    const publicKey = randomBytes(32)
    table.offer(fakeRecord({ publicKey, seqnum: 1n, issuedAtMs: T0, ttlMs: 60 * MIN }))
    table.offer(fakeRecord({ publicKey, seqnum: 2n, issuedAtMs: T0, ttlMs: MIN }))
    clock.now = T0 + MIN
    assert.equal(table.expire().length, 1)
    assert.deepEqual(table.counts().services.get(SERVICE), { live: 0, established: 0, tombstones: 1, evicted: 0, refused: 0, tombstonesDropped: 0 })
    assert.deepEqual(table.records(), [], 'an expired record is not handed on')
    assert.equal(table.nextExpiry(), T0 + 60 * MIN)
    clock.now = T0 + 60 * MIN
    table.expire()
    assert.equal(table.counts().services.get(SERVICE)?.tombstones, 0)
    assert.equal(table.nextExpiry(), undefined)
  })

  it('hands on live entries first (established, refreshed, others), then withdrawals, up to a limit', () => {
    const { table, clock } = harness({ establishedAfterMs: 10 * MIN, establishedAfterRefreshes: 2 })
    const old = randomBytes(32)
    for (let i = 1; i <= 3; i++) {
      clock.now = T0 + (i - 1) * 5 * MIN
      table.offer(fakeRecord({ publicKey: old, seqnum: BigInt(i), issuedAtMs: clock.now }))
    }
    const gone = randomBytes(32)
    table.offer(fakeRecord({ publicKey: gone, seqnum: 1n, issuedAtMs: clock.now }))
    table.offer(fakeRecord({ publicKey: gone, seqnum: 2n, issuedAtMs: clock.now, withdrawn: true }))
    const flood = Array.from({ length: 50 }, () => fakeRecord({ issuedAtMs: clock.now }))
    flood.forEach(r => table.offer(r))
    const refreshing = randomBytes(32)
    table.offer(fakeRecord({ publicKey: refreshing, seqnum: 1n, issuedAtMs: clock.now }))
    table.offer(fakeRecord({ publicKey: refreshing, seqnum: 2n, issuedAtMs: clock.now }))
    flood.slice(0, 5).forEach(r => { table.offer(fakeRecord({ publicKey: r.announcement.publicKey, seqnum: 1n, issuedAtMs: clock.now, service: 'helper' })) })

    const all = table.held()
    assert.equal(all.length, 1 + 1 + 50 + 5 + 1)
    assert.deepEqual(all[0].record.announcement.publicKey, old)
    assert.equal(all[0].established, true)
    assert.deepEqual(all[1].record.announcement.publicKey, refreshing)
    assert.deepEqual(all.at(-1)?.record.announcement.publicKey, gone)
    assert.equal(all.at(-1)?.record.announcement.withdrawn, true)
    assert.ok(all.slice(0, -1).every(h => h.peer != null))

    // a cache or sync answer cut at 10 keeps the established and the refreshing server, not 10 flood keys
    const ten = table.records(undefined, { limit: 10 })
    assert.equal(ten.length, 10)
    assert.deepEqual([ten[0].announcement.publicKey, ten[1].announcement.publicKey], [old, refreshing])
    assert.equal(table.records(new Set(['helper'])).length, 5)
    assert.equal(table.records(new Set(['helper']), { limit: 2 }).length, 2)
  })
})
