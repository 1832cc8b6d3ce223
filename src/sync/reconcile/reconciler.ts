/**
 * One side of a sync 2.0.0 reconciliation (docs/protocol.md §12.5.4): range-based set
 * reconciliation after Meyer (2022), in the manner of Negentropy, over items ordered by
 * (service, publisher key). Pure: messages in, messages out, no I/O, no clock.
 *
 * A message is a list of ranges covering the item space in order. A FINGERPRINT range is
 * answered with SKIP when it matches ours, else split (FINGERPRINTs of our sub-ranges) or,
 * when we hold few items there, with ITEMS. ITEMS is answered with a DIFF (what we hold
 * there differently, and which of the listed slots we lack), after which both sides know
 * the range's difference. A message with no FINGERPRINT and no ITEMS asks for no answer;
 * the exchange ends when one side has nothing more to ask.
 */
import { Sync2Mode, type Sync2Range } from '../../pb/sync2.js'
import { ReconcileError } from './errors.js'
import { sameRecord, slotId, type SyncItem } from './item.js'
import { Differences, type ReconcileResult } from './differences.js'
import { END, START, compareBounds, type Bound, type ItemSet, type UpperBound } from './item-set.js'
import { FRAME_HEADROOM_BYTES, ITEMS_THRESHOLD, resolveLimits, SPLIT_BUCKETS, type ReconcileLimits } from './limits.js'
import { expectsReply, implicitEnd, MessageBuilder, readRanges, type Budget, type InRange, type OutRange } from './wire.js'

export interface ReconcilerInit {
  /** Services reconciled: an item of another service from the peer is an error. */
  services: ReadonlySet<string>
  limits?: Partial<ReconcileLimits>
  /**
   * The first message received was computed over more services than ours (the responder
   * reconciles fewer than the initiator named), so its fingerprints may differ spuriously.
   */
  firstMessageWider?: boolean
}

/** The outcome of taking one message. */
export interface Step {
  /** The ranges to send, or undefined when nothing is to be sent. */
  reply?: Sync2Range[]
  /** Reconciliation is over (after sending `reply`, if any). */
  done: boolean
}

/** A range we sent ITEMS for, with the items as listed. */
interface Listed { lower: Bound, upper: UpperBound, items: readonly SyncItem[] }
/** A range we know to differ, asked about again in our last message. */
interface Span { lower: Bound, upper: UpperBound }

/** Room kept for what ends a message that runs out of room: a SKIP, then one FINGERPRINT to the end. */
const REMAINDER: Budget = { bytes: 160, ranges: 2, items: 0 }

export class Reconciler {
  readonly limits: ReconcileLimits
  /** Messages taken from the peer. */
  rounds = 0
  private items: ItemSet
  private services: ReadonlySet<string>
  private readonly differences: Differences
  private listed: Listed[] = []
  private differing: Span[] = []
  private awaiting = false
  private finished = false
  private firstWider: boolean

  constructor (items: ItemSet, init: ReconcilerInit) {
    this.limits = resolveLimits(init.limits)
    this.differences = new Differences(this.limits.maxItems)
    this.services = init.services
    this.items = items.restrict(new Set(init.services))
    this.firstWider = init.firstMessageWider === true
    this.awaiting = true
  }

  get done (): boolean {
    return this.finished
  }

  /** Initiator: the first message, over everything (one fingerprint, or an empty list). */
  initiate (): Sync2Range[] {
    if (this.rounds > 0 || this.listed.length > 0) {
      throw new Error('initiate() is called once, before any message is taken')
    }
    const builder = this.builder()
    if (this.items.size === 0) {
      builder.tryAdd([{ upper: END, mode: Sync2Mode.ITEMS, items: [] }], NONE)
      this.listed = [{ lower: START, upper: END, items: [] }]
    } else {
      builder.tryAdd([{ upper: END, mode: Sync2Mode.FINGERPRINT, fingerprint: this.items.fingerprint(0, this.items.size) }], NONE)
    }
    return builder.ranges
  }

  /**
   * Initiator: reconcile only `services` from now on (those the responder shares). Call
   * after the first message, before taking the answer.
   */
  narrow (services: ReadonlySet<string>): void {
    this.services = services
    this.items = this.items.restrict(services)
  }

  /** Takes the peer's message; throws ReconcileError when the peer broke a rule or a bound. */
  receive (wire: readonly Sync2Range[]): Step {
    if (this.finished || !this.awaiting) {
      throw new ReconcileError('unexpected-message', this.finished ? 'a message after reconciliation ended' : 'a message before ours was sent')
    }
    if (++this.rounds > this.limits.maxRounds) {
      throw new ReconcileError('too-many-rounds', `more than ${this.limits.maxRounds} messages`)
    }
    const ranges = readRanges(wire, this.services, this.limits.maxRanges, this.limits.maxItemsPerMessage)
    this.checkAnswered(ranges)
    const builder = this.builder()
    const listed: Listed[] = []
    const differing: Span[] = []
    const comparable = !(this.firstWider && this.rounds === 1)
    let from = 0
    for (const r of [...ranges, ...implicitEnd(ranges)]) {
      const begin = from
      const end = this.items.lowerIndex(r.upper, begin)
      const fits = this.answer(r, begin, end, builder, listed, differing, comparable)
      if (!fits) {
        // out of room: everything from here on is asked about again, as one fingerprint
        // (the room for it was kept by every range added before)
        if (!builder.tryAdd([{ upper: END, mode: Sync2Mode.FINGERPRINT, fingerprint: this.items.fingerprint(begin, this.items.size) }], NONE)) {
          throw new Error('no room left for the remainder of a reconcile message')
        }
        break
      }
      from = end
    }
    this.listed = listed
    this.differing = differing
    const asked = expectsReply(ranges)
    const reply = builder.ranges
    if (expectsReply(reply)) {
      this.awaiting = true
      return { reply, done: false }
    }
    this.finished = true
    this.awaiting = false
    return { reply: asked || reply.length > 0 ? reply : undefined, done: true }
  }

