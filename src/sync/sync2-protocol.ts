/**
 * The sync protocol `/gossip-introducer/sync/2.0.0` (docs/protocol.md §12.5): two nodes
 * find the records one holds and the other lacks (or holds older) by range-based set
 * reconciliation, without sending what they share, then push each other those records.
 * One exchange per stream:
 *
 *   initiator -> responder: Sync2Open (grid, services, first ranges, offered items)
 *   responder -> initiator: Sync2Accept (services not shared, ranges, offered items,
 *                           which of the initiator's offered items it wants)
 *   either way, in turn   : Sync2Reconcile (ranges) until one side asks nothing more;
 *                           the initiator's first one says which offered items it wants
 *   both ways, at once    : Sync2Records*, the last with done = true; then both close
 *
 * Offers (offers.ts) carry records of services a side holds but does not reconcile, e.g.
 * a publisher's own records of a service it does not follow.
 *
 * Every read is bounded in bytes (per frame), frames (rounds, records), records and
 * time. Any error resets the stream. Records received are handed, with their age, to
 * `onRecord`: the caller's validation path. This module validates nothing else.
 */
import { isValidServiceName } from '../announcement/names.js'
import { Sync2Accept, Sync2Open, Sync2Reconcile } from '../pb/sync2.js'
import { asError, InvalidOptionError } from '../errors.js'
import { decodeFrame, FrameStream, SyncProtocolError } from './frames.js'
import { ItemSet } from './reconcile/item-set.js'
import { resolveLimits, type ReconcileLimits } from './reconcile/limits.js'
import { Reconciler, type Step } from './reconcile/reconciler.js'
import type { ReconcileResult } from './reconcile/differences.js'
import { MAX_OFFERED_ITEMS, offerItems, offersToWire, readOffers, takeWanted, wantedOffers } from './offers.js'
import { transferRecords, type RecordToSend } from './sync2-transfer.js'
import { SYNC2_ACCEPT_SCHEMA, SYNC2_OPEN_SCHEMA, SYNC2_RECONCILE_SCHEMA } from './sync2-wire.js'
import { DEFAULT_SYNC_TIMEOUT_MS, MAX_SYNC_SERVICES } from './sync-protocol.js'
import type { SyncItem } from './reconcile/item.js'
import type { AbortOptions, Stream } from '@libp2p/interface'

export { MAX_SYNC2_RECORDS_PER_FRAME, type RecordToSend } from './sync2-transfer.js'

export const SYNC2_PROTOCOL = '/gossip-introducer/sync/2.0.0'
/** Largest Sync2Open a responder reads: grid, up to 64 services and the first ranges. */
export const MAX_SYNC2_OPEN_BYTES = 8192

export interface Sync2Options extends AbortOptions {
  grid: string
  /**
   * Initiator: the services to reconcile (at most 64). Responder: the services it
   * reconciles; the exchange covers those of them the initiator names.
   */
  services: Iterable<string>
  /** The items held; those of services not reconciled are left out. Not changed while in use. */
  items: ItemSet
  /**
   * The record of one of our items, to send with its age; undefined when no longer held.
   * A record whose digest is no longer the item's is not sent.
   */
  getRecord(item: SyncItem): RecordToSend | undefined | Promise<RecordToSend | undefined>
  /**
   * Takes one record received (one this side needs, by digest, at most once each) and its
   * age in ms. Awaited before the next is read. A throw aborts the exchange, so a record
   * refused by validation should be counted, not thrown.
   */
  onRecord(record: Uint8Array, ageMs: number): void | Promise<void>
  /** Told, once reconciliation is over, how many records each side is to send. */
  onReconciled?(plan: { toSend: number, toReceive: number }): void
  /** Bounds of reconciliation. @default DEFAULT_RECONCILE_LIMITS */
  limits?: Partial<ReconcileLimits>
  /** Time the whole exchange may take (with `signal`, whichever ends first). @default DEFAULT_SYNC_TIMEOUT_MS */
  timeoutMs?: number
}

/** What one exchange did: counts for logs, metrics and measurements. */
export interface Sync2Summary {
  /** Services reconciled (initiator: those the responder shared). */
  services: string[]
  /** Reconcile messages, both ways (Open and Accept included). */
  messages: number
  /** Round trips of reconciliation: messages / 2, rounded up. */
  roundTrips: number
  bytesSent: number
  bytesReceived: number
  recordsSent: number
  recordsReceived: number
  /** Records of our offer the peer asked for (among recordsSent, unless no longer held). */
  offersSent: number
  /** Records of the peer's offer we asked for (among recordsReceived). */
  offersReceived: number
  result: ReconcileResult
}

