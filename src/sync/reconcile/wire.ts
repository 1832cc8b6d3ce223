/**
 * Ranges as they travel (Sync2Range, src/pb/sync2.proto) to and from what the reconciler
 * works on. Reading checks every rule a range must follow; building keeps a message
 * within its byte, range and item budget and encodes bounds and services compactly
 * (an empty service is "the same as before").
 */
import { isValidServiceName } from '../../announcement/names.js'
import { ED25519_PUBLIC_KEY_BYTES } from '../../announcement/record.js'
import { Sync2Mode, Sync2Range, type Sync2Item } from '../../pb/sync2.js'
import { varintLength } from '../frames.js'
import { ReconcileError } from './errors.js'
import { FINGERPRINT_BYTES } from './fingerprint.js'
import { itemProblem, slotId, sortKey, WIRE_DIGEST_BYTES, type SyncItem } from './item.js'
import { bound, compareBounds, END, inRange, START, type Bound, type UpperBound } from './item-set.js'

/** A range read from the peer, checked. */
export interface InRange {
  lower: Bound
  upper: UpperBound
  mode: Sync2Mode
  fingerprint: Uint8Array
  items: SyncItem[]
  missing: number[]
}

function describe (b: UpperBound): string {
  return b === END ? 'the end' : `(${JSON.stringify(b.service)}, ${Buffer.from(b.prefix).toString('hex') || 'empty'})`
}

/**
 * Checks and converts a message's ranges. `services` are those reconciled: an item of
 * another is refused. Throws ReconcileError.
 */
export function readRanges (wire: readonly Sync2Range[], services: ReadonlySet<string>, maxRanges: number, maxItems: number): InRange[] {
  if (wire.length > maxRanges) {
    throw new ReconcileError('too-many-ranges', `${wire.length} ranges, limit ${maxRanges}`)
  }
  const out: InRange[] = []
  let lower: Bound = START
  let items = 0
  let ended = false
  for (const [n, r] of wire.entries()) {
    if (ended) {
      throw new ReconcileError('bad-bound', `range ${n} follows a range that ends at the end`)
    }
    let upper: UpperBound
    if (r.toEnd) {
      if (r.service !== '' || r.keyPrefix.byteLength > 0) {
        throw new ReconcileError('malformed', `range ${n} ends at the end but names a bound`)
      }
      upper = END
      ended = true
    } else {
      const service = r.service === '' ? lower.service : r.service
      if (!isValidServiceName(service)) {
        throw new ReconcileError('bad-bound', `range ${n}: upper bound names no valid service`)
      }
      if (r.keyPrefix.byteLength > ED25519_PUBLIC_KEY_BYTES) {
        throw new ReconcileError('bad-bound', `range ${n}: key prefix of ${r.keyPrefix.byteLength} bytes`)
      }
      upper = bound(service, r.keyPrefix)
    }
    if (compareBounds(upper, lower) <= 0) {
      throw new ReconcileError('bad-bound', `range ${n}: upper bound ${describe(upper)} is not above ${describe(lower)}`)
    }
    const range = checkPayload(n, r, lower, upper, services)
    items += range.items.length + range.missing.length
    if (items > maxItems) {
      throw new ReconcileError('too-many-items', `more than ${maxItems} items in one message`)
    }
    out.push(range)
    if (upper !== END) {
      lower = upper
    }
  }
  return out
}

function checkPayload (n: number, r: Sync2Range, lower: Bound, upper: UpperBound, services: ReadonlySet<string>): InRange {
  const hasFingerprint = r.fingerprint.byteLength > 0
  const wantsFingerprint = r.mode === Sync2Mode.FINGERPRINT
  if (hasFingerprint !== wantsFingerprint || (wantsFingerprint && r.fingerprint.byteLength !== FINGERPRINT_BYTES)) {
    throw new ReconcileError('malformed', `range ${n} (${r.mode}): fingerprint of ${r.fingerprint.byteLength} bytes`)
  }
  if (r.items.length > 0 && r.mode !== Sync2Mode.ITEMS && r.mode !== Sync2Mode.DIFF) {
    throw new ReconcileError('malformed', `range ${n} (${r.mode}) carries items`)
  }
  if (r.missing.length > 0 && r.mode !== Sync2Mode.DIFF) {
    throw new ReconcileError('malformed', `range ${n} (${r.mode}) carries DIFF indexes`)
  }
  for (let i = 1; i < r.missing.length; i++) {
    if (r.missing[i] <= r.missing[i - 1]) {
      throw new ReconcileError('bad-diff', `range ${n}: DIFF indexes not in increasing order`)
    }
  }
  const items: SyncItem[] = []
  let service = ''
  let prev: string | undefined
  for (const [k, w] of r.items.entries()) {
    service = w.service === '' ? service : w.service
    const item: SyncItem = { service, publicKey: w.publicKey, seqnum: w.seqnum, digest: w.digest }
    const problem = itemProblem(item, WIRE_DIGEST_BYTES)
    if (problem != null) {
      throw new ReconcileError('bad-item', `range ${n}, item ${k}: ${problem}`)
    }
    if (!services.has(service)) {
      throw new ReconcileError('bad-item', `range ${n}, item ${k}: service ${service} is not reconciled`)
    }
    const key = sortKey(service, item.publicKey)
    if (!inRange(key, lower, upper)) {
      throw new ReconcileError('bad-item', `range ${n}, item ${k}: ${slotId(item)} lies outside the range`)
    }
    if (prev != null && prev >= key) {
      throw new ReconcileError('bad-item', `range ${n}, item ${k}: items not in increasing order`)
    }
    prev = key
    items.push(item)
  }
  return { lower, upper, mode: r.mode, fingerprint: r.fingerprint, items, missing: r.missing }
}

