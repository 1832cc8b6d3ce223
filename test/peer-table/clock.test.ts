/** Expiry by the holder's own clock, ages carried from holder to holder (issue #10 item 4). */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MAX_CLOCK_SKEW_MS, openAnnouncement } from '../../src/announcement/record.js'
import { AnnouncementRejection } from '../../src/announcement/rejection.js'
import { PeerTable, type OfferOptions } from '../../src/peer-table.js'
import { fakeRecord } from '../helpers/fake-records.js'
import { key, signed, T0 } from '../helpers/records.js'

const MIN = 60_000
const HOUR = 60 * MIN
const TTL = 15 * MIN

/** A node whose clock is `offset` ms off the true time `truth.now`. */
function node (truth: { now: number }, offset: number): { table: PeerTable, now: () => number } {
  const now = (): number => truth.now + offset
  return { table: new PeerTable({ now }), now }
}

describe('peer table clocks', () => {
  it('takes a record from a publisher whose clock is an hour behind, and keeps it one TTL from receipt', () => {
    const truth = { now: T0 }
    const { table, now } = node(truth, HOUR)
    const result = table.offer(fakeRecord({ issuedAtMs: T0, ttlMs: TTL }))
    assert.equal(result.outcome, 'added')
    assert.ok(result.outcome === 'added')
    assert.equal(result.peer.expiresAt, now() + TTL)
    assert.equal(result.peer.clockOffsetMs, -HOUR)
  })

  it('counts the age a record had when it arrived, and tells its current age', () => {
    const clock = { now: T0 }
    const table = new PeerTable({ now: () => clock.now })
    const result = table.offer(fakeRecord({ issuedAtMs: T0 - 5 * MIN, ttlMs: TTL }), { ageMs: 5 * MIN })
    assert.ok(result.outcome === 'added')
    assert.equal(result.peer.expiresAt, T0 + 10 * MIN)
    assert.equal(result.peer.clockOffsetMs, 0)
    clock.now = T0 + 2 * MIN
    const [held] = table.held()
    assert.equal(held.ageMs, 7 * MIN)
    assert.equal(held.originMs, T0 - 5 * MIN)
    assert.throws(() => table.offer(fakeRecord({ issuedAtMs: T0, ttlMs: TTL }), { ageMs: TTL }),
      (err: unknown) => err instanceof AnnouncementRejection && err.code === 'expired')
  })

  it('nodes 24 h ahead, 24 h behind and on time take one another\'s records and forget them at the same moment', async () => {
    const truth = { now: T0 }
    const ahead = node(truth, 24 * HOUR)
    const behind = node(truth, -24 * HOUR)
    const onTime = node(truth, 0)
    const open = async (bytes: Uint8Array, at: { now: () => number }, ageMs = 0): Promise<Parameters<PeerTable['offer']>[0]> =>
      openAnnouncement(bytes, { grid: 'test', service: 'upload_storage', now: at.now(), ageMs })
    // the publisher runs on the node 24 h ahead: 48 h ahead of the one behind
    const record = await signed(await key(), { issuedAtMs: ahead.now(), ttlMs: TTL })
    ahead.table.offer(await open(record.signed, ahead))
    // gossip reaches the node behind a moment later (age 0 on gossip)
    truth.now += 1000
    behind.table.offer(await open(record.signed, behind))
    // 5 minutes on, the node on time syncs from the one behind, which passes its age on
    truth.now += 5 * MIN
    const [held] = behind.table.held()
    onTime.table.offer(await open(record.signed, onTime, held.ageMs), { ageMs: held.ageMs })
    // each forgets it by its own clock, within the second gossip took
    for (const n of [ahead, behind, onTime]) {
      const at = n.table.nextExpiry()
      assert.ok(at != null)
      assert.ok(Math.abs((at - n.now()) - (T0 + TTL - truth.now)) <= 1000, `expires ${at - n.now()} ms from now`)
    }
    truth.now = T0 + TTL + 1000
    for (const n of [ahead, behind, onTime]) {
      assert.equal(n.table.expire().length, 1)
      assert.equal(n.table.getPeers('upload_storage').length, 0)
    }
  })

  it('bounds a record relayed with its age lost: never alive past issuedAt + skew bound + TTL', () => {
    const record = fakeRecord({ issuedAtMs: T0, ttlMs: TTL })
    const at = (now: number, options?: OfferOptions): PeerTable => {
      const table = new PeerTable({ now: () => now })
      table.offer(record, options)
      return table
    }
    // a holder that passes age 0 (gossip after a sync) renews it, but only up to the cap
    assert.equal(at(T0 + 10 * HOUR).nextExpiry(), T0 + 10 * HOUR + TTL)
    assert.equal(at(T0 + MAX_CLOCK_SKEW_MS + TTL - MIN).nextExpiry(), T0 + MAX_CLOCK_SKEW_MS + TTL)
    assert.throws(() => at(T0 + MAX_CLOCK_SKEW_MS + TTL), (err: unknown) => err instanceof AnnouncementRejection && err.code === 'expired')
  })

  it('restores from what the cache keeps without renewing a record or losing an entry\'s standing', () => {
    const clock = { now: T0 }
    const init = { now: () => clock.now, establishedAfterMs: 10 * MIN, establishedAfterRefreshes: 2 }
    const before = new PeerTable(init)
    const publicKey = crypto.getRandomValues(new Uint8Array(32))
    let last = fakeRecord({ publicKey, issuedAtMs: T0, ttlMs: TTL })
    for (let i = 1n; i <= 3n; i++) {
      clock.now = T0 + Number(i - 1n) * 5 * MIN
      last = fakeRecord({ publicKey, seqnum: i, issuedAtMs: clock.now, ttlMs: TTL })
      before.offer(last)
    }
    const [saved] = before.held()
    assert.equal(saved.established, true)
    // a restart 4 minutes later
    clock.now += 4 * MIN
    const after = new PeerTable(init)
    const restored = after.offer(last, { ageMs: clock.now - saved.originMs, firstSeen: saved.peer?.firstSeen, refreshes: saved.refreshes })
    assert.ok(restored.outcome === 'added')
    assert.equal(restored.peer.expiresAt, saved.peer?.expiresAt)
    assert.equal(restored.peer.firstSeen, T0)
    assert.equal(after.counts().services.get('upload_storage')?.established, 1)
  })
})