/** Initiator side: opens reconciliation for `services`, then pushes and pulls records. */
export async function initiateSync2 (stream: Stream, options: Sync2Options): Promise<Sync2Summary> {
  const services = [...new Set(options.services)]
  if (services.length > MAX_SYNC_SERVICES) {
    throw new InvalidOptionError('services', `at most ${MAX_SYNC_SERVICES} services per exchange, got ${services.length}`)
  }
  const bad = services.find(s => !isValidServiceName(s))
  if (bad != null) {
    throw new InvalidOptionError('services', `invalid service name ${JSON.stringify(bad)}`)
  }
  return run(stream, options, async (frames, limits, signal) => {
    const named = new Set(services)
    const reconciler = new Reconciler(options.items, { services: named, limits })
    // what we hold outside the services we name: the responder may follow some of it
    const offered = offerItems(options.items, s => !named.has(s))
    await frames.write(Sync2Open.encode({ grid: options.grid, services, ranges: reconciler.initiate(), offered: offersToWire(offered), takesOffers: true }), { signal })
    const accept = decodeFrame(Sync2Accept, await frames.read({ signal }), { notShared: MAX_SYNC_SERVICES, offered: MAX_OFFERED_ITEMS, wanted: MAX_OFFERED_ITEMS, ...rangeLimits(limits) }, 'accept', SYNC2_ACCEPT_SCHEMA)
    const notShared = new Set<number>()
    for (const index of accept.notShared) {
      if (index >= services.length || notShared.has(index)) {
        throw new SyncProtocolError(`accept names service index ${index} of ${services.length} (or twice)`)
      }
      notShared.add(index)
    }
    const shared = services.filter((_, i) => !notShared.has(i))
    if (notShared.size > 0) {
      reconciler.narrow(new Set(shared))
    }
    const toSend = takeWanted(offered, accept.wanted)
    // the responder's offer: records of services we named and it does not reconcile
    const theirs = readOffers(accept.offered)
    const reconciled = new Set(shared)
    const wanted = wantedOffers(theirs, options.items, s => named.has(s) && !reconciled.has(s))
    await converse(frames, reconciler, reconciler.receive(accept.ranges), limits, signal, { answer: theirs.length > 0 ? wanted : undefined })
    return { reconciler, services: shared, offers: { toSend, toReceive: wanted.map(i => theirs[i]) } }
  })
}

/** Responder side: answers one Sync2Open, then pushes and pulls records. */
export async function answerSync2 (stream: Stream, options: Sync2Options): Promise<Sync2Summary> {
  const ours = new Set(options.services)
  return run(stream, options, async (frames, limits, signal) => {
    const open = decodeFrame(Sync2Open, await frames.read({ signal, maxBytes: MAX_SYNC2_OPEN_BYTES }), { services: MAX_SYNC_SERVICES, offered: MAX_OFFERED_ITEMS, ...rangeLimits(limits) }, 'open', SYNC2_OPEN_SCHEMA)
    if (open.grid !== options.grid) {
      throw new SyncProtocolError(`sync request for grid ${JSON.stringify(open.grid)}, this node is in ${JSON.stringify(options.grid)}`)
    }
    const shared = new Set<string>()
    const notShared: number[] = []
    open.services.forEach((service, i) => {
      if (isValidServiceName(service) && ours.has(service) && !shared.has(service)) {
        shared.add(service)
      } else {
        notShared.push(i)
      }
    })
    const theirs = readOffers(open.offered)
    const wanted = wantedOffers(theirs, options.items, s => ours.has(s) && !shared.has(s))
    // records we hold of services the initiator follows and we do not (our own, carried)
    const named = new Set(open.services)
    const offered = open.takesOffers ? offerItems(options.items, s => named.has(s) && !shared.has(s)) : []
    const reconciler = new Reconciler(options.items, { services: shared, limits, firstMessageWider: notShared.length > 0 })
    const step = reconciler.receive(open.ranges)
    await frames.write(Sync2Accept.encode({ notShared, ranges: step.reply ?? [], offered: offersToWire(offered), wanted }), { signal })
    let toSend: SyncItem[] = []
    const answered = offered.length > 0 ? (indexes: number[]) => { toSend = takeWanted(offered, indexes) } : undefined
    if (!step.done) {
      await converse(frames, reconciler, { done: false }, limits, signal, { answered })
    } else if (answered != null) {
      // reconciliation has ended; the initiator's answer to our offer comes alone
      const message = decodeFrame(Sync2Reconcile, await frames.read({ signal }), { ...rangeLimits(limits), wanted: MAX_OFFERED_ITEMS }, 'answer to an offer', SYNC2_RECONCILE_SCHEMA)
      if (message.ranges.length > 0) {
        throw new SyncProtocolError('ranges in a message after reconciliation ended')
      }
      answered(message.wanted)
    }
    return { reconciler, services: [...shared], offers: { toSend, toReceive: wanted.map(i => theirs[i]) } }
  })
}

