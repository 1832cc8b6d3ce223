/**
 * Sync 2.0.0 against liars, over in-memory stream pairs (@libp2p/utils streamPair):
 * initiateSync2 against a responder sending garbage, huge length claims, endless
 * splitting, records nobody asked for, or nothing; answerSync2 against an initiator
 * sending huge, garbage or foreign Opens, or splitting forever. Every exchange must end,
 * with an error, within its bounds (frame size, rounds, records, time) and without
 * growing the heap.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { lpStream, streamPair } from '@libp2p/utils'
import { Sync2Accept, Sync2Mode, Sync2Open, Sync2Reconcile, Sync2Records, type Sync2Range } from '../../src/pb/sync2.js'
import { ItemSet } from '../../src/sync/reconcile/item-set.js'
import { Reconciler } from '../../src/sync/reconcile/reconciler.js'
import { answerSync2, initiateSync2, MAX_SYNC2_OPEN_BYTES, type Sync2Options } from '../../src/sync/sync2-protocol.js'
import { cases, concat, heapUsed, MiB, mutate, prngFor, report, Tally, varint, type Prng } from './fuzz-kit.js'
import { GRID, makeRecord, sideOptions, type Held } from '../helpers/sync2.js'
import { offersToWire } from '../../src/sync/offers.js'
import type { Stream } from '@libp2p/interface'

const SERVICES = ['upload_storage', 'download_storage']

interface Outcome { error?: Error, ms: number, taken: number }

/** Runs one side of sync 2.0.0 on `stream` with `held`, within `ms`. */
async function run (side: 'initiate' | 'answer', stream: Stream, held: Held[], ms: number, extra: Partial<Sync2Options> = {}): Promise<Outcome> {
  let taken = 0
  const options = sideOptions(held, SERVICES, { timeoutMs: ms, onRecord: () => { taken++ }, ...extra })
  const started = performance.now()
  // AbortSignal.timeout (behind timeoutMs) keeps no event loop alive: this timer does
  const keepAlive = setTimeout(() => {}, ms + 5000)
  try {
    await (side === 'initiate' ? initiateSync2 : answerSync2)(stream, options)
    return { ms: performance.now() - started, taken }
  } catch (err) {
    return { error: err as Error, ms: performance.now() - started, taken }
  } finally {
    clearTimeout(keepAlive)
  }
}

async function pair (): Promise<{ honest: Stream, liar: Stream, end: () => void }> {
  const [honest, liar] = await streamPair()
  return {
    honest,
    liar,
    end: () => {
      for (const s of [honest, liar]) {
        if (s.status !== 'closed' && s.status !== 'aborted') s.abort(new Error('test over'))
      }
    }
  }
}

async function send (stream: Stream, bytes: Uint8Array): Promise<void> {
  if (!stream.send(bytes)) await stream.onDrain()
}

function records (rng: Prng, n: number): Held[] {
  return Array.from({ length: n }, () => makeRecord(rng, rng.pick(SERVICES)))
}

function fpRange (rng: Prng, toEnd = true, service = ''): Sync2Range {
  return { service, keyPrefix: toEnd ? new Uint8Array() : rng.bytes(3) as Uint8Array<ArrayBuffer>, toEnd, mode: Sync2Mode.FINGERPRINT, fingerprint: rng.bytes(16) as Uint8Array<ArrayBuffer>, items: [], missing: [] }
}

/** The honest answer a responder holding `held` would give to `open` (for liars to mutate). */
function honestAccept (open: Sync2Open, held: Held[]): Uint8Array {
  const r = new Reconciler(ItemSet.of(held.map(h => h.item)), { services: new Set(SERVICES) })
  return Sync2Accept.encode({ notShared: [], ranges: r.receive(open.ranges).reply ?? [] })
}

const isDeadline = (err?: Error): boolean => err != null && /TimeoutError|AbortError|abort/i.test(`${err.name} ${err.message}`) && !/Sync|Reconcile/.test(err.name)

