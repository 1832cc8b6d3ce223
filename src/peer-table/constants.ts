/**
 * Defaults of the peer table's bounds (issue #10). A real grid has at most a few thousand
 * servers; the caps keep an open grid's Sybil (any number of free keys) from growing a
 * node's memory without bound: one live entry costs a node about 9 KB all told.
 */

/** Most live entries of one service. */
export const DEFAULT_MAX_PEERS_PER_SERVICE = 10_000
/** Most live entries of all services together. */
export const DEFAULT_MAX_PEERS = 30_000
/**
 * Share of each cap that established entries may never fill: these slots always hold
 * entries not yet established, which a newcomer may push out (least recently refreshed
 * first), so a new server always gets in, even when a Sybil holds the rest.
 */
export const DEFAULT_NEWCOMER_SHARE = 0.1
/** An entry becomes established once held this long without a break... */
export const DEFAULT_ESTABLISHED_AFTER_MS = 30 * 60 * 1000
/** ...and refreshed (replaced by a greater seqnum) at least this many times. */
export const DEFAULT_ESTABLISHED_AFTER_REFRESHES = 3
/** Most tombstones (withdrawn or expired slots kept against older copies) of one service. */
export const DEFAULT_MAX_TOMBSTONES_PER_SERVICE = 1_000
/** Most tombstones of all services together. */
export const DEFAULT_MAX_TOMBSTONES = 5_000
/** Most withdrawn keys remembered (key and seqnum only) without a tombstone. */
export const DEFAULT_MAX_WITHDRAWN_KEYS = 1_024
