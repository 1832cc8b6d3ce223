/**
 * Why a record was not taken, as data. `reject` means the record is invalid whoever sent
 * it (forged, malformed, wrong topic or grid): gossipsub penalises the sender.
 * `ignore` means it may be honest but brings nothing (a duplicate, an older seqnum, an
 * expired record): it is dropped without penalty. One adapter (gossip/validator.ts) maps
 * this to gossipsub's TopicValidatorResult and counts it.
 */
export type RejectionAction = 'ignore' | 'reject'

export type RejectionCode =
  | 'too-large'
  | 'malformed'
  | 'bad-key'
  | 'bad-signature'
  | 'wrong-grid'
  | 'wrong-service'
  | 'bad-service-name'
  | 'missing-seqnum'
  | 'bad-ttl'
  | 'bad-multiaddr'
  | 'over-limits'
  | 'from-future'
  | 'expired'
  | 'duplicate'
  | 'stale'
  | 'not-subscribed'
  | 'rate-limited'
  | 'not-admitted'
  /** A Tahoe gateway's record whose Tahoe announcement or binding is wrong (tahoe/carriage.ts). */
  | 'bad-tahoe'
  /** The peer table is at a cap and no entry may give way (peer-table.ts). */
  | 'table-full'
  /** A new entry, and the peer that handed it over (or its host) has handed over too many (introduction/newcomer-budget.ts). */
  | 'too-many-new'

export class AnnouncementRejection extends Error {
  static readonly NAME = 'AnnouncementRejection'
  override readonly name = AnnouncementRejection.NAME
  constructor (readonly action: RejectionAction, readonly code: RejectionCode, detail?: string) {
    super(`${action}: ${code}${detail != null ? ` (${detail})` : ''}`)
  }
}

export function reject (code: RejectionCode, detail?: string): AnnouncementRejection {
  return withoutStack(() => new AnnouncementRejection('reject', code, detail))
}

export function ignore (code: RejectionCode, detail?: string): AnnouncementRejection {
  return withoutStack(() => new AnnouncementRejection('ignore', code, detail))
}

/**
 * A rejection is data, made thousands of times a second under a flood (every record of a
 * Sybil over its budget is one): it carries no stack trace, whose capture cost ~14 µs of
 * the ~15 µs of making one (an introducer under 500 fresh keys a second spent 0.9 s of a
 * 60 s flood in the constructor).
 */
function withoutStack<T> (make: () => T): T {
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 0
  try {
    return make()
  } finally {
    Error.stackTraceLimit = limit
  }
}

/** What a failed ingest counts as: the rejection's code, or `internal-error` for anything else. */
export function outcomeOf (err: unknown): RejectionCode | 'internal-error' {
  return err instanceof AnnouncementRejection ? err.code : 'internal-error'
}