interface OfferAnswers {
  /** Initiator: our answer to the responder's offer, sent with our first message (alone when we have no other). */
  answer?: number[]
  /** Responder: takes the initiator's answer to our offer, from its first message. */
  answered?: (indexes: number[]) => void
}

/** Sends `step`'s reply, then takes and answers messages until reconciliation is done. */
async function converse (frames: FrameStream, reconciler: Reconciler, step: Step, limits: ReconcileLimits, signal: AbortSignal, offers: OfferAnswers = {}): Promise<void> {
  let answer = offers.answer
  let answered = offers.answered
  while (true) {
    if (step.reply != null || answer != null) {
      await frames.write(Sync2Reconcile.encode({ ranges: step.reply ?? [], wanted: answer ?? [] }), { signal })
      answer = undefined
    }
    if (step.done) {
      return
    }
    const message = decodeFrame(Sync2Reconcile, await frames.read({ signal }), { ...rangeLimits(limits), wanted: MAX_OFFERED_ITEMS }, 'reconcile message', SYNC2_RECONCILE_SCHEMA)
    if (answered != null) {
      answered(message.wanted)
      answered = undefined
    } else if (message.wanted.length > 0) {
      throw new SyncProtocolError('an answer to an offer that was not made')
    }
    step = reconciler.receive(message.ranges)
  }
}

function rangeLimits (limits: ReconcileLimits): Record<string, unknown> {
  return { ranges: limits.maxRanges, ranges$: { items: limits.maxItemsPerMessage, missing: limits.maxItemsPerMessage } }
}

interface Offers {
  /** Items of our offer the peer asked for. */
  toSend: SyncItem[]
  /** Items of the peer's offer we asked for. */
  toReceive: SyncItem[]
}

type Reconcile = (frames: FrameStream, limits: ReconcileLimits, signal: AbortSignal) => Promise<{ reconciler: Reconciler, services: string[], offers: Offers }>

/** Reconciles, transfers, closes; on any error resets the stream and throws. */
async function run (stream: Stream, options: Sync2Options, reconcile: Reconcile): Promise<Sync2Summary> {
  const limits = resolveLimits(options.limits)
  const timeoutMs = options.timeoutMs ?? DEFAULT_SYNC_TIMEOUT_MS
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) {
    throw new InvalidOptionError('timeoutMs', `must be a positive whole number of ms, got ${timeoutMs}`)
  }
  const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs), ...(options.signal != null ? [options.signal] : [])])
  const frames = new FrameStream(stream, limits.maxMessageBytes)
  try {
    const { reconciler, services, offers } = await reconcile(frames, limits, signal)
    const result = reconciler.result()
    const messages = frames.framesRead + frames.framesWritten
    // offered items are of services outside the reconciliation, so never among its differences
    const toSend = [...result.theyNeed, ...offers.toSend]
    const toReceive = [...result.iNeed, ...offers.toReceive]
    options.onReconciled?.({ toSend: toSend.length, toReceive: toReceive.length })
    const { sent, received } = await transferRecords(frames, {
      toSend,
      toReceive,
      getRecord: async (item) => options.getRecord(item),
      onRecord: async (record, ageMs) => { await options.onRecord(record, ageMs) },
      fail: (err) => { stream.abort(err) },
      signal
    })
    await stream.close({ signal })
    return {
      services,
      messages,
      roundTrips: Math.ceil(messages / 2),
      bytesSent: frames.bytesWritten,
      bytesReceived: frames.bytesRead,
      recordsSent: sent,
      recordsReceived: received,
      offersSent: offers.toSend.length,
      offersReceived: offers.toReceive.length,
      result
    }
  } catch (err) {
    stream.abort(asError(err))
    throw err
  }
}
