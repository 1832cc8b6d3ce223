/**
 * Bounds of sync 2.0.0's reconciliation, resolved once. A message is the list of ranges
 * of one frame. The defaults are the protocol's limits: every node sends within them, so
 * a node that lowers a limit may refuse an honest peer's large (but valid) messages.
 */
import { InvalidOptionError } from '../../errors.js'

/** Largest reconcile message, in encoded bytes of its frame. */
export const MAX_RECONCILE_MESSAGE_BYTES = 256 * 1024
/** Most ranges in one message. */
export const MAX_RECONCILE_RANGES = 8192
/** Most items plus DIFF indexes in one message. */
export const MAX_RECONCILE_ITEMS_PER_MESSAGE = 4096
/** Most reconcile messages one side takes in one exchange. */
export const DEFAULT_MAX_RECONCILE_ROUNDS = 32
/** Most distinct peer items one side records in one exchange. */
export const DEFAULT_MAX_RECONCILE_ITEMS = 50_000

/** Sender policy: a range that differs is split into this many sub-ranges. */
export const SPLIT_BUCKETS = 16
/** Sender policy: a range that differs and holds at most this many of our items is listed (ITEMS). */
export const ITEMS_THRESHOLD = 16
/**
 * Room kept in every message for what surrounds the ranges in a frame (Accept's
 * `notShared`, offers and their answers (sync/offers.ts), field tags), so that the frame
 * stays within maxMessageBytes. An Accept with no ranges and every other field at its
 * bound takes 2 272 bytes (test/sync/sync2-protocol.test.ts checks that it fits).
 */
export const FRAME_HEADROOM_BYTES = 2560

export interface ReconcileLimits {
  /** Largest message sent or taken, bytes. @default MAX_RECONCILE_MESSAGE_BYTES (256 KiB) */
  maxMessageBytes: number
  /** Most ranges per message sent or taken. @default MAX_RECONCILE_RANGES */
  maxRanges: number
  /** Most items plus DIFF indexes per message sent or taken. @default MAX_RECONCILE_ITEMS_PER_MESSAGE */
  maxItemsPerMessage: number
  /** Most messages taken from the peer in one exchange. @default DEFAULT_MAX_RECONCILE_ROUNDS */
  maxRounds: number
  /** Most distinct peer items recorded in one exchange. @default DEFAULT_MAX_RECONCILE_ITEMS */
  maxItems: number
}

export const DEFAULT_RECONCILE_LIMITS: Readonly<ReconcileLimits> = Object.freeze({
  maxMessageBytes: MAX_RECONCILE_MESSAGE_BYTES,
  maxRanges: MAX_RECONCILE_RANGES,
  maxItemsPerMessage: MAX_RECONCILE_ITEMS_PER_MESSAGE,
  maxRounds: DEFAULT_MAX_RECONCILE_ROUNDS,
  maxItems: DEFAULT_MAX_RECONCILE_ITEMS
})

/**
 * The smallest values with which an honest message can always be answered: a DIFF to an
 * ITEMS list (at most ITEMS_THRESHOLD items) holds at most 2 * ITEMS_THRESHOLD + 1 entries.
 */
const MINIMA: Readonly<ReconcileLimits> = { maxMessageBytes: 8192, maxRanges: 8, maxItemsPerMessage: 2 * ITEMS_THRESHOLD + 1, maxRounds: 2, maxItems: 1 }

/** Fills in defaults and checks ranges; throws InvalidOptionError. */
export function resolveLimits (given: Partial<ReconcileLimits> = {}): ReconcileLimits {
  const limits = { ...DEFAULT_RECONCILE_LIMITS, ...given }
  for (const name of Object.keys(DEFAULT_RECONCILE_LIMITS) as Array<keyof ReconcileLimits>) {
    const value = limits[name]
    if (!Number.isSafeInteger(value) || value < MINIMA[name]) {
      throw new InvalidOptionError(name, `must be a whole number of at least ${MINIMA[name]}, got ${value}`)
    }
  }
  return limits
}
