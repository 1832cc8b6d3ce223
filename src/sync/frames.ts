/**
 * Length-prefixed protobuf frames with a bounded reader, shared by the sync protocols
 * (1.0.0 in sync-protocol.ts, 2.0.0 in sync2-protocol.ts). A frame is an unsigned
 * LEB128 varint length followed by that many bytes (docs/protocol.md §12.1).
 */
import { lpStream, type LengthPrefixedStream } from '@libp2p/utils'
import { checkWireFormat, type MessageSchema } from '../announcement/wire-format.js'
import { describeError } from '../errors.js'
import type { AbortOptions, Stream } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'

/** A peer broke the sync protocol: bad framing, a frame over a limit, a bad message. */
export class SyncProtocolError extends Error {
  static readonly NAME = 'SyncProtocolError'
  override readonly name = SyncProtocolError.NAME
}

/**
 * Reads a frame's varint length prefix, giving up once it is longer than any prefix of
 * a frame up to `maxDataLength` could be. lpStream's own decoder keeps asking for one more
 * byte while the varint is unfinished, so a peer sending 0x80 bytes forever grew the
 * asker's heap by ~100 bytes per byte received until the timeout.
 *
 * `limit()`, when given, is the largest length taken for the frame being read now (at
 * most `maxDataLength`): a longer one fails here, before anything of it is read.
 */
export function boundedLengthDecoder (maxDataLength: number, limit?: () => number): (data: Uint8ArrayList) => number {
  let maxBytes = 1
  while (2 ** (7 * maxBytes) <= maxDataLength) {
    maxBytes++
  }
  return (data) => {
    let value = 0
    for (let i = 0; i < data.byteLength && i < maxBytes; i++) {
      const b = data.get(i)
      value += (b & 0x7f) * 2 ** (7 * i)
      if (b < 0x80) {
        const max = limit?.() ?? maxDataLength
        if (max < maxDataLength && value > max) {
          throw new SyncProtocolError(`frame of ${value} bytes, limit ${max}`)
        }
        return value
      }
    }
    if (data.byteLength < maxBytes) {
      // unfinished: lpStream reads one more byte when the decoder throws a RangeError
      throw new RangeError('unfinished length prefix')
    }
    throw new SyncProtocolError(`frame length prefix longer than ${maxBytes} bytes`)
  }
}

/**
 * Decodes a frame; a peer's garbage (or a frame over a limit) is a SyncProtocolError.
 * With `schema`, the frame must first follow the wire grammar of protocol.md §5.1 for it
 * (every known field of its declared wire type, and so on).
 */
export function decodeFrame<T> (codec: { decode(buf: Uint8Array | Uint8ArrayList, opts: { limits: Record<string, unknown> }): T }, bytes: Uint8ArrayList, limits: Record<string, unknown>, what: string, schema?: MessageSchema): T {
  try {
    if (schema == null) {
      return codec.decode(bytes, { limits })
    }
    const flat = bytes.subarray()
    checkWireFormat(flat, schema, what)
    return codec.decode(flat, { limits })
  } catch (err) {
    throw new SyncProtocolError(`malformed sync ${what}: ${describeError(err)}`)
  }
}

/** A length-prefixed stream whose reads are bounded by {@link boundedLengthDecoder}. */
export function boundedLpStream (stream: Stream, maxDataLength: number): LengthPrefixedStream<Stream> {
  return lpStream(stream, { maxDataLength, lengthDecoder: boundedLengthDecoder(maxDataLength) })
}

export interface FrameReadOptions extends AbortOptions {
  /** Largest frame taken by this read; at most the stream's maximum. */
  maxBytes?: number
}

/**
 * Frames over one stream, counted: every read is bounded by the stream's maximum frame
 * size or a lower per-read limit, and the bytes read and written (prefixes included)
 * are tallied for measurements.
 */
export class FrameStream {
  bytesRead = 0
  bytesWritten = 0
  framesRead = 0
  framesWritten = 0
  private readonly lp: LengthPrefixedStream<Stream>
  private limit: number

  constructor (stream: Stream, readonly maxFrameBytes: number) {
    this.limit = maxFrameBytes
    this.lp = lpStream(stream, { maxDataLength: maxFrameBytes, lengthDecoder: boundedLengthDecoder(maxFrameBytes, () => this.limit) })
  }

  async read (options: FrameReadOptions = {}): Promise<Uint8ArrayList> {
    this.limit = Math.min(options.maxBytes ?? this.maxFrameBytes, this.maxFrameBytes)
    const bytes = await this.lp.read(options)
    this.framesRead++
    this.bytesRead += bytes.byteLength + varintLength(bytes.byteLength)
    return bytes
  }

  async write (bytes: Uint8Array, options: AbortOptions = {}): Promise<void> {
    if (bytes.byteLength > this.maxFrameBytes) {
      // our own bug: never send a frame the peer must refuse
      throw new Error(`frame of ${bytes.byteLength} bytes exceeds the ${this.maxFrameBytes}-byte limit`)
    }
    await this.lp.write(bytes, options)
    this.framesWritten++
    this.bytesWritten += bytes.byteLength + varintLength(bytes.byteLength)
  }
}

/** Bytes of the unsigned LEB128 varint of `n`. */
export function varintLength (n: number): number {
  let bytes = 1
  while (n >= 0x80) {
    n = Math.floor(n / 0x80)
    bytes++
  }
  return bytes
}
