/**
 * Sync 2.0.0 over streams: in-memory stream pairs (@libp2p/utils streamPair) for the
 * protocol's behaviour, and two real libp2p nodes over loopback TCP for a large exchange
 * through yamux (backpressure, half-close).
 */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { streamPair } from '@libp2p/utils'
import { answerSync2, initiateSync2, SYNC2_PROTOCOL, type Sync2Summary } from '../../src/sync/sync2-protocol.js'
import { FIRST_FRAME_RECORDS } from '../../src/sync/sync2-transfer.js'
import { Prng } from '../fuzz/fuzz-kit.js'
import { ageOf, applied, makeRecord, newerRecord, sideOptions, type Held } from '../helpers/sync2.js'
import { NodeSet } from '../helpers/nodes.js'
import type { Sync2Options } from '../../src/sync/sync2-protocol.js'

const SERVICES = ['upload_storage', 'download_storage']

async function exchange (a: Sync2Options, b: Sync2Options): Promise<[PromiseSettledResult<Sync2Summary>, PromiseSettledResult<Sync2Summary>]> {
  const [outbound, inbound] = await streamPair()
  const results = await Promise.allSettled([initiateSync2(outbound, a), answerSync2(inbound, b)])
  return results
}

function value<T> (r: PromiseSettledResult<T>): T {
  if (r.status === 'rejected') throw r.reason
  return r.value
}

/** Two sets from one base with every kind of difference. */
function diverged (rng: Prng, n: number, p: number): { a: Held[], b: Held[] } {
  const a: Held[] = []
  const b: Held[] = []
  for (let i = 0; i < n; i++) {
    const h = makeRecord(rng, rng.pick(SERVICES))
    if (!rng.chance(p)) { a.push(h); b.push(h); continue }
    switch (rng.int(4)) {
      case 0: a.push(h); break
      case 1: b.push(h); break
      case 2: a.push(newerRecord(rng, h)); b.push(h); break
      default: a.push(h); b.push(newerRecord(rng, h)); break
    }
  }
  return { a, b }
}

