/**
 * Shared pieces of the fuzz tests: a seeded PRNG, case counts, byte mutators, hand-made
 * protobuf, a heap probe and a summary line per target.
 *
 * Reproducing a run: every target prints `fuzz <target>: seed=<n> ...`. Run again with
 * `FUZZ_SEED=<n>` (decimal or 0x-hex) to replay the same cases. `FUZZ_CASES=<n>` scales
 * the number of cases (default 10000; each target takes a fixed share of it).
 */
import { randomBytes } from 'node:crypto'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import v8 from 'node:v8'
import vm from 'node:vm'

/** mulberry32: a small, fast, seedable 32-bit PRNG. Not for cryptography. */
export class Prng {
  private state: number

  constructor (readonly seed: number) {
    this.state = seed >>> 0
  }

  /** Uniform 32-bit unsigned integer. */
  u32 (): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (t ^ (t >>> 14)) >>> 0
  }

  /** Uniform integer in [0, n). */
  int (n: number): number {
    return Math.floor((this.u32() / 0x1_0000_0000) * n)
  }

  /** Uniform integer in [lo, hi]. */
  range (lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1)
  }

  chance (p: number): boolean {
    return this.u32() / 0x1_0000_0000 < p
  }

  pick<T> (items: readonly T[]): T {
    return items[this.int(items.length)]
  }

  bytes (n: number): Uint8Array {
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i++) {
      out[i] = this.u32() & 0xff
    }
    return out
  }
}

function parseSeed (text: string): number {
  const value = text.startsWith('0x') ? Number.parseInt(text.slice(2), 16) : Number.parseInt(text, 10)
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new Error(`FUZZ_SEED must be a non-negative integer, got ${JSON.stringify(text)}`)
  }
  return value >>> 0
}

/** An Ed25519 key drawn from the PRNG, so that a seed replays the same records. */
export async function seededKey (rng: Prng): Promise<PrivateKey> {
  return generateKeyPairFromSeed('Ed25519', rng.bytes(32))
}

/** The run's base seed: FUZZ_SEED, or fresh random bits (printed by every target). */
export const BASE_SEED = process.env.FUZZ_SEED != null && process.env.FUZZ_SEED !== ''
  ? parseSeed(process.env.FUZZ_SEED)
  : randomBytes(4).readUInt32LE(0)

/** Base number of cases; each target uses a fixed fraction or multiple of it. */
export const BASE_CASES = (() => {
  const text = process.env.FUZZ_CASES
  if (text == null || text === '') {
    return 10_000
  }
  const n = Number.parseInt(text, 10)
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new Error(`FUZZ_CASES must be a positive integer, got ${JSON.stringify(text)}`)
  }
  return n
})()

/** `fraction` of BASE_CASES, at least `min`. */
export function cases (fraction: number, min = 1): number {
  return Math.max(min, Math.round(BASE_CASES * fraction))
}

/** A PRNG for one target, so each target replays alone whatever else ran before it. */
export function prngFor (target: string): Prng {
  let h = 0x811c9dc5
  for (const c of target) {
    h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0
  }
  return new Prng((BASE_SEED ^ h) >>> 0)
}

/** Tally of outcomes by name. */
export class Tally {
  readonly counts = new Map<string, number>()
  total = 0

  add (outcome: string): void {
    this.counts.set(outcome, (this.counts.get(outcome) ?? 0) + 1)
    this.total++
  }

  get (outcome: string): number {
    return this.counts.get(outcome) ?? 0
  }

