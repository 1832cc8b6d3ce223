/**
 * Range-based set reconciliation of sync 2.0.0, pure: items, their order and
 * fingerprints, and the state machine of each side (docs/protocol.md §12.5).
 * The stream protocol around it is src/sync/sync2-protocol.ts.
 */
export { ReconcileError, type ReconcileErrorCode } from './errors.js'
export { FINGERPRINT_BYTES } from './fingerprint.js'
export { ITEM_DIGEST_BYTES, recordDigest, syncItemOf, WIRE_DIGEST_BYTES, type SyncItem } from './item.js'
export { ItemSet } from './item-set.js'
export {
  DEFAULT_MAX_RECONCILE_ITEMS, DEFAULT_MAX_RECONCILE_ROUNDS, DEFAULT_RECONCILE_LIMITS, MAX_RECONCILE_ITEMS_PER_MESSAGE,
  MAX_RECONCILE_MESSAGE_BYTES, MAX_RECONCILE_RANGES, type ReconcileLimits
} from './limits.js'
export { type ReconcileResult } from './differences.js'
export { Reconciler, type ReconcilerInit, type Step } from './reconciler.js'