describe('sync 2.0.0 over a stream pair', () => {
  it('both sides end with the newest record of every slot, each record with the age it was sent with', async () => {
    const rng = new Prng(21)
    for (const [n, p] of [[0, 0], [50, 1], [2000, 0.05], [3000, 0.5]] as const) {
      const { a, b } = diverged(rng, n, p)
      const ia = sideOptions(a, SERVICES)
      const ib = sideOptions(b, SERVICES)
      const [ra, rb] = await exchange(ia, ib)
      const sa = value(ra)
      const sb = value(rb)
      assert.deepEqual(applied(a, ia.received, SERVICES), applied(b, ib.received, SERVICES), `n=${n} p=${p}`)
      assert.equal(sa.recordsReceived, sa.result.iNeed.length)
      assert.equal(sa.recordsSent, sb.recordsReceived)
      assert.equal(sb.recordsSent, sa.recordsReceived)
      for (const { record, ageMs } of [...ia.received, ...ib.received]) {
        const from = [...a, ...b].find(h => Buffer.compare(h.record, record) === 0)
        assert.ok(from != null)
        assert.equal(ageMs, ageOf(from.item))
      }
    }
  })

  it('in sync, the whole exchange is one round trip of at most 1 KiB at 100, 1 000 and 10 000 records', async () => {
    const rng = new Prng(22)
    for (const n of [100, 1000, 10_000]) {
      const held = Array.from({ length: n }, () => makeRecord(rng, rng.pick(SERVICES), undefined, undefined, 64))
      const [ra, rb] = await exchange(sideOptions(held, SERVICES), sideOptions(held, SERVICES))
      const s = value(ra)
      value(rb)
      assert.equal(s.messages, 2, `${n}: Open and Accept only`)
      assert.ok(s.bytesSent + s.bytesReceived <= 1024, `${n}: ${s.bytesSent + s.bytesReceived} bytes`)
      assert.equal(s.recordsSent + s.recordsReceived, 0)
    }
  })

  it('reconciles only the services both name; the responder says which', async () => {
    const rng = new Prng(23)
    const mk = (service: string): Held[] => Array.from({ length: 30 }, () => makeRecord(rng, service))
    const [x, y, z, w] = [mk('a'), mk('b'), mk('c'), mk('d')]
    const ia = sideOptions([...x, ...y, ...z.slice(10)], ['a', 'b', 'c'])
    const ib = sideOptions([...y.slice(5), ...z, ...w], ['b', 'c', 'd'])
    const [ra, rb] = await exchange(ia, ib)
    assert.deepEqual(value(ra).services, ['b', 'c'])
    assert.deepEqual(value(rb).services.sort(), ['b', 'c'])
    assert.equal(ia.received.length, 10, 'the 10 c records it lacked')
    assert.equal(ib.received.length, 5, 'the 5 b records it lacked')
    assert.deepEqual(applied([...x, ...y, ...z.slice(10)], ia.received, ['b', 'c']), applied([...y.slice(5), ...z, ...w], ib.received, ['b', 'c']))
  })

  it('a request for another grid resets the stream with a clear error', async () => {
    const rng = new Prng(24)
    const held = [makeRecord(rng, 'upload_storage')]
    const [ra, rb] = await exchange(sideOptions(held, SERVICES, { grid: 'other' }), sideOptions([], SERVICES))
    assert.equal(rb.status, 'rejected')
    assert.match((rb.reason as Error).message, /grid "other".*"test"/)
    assert.equal(ra.status, 'rejected')
  })

  it('a record no longer held, or changed since listed, is not sent; the rest are', async () => {
    const rng = new Prng(25)
    const held = Array.from({ length: 20 }, () => makeRecord(rng, 'upload_storage'))
    const sending = sideOptions(held, SERVICES)
    const getRecord = sending.getRecord.bind(sending)
    sending.getRecord = async (item) => {
      const i = held.findIndex(h => h.item === item)
      if (i === 0) return undefined
      if (i === 1) return { record: rng.bytes(50), ageMs: 1 }
      return getRecord(item)
    }
    const taking = sideOptions([], SERVICES)
    const [ra, rb] = await exchange(sending, taking)
    assert.equal(value(ra).recordsSent, 18)
    assert.equal(value(rb).recordsReceived, 18)
  })

  it('a throwing onRecord aborts the exchange: its frame\'s records are taken together, no later frame is', async () => {
    const rng = new Prng(26)
    // frames of FIRST_FRAME_RECORDS, then twice that: two frames
    const held = Array.from({ length: FIRST_FRAME_RECORDS + 5 }, () => makeRecord(rng, 'upload_storage'))
    let calls = 0
    const taking = sideOptions([], SERVICES, { onRecord: () => { calls++; throw new Error('ingest failed') } })
    const [ra] = await exchange(taking, sideOptions(held, SERVICES))
    assert.equal(ra.status, 'rejected')
    assert.match((ra.reason as Error).message, /ingest failed/)
    assert.equal(calls, FIRST_FRAME_RECORDS)
    // (the sender may already have written everything and finished: its side succeeded)
  })

  it('refuses bad options before touching the stream', async () => {
    const [outbound] = await streamPair()
    await assert.rejects(initiateSync2(outbound, sideOptions([], ['Bad Name'])), { name: 'InvalidOptionError' })
    await assert.rejects(initiateSync2(outbound, sideOptions([], Array.from({ length: 65 }, (_, i) => `s${i}`))), { name: 'InvalidOptionError' })
    await assert.rejects(initiateSync2(outbound, sideOptions([], SERVICES, { limits: { maxRanges: 1 } })), { name: 'InvalidOptionError' })
    outbound.abort(new Error('test over'))
  })
})

describe('sync 2.0.0 between two libp2p nodes over loopback TCP', () => {
  const nodes = new NodeSet()
  after(async () => { await nodes.stopAll() })

  it('a large two-way exchange completes through yamux', async () => {
    const rng = new Prng(27)
    const { a, b } = diverged(rng, 6000, 0.3)
    const [na, nb] = [await nodes.start(), await nodes.start()]
    const ib = sideOptions(b, SERVICES)
    let answered: Promise<Sync2Summary> | undefined
    // a protocol id of this test's own: the nodes' introduction services sync over the
    // real one, and would take this test's unsigned records as forgeries
    const protocol = `${SYNC2_PROTOCOL}/test`
    await nb.libp2p.handle(protocol, (stream) => { answered = answerSync2(stream, ib) })
    const stream = await na.libp2p.dialProtocol(nb.getMultiaddrs()[0], protocol)
    const ia = sideOptions(a, SERVICES, { timeoutMs: 60_000 })
    const sa = await initiateSync2(stream, ia)
    assert.ok(answered != null)
    const sb = await answered
    assert.deepEqual(applied(a, ia.received, SERVICES), applied(b, ib.received, SERVICES))
    assert.ok(sa.recordsReceived > 500 && sb.recordsReceived > 500, `${sa.recordsReceived} / ${sb.recordsReceived} records`)
    assert.ok(sa.roundTrips <= 8, `${sa.roundTrips} round trips`)
  })
})
