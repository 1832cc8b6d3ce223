/**
 * The late-joiner sync protocol, `/gossip-introducer/sync/1.0.0`. Gossipsub keeps no
 * history, so a node that connects to a peer asks it for the signed records it holds
 * for the services the asker subscribed to. One request per stream:
 *
 *   asker  -> holder: SyncRequest (length-prefixed protobuf)
 *   holder -> asker : SyncPage*, the last with done = true, then the holder closes.
 *
 * Both sides bound what they read (bytes per frame, frames, records, time). The asker
 * hands every record to the same validation and replacement path as gossip.
 */
import { SyncPage, SyncRequest } from '../pb/sync.js'
import { isValidServiceName } from '../announcement/names.js'
import { MAX_SIGNED_ANNOUNCEMENT_BYTES } from '../announcement/record.js'
import { boundedLpStream, decodeFrame as decode, SyncProtocolError } from './frames.js'
import type { AbortOptions, Stream } from '@libp2p/interface'

export { SyncProtocolError }

export const SYNC_PROTOCOL = '/gossip-introducer/sync/1.0.0'
/** Largest request a holder reads. */
export const MAX_SYNC_REQUEST_BYTES = 4096
/** Most services one request may name. */
export const MAX_SYNC_SERVICES = 64
/** Most records in one page, whatever the asker asks. */
export const MAX_SYNC_PAGE_RECORDS = 512
/** Largest page a holder writes and an asker reads. */
export const MAX_SYNC_PAGE_BYTES = 256 * 1024
/** Records per page asked for by default. */
export const DEFAULT_SYNC_PAGE_RECORDS = 256
/** Time an asker gives a whole exchange, and a holder gives reading the request and writing the answer. */
export const DEFAULT_SYNC_TIMEOUT_MS = 10_000
/** Most records an asker takes from one exchange. */
export const DEFAULT_MAX_SYNC_RECORDS = 50_000

const PAGE_OVERHEAD_BYTES = 16

export interface AnswerOptions extends AbortOptions {
  grid: string
  /** Records (encoded SignedAnnouncements) held for these services. */
  records(services: ReadonlySet<string>): Iterable<Uint8Array>
}

/** Holder side: reads one request, writes the pages, closes. */
export async function answerSync (stream: Stream, options: AnswerOptions): Promise<void> {
  const lp = boundedLpStream(stream, MAX_SYNC_REQUEST_BYTES)
  const request = decode(SyncRequest, await lp.read(options), { services: MAX_SYNC_SERVICES }, 'request')
  if (request.grid !== options.grid) {
    throw new SyncProtocolError(`sync request for grid ${JSON.stringify(request.grid)}, this node is in ${JSON.stringify(options.grid)}`)
  }
  const services = new Set(request.services.filter(isValidServiceName))
  const perPage = Math.max(1, Math.min(request.maxRecordsPerPage || DEFAULT_SYNC_PAGE_RECORDS, MAX_SYNC_PAGE_RECORDS))
  let page: Uint8Array[] = []
  let pageBytes = 0
  for (const record of options.records(services)) {
    const size = record.byteLength + 8
    if (page.length >= perPage || pageBytes + size > MAX_SYNC_PAGE_BYTES - PAGE_OVERHEAD_BYTES) {
      await lp.write(SyncPage.encode({ records: page as Array<Uint8Array<ArrayBuffer>>, done: false }), options)
      page = []
      pageBytes = 0
    }
    page.push(record)
    pageBytes += size
  }
  await lp.write(SyncPage.encode({ records: page as Array<Uint8Array<ArrayBuffer>>, done: true }), options)
  await stream.close(options)
}

export interface RequestOptions extends AbortOptions {
  grid: string
  services: Iterable<string>
  /** Records per page to ask for. @default DEFAULT_SYNC_PAGE_RECORDS */
  pageRecords?: number
  /** Most records taken before the exchange is cut. @default DEFAULT_MAX_SYNC_RECORDS */
  maxRecords?: number
}

/**
 * Asker side: writes the request and yields the records of each page as they arrive.
 * Throws SyncProtocolError when the holder exceeds a bound; the caller aborts the stream.
 */
export async function * requestSync (stream: Stream, options: RequestOptions): AsyncGenerator<Uint8Array[]> {
  const maxRecords = options.maxRecords ?? DEFAULT_MAX_SYNC_RECORDS
  const lp = boundedLpStream(stream, MAX_SYNC_PAGE_BYTES)
  const services = [...options.services].slice(0, MAX_SYNC_SERVICES)
  await lp.write(SyncRequest.encode({
    grid: options.grid,
    services,
    maxRecordsPerPage: options.pageRecords ?? DEFAULT_SYNC_PAGE_RECORDS
  }), options)
  let received = 0
  while (true) {
    const bytes = await lp.read(options)
    const page = decode(SyncPage, bytes, { records: MAX_SYNC_PAGE_RECORDS }, 'page')
    if (!page.done && page.records.length === 0) {
      // an honest holder never sends one, and they would not count against maxRecords
      throw new SyncProtocolError('sync answer has an empty page that is not the last')
    }
    received += page.records.length
    if (received > maxRecords) {
      throw new SyncProtocolError(`sync answer exceeds ${maxRecords} records`)
    }
    yield page.records.filter(r => r.byteLength <= MAX_SIGNED_ANNOUNCEMENT_BYTES)
    if (page.done) {
      return
    }
  }
}
