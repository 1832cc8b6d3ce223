/**
 * The daemon's GridIndex against a real peer table (whose events the introduction
 * service passes on as they are): after random offers, updates, withdrawals, expiries
 * and evictions at a small cap, its counts, nodes and pages equal what the table holds,
 * in peer id order; an entry past its expiry is out of pages before its event comes.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { GridIndex } from '../../src/daemon/grid-index.js'
import { PeerTable } from '../../src/peer-table.js'
import { fakeRecord } from '../helpers/fake-records.js'
import { T0 } from '../helpers/records.js'
import type { IntroducerService } from '../../src/introduction/index.js'

const SERVICES = ['upload_storage', 'download_storage', 'helper']

function walk<T> (pageAt: (cursor?: string) => { items: T[], next: string | null }): T[] {
  const out: T[] = []
  let cursor: string | undefined
  for (let n = 0; n < 1000; n++) {
    const page = pageAt(cursor)
    out.push(...page.items)
    if (page.next == null) return out
    cursor = page.next
  }
  throw new Error('no last page')
}

describe('GridIndex', () => {
  it('follows the table through random changes: counts, nodes and pages agree with it', () => {
    const clock = { now: T0 }
    const table = new PeerTable({ now: () => clock.now, maxPeersPerService: 40, maxPeers: 100 })
    const index = new GridIndex(table as unknown as IntroducerService, () => clock.now)
    const keys: Uint8Array[] = []
    const seqnums = new Map<string, bigint>()
    let seed = 7
    const random = (n: number): number => { seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31; return seed % n }
    for (let step = 0; step < 3000; step++) {
      const action = random(10)
      if (action < 2 || keys.length === 0) {
        const k = new Uint8Array(32).map(() => random(256))
        keys.push(k)
      }
      const key = keys[random(keys.length)]
      const service = SERVICES[random(SERVICES.length)]
      const slot = `${service}/${Buffer.from(key).toString('hex')}`
      const seqnum = (seqnums.get(slot) ?? 0n) + 1n
      seqnums.set(slot, seqnum)
      try {
        table.offer(fakeRecord({ publicKey: key, service, seqnum, issuedAtMs: clock.now, ttlMs: 5000 + random(20_000), withdrawn: action === 9 }))
      } catch {} // table-full, stale: nothing changed
      clock.now += random(300)
      if (random(20) === 0) table.expire()
    }
    table.expire()
    for (const service of SERVICES) {
      const held = table.getPeers(service).map(p => p.peerId.toString()).sort()
      assert.equal(index.count(service), held.length, service)
      assert.deepEqual(walk(cursor => index.servicePage(service, { limit: 7, cursor })).map(p => p.peerId.toString()), held, service)
    }
    const nodes = [...new Set(SERVICES.flatMap(s => table.getPeers(s).map(p => p.peerId.toString())))].sort()
    assert.equal(index.size, nodes.length)
    const walked = walk(cursor => index.nodePage({ limit: 5, cursor }))
    assert.deepEqual(walked.map(([id]) => id), nodes)
    for (const [id, entries] of walked) {
      assert.deepEqual(entries.map(e => e.service).sort(), SERVICES.filter(s => table.get(s, id) != null).sort(), id)
    }
    // bounded: the ordered lists hold the ids held, and no id that left
    const internals = index as unknown as { nodeOrder: { ids: string[] }, services: Map<string, { order: { ids: string[] } }> }
    assert.deepEqual(internals.nodeOrder.ids, nodes)
    for (const service of SERVICES) assert.equal(internals.services.get(service)?.order.ids.length, index.count(service), service)
    assert.ok(nodes.length > 20 && table.counts().services.get('helper')!.evicted > 0, 'the run reached the caps')
  })

  it('leaves out entries past their expiry before the table drops them; close stops following', () => {
    const clock = { now: T0 }
    const table = new PeerTable({ now: () => clock.now })
    const index = new GridIndex(table as unknown as IntroducerService, () => clock.now)
    table.offer(fakeRecord({ issuedAtMs: clock.now, ttlMs: 5000 }))
    table.offer(fakeRecord({ issuedAtMs: clock.now, ttlMs: 50_000 }))
    clock.now += 6000
    assert.equal(index.servicePage('upload_storage', { limit: 10 }).items.length, 1, 'not yet dropped, already out of pages')
    table.expire()
    assert.equal(index.count('upload_storage'), 1)
    index.close()
    table.offer(fakeRecord({ issuedAtMs: clock.now }))
    assert.equal(index.count('upload_storage'), 1)
  })
})
