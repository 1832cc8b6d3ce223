/**
 * The sync protocol against liars, over in-memory stream pairs (@libp2p/utils
 * streamPair): requestSync against a holder sending garbage, huge length claims, pages
 * forever, nothing, or everything slowly; answerSync against an asker sending huge,
 * garbage or foreign requests. Every exchange must end, with an error, within its bounds
 * (frame size, record count, the AbortSignal) and without growing the heap.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { lpStream, streamPair } from '@libp2p/utils'
import {
  answerSync, MAX_SYNC_PAGE_BYTES, MAX_SYNC_PAGE_RECORDS, MAX_SYNC_REQUEST_BYTES, MAX_SYNC_SERVICES, requestSync, SyncProtocolError
} from '../../src/sync/sync-protocol.js'
import { SyncPage, SyncRequest } from '../../src/pb/sync.js'
import { MAX_SIGNED_ANNOUNCEMENT_BYTES } from '../../src/announcement/record.js'
import { cases, concat, deadline, DeadlineError, heapUsed, MiB, mutate, prngFor, report, Tally, varint, type Prng } from './fuzz-kit.js'
import type { Stream } from '@libp2p/interface'

const GRID = 'test'
const SERVICES = ['upload_storage', 'download_storage']

interface Asked {
  records: number
  pages: number
  biggest: number
  error?: Error
  ms: number
}

function asError (err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err))
}

/** Runs requestSync on `asker` within `ms`, consuming (and dropping) what it yields. */
async function ask (asker: Stream, ms: number, options: { maxRecords?: number, pageRecords?: number } = {}): Promise<Asked> {
  const { signal, clear } = deadline(ms)
  const started = performance.now()
  const result: Asked = { records: 0, pages: 0, biggest: 0, ms: 0 }
  try {
    for await (const page of requestSync(asker, { grid: GRID, services: SERVICES, signal, ...options })) {
      result.pages++
      result.records += page.length
      for (const r of page) {
        result.biggest = Math.max(result.biggest, r.byteLength)
      }
    }
  } catch (err) {
    result.error = asError(err)
  } finally {
    clear()
    result.ms = performance.now() - started
  }
  return result
}

/** Runs answerSync on `holder` within `ms`; returns the error it ended with, if any. */
async function answer (holder: Stream, ms: number, records: Uint8Array[] = []): Promise<{ error?: Error, ms: number }> {
  const { signal, clear } = deadline(ms)
  const started = performance.now()
  try {
    await answerSync(holder, { grid: GRID, records: () => records, signal })
    return { ms: performance.now() - started }
  } catch (err) {
    return { error: asError(err), ms: performance.now() - started }
  } finally {
    clear()
  }
}

/** A stream pair whose ends are aborted (and so released) by `end()`. */
async function pair (): Promise<{ asker: Stream, holder: Stream, end: () => void }> {
  const [asker, holder] = await streamPair()
  return {
    asker,
    holder,
    end: () => {
      for (const s of [asker, holder]) {
        if (s.status !== 'closed' && s.status !== 'aborted') {
          s.abort(new Error('test over'))
        }
      }
    }
  }
}

/**
 * A writer that keeps going until told to stop or the stream fails, bounded by `max`
 * iterations; each iteration awaits `step` (which writes and honours backpressure).
 */
function keepWriting (step: (i: number) => Promise<void>, max: number): { stop: () => void, done: Promise<number> } {
  let stopped = false
  const done = (async () => {
    let i = 0
    try {
      for (; i < max && !stopped; i++) {
        await step(i)
      }
    } catch {
      // the asker gave up and the stream was aborted: that is the point
    }
    return i
  })()
  return { stop: () => { stopped = true }, done }
}

async function send (stream: Stream, bytes: Uint8Array): Promise<void> {
  if (!stream.send(bytes)) {
    await stream.onDrain()
  }
}

function record (rng: Prng, size = rng.range(100, 600)): Uint8Array {
  return rng.bytes(size)
}

/** The holder reads the request (as an honest holder would) before lying. */
async function readRequest (holder: Stream): Promise<ReturnType<typeof lpStream<Stream>>> {
  const lp = lpStream(holder)
  SyncRequest.decode(await lp.read())
  return lp
}

