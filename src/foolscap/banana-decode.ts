/**
 * Banana's object layer: tokens to values and to PB's top-level messages (call, answer,
 * error). Bounded in nesting depth, items per container and bytes per message; anything
 * malformed throws BananaError, after which the connection must be closed.
 */
import { BananaError } from './errors.js'
import { Copyable, Dict, Float, FSet, Tuple, fromUtf8, type BananaValue } from './values.js'
import type { Token } from './banana-tokens.js'

export type TopMessage =
  | { kind: 'call', reqId: number, clid: number, method: string, positional: BananaValue[], kwargs: Map<string, BananaValue> }
  | { kind: 'answer', reqId: number, value: BananaValue }
  | { kind: 'error', reqId: number, value: BananaValue }

/** How decoded references become objects (the broker answers). */
export interface ReferenceDecoder {
  /** A my-reference: the far end's object `clid`; interface name and URL come with the first one. */
  theirs: (clid: number, interfaceName: string | undefined, url: string | undefined) => BananaValue
  /** A your-reference: one of our own objects, by the clid we gave it. */
  ours: (clid: number) => BananaValue
}

export interface DecoderLimits {
  maxDepth: number
  maxContainerItems: number
  maxMessageBytes: number
}

const TOP_TYPES = new Set(['call', 'answer', 'error'])
const NESTED_TYPES = new Set([
  'list', 'tuple', 'set', 'immutable-set', 'dict', 'unicode', 'none', 'boolean', 'reference',
  'my-reference', 'your-reference', 'copyable', 'arguments'
])
const LEAVES = new Set(['unicode', 'none', 'boolean', 'reference', 'my-reference', 'your-reference'])
const SHAREABLE = new Set(['list', 'tuple', 'set', 'immutable-set', 'dict'])

class Arguments {
  constructor (readonly positional: BananaValue[], readonly kwargs: Map<string, BananaValue>) {}
}

type Child = BananaValue | Arguments

interface Frame {
  type: string
  openId: number
  objectId: number
  className?: string
  children: Child[]
}

export class BananaDecoder {
  private stack: Frame[] = []
  private pendingOpen: { openId: number, objectId: number, index: string[] } | undefined
  private objectCounter = 0
  private messageBytes = 0
  private aborted = false
  private shared = new Map<number, BananaValue>()

  constructor (private readonly limits: DecoderLimits, private readonly refs: ReferenceDecoder) {}

  /** True between a top-level OPEN and its CLOSE. */
  get inMessage (): boolean {
    return this.stack.length > 0 || this.pendingOpen !== undefined
  }

  /** Feeds one token (not PING/PONG/ERROR); returns a top-level message when one completes. */
  push (t: Token): TopMessage | undefined {
    if (this.inMessage) {
      this.messageBytes += t.size
      if (this.messageBytes > this.limits.maxMessageBytes) {
        throw new BananaError(`message is over the limit of ${this.limits.maxMessageBytes} bytes`)
      }
    }
    if (this.pendingOpen !== undefined) return this.indexToken(t)
    switch (t.kind) {
      case 'open':
        if (this.stack.length === 0) {
          this.messageBytes = t.size
          this.aborted = false
        } else {
          const top = this.stack[this.stack.length - 1]
          if (LEAVES.has(top.type)) throw new BananaError(`'${top.type}' does not accept sub-objects`)
        }
        if (this.stack.length >= this.limits.maxDepth) throw new BananaError(`nesting deeper than ${this.limits.maxDepth}`)
        this.pendingOpen = { openId: t.n, objectId: this.objectCounter++, index: [] }
        return undefined
      case 'close':
        return this.close(t.n)
      case 'abort':
        if (this.stack.length === 0) throw new BananaError('ABORT outside any sequence')
        this.aborted = true
        return undefined
      case 'int':
      case 'string':
      case 'float':
        if (this.stack.length === 0) throw new BananaError('top-level must be OPEN')
        this.child(t.kind === 'int' ? t.value : t.kind === 'string' ? t.bytes : new Float(t.value))
        return undefined
      default:
        throw new BananaError(`unexpected ${t.kind} token`)
    }
  }

  private indexToken (t: Token): undefined {
    const p = this.pendingOpen as NonNullable<typeof this.pendingOpen>
    if (t.kind !== 'string') throw new BananaError(`open index token must be a string, got ${t.kind}`)
    if (t.bytes.length > 64) throw new BananaError('open index token is too long')
    p.index.push(Buffer.from(t.bytes).toString('latin1'))
    const type = p.index[0]
    const allowed = this.stack.length === 0 ? TOP_TYPES : NESTED_TYPES
    if (!allowed.has(type)) {
      throw new BananaError(`unknown ${this.stack.length === 0 ? 'top-level ' : ''}OPEN type '${type}'`)
    }
    if (type === 'copyable' && p.index.length < 2) return undefined
    this.pendingOpen = undefined
    this.stack.push({ type, openId: p.openId, objectId: p.objectId, className: p.index[1], children: [] })
    return undefined
  }

  private child (v: Child): void {
    const top = this.stack[this.stack.length - 1]
    const perItem = top.type === 'dict' || top.type === 'copyable' || top.type === 'arguments' ? 2 : 1
    if (top.children.length >= this.limits.maxContainerItems * perItem + (top.type === 'arguments' ? 1 : 0)) {
      throw new BananaError(`'${top.type}' has more than ${this.limits.maxContainerItems} items`)
    }
    top.children.push(v)
  }