  /** What was found; complete once `done`. */
  result (): ReconcileResult {
    return this.differences.result()
  }

  /** Answers one range into `builder`; false when the answer does not fit. */
  private answer (r: InRange, begin: number, end: number, builder: MessageBuilder, listed: Listed[], differing: Span[], comparable: boolean): boolean {
    switch (r.mode) {
      case Sync2Mode.SKIP:
        builder.skip(r.upper)
        return true
      case Sync2Mode.FINGERPRINT:
        if (Buffer.compare(this.items.fingerprint(begin, end), r.fingerprint) === 0) {
          builder.skip(r.upper)
          return true
        }
        return this.askAgain(r, begin, end, builder, listed, differing, comparable, true)
      case Sync2Mode.ITEMS: {
        const { mine, missing } = this.differences.compare(this.items, begin, end, r.items)
        if (mine.length === 0 && missing.length === 0) {
          builder.skip(r.upper)
          return true
        }
        if (builder.tryAdd([{ upper: r.upper, mode: Sync2Mode.DIFF, items: mine, missing }], REMAINDER)) {
          return true
        }
        // too much to answer in one DIFF: split our side of it instead
        return this.askAgain(r, begin, end, builder, listed, differing, true, false)
      }
      case Sync2Mode.DIFF:
        this.takeDiff(r)
        builder.skip(r.upper)
        return true
      default:
        throw new ReconcileError('malformed', `unknown mode ${String(r.mode)}`)
    }
  }

  /** A range known (or, when not `comparable`, likely) to differ: list or split our items. */
  private askAgain (r: InRange, begin: number, end: number, builder: MessageBuilder, listed: Listed[], differing: Span[], comparable: boolean, mayList: boolean): boolean {
    const count = end - begin
    let added = false
    if (mayList && count <= ITEMS_THRESHOLD) {
      const items = this.items.slice(begin, end)
      added = builder.tryAdd([{ upper: r.upper, mode: Sync2Mode.ITEMS, items }], REMAINDER)
      if (added) {
        listed.push({ lower: r.lower, upper: r.upper, items })
      }
    }
    if (!added && count >= 2) {
      added = this.split(r.upper, begin, end, builder)
    }
    if (added && comparable) {
      differing.push({ lower: r.lower, upper: r.upper })
    }
    return added
  }

  /** Fingerprints of up to SPLIT_BUCKETS sub-ranges of items begin..end-1 (at least 2). */
  private split (upper: UpperBound, begin: number, end: number, builder: MessageBuilder): boolean {
    const count = end - begin
    for (let buckets = Math.min(SPLIT_BUCKETS, count); buckets >= 2; buckets = Math.floor(buckets / 2)) {
      const out: OutRange[] = []
      let at = begin
      for (let b = 0; b < buckets; b++) {
        const size = Math.floor(count / buckets) + (b < count % buckets ? 1 : 0)
        const next = at + size
        out.push({ upper: next === end ? upper : this.items.boundBefore(next), mode: Sync2Mode.FINGERPRINT, fingerprint: this.items.fingerprint(at, next) })
        at = next
      }
      if (builder.tryAdd(out, REMAINDER)) {
        return true
      }
    }
    return false
  }

  private takeDiff (r: InRange): void {
    const ours = this.listed.find(l => compareBounds(l.lower, r.lower) === 0 && compareBounds(l.upper, r.upper) === 0)
    if (ours == null) {
      throw new ReconcileError('bad-diff', 'a DIFF for a range we did not list')
    }
    const bySlot = new Map(ours.items.map((item, index) => [slotId(item), index]))
    const lacking = new Set(r.missing)
    for (const index of r.missing) {
      if (index >= ours.items.length) {
        throw new ReconcileError('bad-diff', `DIFF index ${index}, we listed ${ours.items.length} items`)
      }
    }
    for (const theirs of r.items) {
      const index = bySlot.get(slotId(theirs))
      if (index != null) {
        if (lacking.has(index) || sameRecord(ours.items[index], theirs)) {
          throw new ReconcileError('bad-diff', `DIFF both lists and contradicts our item ${index}`)
        }
      }
      this.differences.record(index != null ? ours.items[index] : undefined, theirs)
    }
    for (const index of r.missing) {
      this.differences.record(ours.items[index], undefined)
    }
  }

  /**
   * Each range we split or listed because it differed must get an answer that is not
   * all SKIP: a peer whose sub-ranges all match a range whose fingerprint did not is lying.
   */
  private checkAnswered (ranges: readonly InRange[]): void {
    let k = 0
    for (const span of this.differing) {
      while (k < ranges.length && compareBounds(ranges[k].upper, span.lower) <= 0) {
        k++
      }
      let answered = false
      for (let j = k; j < ranges.length && compareBounds(ranges[j].lower, span.upper) < 0; j++) {
        if (ranges[j].mode !== Sync2Mode.SKIP) {
          answered = true
          break
        }
      }
      if (!answered) {
        throw new ReconcileError('inconsistent', 'the peer found equal every part of a range whose fingerprint differed from ours')
      }
    }
  }

  private builder (): MessageBuilder {
    return new MessageBuilder({
      bytes: this.limits.maxMessageBytes - FRAME_HEADROOM_BYTES,
      ranges: this.limits.maxRanges,
      items: this.limits.maxItemsPerMessage
    })
  }
}

const NONE: Budget = { bytes: 0, ranges: 0, items: 0 }