/** What one outgoing range says. */
export interface OutRange {
  upper: UpperBound
  mode: Sync2Mode
  fingerprint?: Uint8Array
  items?: readonly SyncItem[]
  missing?: readonly number[]
}

export interface Budget {
  bytes: number
  ranges: number
  items: number
}

/**
 * An outgoing message under construction. SKIP ranges are merged and a trailing SKIP is
 * left implicit. `tryAdd` adds ranges only if they fit, keeping `reserve` free.
 */
export class MessageBuilder {
  readonly ranges: Sync2Range[] = []
  private bytes = 0
  private items = 0
  private prevService = ''
  /** Upper bound of SKIP ranges not written yet. */
  private skipTo: UpperBound | undefined

  constructor (private readonly budget: Budget) {}

  skip (upper: UpperBound): void {
    this.skipTo = upper
  }

  /** Adds `ranges` if they fit with `reserve` left; returns whether they were added. */
  tryAdd (ranges: readonly OutRange[], reserve: Budget): boolean {
    const pending: OutRange[] = this.skipTo != null ? [{ upper: this.skipTo, mode: Sync2Mode.SKIP }, ...ranges] : [...ranges]
    let service = this.prevService
    let bytes = 0
    let items = 0
    const encoded: Sync2Range[] = []
    for (const r of pending) {
      const wire = toWire(r, service)
      if (r.upper !== END) {
        service = r.upper.service
      }
      const size = Sync2Range.encode(wire).byteLength
      bytes += 1 + varintLength(size) + size
      items += (r.items?.length ?? 0) + (r.missing?.length ?? 0)
      encoded.push(wire)
    }
    if (this.bytes + bytes + reserve.bytes > this.budget.bytes ||
      this.ranges.length + encoded.length + reserve.ranges > this.budget.ranges ||
      this.items + items + reserve.items > this.budget.items) {
      return false
    }
    this.ranges.push(...encoded)
    this.bytes += bytes
    this.items += items
    this.prevService = service
    this.skipTo = undefined
    return true
  }
}

function toWire (r: OutRange, prevService: string): Sync2Range {
  let service = ''
  let keyPrefix: Uint8Array = new Uint8Array()
  if (r.upper !== END) {
    service = r.upper.service === prevService ? '' : r.upper.service
    keyPrefix = r.upper.prefix
  }
  return {
    service,
    keyPrefix: keyPrefix as Uint8Array<ArrayBuffer>,
    toEnd: r.upper === END,
    mode: r.mode,
    fingerprint: (r.fingerprint ?? new Uint8Array()) as Uint8Array<ArrayBuffer>,
    items: itemsToWire(r.items ?? []),
    missing: [...(r.missing ?? [])]
  }
}

function itemsToWire (items: readonly SyncItem[]): Sync2Item[] {
  let prev = ''
  return items.map(item => {
    const service = item.service === prev ? '' : item.service
    prev = item.service
    return { service, publicKey: item.publicKey as Uint8Array<ArrayBuffer>, seqnum: item.seqnum, digest: item.digest.subarray(0, WIRE_DIGEST_BYTES) as Uint8Array<ArrayBuffer> }
  })
}

/** Whether a message asks for an answer: it holds a FINGERPRINT or an ITEMS range. */
export function expectsReply (ranges: ReadonlyArray<{ mode: Sync2Mode }>): boolean {
  return ranges.some(r => r.mode === Sync2Mode.FINGERPRINT || r.mode === Sync2Mode.ITEMS)
}

/** The implicit SKIP to the end after a message whose last range stops short of it. */
export function implicitEnd (ranges: readonly InRange[]): InRange[] {
  const last = ranges.at(-1)
  if (last?.upper === END) {
    return []
  }
  return [{ lower: last?.upper ?? START, upper: END, mode: Sync2Mode.SKIP, fingerprint: new Uint8Array(), items: [], missing: [] }]
}
