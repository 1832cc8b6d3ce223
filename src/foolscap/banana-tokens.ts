/**
 * Banana's lowest layer: bytes to tokens. Each token is a base-128 header (at most 64
 * digits, little-endian), a type byte with the high bit set, and for STRING, LONGINT,
 * LONGNEG, FLOAT and ERROR a body. Every length is checked before the body is buffered.
 */
import { BananaError } from './errors.js'
import { MAX_ERROR_BYTES, MAX_HEADER_DIGITS, MAX_LONGINT_BYTES, TOKEN } from './constants.js'

export type Token =
  | { kind: 'open', n: number, size: number }
  | { kind: 'close', n: number, size: number }
  | { kind: 'abort', n: number, size: number }
  | { kind: 'int', value: number | bigint, size: number }
  | { kind: 'string', bytes: Uint8Array, size: number }
  | { kind: 'float', value: number, size: number }
  | { kind: 'error', message: Uint8Array, size: number }
  | { kind: 'ping', n: number, size: number }
  | { kind: 'pong', n: number, size: number }

export interface TokenReaderLimits {
  /** Longest STRING body accepted, in bytes. */
  maxStringBytes: number
}

/** Turns a byte stream into tokens; `push` throws BananaError on the first malformed token. */
export class TokenReader {
  private buf: Uint8Array = new Uint8Array(0)
  private vocab: readonly Uint8Array[]

  constructor (private readonly limits: TokenReaderLimits, vocab: readonly string[]) {
    this.vocab = vocab.map(w => new TextEncoder().encode(w))
  }

  /** Bytes received and not yet part of a whole token. */
  get buffered (): number {
    return this.buf.length
  }

  push (chunk: Uint8Array): Token[] {
    this.buf = this.buf.length === 0 ? chunk : concat(this.buf, chunk)
    const out: Token[] = []
    let off = 0
    for (;;) {
      const t = this.next(off)
      if (t === undefined) break
      out.push(t)
      off += t.size
    }
    this.buf = this.buf.subarray(off)
    return out
  }

  private next (off: number): Token | undefined {
    const b = this.buf
    let pos = off
    while (pos < b.length && b[pos] < 0x80) {
      pos++
      if (pos - off > MAX_HEADER_DIGITS) throw new BananaError('token header is longer than 64 digits')
    }
    if (pos >= b.length) return undefined
    const digits = b.subarray(off, pos)
    const type = b[pos]
    const headerSize = pos - off + 1
    const header = digits.length <= 7 ? smallHeader(digits) : bigHeader(digits)
    const body = (len: number | bigint, max: number, what: string): Uint8Array | undefined => {
      if (typeof len === 'bigint' || len > max) throw new BananaError(`${what} of ${len} bytes is over the limit of ${max}`)
      if (b.length - pos - 1 < len) return undefined
      return Uint8Array.from(b.subarray(pos + 1, pos + 1 + len))
    }
    const small = (what: string): number => {
      if (typeof header === 'bigint' || header > Number.MAX_SAFE_INTEGER) throw new BananaError(`${what} number is too large`)
      return header
    }
    switch (type) {
      case TOKEN.OPEN: return { kind: 'open', n: small('OPEN'), size: headerSize }
      case TOKEN.CLOSE: return { kind: 'close', n: small('CLOSE'), size: headerSize }
      case TOKEN.ABORT: return { kind: 'abort', n: small('ABORT'), size: headerSize }
      case TOKEN.PING: return { kind: 'ping', n: small('PING'), size: headerSize }
      case TOKEN.PONG: return { kind: 'pong', n: small('PONG'), size: headerSize }
      case TOKEN.INT: return { kind: 'int', value: normalize(header), size: headerSize }
      case TOKEN.NEG: return { kind: 'int', value: negate(header), size: headerSize }
      case TOKEN.VOCAB: {
        const word = typeof header === 'number' ? this.vocab[header] : undefined
        if (word === undefined) throw new BananaError(`VOCAB(${header}) is not in the vocabulary table`)
        return { kind: 'string', bytes: word, size: headerSize }
      }
      case TOKEN.STRING: {
        const s = body(header, this.limits.maxStringBytes, 'STRING')
        return s === undefined ? undefined : { kind: 'string', bytes: s, size: headerSize + s.length }
      }
      case TOKEN.ERROR: {
        const s = body(header, MAX_ERROR_BYTES, 'ERROR')
        return s === undefined ? undefined : { kind: 'error', message: s, size: headerSize + s.length }
      }
      case TOKEN.LONGINT:
      case TOKEN.LONGNEG: {
        const s = body(header, MAX_LONGINT_BYTES, 'LONGINT')
        if (s === undefined) return undefined
        let v = 0n
        for (const x of s) v = (v << 8n) | BigInt(x)
        return { kind: 'int', value: type === TOKEN.LONGNEG ? negate(v) : normalize(v), size: headerSize + s.length }
      }
      case TOKEN.FLOAT: {
        if (digits.length !== 0) throw new BananaError('FLOAT token has a header')
        if (b.length - pos - 1 < 8) return undefined
        const value = new DataView(b.buffer, b.byteOffset + pos + 1, 8).getFloat64(0, false)
        return { kind: 'float', value, size: headerSize + 8 }
      }
      case TOKEN.LIST: throw new BananaError('old-banana LIST token is not supported')
      default: throw new BananaError(`invalid token type byte 0x${type.toString(16)}`)
    }
  }
}

function smallHeader (digits: Uint8Array): number {
  let v = 0
  for (let i = digits.length - 1; i >= 0; i--) v = v * 128 + digits[i]
  return v
}

function bigHeader (digits: Uint8Array): bigint {
  let v = 0n
  for (let i = digits.length - 1; i >= 0; i--) v = (v << 7n) | BigInt(digits[i])
  return v
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)

function normalize (v: number | bigint): number | bigint {
  if (typeof v === 'bigint' && v <= MAX_SAFE && v >= -MAX_SAFE) return Number(v)
  return v
}

function negate (v: number | bigint): number | bigint {
  if (typeof v === 'number') return v === 0 ? 0 : -v
  return normalize(-v)
}

function concat (a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a, 0)
  out.set(b, a.length)
  return out
}
