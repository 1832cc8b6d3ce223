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
import { FrameStream } from '../../src/sync/frames.js'
import { MAX_OFFERED_ITEMS, offersToWire } from '../../src/sync/offers.js'
import { Sync2Accept, Sync2Open, Sync2Reconcile, Sync2Records } from '../../src/pb/sync2.js'
import { ItemSet } from '../../src/sync/reconcile/item-set.js'
import { Reconciler } from '../../src/sync/reconcile/reconciler.js'
import { FRAME_HEADROOM_BYTES } from '../../src/sync/reconcile/limits.js'
import { Prng } from '../fuzz/fuzz-kit.js'
import { ageOf, applied, GRID, makeRecord, newerRecord, sideOptions, type Held } from '../helpers/sync2.js'
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
      const plans: Array<{ toSend: number, toReceive: number }> = []
      const ia = sideOptions(a, SERVICES, { onReconciled: (plan) => { plans.push(plan) } })
      const ib = sideOptions(b, SERVICES)
      const [ra, rb] = await exchange(ia, ib)
      const sa = value(ra)
      const sb = value(rb)
      assert.deepEqual(plans, [{ toSend: sa.result.theyNeed.length, toReceive: sa.result.iNeed.length }], 'told the plan once, before the records')
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

  it('a record of a service one side holds and does not reconcile is offered; the other asks for it when it follows the service and lacks it', async () => {
    const rng = new Prng(27)
    const common = Array.from({ length: 40 }, () => makeRecord(rng, 'upload_storage'))
    for (const direction of ['responder offers', 'initiator offers'] as const) {
      // the publisher of `helper` does not follow it; the other side does
      const own = makeRecord(rng, 'helper')
      const publisher = sideOptions([...common, own], ['upload_storage'])
      const follower = sideOptions(common, ['upload_storage', 'helper'])
      const [ri, rr] = direction === 'responder offers' ? await exchange(follower, publisher) : await exchange(publisher, follower)
      const [fs, ps] = direction === 'responder offers' ? [value(ri), value(rr)] : [value(rr), value(ri)]
      assert.equal(follower.received.length, 1, direction)
      assert.deepEqual(follower.received[0].record, own.record)
      assert.equal(follower.received[0].ageMs, ageOf(own.item))
      assert.equal(publisher.received.length, 0, 'the publisher is sent nothing of helper')
      assert.equal(fs.offersReceived, 1)
      assert.equal(ps.offersSent, 1)
      assert.deepEqual(fs.services, ['upload_storage'], 'helper is not reconciled')
      // once held, it is offered again but not asked for
      const again = sideOptions([...common, own], ['upload_storage', 'helper'])
      const [ra, rb] = direction === 'responder offers' ? await exchange(again, sideOptions([...common, own], ['upload_storage'])) : await exchange(sideOptions([...common, own], ['upload_storage']), again)
      assert.equal(value(ra).recordsSent + value(ra).recordsReceived, 0)
      assert.equal(value(rb).offersSent + value(rb).offersReceived, 0)
      assert.ok(value(ra).bytesSent + value(ra).bytesReceived <= 1024, `in sync with an offer: ${value(ra).bytesSent + value(ra).bytesReceived} bytes`)
    }
  })

  it('an offered record is asked for only when newer than the one held; a follower of neither side\'s services takes none', async () => {
    const rng = new Prng(28)
    const old = makeRecord(rng, 'helper')
    const newer = newerRecord(rng, old)
    const unrelated = makeRecord(rng, 'other')
    const publisher = (): ReturnType<typeof sideOptions> => sideOptions([newer, unrelated], ['upload_storage'])
    // holds the older record: asks for the newer one
    const behind = sideOptions([old], ['upload_storage', 'helper'])
    await exchange(behind, publisher())
    assert.deepEqual(behind.received.map(r => r.record), [newer.record])
    // holds the newer one already, or a newer still: asks for nothing
    for (const held of [newer, newerRecord(rng, newer)]) {
      const ahead = sideOptions([held], ['upload_storage', 'helper'])
      const [ra] = await exchange(ahead, publisher())
      assert.equal(ahead.received.length, 0)
      assert.equal(value(ra).offersReceived, 0)
    }
    // follows neither helper nor other: nothing is offered to it
    const uninterested = sideOptions([], ['upload_storage'])
    const [ru, rp] = await exchange(uninterested, publisher())
    assert.equal(uninterested.received.length, 0)
    assert.equal(value(rp).offersSent, 0)
    assert.equal(value(ru).messages, 2, 'no answer to an offer when none was made')
  })

  it('offers at most 16 items, a random choice among more, and no responder offers to an initiator that does not take offers', async () => {
    const rng = new Prng(29)
    const carried = Array.from({ length: 40 }, () => makeRecord(rng, 'helper'))
    const follower = sideOptions([], ['helper'])
    const [ra, rb] = await exchange(follower, sideOptions(carried, ['upload_storage']))
    assert.equal(value(ra).offersReceived, MAX_OFFERED_ITEMS)
    assert.equal(value(rb).offersSent, MAX_OFFERED_ITEMS)
    assert.equal(follower.received.length, MAX_OFFERED_ITEMS)
    // another exchange offers other items too: in time every one is offered
    const second = sideOptions(follower.received.map(r => carried.find(h => Buffer.compare(h.record, r.record) === 0) as Held), ['helper'])
    await exchange(second, sideOptions(carried, ['upload_storage']))
    assert.ok(second.received.length > 0, 'a second exchange brings records the first did not offer')

    // an initiator of before offers (no takesOffers) is offered nothing and gets an Accept it can read
    const [outbound, inbound] = await streamPair()
    const answering = answerSync2(inbound, sideOptions(carried, ['upload_storage']))
    const frames = new FrameStream(outbound, 65536)
    const reconciler = new Reconciler(ItemSet.of([]), { services: new Set(['helper']) })
    await frames.write(Sync2Open.encode({ grid: GRID, services: ['helper'], ranges: reconciler.initiate(), offered: [], takesOffers: false }))
    const accept = Sync2Accept.decode(await frames.read())
    assert.deepEqual(accept.notShared, [0])
    assert.equal(accept.offered.length, 0)
    await frames.write(Sync2Records.encode({ records: [], done: true }))
    assert.equal((await answering).recordsSent, 0)
    outbound.abort(new Error('test over'))
  })

  it('what a frame holds besides its ranges (notShared, offers, answers) fits in the room each message keeps for it', () => {
    const item = { service: 'a'.repeat(64), publicKey: new Uint8Array(32).fill(255), seqnum: 2n ** 64n - 1n, digest: new Uint8Array(16).fill(255) }
    const all = Array.from({ length: MAX_OFFERED_ITEMS }, (_, i) => i)
    const accept = Sync2Accept.encode({ notShared: Array.from({ length: 64 }, (_, i) => i), ranges: [], offered: all.map(() => item), wanted: all })
    const reconcile = Sync2Reconcile.encode({ ranges: [], wanted: all })
    assert.ok(accept.byteLength <= FRAME_HEADROOM_BYTES, `an Accept without ranges takes ${accept.byteLength} bytes`)
    assert.ok(reconcile.byteLength <= FRAME_HEADROOM_BYTES)
  })

  it('an offer past the bound, a bad offered item or an answer naming no offered item resets the exchange', async () => {
    const rng = new Prng(30)
    const item = (service = 'helper'): Held => makeRecord(rng, service)
    const wire = (items: Held[]): ReturnType<typeof offersToWire> => offersToWire(items.map(h => h.item))
    const cases: Array<{ name: string, open: Partial<Sync2Open>, error: RegExp }> = [
      { name: '17 offered items', open: { offered: wire(Array.from({ length: 17 }, () => item())) }, error: /17|offered/ },
      { name: 'an offered item with a short key', open: { offered: [{ ...wire([item()])[0], publicKey: rng.bytes(31) as Uint8Array<ArrayBuffer> }] }, error: /offered item 0: public key of 31 bytes/ },
      { name: 'a slot offered twice', open: { offered: wire([item(), item()]).map((w, _, all) => ({ ...w, publicKey: all[0].publicKey })) }, error: /offered twice/ },
      { name: 'seqnum 0', open: { offered: [{ ...wire([item()])[0], seqnum: 0n }] }, error: /seqnum 0/ }
    ]
    for (const c of cases) {
      const [outbound, inbound] = await streamPair()
      const answering = answerSync2(inbound, sideOptions([], ['helper']))
      const frames = new FrameStream(outbound, 65536)
      await frames.write(Sync2Open.encode({ grid: GRID, services: ['upload_storage'], ranges: new Reconciler(ItemSet.of([]), { services: new Set(['upload_storage']) }).initiate(), offered: [], takesOffers: true, ...c.open }))
      await assert.rejects(answering, c.error, c.name)
      outbound.abort(new Error('test over'))
    }
    // the initiator's answer names an item the responder did not offer
    const [outbound, inbound] = await streamPair()
    const answering = answerSync2(inbound, sideOptions([item()], ['upload_storage']))
    const frames = new FrameStream(outbound, 65536)
    const reconciler = new Reconciler(ItemSet.of([]), { services: new Set(['upload_storage', 'helper']) })
    await frames.write(Sync2Open.encode({ grid: GRID, services: ['upload_storage', 'helper'], ranges: reconciler.initiate(), offered: [], takesOffers: true }))
    const accept = Sync2Accept.decode(await frames.read())
    assert.equal(accept.offered.length, 1)
    await frames.write(Sync2Reconcile.encode({ ranges: [], wanted: [1] }))
    await assert.rejects(answering, /offered item 1 of 1/)
    outbound.abort(new Error('test over'))
  })

  it('a frame with a field of another wire type (a packed repeated uint32) resets the exchange instead of being misread', async () => {
    const rng = new Prng(31)
    // the responder's Accept with `notShared` packed: field 1, wire type 2, one index (0)
    {
      const [outbound, inbound] = await streamPair()
      const initiating = initiateSync2(outbound, sideOptions([makeRecord(rng, 'upload_storage')], ['upload_storage', 'helper']))
      const frames = new FrameStream(inbound, 65536)
      await frames.read()
      await frames.write(Uint8Array.from([0x0a, 0x01, 0x00]))
      await assert.rejects(initiating, /malformed sync accept: accept field 1 at byte 0: wire type 2, declared 0/)
      inbound.abort(new Error('test over'))
    }
    // the initiator's answer to an offer with `wanted` packed: field 2, wire type 2, one index (0)
    {
      const [outbound, inbound] = await streamPair()
      const answering = answerSync2(inbound, sideOptions([makeRecord(rng, 'helper')], ['upload_storage']))
      const frames = new FrameStream(outbound, 65536)
      const reconciler = new Reconciler(ItemSet.of([]), { services: new Set(['upload_storage', 'helper']) })
      await frames.write(Sync2Open.encode({ grid: GRID, services: ['upload_storage', 'helper'], ranges: reconciler.initiate(), offered: [], takesOffers: true }))
      const accept = Sync2Accept.decode(await frames.read())
      assert.equal(accept.offered.length, 1)
      await frames.write(Uint8Array.from([0x12, 0x01, 0x00]))
      await assert.rejects(answering, /malformed sync answer to an offer: answer to an offer field 2 at byte 0: wire type 2, declared 0/)
      outbound.abort(new Error('test over'))
    }
    // the same answer unpacked (one tag per value) is taken
    {
      const [outbound, inbound] = await streamPair()
      const offeredRecord = makeRecord(rng, 'helper')
      const answering = answerSync2(inbound, sideOptions([offeredRecord], ['upload_storage']))
      const frames = new FrameStream(outbound, 65536)
      const reconciler = new Reconciler(ItemSet.of([]), { services: new Set(['upload_storage', 'helper']) })
      await frames.write(Sync2Open.encode({ grid: GRID, services: ['upload_storage', 'helper'], ranges: reconciler.initiate(), offered: [], takesOffers: true }))
      Sync2Accept.decode(await frames.read())
      await frames.write(Uint8Array.from([0x10, 0x00]))
      const records = Sync2Records.decode(await frames.read())
      assert.deepEqual(records.records.map(r => Buffer.from(r.record).toString('hex')), [Buffer.from(offeredRecord.record).toString('hex')])
      outbound.abort(new Error('test over'))
      await answering.catch(() => {})
    }
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