describe('fuzz: initiateSync2 against a lying responder', () => {
  it('garbage frames end the exchange with an error, never a hang, taking no more than asked', async () => {
    const rng = prngFor('sync2/garbage-frames')
    const tally = new Tally()
    const problems: string[] = []
    const n = cases(0.01, 30)
    const started = performance.now()
    const heap0 = heapUsed()
    for (let i = 0; i < n; i++) {
      const { honest, liar, end } = await pair()
      const ours = records(rng, rng.pick([0, 5, 300]))
      const theirs = [...ours.slice(rng.int(ours.length + 1)), ...records(rng, rng.int(20))]
      const liarDone = (async () => {
        const lp = lpStream(liar)
        const open = Sync2Open.decode(await lp.read())
        for (let f = rng.range(1, 5); f > 0; f--) {
          const honestFrame = f === 1 || rng.chance(0.5) ? honestAccept(open, theirs) : Sync2Records.encode({ records: [{ record: rng.bytes(200) as Uint8Array<ArrayBuffer>, ageMs: rng.u32() }], done: rng.chance(0.5) })
          switch (rng.int(4)) {
            case 0: await lp.write(mutate(rng, honestFrame).bytes); break
            case 1: await lp.write(rng.bytes(rng.int(3000))); break
            case 2: await send(liar, rng.bytes(rng.range(1, 64))); break
            default: await send(liar, mutate(rng, concat(varint(honestFrame.byteLength), honestFrame)).bytes); break
          }
        }
        await liar.close()
      })().catch(() => {})
      const result = await run('initiate', honest, ours, 3000)
      end()
      await liarDone
      tally.add(result.error?.name ?? 'completed')
      if (isDeadline(result.error)) problems.push(`case ${i}: ran into the deadline though the liar closed`)
      if (result.taken > theirs.length + 1) problems.push(`case ${i}: took ${result.taken} records`)
    }
    const grown = heapUsed() - heap0
    report('sync2/garbage-frames', n, started, tally)
    assert.deepEqual(problems.slice(0, 10), [], `${problems.length} problems`)
    assert.ok(tally.total - tally.get('completed') > n / 2, tally.toString())
    assert.ok(grown < 32 * MiB, `heap grew by ${(grown / MiB).toFixed(1)} MiB`)
  })

  it('a huge length claim, or a prefix that never ends, fails at once', async () => {
    const claims: Uint8Array[] = [varint(256 * 1024 + 1), varint(2n ** 32n), varint(2n ** 64n - 1n), new Uint8Array(4096).fill(0x80)]
    for (const claim of claims) {
      const { honest, liar, end } = await pair()
      const liarDone = (async () => {
        await lpStream(liar).read()
        await send(liar, claim)
      })().catch(() => {})
      const result = await run('initiate', honest, [], 5000)
      end()
      await liarDone
      assert.ok(result.error != null && !isDeadline(result.error), `${result.error?.name}`)
      assert.match(result.error.name, /^(SyncProtocolError|InvalidDataLengthError|InvalidDataLengthLengthError)$/)
      assert.ok(result.ms < 2500, `took ${result.ms} ms`)
    }
  })

  it('a responder that splits forever is cut at maxRounds', async () => {
    const rng = prngFor('sync2/split-forever')
    const { honest, liar, end } = await pair()
    let frames = 0
    const liarDone = (async () => {
      const lp = lpStream(liar)
      await lp.read()
      await lp.write(Sync2Accept.encode({ notShared: [], ranges: [fpRange(rng)] }))
      for (;;) {
        await lp.read()
        frames++
        await lp.write(Sync2Reconcile.encode({ ranges: [fpRange(rng, false, 'upload_storage'), fpRange(rng)] }))
      }
    })().catch(() => {})
    const result = await run('initiate', honest, records(rng, 2000), 20_000, { limits: { maxRounds: 12 } })
    end()
    await liarDone
    assert.equal((result.error as Error & { code?: string })?.code, 'too-many-rounds', `${result.error?.name}: ${result.error?.message}`)
    assert.ok(frames <= 12, `${frames} frames answered`)
  })

  it('records nobody asked for, records forever, and empty record frames are refused at the first', async () => {
    const rng = prngFor('sync2/records')
    const ours = records(rng, 50)
    const variants: Array<[string, (lp: ReturnType<typeof lpStream<Stream>>) => Promise<void>, RegExp]> = [
      ['unasked', async (lp) => { await lp.write(Sync2Records.encode({ records: [{ record: rng.bytes(300) as Uint8Array<ArrayBuffer>, ageMs: 5 }], done: true })) }, /did not ask for/],
      ['empty forever', async (lp) => { for (let i = 0; i < 100_000; i++) await lp.write(Sync2Records.encode({ records: [], done: false })) }, /no records that is not the last/],
      ['too many in a frame', async (lp) => { await lp.write(Sync2Records.encode({ records: Array.from({ length: 513 }, () => ({ record: new Uint8Array(1), ageMs: 0 })), done: true })) }, /too many/]
    ]
    for (const [name, lie, message] of variants) {
      const { honest, liar, end } = await pair()
      const liarDone = (async () => {
        const lp = lpStream(liar)
        const open = Sync2Open.decode(await lp.read())
        // an honest reconciliation: it holds exactly what we hold, so we need nothing
        await lp.write(honestAccept(open, ours))
        await lie(lp)
      })().catch(() => {})
      const result = await run('initiate', honest, ours, 5000)
      end()
      await liarDone
      assert.equal(result.error?.name, 'SyncProtocolError', `${name}: ${result.error?.name}: ${result.error?.message}`)
      assert.match(result.error.message, message, name)
      assert.equal(result.taken, 0, name)
    }
  })

  it('lying offers and answers to offers end the exchange within its bounds, taking only records that were offered and asked for', async () => {
    const rng = prngFor('sync2/offers')
    const tally = new Tally()
    const problems: string[] = []
    const n = cases(0.01, 30)
    const started = performance.now()
    for (let i = 0; i < n; i++) {
      const { honest, liar, end } = await pair()
      const ours = records(rng, rng.pick([0, 20]))
      // download_storage is followed by us and not by the liar: offers of it may be asked for
      const offered = Array.from({ length: rng.pick([0, 1, 5, 16, 17, 40]) }, () => makeRecord(rng, rng.pick(['download_storage', 'download_storage', 'helper', 'Bad'])))
      let asked = 0
      const liarDone = (async () => {
        const lp = lpStream(liar)
        const open = Sync2Open.decode(await lp.read())
        const r = new Reconciler(ItemSet.of(ours.map(h => h.item)), { services: new Set(['upload_storage']), firstMessageWider: true })
        const items = offersToWire(offered.map(h => h.item)).map(w => rng.chance(0.1) ? { ...w, publicKey: rng.bytes(rng.pick([0, 31, 32])) as Uint8Array<ArrayBuffer>, seqnum: BigInt(rng.int(3)) } : w)
        const wanted = rng.chance(0.3) ? Array.from({ length: rng.int(4) }, () => rng.int(open.offered.length + 3)) : []
        await lp.write(Sync2Accept.encode({ notShared: [1], ranges: r.receive(open.ranges).reply ?? [], offered: items, wanted }))
        const answer = Sync2Reconcile.decode(await lp.read())
        asked = answer.wanted.length
        const send = rng.chance(0.5) ? answer.wanted.map(j => offered[j]) : [rng.pick(offered)]
        await lp.write(Sync2Records.encode({ records: send.filter(h => h != null).map(h => ({ record: h.record as Uint8Array<ArrayBuffer>, ageMs: 1 })), done: true }))
        await liar.close()
      })().catch(() => {})
      const result = await run('initiate', honest, ours, 3000)
      end()
      await liarDone
      tally.add(result.error?.name ?? 'completed')
      if (isDeadline(result.error)) problems.push(`case ${i}: ran into the deadline though the liar closed`)
      if (result.taken > asked) problems.push(`case ${i}: took ${result.taken} records, asked for ${asked}`)
      if (offered.length > 16 && result.error == null) problems.push(`case ${i}: took an offer of ${offered.length} items`)
    }
    report('sync2/offers', n, started, tally)
    assert.deepEqual(problems.slice(0, 10), [], `${problems.length} problems`)
    assert.ok(tally.get('completed') > 0 && tally.get('SyncProtocolError') > 0, tally.toString())
  })

  it('a silent responder is cut by timeoutMs, on time', async () => {
    const { honest, liar, end } = await pair()
    const liarDone = lpStream(liar).read().catch(() => {})
    const result = await run('initiate', honest, [], 300)
    end()
    await liarDone
    assert.ok(isDeadline(result.error), `${result.error?.name}: ${result.error?.message}`)
    assert.ok(result.ms >= 290 && result.ms < 3000, `ended after ${result.ms} ms`)
  })
})