describe('fuzz: requestSync against a lying holder', () => {
  it('garbage frames end the exchange with an error, never a hang, within the record bound', async () => {
    const rng = prngFor('sync/garbage-frames')
    const tally = new Tally()
    const problems: string[] = []
    const n = cases(0.02, 40)
    const started = performance.now()
    const heap0 = heapUsed()
    for (let i = 0; i < n; i++) {
      const { asker, holder, end } = await pair()
      const maxRecords = rng.range(1, 600)
      const holderDone = (async () => {
        const lp = await readRequest(holder)
        for (let f = rng.range(1, 6); f > 0; f--) {
          const page = SyncPage.encode({ records: Array.from({ length: rng.int(40) }, () => record(rng) as Uint8Array<ArrayBuffer>), done: rng.chance(0.2) })
          switch (rng.int(5)) {
            case 0: await lp.write(page); break
            case 1: await lp.write(mutate(rng, page).bytes); break
            case 2: await lp.write(rng.bytes(rng.int(2000))); break
            case 3: await send(holder, rng.bytes(rng.range(1, 64))); break
            default: await send(holder, mutate(rng, concat(varint(page.byteLength), page)).bytes); break
          }
        }
        await holder.close()
      })().catch(() => {})
      const result = await ask(asker, 3000, { maxRecords })
      end()
      await holderDone
      tally.add(result.error?.name ?? 'completed')
      if (result.error instanceof DeadlineError) {
        problems.push(`case ${i}: ran into the deadline though the holder closed`)
      }
      if (result.records > maxRecords) {
        problems.push(`case ${i}: yielded ${result.records} records, bound ${maxRecords}`)
      }
      if (result.biggest > MAX_SIGNED_ANNOUNCEMENT_BYTES) {
        problems.push(`case ${i}: yielded a record of ${result.biggest} bytes`)
      }
    }
    const grown = heapUsed() - heap0
    report('sync/garbage-frames', n, started, tally)
    assert.deepEqual(problems.slice(0, 10), [], `${problems.length} problems`)
    assert.ok(tally.total - tally.get('completed') > n / 2, tally.toString())
    assert.ok(grown < 32 * MiB, `heap grew by ${(grown / MiB).toFixed(1)} MiB`)
  })

  it('a frame claiming a huge length fails at once, before anything that long is read', async () => {
    const claims = [BigInt(MAX_SYNC_PAGE_BYTES) + 1n, 2n ** 31n, 2n ** 32n, 2n ** 32n + 1n, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n, 2n ** 70n]
    const started = performance.now()
    for (const claim of claims) {
      const { asker, holder, end } = await pair()
      // the holder claims the length and then sends nothing more, without closing
      const holderDone = (async () => {
        await readRequest(holder)
        await send(holder, varint(claim))
      })().catch(() => {})
      const result = await ask(asker, 5000)
      end()
      await holderDone
      assert.ok(result.error != null && !(result.error instanceof DeadlineError), `claim ${claim}: ${result.error?.name}`)
      assert.match(result.error.name, /^(SyncProtocolError|InvalidDataLengthError|InvalidDataLengthLengthError)$/, `claim ${claim}`)
      assert.ok(result.ms < 2500, `claim ${claim} took ${result.ms} ms`)
    }
    report('sync/huge-length', claims.length, started)
  })

  it('a length prefix that never ends (0x80 forever) fails at once and keeps the heap flat', async () => {
    const { asker, holder, end } = await pair()
    const heap0 = heapUsed()
    let writer: ReturnType<typeof keepWriting> | undefined
    const holderDone = (async () => {
      await readRequest(holder)
      const chunk = new Uint8Array(1024).fill(0x80)
      writer = keepWriting(async () => { await send(holder, chunk) }, 20_000)
      await writer.done
    })().catch(() => {})
    const result = await ask(asker, 5000)
    writer?.stop()
    end()
    await holderDone
    const grown = heapUsed() - heap0
    assert.ok(result.error instanceof SyncProtocolError, `${result.error?.name}: ${result.error?.message}`)
    assert.ok(result.ms < 2500, `took ${result.ms} ms`)
    assert.ok(grown < 16 * MiB, `heap grew by ${(grown / MiB).toFixed(1)} MiB`)
  })

  it('pages forever, never done, end at maxRecords (and empty pages at once)', async () => {
    const rng = prngFor('sync/pages-forever')
    const started = performance.now()
    const heap0 = heapUsed()
    let pagesSent = 0
    for (const [perPage, maxRecords] of [[1, 2000], [7, 5000], [MAX_SYNC_PAGE_RECORDS, 20_000], [0, 1000]]) {
      const { asker, holder, end } = await pair()
      let writer: ReturnType<typeof keepWriting> | undefined
      const holderDone = (async () => {
        const lp = await readRequest(holder)
        const page = SyncPage.encode({ records: Array.from({ length: perPage }, () => record(rng, 300) as Uint8Array<ArrayBuffer>), done: false })
        writer = keepWriting(async () => { await lp.write(page) }, 1_000_000)
        pagesSent += await writer.done
      })().catch(() => {})
      const result = await ask(asker, 20_000, { maxRecords })
      writer?.stop()
      end()
      await holderDone
      assert.ok(result.error instanceof SyncProtocolError, `${perPage}/page: ${result.error?.name}: ${result.error?.message}`)
      assert.ok(result.records <= maxRecords, `${result.records} records, bound ${maxRecords}`)
      if (perPage === 0) {
        assert.match(result.error.message, /empty page/)
        assert.equal(result.pages, 0)
      } else {
        assert.match(result.error.message, /exceeds/)
        assert.ok(result.records > maxRecords - perPage, `stopped early at ${result.records}`)
      }
    }
    const grown = heapUsed() - heap0
    report('sync/pages-forever', pagesSent, started)
    assert.ok(grown < 32 * MiB, `heap grew by ${(grown / MiB).toFixed(1)} MiB`)
  })

  it('a page with more records than a page may hold is refused', async () => {
    const rng = prngFor('sync/fat-page')
    const { asker, holder, end } = await pair()
    const holderDone = (async () => {
      const lp = await readRequest(holder)
      await lp.write(SyncPage.encode({ records: Array.from({ length: MAX_SYNC_PAGE_RECORDS + 1 }, () => record(rng, 10) as Uint8Array<ArrayBuffer>), done: true }))
    })().catch(() => {})
    const result = await ask(asker, 5000)
    end()
    await holderDone
    assert.ok(result.error != null && !(result.error instanceof DeadlineError), result.error?.name)
    assert.equal(result.records, 0)
  })

  it('a holder that never answers is cut by the signal, on time', async () => {
    const { asker, holder, end } = await pair()
    const holderDone = readRequest(holder).catch(() => {})
    const result = await ask(asker, 300)
    end()
    await holderDone
    assert.ok(result.error instanceof DeadlineError, result.error?.name)
    assert.ok(result.ms >= 290 && result.ms < 3000, `ended after ${result.ms} ms`)
  })

  it('a holder dribbling bytes is cut by the signal; a slow honest one completes', async () => {
    const rng = prngFor('sync/slow')
    const records = Array.from({ length: 20 }, () => record(rng, 200) as Uint8Array<ArrayBuffer>)
    const frame = (done: boolean): Uint8Array => {
      const page = SyncPage.encode({ records, done })
      return concat(varint(page.byteLength), page)
    }
    // one byte every 10 ms: the ~4 KB page would take ~40 s
    {
      const { asker, holder, end } = await pair()
      let writer: ReturnType<typeof keepWriting> | undefined
      const bytes = frame(true)
      const holderDone = (async () => {
        await readRequest(holder)
        writer = keepWriting(async (i) => {
          await send(holder, bytes.subarray(i % bytes.byteLength, (i % bytes.byteLength) + 1))
          await new Promise(resolve => setTimeout(resolve, 10))
        }, 10_000)
        await writer.done
      })().catch(() => {})
      const result = await ask(asker, 500)
      writer?.stop()
      end()
      await holderDone
      assert.ok(result.error instanceof DeadlineError, result.error?.name)
      assert.ok(result.ms < 3000, `ended after ${result.ms} ms`)
      assert.equal(result.records, 0)
    }
    // three pages 50 ms apart: slow, but inside the deadline
    {
      const { asker, holder, end } = await pair()
      const holderDone = (async () => {
        await readRequest(holder)
        for (const done of [false, false, true]) {
          await new Promise(resolve => setTimeout(resolve, 50))
          await send(holder, frame(done))
        }
        await holder.close()
      })().catch(() => {})
      const result = await ask(asker, 5000)
      end()
      await holderDone
      assert.equal(result.error, undefined)
      assert.equal(result.records, 3 * records.length)
    }
  })

  it('an honest holder (answerSync) delivers everything, page by page, within the bounds', async () => {
    const rng = prngFor('sync/honest')
    const records = Array.from({ length: 1300 }, () => record(rng, rng.range(200, MAX_SIGNED_ANNOUNCEMENT_BYTES)))
    const { asker, holder, end } = await pair()
    const answered = answer(holder, 10_000, records)
    const result = await ask(asker, 10_000, { pageRecords: 100 })
    const holderResult = await answered
    end()
    assert.equal(holderResult.error, undefined)
    assert.equal(result.error, undefined)
    assert.equal(result.records, records.length)
    // 100 per page at most, and pages also cut at MAX_SYNC_PAGE_BYTES
    assert.ok(result.pages >= 14, `${result.pages} pages`)
  })
})

