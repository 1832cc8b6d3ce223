/**
 * The protobuf grammar that signed payloads (an Announcement, a Certificate) and sync
 * 2.0.0 frames (sync/sync2-wire.ts) must follow, checked by walking their bytes
 * (protocol.md §5.1, §12.5.2). Protons, like protobufjs, reads a known field by its
 * number whatever its wire type, reads 32-bit varints loosely and decodes invalid UTF-8
 * without complaint; a stricter decoder (Go's, say) refuses such bytes. Since receivers
 * never re-encode a payload, every implementation must read the same bytes the same way:
 * so whatever a strict decoder might read differently is refused here, and on what is
 * left protons and any conforming decoder agree. Pure.
 */

export const WIRE_VARINT = 0
export const WIRE_I64 = 1
export const WIRE_LEN = 2
export const WIRE_I32 = 5

/**
 * What a known field holds. `uint32` and `bool` are varints read as 32 bits: at most 5
 * bytes, value below 2^32. `uint53` is a uint64 kept as a JavaScript number: value at most
 * 2^53 - 1. `uint64`: at most 10 bytes, value below 2^64. `string`: length-delimited, valid
 * UTF-8. `bytes`: length-delimited. A schema: a length-delimited message (a map entry).
 */
export type FieldKind = 'uint32' | 'bool' | 'uint53' | 'uint64' | 'string' | 'bytes' | MessageSchema

/** Known fields by number; any other field number is an unknown field (skipped, allowed). */
export interface MessageSchema {
  readonly [field: number]: FieldKind
}

/** A key/value entry of a `map<string, string>`. */
export const STRING_MAP_ENTRY: MessageSchema = { 1: 'string', 2: 'string' }

/** announcement.proto's Announcement, field by field. */
export const ANNOUNCEMENT_SCHEMA: MessageSchema = {
  1: 'string', // grid
  2: 'string', // service
  3: 'bytes', // publicKey
  4: 'uint64', // seqnum
  5: 'bytes', // nonce
  6: 'uint53', // issuedAtMs
  7: 'uint32', // ttlMs
  8: 'string', // nickname
  9: 'string', // version
  10: 'bytes', // permutationSeed
  11: 'bytes', // multiaddrs (repeated)
  12: 'bool', // readonly
  13: 'uint53', // availableSpace
  14: STRING_MAP_ENTRY, // fields
  15: 'bool', // withdrawn
  16: 'bytes' // certificate
}

/** announcement.proto's Certificate. */
export const CERTIFICATE_SCHEMA: MessageSchema = {
  1: 'string', // grid
  2: 'bytes', // subjectPublicKey
  3: 'string', // services (repeated)
  4: 'uint53', // expiresAtMs
  5: 'bytes' // managerPublicKey
}

/** A payload that breaks the grammar; the message says where and how. */
export class WireFormatError extends Error {
  static readonly NAME = 'WireFormatError'
  override readonly name = WireFormatError.NAME
}

const utf8 = new TextDecoder('utf-8', { fatal: true })
const MAX_UINT53 = BigInt(Number.MAX_SAFE_INTEGER)

class Walker {
  pos: number
  constructor (private readonly buf: Uint8Array, start: number, readonly end: number) {
    this.pos = start
  }

  /** A varint of at most `maxBytes` bytes whose value is below 2^bits. */
  varint (maxBytes: number, bits: bigint, what: string): bigint {
    const at = this.pos
    let value = 0n
    for (let i = 0; ; i++) {
      if (i === maxBytes) {
        throw new WireFormatError(`${what} at byte ${at}: a varint longer than ${maxBytes} bytes`)
      }
      if (this.pos >= this.end) {
        throw new WireFormatError(`${what} at byte ${at}: the varint is cut off`)
      }
      const byte = this.buf[this.pos++]
      value |= BigInt(byte & 0x7f) << BigInt(7 * i)
      if (byte < 0x80) {
        break
      }
    }
    if (value >> bits !== 0n) {
      throw new WireFormatError(`${what} at byte ${at}: ${value} does not fit in ${bits} bits`)
    }
    return value
  }

  skip (n: number, what: string): void {
    if (n > this.end - this.pos) {
      throw new WireFormatError(`${what} at byte ${this.pos}: ${n} bytes, past the end`)
    }
    this.pos += n
  }

  message (schema: MessageSchema, where: string): void {
    while (this.pos < this.end) {
      const tagAt = this.pos
      const tag = Number(this.varint(5, 32n, `${where} tag`))
      const field = tag >>> 3
      const wireType = tag & 7
      if (field === 0) {
        throw new WireFormatError(`${where} at byte ${tagAt}: field number 0`)
      }
      const kind = schema[field]
      const name = `${where} field ${field}`
      if (kind != null && wireType !== wireTypeOf(kind)) {
        throw new WireFormatError(`${name} at byte ${tagAt}: wire type ${wireType}, declared ${wireTypeOf(kind)}`)
      }
      switch (wireType) {
        case WIRE_VARINT:
          this.scalar(kind, name)
          break
        case WIRE_I64:
          this.skip(8, name)
          break
        case WIRE_I32:
          this.skip(4, name)
          break
        case WIRE_LEN: {
          const length = Number(this.varint(5, 32n, `${name} length`))
          const start = this.pos
          this.skip(length, name)
          if (kind === 'string') {
            try {
              utf8.decode(this.buf.subarray(start, this.pos))
            } catch {
              throw new WireFormatError(`${name} at byte ${tagAt}: not valid UTF-8`)
            }
          } else if (kind != null && typeof kind === 'object') {
            new Walker(this.buf, start, this.pos).message(kind, name)
          }
          break
        }
        default:
          // groups (3, 4) are deprecated and 6, 7 do not exist
          throw new WireFormatError(`${name} at byte ${tagAt}: wire type ${wireType} is not allowed`)
      }
    }
  }

  private scalar (kind: FieldKind | undefined, name: string): void {
    switch (kind) {
      case 'uint32': case 'bool':
        this.varint(5, 32n, name)
        break
      case 'uint53':
        if (this.varint(10, 64n, name) > MAX_UINT53) {
          throw new WireFormatError(`${name}: above 2^53 - 1`)
        }
        break
      default:
        // uint64, and unknown varints
        this.varint(10, 64n, name)
    }
  }
}

function wireTypeOf (kind: FieldKind): number {
  return kind === 'uint32' || kind === 'bool' || kind === 'uint53' || kind === 'uint64' ? WIRE_VARINT : WIRE_LEN
}

/**
 * Throws a WireFormatError unless `bytes` is a protobuf message that follows the grammar
 * for `schema`: tags and lengths are varints of at most 5 bytes below 2^32, field numbers
 * are not 0, wire types are 0, 1, 2 or 5, every known field has its declared wire type and
 * a value in range, strings are valid UTF-8, nested messages follow their own schema, and
 * unknown fields (any other number) are well formed.
 */
export function checkWireFormat (bytes: Uint8Array, schema: MessageSchema, what = 'payload'): void {
  new Walker(bytes, 0, bytes.byteLength).message(schema, what)
}