describe('fuzz: answerSync2 against a malicious initiator', () => {
  async function against (bytes: Uint8Array, close = true, ms = 3000): Promise<Outcome> {
    const { honest, liar, end } = await pair()
    const liarDone = (async () => {
      await send(liar, bytes)
      if (close) await liar.close()
    })().catch(() => {})
    const result = await run('answer', honest, [], ms)
    end()
    await liarDone
    return result
  }
  const framed = (body: Uint8Array): Uint8Array => concat(varint(body.byteLength), body)

  it('refuses an Open over its limit before reading it, and a prefix that never ends', async () => {
    for (const claim of [MAX_SYNC2_OPEN_BYTES + 1, 200_000, 2 ** 32]) {
      const result = await against(varint(claim), false)
      assert.ok(result.error != null && !isDeadline(result.error), `claim ${claim}: ${result.error?.name}`)
      assert.ok(result.ms < 2500)
    }
    const result = await against(new Uint8Array(64).fill(0x80), false)
    assert.equal(result.error?.name, 'SyncProtocolError')
  })

  it('refuses garbage Opens, and never answers one for another grid', async () => {
    const rng = prngFor('sync2/garbage-opens')
    const tally = new Tally()
    const n = cases(0.01, 30)
    const started = performance.now()
    for (let i = 0; i < n; i++) {
      const open = Sync2Open.encode({ grid: GRID, services: SERVICES, ranges: [fpRange(rng)] })
      const { bytes } = mutate(rng, framed(open))
      const result = await against(bytes)
      tally.add(result.error?.name ?? 'completed')
      if (result.error == null) {
        let grid = '(undecodable)'
        try { grid = Sync2Open.decode(bytes.subarray(varint(open.byteLength).byteLength)).grid } catch {}
        assert.ok(grid === GRID || grid === '(undecodable)', `case ${i}: answered grid ${grid}`)
      }
    }
    report('sync2/garbage-opens', n, started, tally)
    assert.ok(tally.get('SyncProtocolError') + tally.get('ReconcileError') > 0, tally.toString())
  })

  it('refuses another grid and too many services with clear errors', async () => {
    let result = await against(framed(Sync2Open.encode({ grid: 'other', services: SERVICES, ranges: [] })))
    assert.match(result.error?.message ?? '', /grid "other".*"test"/)
    result = await against(framed(Sync2Open.encode({ grid: GRID, services: Array.from({ length: 65 }, (_, i) => `s${i}`), ranges: [] })))
    assert.equal(result.error?.name, 'SyncProtocolError')
    assert.match(result.error.message, /too many/)
  })

  it('an initiator that splits forever is cut at maxRounds', async () => {
    const rng = prngFor('sync2/initiator-splits')
    const { honest, liar, end } = await pair()
    const liarDone = (async () => {
      const lp = lpStream(liar)
      await lp.write(Sync2Open.encode({ grid: GRID, services: SERVICES, ranges: [fpRange(rng)] }))
      for (;;) {
        await lp.read()
        await lp.write(Sync2Reconcile.encode({ ranges: [fpRange(rng, false, 'upload_storage'), fpRange(rng)] }))
      }
    })().catch(() => {})
    const result = await run('answer', honest, records(rng, 3000), 20_000, { limits: { maxRounds: 10 } })
    end()
    await liarDone
    assert.equal((result.error as Error & { code?: string })?.code, 'too-many-rounds', `${result.error?.name}: ${result.error?.message}`)
  })

  it('gives up on a silent initiator when timeoutMs passes', async () => {
    const result = await against(new Uint8Array(), false, 300)
    assert.ok(isDeadline(result.error), `${result.error?.name}: ${result.error?.message}`)
    assert.ok(result.ms >= 290 && result.ms < 3000)
  })
})