describe('fuzz: answerSync against a malicious asker', () => {
  /** Sends `bytes` raw as the asker, then closes its write side unless told not to. */
  async function against (bytes: Uint8Array, close = true, ms = 3000): Promise<{ error?: Error, ms: number }> {
    const { asker, holder, end } = await pair()
    const askerDone = (async () => {
      await send(asker, bytes)
      if (close) {
        await asker.close()
      }
    })().catch(() => {})
    const result = await answer(holder, ms, [new Uint8Array(10)])
    end()
    await askerDone
    return result
  }

  const framed = (body: Uint8Array): Uint8Array => concat(varint(body.byteLength), body)
  /** The body of the first frame of `bytes` (what a holder would decode). */
  const unframe = (bytes: Uint8Array): Uint8Array => {
    let length = 0
    let at = 0
    for (; at < bytes.byteLength; at++) {
      length += (bytes[at] & 0x7f) * 2 ** (7 * at)
      if (bytes[at] < 0x80) {
        break
      }
    }
    return bytes.subarray(at + 1, at + 1 + length)
  }

  it('refuses a huge request before reading it', async () => {
    for (const claim of [MAX_SYNC_REQUEST_BYTES + 1, 1e6, 2 ** 32, 2 ** 53]) {
      // the claim alone, the asker keeps the stream open
      const result = await against(varint(claim), false)
      assert.ok(result.error != null && !(result.error instanceof DeadlineError), `claim ${claim}: ${result.error?.name}`)
      assert.match(result.error.name, /^(SyncProtocolError|InvalidDataLengthError|InvalidDataLengthLengthError)$/)
      assert.ok(result.ms < 2500, `claim ${claim}: ${result.ms} ms`)
    }
    const whole = await against(framed(new Uint8Array(MAX_SYNC_REQUEST_BYTES + 1)))
    assert.equal(whole.error?.name, 'InvalidDataLengthError')
  })

  it('refuses garbage requests with an error, never answering and never hanging', async () => {
    const rng = prngFor('sync/garbage-requests')
    const tally = new Tally()
    const problems: string[] = []
    const n = cases(0.02, 40)
    const started = performance.now()
    const valid = SyncRequest.encode({ grid: GRID, services: SERVICES, maxRecordsPerPage: 10 })
    for (let i = 0; i < n; i++) {
      let bytes: Uint8Array
      switch (rng.int(3)) {
        case 0: bytes = framed(rng.bytes(rng.int(200))); break
        case 1: bytes = rng.bytes(rng.range(1, 50)); break
        default: bytes = framed(mutate(rng, valid).bytes); break
      }
      const result = await against(bytes)
      tally.add(result.error?.name ?? 'answered')
      if (result.error instanceof DeadlineError) {
        problems.push(`case ${i}: ran into the deadline though the asker closed`)
      }
      if (result.error == null) {
        // only a request that still decodes to this grid may be answered
        let grid: string
        try {
          grid = SyncRequest.decode(unframe(bytes)).grid
        } catch {
          grid = '(undecodable)'
        }
        if (grid !== GRID) {
          problems.push(`case ${i}: answered a request for grid ${JSON.stringify(grid)}`)
        }
      }
    }
    report('sync/garbage-requests', n, started, tally)
    assert.deepEqual(problems.slice(0, 10), [], `${problems.length} problems`)
    assert.ok(tally.get('SyncProtocolError') > 0, tally.toString())
  })

  it('refuses a request for another grid with a clear error', async () => {
    const result = await against(framed(SyncRequest.encode({ grid: 'other-grid', services: SERVICES, maxRecordsPerPage: 10 })))
    assert.ok(result.error instanceof SyncProtocolError, result.error?.name)
    assert.match(result.error.message, /grid "other-grid".*"test"/)
  })

  it('refuses a request naming too many services', async () => {
    const services = Array.from({ length: MAX_SYNC_SERVICES + 1 }, (_, i) => `s${i}`)
    const result = await against(framed(SyncRequest.encode({ grid: GRID, services, maxRecordsPerPage: 10 })))
    assert.ok(result.error != null && !(result.error instanceof DeadlineError), result.error?.name)
    assert.match(result.error.message, /too many/)
  })

  it('refuses a length prefix that never ends', async () => {
    const result = await against(new Uint8Array(64).fill(0x80), false)
    assert.ok(result.error instanceof SyncProtocolError, `${result.error?.name}: ${result.error?.message}`)
    assert.ok(result.ms < 2500, `${result.ms} ms`)
  })

  it('gives up on a silent asker when the signal fires', async () => {
    const result = await against(new Uint8Array(), false, 300)
    assert.ok(result.error instanceof DeadlineError, result.error?.name)
    assert.ok(result.ms >= 290 && result.ms < 3000, `ended after ${result.ms} ms`)
  })
})