  private close (n: number): TopMessage | undefined {
    const f = this.stack.pop()
    if (f === undefined) throw new BananaError('CLOSE outside any sequence')
    if (f.openId !== n) throw new BananaError(`lost sync: got CLOSE(${n}), expecting CLOSE(${f.openId})`)
    if (this.aborted) {
      if (this.stack.length === 0) this.endMessage()
      else this.child(null)
      return undefined
    }
    if (this.stack.length === 0) {
      const m = top(f)
      this.endMessage()
      return m
    }
    const v = this.build(f)
    if (SHAREABLE.has(f.type) && !(v instanceof Arguments)) this.shared.set(f.objectId, v)
    this.child(v)
    return undefined
  }

  private endMessage (): void {
    this.shared = new Map()
    this.messageBytes = 0
  }

  private build (f: Frame): Child {
    const c = f.children
    switch (f.type) {
      case 'list': return c.map(value)
      case 'tuple': return new Tuple(c.map(value))
      case 'set':
      case 'immutable-set': return new FSet(c.map(value))
      case 'dict': {
        if (c.length % 2 !== 0) throw new BananaError('dict has a key without a value')
        const entries: Array<[BananaValue, BananaValue]> = []
        for (let i = 0; i < c.length; i += 2) entries.push([value(c[i]), value(c[i + 1])])
        return new Dict(entries)
      }
      case 'unicode': {
        const [s] = exactly(f, 1)
        if (!(s instanceof Uint8Array)) throw new BananaError('unicode holds a non-string')
        try {
          return fromUtf8(s)
        } catch {
          throw new BananaError('unicode holds malformed UTF-8')
        }
      }
      case 'none':
        exactly(f, 0)
        return null
      case 'boolean': {
        const [b] = exactly(f, 1)
        if (typeof b !== 'number') throw new BananaError('boolean holds a non-INT')
        return b !== 0
      }
      case 'reference': {
        const [id] = exactly(f, 1)
        const v = typeof id === 'number' ? this.shared.get(id) : undefined
        if (v === undefined) throw new BananaError(`dangling reference ${typeof id === "number" ? id : "(not an INT)"}`)
        return v
      }
      case 'my-reference': {
        if (c.length < 1 || c.length > 3) throw new BananaError('my-reference needs 1 to 3 items')
        const clid = int(c[0], 'my-reference clid')
        const text = (x: Child | undefined): string | undefined => x === undefined ? undefined : utf8Item(x, 'my-reference')
        const iname = text(c[1])
        return this.refs.theirs(clid, iname === '' ? undefined : iname, text(c[2]))
      }
      case 'your-reference': {
        const [clid] = exactly(f, 1)
        return this.refs.ours(int(clid, 'your-reference clid'))
      }
      case 'copyable': {
        if (c.length % 2 !== 0) throw new BananaError('copyable has an attribute without a value')
        const entries: Array<[BananaValue, BananaValue]> = []
        for (let i = 0; i < c.length; i += 2) entries.push([value(c[i]), value(c[i + 1])])
        return new Copyable(f.className ?? '', new Dict(entries))
      }
      case 'arguments': {
        const count = int(c[0], 'positional argument count')
        if (count < 0 || count > c.length - 1) throw new BananaError('arguments ended too early')
        const positional = c.slice(1, 1 + count).map(value)
        const rest = c.slice(1 + count)
        if (rest.length % 2 !== 0) throw new BananaError('keyword argument without a value')
        const kwargs = new Map<string, BananaValue>()
        for (let i = 0; i < rest.length; i += 2) {
          const name = utf8Item(rest[i], 'argument name')
          if (kwargs.has(name)) throw new BananaError(`argument '${name}' given twice`)
          kwargs.set(name, value(rest[i + 1]))
        }
        return new Arguments(positional, kwargs)
      }
      default:
        throw new BananaError(`'${f.type}' cannot appear here`)
    }
  }
}

function top (f: Frame): TopMessage {
  const c = f.children
  if (f.type === 'call') {
    if (c.length !== 4 || !(c[3] instanceof Arguments)) throw new BananaError('call needs reqID, clid, method name and arguments')
    const a = c[3]
    return { kind: 'call', reqId: int(c[0], 'request id'), clid: int(c[1], 'object id'), method: utf8Item(c[2], 'method name'), positional: a.positional, kwargs: a.kwargs }
  }
  if (c.length !== 2) throw new BananaError(`${f.type} needs a request id and one value`)
  const reqId = int(c[0], 'request id')
  if (reqId <= 0) throw new BananaError(`${f.type} for request id ${reqId}`)
  return { kind: f.type as 'answer' | 'error', reqId, value: value(c[1]) }
}

function value (c: Child): BananaValue {
  if (c instanceof Arguments) throw new BananaError("'arguments' outside a call")
  return c
}

function exactly (f: Frame, n: number): Child[] {
  if (f.children.length !== n) throw new BananaError(`'${f.type}' needs ${n} item(s), got ${f.children.length}`)
  return f.children
}

function int (c: Child | undefined, what: string): number {
  if (typeof c !== 'number') throw new BananaError(`${what} must be an INT`)
  return c
}

function utf8Item (c: Child, what: string): string {
  if (!(c instanceof Uint8Array)) throw new BananaError(`${what} must be a STRING`)
  try {
    return fromUtf8(c)
  } catch {
    throw new BananaError(`${what} is not UTF-8`)
  }
}
