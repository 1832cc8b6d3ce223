/**
 * The push-pull phase of sync 2.0.0 (docs/protocol.md §12.5.5): after reconciliation each
 * side writes the records the other needs and reads those it needs, at the same time.
 * A side takes only records it asked for: each must hash to the digest of an item it
 * needs, at most once, so the peer cannot send more records than reconciliation agreed.
 */
import { MAX_SIGNED_ANNOUNCEMENT_BYTES } from '../announcement/record.js'
import { Sync2Records, type Sync2Record } from '../pb/sync2.js'
import { asError } from '../errors.js'
import { decodeFrame, SyncProtocolError, type FrameStream } from './frames.js'
import { SYNC2_RECORDS_SCHEMA } from './sync2-wire.js'
import { recordDigest, WIRE_DIGEST_BYTES, type SyncItem } from './reconcile/item.js'
import type { AbortOptions } from '@libp2p/interface'

/** Most records in one Records frame. */
export const MAX_SYNC2_RECORDS_PER_FRAME = 512
/** Largest ageMs on the wire (uint32): about 49.7 days, more than any TTL. */
export const MAX_AGE_MS = 2 ** 32 - 1

/** Records in the first Records frame a side writes; each next frame may hold twice as many. */
export const FIRST_FRAME_RECORDS = 16
const RECORD_OVERHEAD_BYTES = 16
const FRAME_OVERHEAD_BYTES = 16

/** A record to send, with its age: how long we have held it plus the age it came with. */
export interface RecordToSend {
  record: Uint8Array
  ageMs: number
}

export interface TransferInit extends AbortOptions {
  /** Our items the peer needs. */
  toSend: readonly SyncItem[]
  /** The peer's items we need. */
  toReceive: readonly SyncItem[]
  getRecord(item: SyncItem): RecordToSend | undefined | Promise<RecordToSend | undefined>
  onRecord(record: Uint8Array, ageMs: number): void | Promise<void>
  /** Aborts the stream: called when one direction fails, so the other stops too. */
  fail(err: Error): void
}

export interface Transferred {
  sent: number
  received: number
}

function digestKey (digest: Uint8Array): string {
  return Buffer.from(digest.buffer, digest.byteOffset, WIRE_DIGEST_BYTES).toString('hex')
}

/** Runs both directions; resolves when we have written our last frame and read the peer's. */
export async function transferRecords (frames: FrameStream, init: TransferInit): Promise<Transferred> {
  const both = await Promise.all([
    writeRecords(frames, init).catch((err: unknown) => { init.fail(asError(err)); throw err }),
    readRecords(frames, init).catch((err: unknown) => { init.fail(asError(err)); throw err })
  ])
  return { sent: both[0], received: both[1] }
}

async function writeRecords (frames: FrameStream, init: TransferInit): Promise<number> {
  let page: Sync2Record[] = []
  let pageBytes = FRAME_OVERHEAD_BYTES
  let sent = 0
  // the first frames are small, so that the peer starts checking records while the rest
  // are on their way; then they double up to the limit
  let pageLimit = FIRST_FRAME_RECORDS
  for (const item of init.toSend) {
    const found = await init.getRecord(item)
    if (found == null || found.record.byteLength > MAX_SIGNED_ANNOUNCEMENT_BYTES ||
      digestKey(recordDigest(found.record)) !== digestKey(item.digest)) {
      // no longer held, or replaced since the items were listed: the peer does without it
      continue
    }
    const size = found.record.byteLength + RECORD_OVERHEAD_BYTES
    if (page.length >= pageLimit || pageBytes + size > frames.maxFrameBytes) {
      await frames.write(Sync2Records.encode({ records: page, done: false }), init)
      page = []
      pageBytes = FRAME_OVERHEAD_BYTES
      pageLimit = Math.min(MAX_SYNC2_RECORDS_PER_FRAME, 2 * pageLimit)
    }
    const ageMs = Number.isFinite(found.ageMs) ? Math.min(MAX_AGE_MS, Math.max(0, Math.floor(found.ageMs))) : 0
    page.push({ record: found.record as Uint8Array<ArrayBuffer>, ageMs })
    pageBytes += size
    sent++
  }
  await frames.write(Sync2Records.encode({ records: page, done: true }), init)
  return sent
}

async function readRecords (frames: FrameStream, init: TransferInit): Promise<number> {
  const wanted = new Set(init.toReceive.map(item => digestKey(item.digest)))
  let received = 0
  // a frame's records are taken together (so their signatures are checked as one batch,
  // announcement/signatures.ts), and while the frame before is still being taken: at most
  // two frames are held, and the next is read only when the older of them is done. Once
  // onRecord has thrown, no later frame is started.
  let taking: Promise<unknown> = Promise.resolve()
  let failure: { err: unknown } | undefined
  const take = async ({ record, ageMs }: Sync2Record): Promise<void> => {
    try {
      await init.onRecord(record, ageMs)
    } catch (err) {
      failure ??= { err }
      throw err
    }
  }
  while (true) {
    const frame = decodeFrame(Sync2Records, await frames.read(init), { records: MAX_SYNC2_RECORDS_PER_FRAME }, 'records', SYNC2_RECORDS_SCHEMA)
    if (!frame.done && frame.records.length === 0) {
      throw new SyncProtocolError('a records frame with no records that is not the last')
    }
    for (const { record } of frame.records) {
      if (record.byteLength > MAX_SIGNED_ANNOUNCEMENT_BYTES) {
        throw new SyncProtocolError(`a record of ${record.byteLength} bytes, limit ${MAX_SIGNED_ANNOUNCEMENT_BYTES}`)
      }
      if (!wanted.delete(digestKey(recordDigest(record)))) {
        throw new SyncProtocolError('a record that reconciliation did not ask for, or one sent twice')
      }
      received++
    }
    if (failure != null) {
      throw failure.err
    }
    const current = Promise.all(frame.records.map(take))
    // handled here so that a frame still being taken when a later one fails is no unhandled rejection
    current.catch(() => {})
    await taking
    taking = current
    if (frame.done) {
      await taking
      return received
    }
  }
}
