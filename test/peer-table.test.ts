import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { AnnouncementRejection } from '../src/announcement/rejection.js'
import { PeerTable, type PeerTableEventName } from '../src/peer-table.js'
import { key, signed, T0 } from './helpers/records.js'
import { peekAnnouncement, type PeekedAnnouncement } from '../src/announcement/peek.js'
import { MAX_CLOCK_SKEW_MS, type VerifiedAnnouncement } from '../src/announcement/record.js'

function harness (): { table: PeerTable, clock: { now: number }, events: string[] } {
  const clock = { now: T0 }
  const table = new PeerTable({ now: () => clock.now })
  const events: string[] = []
  for (const name of ['peer:added', 'peer:updated', 'peer:withdrawn', 'peer:expired'] as PeerTableEventName[]) {
    table.addEventListener(name, (evt) => { events.push(`${name.slice(5)}:${evt.detail.seqnum}`) })
  }
  return { table, clock, events }
}

function outcome (table: PeerTable, record: VerifiedAnnouncement): string {
  try {
    return table.offer(record).outcome
  } catch (err) {
    assert.ok(err instanceof AnnouncementRejection)
    assert.equal(err.action, 'ignore')
    return err.code
  }
}

describe('peer table replacement rule', async () => {
  const k = await key()
  const base = { issuedAtMs: T0, ttlMs: 60_000 }
  const cases: Array<{ name: string, held: Array<Parameters<typeof signed>[1]>, offer: Parameters<typeof signed>[1], expect: string, events: string[] }> = [
    { name: 'a new entry is added', held: [], offer: { seqnum: 5n }, expect: 'added', events: ['added:5'] },
    { name: 'a greater seqnum replaces', held: [{ seqnum: 5n }], offer: { seqnum: 6n, nickname: 'renamed' }, expect: 'updated', events: ['added:5', 'updated:6'] },
    { name: 'a lower seqnum is ignored', held: [{ seqnum: 5n }], offer: { seqnum: 4n }, expect: 'stale', events: ['added:5'] },
    { name: 'an equal seqnum with other content is ignored', held: [{ seqnum: 5n }], offer: { seqnum: 5n, nickname: 'evil twin' }, expect: 'stale', events: ['added:5'] },
    { name: 'a withdrawal with a greater seqnum removes', held: [{ seqnum: 5n }], offer: { seqnum: 6n, withdrawn: true }, expect: 'withdrawn', events: ['added:5', 'withdrawn:5'] },
    { name: 'a withdrawal with a lower seqnum is ignored', held: [{ seqnum: 5n }], offer: { seqnum: 4n, withdrawn: true }, expect: 'stale', events: ['added:5'] },
    { name: 'a withdrawal of nothing held leaves a tombstone', held: [], offer: { seqnum: 3n, withdrawn: true }, expect: 'tombstoned', events: [] },
    { name: 'an older record cannot come back after a withdrawal', held: [{ seqnum: 5n }, { seqnum: 6n, withdrawn: true }], offer: { seqnum: 5n }, expect: 'stale', events: ['added:5', 'withdrawn:5'] },
    { name: 'a newer record comes back after a withdrawal', held: [{ seqnum: 5n }, { seqnum: 6n, withdrawn: true }], offer: { seqnum: 7n }, expect: 'added', events: ['added:5', 'withdrawn:5', 'added:7'] },
    { name: 'a record dated so far back that no clock skew leaves it alive is ignored', held: [], offer: { seqnum: 9n, issuedAtMs: T0 - MAX_CLOCK_SKEW_MS - 60_000 }, expect: 'expired', events: [] }
  ]
  for (const c of cases) {
    await it(c.name, async () => {
      const { table, events } = harness()
      for (const h of c.held) {
        table.offer(await signed(k, { ...base, ...h }))
      }
      assert.equal(outcome(table, await signed(k, { ...base, ...c.offer })), c.expect)
      assert.deepEqual(events, c.events)
    })
  }

  await it('ignores byte-identical re-delivery without notifying', async () => {
    const { table, events } = harness()
    const record = await signed(k, base)
    table.offer(record)
    assert.equal(outcome(table, record), 'duplicate')
    assert.deepEqual(events, ['added:1'])
  })

  await it('keys entries by (service, publisher)', async () => {
    const { table } = harness()
    const other = await key()
    table.offer(await signed(k, { ...base, service: 'upload_storage' }))
    table.offer(await signed(k, { ...base, service: 'download_storage' }))
    table.offer(await signed(other, { ...base, service: 'upload_storage' }))
    assert.equal(table.getPeers('upload_storage').length, 2)
    assert.equal(table.getPeers('download_storage').length, 1)
    assert.equal(table.getPeers('helper').length, 0)
    assert.deepEqual(Object.fromEntries(table.sizes()), { upload_storage: 2, download_storage: 1 })
  })

  await it('expires an entry not refreshed within its TTL, and keeps a refreshed one', async () => {
    const { table, clock, events } = harness()
    const other = await key()
    table.offer(await signed(k, { ...base, seqnum: 1n }))
    table.offer(await signed(other, { ...base, seqnum: 1n }))
    clock.now = T0 + 30_000
    table.offer(await signed(other, { ...base, seqnum: 2n, issuedAtMs: clock.now }))
    assert.equal(table.nextExpiry(), T0 + 60_000)
    clock.now = T0 + 59_999
    assert.equal(table.expire().length, 0)
    clock.now = T0 + 60_000
    assert.deepEqual(table.getPeers('upload_storage').map(p => p.seqnum), [2n])
    assert.deepEqual(table.expire().map(p => p.seqnum), [1n])
    assert.deepEqual(events, ['added:1', 'added:1', 'updated:2', 'expired:1'])
    assert.equal(table.getPeers('upload_storage').length, 1)
  })

  await it('keeps firstSeen across updates and moves lastSeen', async () => {
    const { table, clock } = harness()
    table.offer(await signed(k, { ...base, seqnum: 1n }))
    clock.now = T0 + 1000
    table.offer(await signed(k, { ...base, seqnum: 2n, issuedAtMs: clock.now }))
    const peer = table.get('upload_storage', (await signed(k, base)).peerId)
    assert.equal(peer?.firstSeen, T0)
    assert.equal(peer?.lastSeen, T0 + 1000)
  })

  await it('uses the public key as permutation seed unless one is announced', async () => {
    const { table } = harness()
    const seed = new Uint8Array(32).fill(3)
    const a = table.offer(await signed(k, base))
    const b = table.offer(await signed(await key(), { ...base, permutationSeed: seed }))
    assert.ok(a.outcome === 'added' && b.outcome === 'added')
    assert.deepEqual(a.peer.permutationSeed, k.publicKey.raw)
    assert.deepEqual(b.peer.permutationSeed, seed)
  })

  await it('notifies after the change, so listeners read the new state', async () => {
    const { table } = harness()
    let seen = -1
    table.addEventListener('peer:added', () => { seen = table.getPeers('upload_storage').length })
    table.offer(await signed(k, base))
    assert.equal(seen, 1)
  })

  await it('an older record with a longer TTL cannot return once its replacement expires', async () => {
    const { table, clock } = harness()
    table.offer(await signed(k, { ...base, seqnum: 1n, ttlMs: 120_000 }))
    table.offer(await signed(k, { ...base, seqnum: 2n, ttlMs: 10_000 }))
    clock.now = T0 + 10_000
    assert.equal(table.expire().length, 1)
    assert.equal(outcome(table, await signed(k, { ...base, seqnum: 1n, ttlMs: 120_000 })), 'stale')
  })

  await it('tells a held or older record from its bytes alone, before any signature check', async () => {
    const { table } = harness()
    const held = await signed(k, { ...base, seqnum: 5n })
    table.offer(held)
    const peek = (r: VerifiedAnnouncement): PeekedAnnouncement => {
      const p = peekAnnouncement(r.signed)
      assert.ok(p != null)
      return p
    }
    assert.equal(table.checkKnown(peek(held))?.code, 'duplicate')
    assert.equal(table.checkKnown(peek(await signed(k, { ...base, seqnum: 4n })))?.code, 'stale')
    assert.equal(table.checkKnown(peek(await signed(k, { ...base, seqnum: 6n }))), undefined)
    assert.equal(table.checkKnown(peek(await signed(await key(), { ...base, seqnum: 1n }))), undefined)
    assert.equal(peekAnnouncement(new Uint8Array([1, 2, 3])), undefined)
  })
})
