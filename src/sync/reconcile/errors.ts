/**
 * The peer broke sync 2.0.0's reconciliation, or went past a bound. `code` says which rule;
 * the stream carrying the exchange is reset (docs/protocol.md §12.5.7).
 */
export type ReconcileErrorCode =
  /** A field is missing, extra or of the wrong size for the range's mode. */
  | 'malformed'
  /** A bound is not above the previous one, names no valid service, or a range follows the end. */
  | 'bad-bound'
  /** An item is malformed, outside its range, out of order, or of a service not reconciled. */
  | 'bad-item'
  /** A DIFF answers no ITEMS range of our last message, or refers to items we did not list. */
  | 'bad-diff'
  /** The peer's answers contradict its own fingerprints or earlier answers. */
  | 'inconsistent'
  /** A message arrived when none was due (after the end, or before ours was answered). */
  | 'unexpected-message'
  | 'too-many-rounds'
  | 'too-many-ranges'
  | 'too-many-items'

export class ReconcileError extends Error {
  static readonly NAME = 'ReconcileError'
  override readonly name = ReconcileError.NAME
  constructor (readonly code: ReconcileErrorCode, message: string) {
    super(`sync reconciliation: ${code}: ${message}`)
  }
}
