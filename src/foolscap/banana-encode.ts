/**
 * Values to banana tokens, as Foolscap's slicers write them: strings of the vocabulary
 * table as VOCAB tokens, ints by range as INT/NEG/LONGINT/LONGNEG, containers as numbered
 * OPEN ... CLOSE sequences. One `BananaWriter` per connection keeps the OPEN counter.
 */
import { INT_LIMIT, TOKEN } from './constants.js'
import {
  Copyable, Dict, Float, FSet, Tuple, isReferenceable, isRemoteReference, utf8,
  type BananaValue, type Referenceable
} from './values.js'

/** How the writer learns the connection-local id of a reference (the broker answers). */
export interface ReferenceEncoder {
  /** A local object: its clid, and on first sending its interface name and optional URL. */
  mine: (obj: Referenceable) => { clid: number, first: boolean, interfaceName: string, url?: string }
}

export class BananaWriter {
  private openCount = 0
  private readonly vocab = new Map<string, number>()
  private chunks: number[] = []

  constructor (vocab: readonly string[], private readonly refs?: ReferenceEncoder) {
    vocab.forEach((w, i) => this.vocab.set(w, i))
  }

  /** Takes the bytes written so far. */
  take (): Uint8Array {
    const out = Uint8Array.from(this.chunks)
    this.chunks = []
    return out
  }

  call (reqId: number, clid: number, method: string, kwargs: ReadonlyMap<string, BananaValue>): this {
    const n = this.open('call')
    this.int(reqId)
    this.int(clid)
    this.bytes(utf8(method))
    const a = this.open('arguments')
    this.int(0)
    for (const name of [...kwargs.keys()].sort()) {
      this.bytes(utf8(name))
      this.value(kwargs.get(name) as BananaValue)
    }
    this.close(a)
    return this.close(n)
  }

  answer (reqId: number, value: BananaValue): this {
    const n = this.open('answer')
    this.int(reqId)
    this.value(value)
    return this.close(n)
  }

  error (reqId: number, failure: Copyable): this {
    const n = this.open('error')
    this.int(reqId)
    this.value(failure)
    return this.close(n)
  }

  ping (n: number): this {
    return this.token(n, TOKEN.PING)
  }

  pong (n: number): this {
    return this.token(n, TOKEN.PONG)
  }

  errorToken (message: string): this {
    const b = utf8(message).subarray(0, 1000)
    this.token(b.length, TOKEN.ERROR)
    for (const x of b) this.chunks.push(x)
    return this
  }

  value (v: BananaValue): this {
    if (v instanceof Uint8Array) return this.bytes(v)
    if (typeof v === 'string') return this.leaf('unicode', () => this.bytes(utf8(v)))
    if (typeof v === 'number' || typeof v === 'bigint') return this.int(v)
    if (typeof v === 'boolean') return this.leaf('boolean', () => this.int(v ? 1 : 0))
    if (v === null) return this.leaf('none', () => this)
    if (v instanceof Float) return this.float(v.value)
    if (Array.isArray(v)) return this.sequence('list', v)
    if (v instanceof Tuple) return this.sequence('tuple', v.items)
    if (v instanceof FSet) return this.sequence('set', v.items)
    if (v instanceof Dict) {
      const n = this.open('dict')
      for (const [k, x] of v.entries) {
        this.value(k)
        this.value(x)
      }
      return this.close(n)
    }
    if (v instanceof Copyable) {
      const n = this.open('copyable')
      this.bytes(utf8(v.className))
      for (const [k, x] of v.state.entries) {
        this.value(k)
        this.value(x)
      }
      return this.close(n)
    }
    if (isRemoteReference(v)) return this.leaf('your-reference', () => this.int(v.clid))
    if (isReferenceable(v)) {
      if (this.refs === undefined) throw new TypeError('this writer cannot send references')
      const r = this.refs.mine(v)
      return this.leaf('my-reference', () => {
        this.int(r.clid)
        if (r.first) {
          this.bytes(utf8(r.interfaceName))
          if (r.url !== undefined) this.bytes(utf8(r.url))
        }
        return this
      })
    }
    throw new TypeError(`cannot serialize ${typeof v}`)
  }

  private sequence (type: string, items: readonly BananaValue[]): this {
    const n = this.open(type)
    for (const x of items) this.value(x)
    return this.close(n)
  }

  private leaf (type: string, body: () => this): this {
    const n = this.open(type)
    body()
    return this.close(n)
  }

  private open (type: string): number {
    const n = this.openCount++
    this.token(n, TOKEN.OPEN)
    this.bytes(utf8(type))
    return n
  }

  private close (n: number): this {
    return this.token(n, TOKEN.CLOSE)
  }

  private int (v: number | bigint): this {
    if (typeof v === 'number' && !Number.isInteger(v)) throw new TypeError(`${v} is not an integer (wrap floats in Float)`)
    const big = BigInt(v)
    if (big >= BigInt(INT_LIMIT)) return this.long(big, TOKEN.LONGINT)
    if (big >= 0n) return this.token(big, TOKEN.INT)
    if (-big > BigInt(INT_LIMIT)) return this.long(-big, TOKEN.LONGNEG)
    return this.token(-big, TOKEN.NEG)
  }

  private long (magnitude: bigint, type: number): this {
    const body: number[] = []
    for (let m = magnitude; m > 0n; m >>= 8n) body.unshift(Number(m & 0xffn))
    this.token(body.length, type)
    for (const x of body) this.chunks.push(x)
    return this
  }

  private float (v: number): this {
    const b = new Uint8Array(8)
    new DataView(b.buffer).setFloat64(0, v, false)
    this.chunks.push(TOKEN.FLOAT)
    for (const x of b) this.chunks.push(x)
    return this
  }

  private bytes (b: Uint8Array): this {
    const word = this.vocab.get(Buffer.from(b).toString('latin1'))
    if (word !== undefined) return this.token(word, TOKEN.VOCAB)
    this.token(b.length, TOKEN.STRING)
    for (const x of b) this.chunks.push(x)
    return this
  }

  /** Header (base-128, little-endian; zero is one 0x00 byte, as Foolscap writes it) and type byte. */
  private token (header: number | bigint, type: number): this {
    let h = BigInt(header)
    if (h === 0n) this.chunks.push(0)
    while (h > 0n) {
      this.chunks.push(Number(h & 0x7fn))
      h >>= 7n
    }
    this.chunks.push(type)
    return this
  }
}
