/**
 * The values banana carries, as this implementation represents them in JavaScript.
 *
 * | Python (Foolscap)          | wire                          | here                 |
 * |----------------------------|-------------------------------|----------------------|
 * | bytes                      | STRING / VOCAB                | `Uint8Array`         |
 * | str                        | OPEN(unicode) STRING CLOSE    | `string`             |
 * | int in [-2**31, 2**31)     | INT / NEG                     | `number` (integer)   |
 * | larger int                 | LONGINT / LONGNEG             | `bigint`             |
 * | float                      | FLOAT                         | `Float`              |
 * | bool / None                | OPEN(boolean) / OPEN(none)    | `boolean` / `null`   |
 * | list / tuple / set / dict  | OPEN(list) ... CLOSE etc.     | array / `Tuple` / `FSet` / `Dict` |
 * | Referenceable              | OPEN(my-reference) ...        | `Referenceable` out, `RemoteReference` in |
 * | Copyable (e.g. Failure)    | OPEN(copyable, name) ...      | `Copyable`           |
 */

export type BananaValue =
  | Uint8Array
  | string
  | number
  | bigint
  | boolean
  | null
  | Float
  | BananaValue[]
  | Tuple
  | FSet
  | Dict
  | Copyable
  | Referenceable
  | RemoteReferenceLike

/** A Python float (banana FLOAT), kept apart from integers. */
export class Float {
  constructor (readonly value: number) {}
}

/** A Python tuple. */
export class Tuple {
  constructor (readonly items: BananaValue[]) {}
}

/** A Python set or frozenset; items are kept in wire order. */
export class FSet {
  constructor (readonly items: BananaValue[]) {}
}

/** A Python dict; entries are kept in wire order. */
export class Dict {
  constructor (readonly entries: Array<[BananaValue, BananaValue]>) {}

  /** The value under a key given as text, matching a bytes key (UTF-8) or a str key. */
  get (key: string): BananaValue | undefined {
    for (const [k, v] of this.entries) {
      if (typeof k === 'string' ? k === key : (k instanceof Uint8Array && bytesEqual(k, utf8(key)))) {
        return v
      }
    }
    return undefined
  }

  static fromObject (o: Record<string, BananaValue>, keys: 'bytes' | 'str' = 'bytes'): Dict {
    return new Dict(Object.entries(o).map(([k, v]) => [keys === 'bytes' ? utf8(k) : k, v]))
  }
}

/** A pass-by-copy object (`OPEN(copyable, className) (attr, value).. CLOSE`). */
export class Copyable {
  constructor (readonly className: string, readonly state: Dict) {}
}

/** Arguments of one remote method: parameter names in positional order, and the handler. */
export interface RemoteMethod {
  readonly params: readonly string[]
  call: (args: Map<string, BananaValue>, caller: CallContext) => BananaValue | Promise<BananaValue>
}

/** Who is calling: the broker the call came in on (one object per connection). */
export interface CallContext {
  readonly remoteTubId: string
  readonly remoteAddress: string
  /** False once the connection the call came on is lost. */
  readonly connected: boolean
  /** Runs `listener` once when that connection is lost; returns a function that cancels it. */
  onDisconnect: (listener: () => void) => () => void
}

/** A local object other tubs may call: sent as a my-reference. */
export interface Referenceable {
  /** The RemoteInterface name sent with the first reference (e.g. `RIFoo.tahoe.allmydata.com`). */
  readonly interfaceName: string
  readonly methods: Readonly<Record<string, RemoteMethod>>
}

export function isReferenceable (v: unknown): v is Referenceable {
  return typeof v === 'object' && v !== null && typeof (v as Referenceable).interfaceName === 'string' &&
    typeof (v as Referenceable).methods === 'object' && !(v instanceof Dict)
}

/** What the codec needs of a reference the far end holds (implemented by pb's RemoteReference). */
export interface RemoteReferenceLike {
  readonly clid: number
  readonly isRemoteReference: true
}

export function isRemoteReference (v: unknown): v is RemoteReferenceLike {
  return typeof v === 'object' && v !== null && (v as RemoteReferenceLike).isRemoteReference === true
}

const encoder = new TextEncoder()
export function utf8 (s: string): Uint8Array {
  return encoder.encode(s)
}

const decoder = new TextDecoder('utf-8', { fatal: true })
/** Strict UTF-8 decoding (Python's `bytes.decode('utf-8')`); throws on malformed input. */
export function fromUtf8 (b: Uint8Array): string {
  return decoder.decode(b)
}

export function bytesEqual (a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return false
  }
  return true
}