  toString (): string {
    return [...this.counts].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}=${v}`).join(' ')
  }
}

/** Prints the line the security docs quote: target, seed, cases, time, outcomes. */
export function report (target: string, casesRun: number, startedAt: number, tally?: Tally): void {
  const ms = Math.round(performance.now() - startedAt)
  console.log(`fuzz ${target}: seed=${BASE_SEED} cases=${casesRun} ms=${ms}${tally != null ? ` outcomes: ${tally.toString()}` : ''}`)
}

// ---- heap ---------------------------------------------------------------------------

v8.setFlagsFromString('--expose-gc')
const collect = vm.runInNewContext('gc') as (() => void) | undefined

/** heapUsed after a full collection (when the runtime lets us force one). */
export function heapUsed (): number {
  if (typeof collect === 'function') {
    collect()
    collect()
  }
  return process.memoryUsage().heapUsed
}

export const MiB = 1024 * 1024

// ---- deadlines ----------------------------------------------------------------------

/**
 * An AbortSignal that fires after `ms`. Unlike AbortSignal.timeout its timer keeps the
 * event loop alive, so a hung exchange fails the test instead of ending the process.
 */
export function deadline (ms: number): { signal: AbortSignal, clear: () => void } {
  const controller = new AbortController()
  const timer = setTimeout(() => { controller.abort(new DeadlineError(`deadline of ${ms} ms passed`)) }, ms)
  return { signal: controller.signal, clear: () => { clearTimeout(timer) } }
}

export class DeadlineError extends Error {
  override readonly name = 'DeadlineError'
}

// ---- hand-made protobuf -------------------------------------------------------------

export const WIRE_VARINT = 0
export const WIRE_I64 = 1
export const WIRE_LEN = 2
export const WIRE_SGROUP = 3
export const WIRE_EGROUP = 4
export const WIRE_I32 = 5

/** Unsigned LEB128 varint of any size, including values no decoder should take. */
export function varint (value: bigint | number): Uint8Array {
  let v = BigInt(value)
  const out: number[] = []
  do {
    let b = Number(v & 0x7fn)
    v >>= 7n
    if (v > 0n) {
      b |= 0x80
    }
    out.push(b)
  } while (v > 0n)
  return Uint8Array.from(out)
}

export function tag (field: number, wireType: number): Uint8Array {
  return varint((BigInt(field) << 3n) | BigInt(wireType))
}

export function concat (...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.byteLength
  }
  return out
}

/** A length-delimited field: tag, length, bytes. */
export function lenField (field: number, body: Uint8Array): Uint8Array {
  return concat(tag(field, WIRE_LEN), varint(body.byteLength), body)
}

/** A length-delimited field whose length prefix lies (claims `claimed` bytes). */
export function lyingLenField (field: number, claimed: bigint, body: Uint8Array): Uint8Array {
  return concat(tag(field, WIRE_LEN), varint(claimed), body)
}

export function repeat (part: Uint8Array, times: number): Uint8Array {
  const out = new Uint8Array(part.byteLength * times)
  for (let i = 0; i < times; i++) {
    out.set(part, i * part.byteLength)
  }
  return out
}

// ---- mutators -----------------------------------------------------------------------

const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x08, 0x0a, 0x12, 0x1a]

/** One random mutation of `input` (never the input array itself). */
export function mutate (rng: Prng, input: Uint8Array): { kind: string, bytes: Uint8Array } {
  const b = input.slice()
  switch (rng.int(8)) {
    case 0: {
      const flips = rng.range(1, 8)
      for (let i = 0; i < flips; i++) {
        const at = rng.int(b.byteLength)
        b[at] ^= 1 << rng.int(8)
      }
      return { kind: 'bit-flip', bytes: b }
    }
    case 1: {
      const n = rng.range(1, 4)
      for (let i = 0; i < n; i++) {
        b[rng.int(b.byteLength)] = rng.chance(0.5) ? rng.pick(INTERESTING) : rng.int(256)
      }
      return { kind: 'byte-set', bytes: b }
    }
    case 2:
      return { kind: 'truncate', bytes: b.subarray(0, rng.int(b.byteLength)) }
    case 3: {
      const at = rng.int(b.byteLength + 1)
      return { kind: 'insert', bytes: concat(b.subarray(0, at), rng.bytes(rng.range(1, 16)), b.subarray(at)) }
    }
    case 4: {
      const at = rng.int(b.byteLength)
      const len = rng.range(1, Math.min(32, b.byteLength - at))
      return { kind: 'delete', bytes: concat(b.subarray(0, at), b.subarray(at + len)) }
    }
    case 5: {
      const at = rng.int(b.byteLength)
      const len = rng.range(1, Math.min(64, b.byteLength - at))
      const to = rng.int(b.byteLength + 1)
      return { kind: 'duplicate-range', bytes: concat(b.subarray(0, to), b.subarray(at, at + len), b.subarray(to)) }
    }
    case 6: {
      // a varint-sized run of 0xff/0x80: lengths and tags that claim far too much
      const at = rng.int(b.byteLength)
      const run = rng.range(1, 10)
      for (let i = 0; i < run && at + i < b.byteLength; i++) {
        b[at + i] = rng.chance(0.5) ? 0xff : 0x80
      }
      return { kind: 'varint-run', bytes: b }
    }
    default: {
      // append a random extra field after the message
      const field = rng.range(1, 20)
      const extra = rng.chance(0.5) ? lenField(field, rng.bytes(rng.int(40))) : concat(tag(field, rng.int(8)), rng.bytes(rng.int(12)))
      return { kind: 'append-field', bytes: concat(b, extra) }
    }
  }
}

export function equalBytes (a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) {
    return false
  }
  for (let i = 0; i < a.byteLength; i++) {
    if (a[i] !== b[i]) {
      return false
    }
  }
  return true
}

export function hex (bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
}
