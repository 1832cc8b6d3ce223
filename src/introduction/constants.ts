/**
 * Defaults and limits of the introduction service, each with its unit in its name. The
 * options these defaults belong to are documented on `IntroductionInit` (index.ts) and
 * resolved in options.ts; the other limits bound what a part keeps.
 */
import { MAX_SYNC_SERVICES } from '../sync/sync-protocol.js'

/** A record lives 15 minutes unless refreshed: a crashed server leaves within that. */
export const DEFAULT_ANNOUNCEMENT_TTL_MS = 15 * 60 * 1000
/** Publishers refresh at a third of the TTL, so two refreshes may be lost before expiry. */
export const REFRESH_FRACTION = 1 / 3
/** Refreshes are never more frequent than this, whatever the TTL. */
export const MIN_REFRESH_INTERVAL_MS = 250
/** Connections to this many introducers are kept. */
export const DEFAULT_INTRODUCER_TARGET = 3
export const MAX_INTRODUCER_TARGET = 64
/** First wait before a failed bootstrap dial is tried again; doubled up to the maximum. */
export const DEFAULT_BOOTSTRAP_RETRY_MS = 1000
export const DEFAULT_BOOTSTRAP_RETRY_MAX_MS = 60_000
/** How often connections to introducers and bootstrap peers are checked. */
export const DEFAULT_MAINTENANCE_INTERVAL_MS = 2000
/**
 * A node syncs with a newly identified peer twice: at once, and again this much later.
 * The first answer can miss records the peer learns moments later (by sync from a third
 * node) and relays on gossip before it knows we subscribe: at start-up, servers, clients
 * and introducers all meet at once. A service followed after start is caught up on the
 * same way, at once and this much later.
 */
export const FOLLOW_UP_SYNC_MS = 3000
/**
 * How often a node syncs with one random connected peer to repair what gossip lost. With
 * sync 2.0.0 an exchange between peers that hold the same records is one round trip of
 * well under 1 KiB, so it can run this often; a loss is repaired within about two
 * intervals (docs/protocol.md §12.6).
 */
export const DEFAULT_ANTI_ENTROPY_INTERVAL_MS = 10_000
/** A peer that speaks only sync 1.0.0 (whole state each time) is asked at most this often. */
export const V1_ANTI_ENTROPY_INTERVAL_MS = 5 * 60 * 1000
/**
 * An anti-entropy exchange that moved records (either way) found a loss: the node syncs at
 * once with up to this many more random peers (one after another, while each moves some), so
 * that a loss many nodes share is repaired in one interval, not over several. In sync,
 * it costs nothing more.
 */
export const ANTI_ENTROPY_FOLLOW_UPS = 2
/** Time a sync exchange may take, on either side (the protocol modules' default). */
export { DEFAULT_SYNC_TIMEOUT_MS } from '../sync/sync-protocol.js'
export const MIN_SYNC_TIMEOUT_MS = 100
/** Cache writes are grouped: at most one per this interval. */
export const DEFAULT_CACHE_WRITE_DELAY_MS = 1000
/** A node's default nickname. */
export const DEFAULT_NICKNAME = ''
/**
 * Most services a node subscribes to, its own choices and what an introducer follows on
 * its own alike: one sync request names them all, and topic spam cannot grow the set
 * without end.
 */
export const MAX_FOLLOWED_SERVICES = MAX_SYNC_SERVICES
/** Most sync-relayed message ids remembered (oldest forgotten first). */
export const MAX_PENDING_SYNC_RELAYS = 10_000
/** Most changes buffered for one `changes()` consumer. */
export const MAX_PENDING_CHANGES = 10_000
/** Inbound sync streams served at once per connection (each protocol version). */
export const MAX_INBOUND_SYNC_STREAMS = 4
/** At a graceful stop, the withdrawals are handed over by sync to this many peers... */
export const HANDOVER_PEERS = 4
/** ...within this long in all. */
export const HANDOVER_TIMEOUT_MS = 1500
/** Sync exchanges answered at once, from all peers; more are reset. */
export const MAX_CONCURRENT_SYNC_ANSWERS = 32
/**
 * Records relayed on gossip after a sync, at most this many a second (the rest wait in a
 * queue of at most MAX_PENDING_SYNC_RELAYS; past it the oldest are dropped, and
 * anti-entropy repairs what they would have brought).
 */
export const RELAYS_PER_SECOND = 200
/** Peers asked at once when a node subscribes to a service after start. */
export const CATCH_UP_PEERS = 3
/**
 * Dials of addresses this node never had a connection at (an introducer record names
 * them, nothing proves the publisher is there), for the whole node: a burst, then so many
 * a minute. Bootstrap entries and confirmed addresses are not counted (dial-policy.ts).
 */
export const NEW_ADDRESS_DIAL_BURST = 4
export const NEW_ADDRESS_DIALS_PER_MINUTE = 4
/** Longest wait between dials of an address never confirmed (confirmed ones: bootstrapRetryMaxMs). */
export const NEW_ADDRESS_RETRY_MAX_MS = 10 * 60 * 1000
/** Most addresses whose backoff is remembered (least recently dialled forgotten first). */
export const MAX_DIAL_ADDRESSES = 4096
/** Most peers whose confirmed addresses are remembered (least recently connected forgotten first). */
export const MAX_REMEMBERED_PEERS = 1024
/**
 * Services an introducer tries on its own (a peer subscribed to their topic) before any
 * record of them arrived (auto-follow.ts): so many at once, so many on behalf of one
 * subscriber, each for so long; the rest wait in a bounded queue.
 */
export const MAX_CANDIDATE_SERVICES = 8
export const MAX_CANDIDATES_PER_PEER = 2
export const CANDIDATE_WINDOW_MS = 30_000
export const MAX_PENDING_SERVICES = 256
/** A service followed on its own with no live entry for this long is left again. */
export const AUTO_FOLLOW_IDLE_MS = 10 * 60 * 1000
/** How often candidates and followed services are checked. */
export const AUTO_FOLLOW_CHECK_MS = 2000
/**
 * New entries (a (service, publisher) not held) one peer may hand over, on gossip and
 * sync together, and one host (its IP or IPv6 /64): a burst, then so many a second
 * (newcomer-budget.ts). A grid of 2 000 storage servers is 4 000 entries, all in one
 * burst; past it, 600 new entries a minute from one peer is still far more than a grid
 * gains.
 */
export const NEW_ENTRIES_PER_PEER = { burst: 4000, perSecond: 10 } as const
export const NEW_ENTRIES_PER_HOST = { burst: 8000, perSecond: 20 } as const
/** Peers and hosts whose budget is remembered (least recently used forgotten first). */
export const MAX_NEWCOMER_BUDGET_KEYS = 4096
/**
 * A publisher whose clock is off by more than this (seen in a record it handed over
 * itself) is counted and reported: expiry does not depend on it, but its operator should
 * know. Reported again at most this often per publisher; so many publishers remembered.
 */
export const CLOCK_SKEW_WARNING_MS = 5 * 60 * 1000
export const CLOCK_SKEW_REPEAT_MS = 60 * 60 * 1000
export const MAX_CLOCK_SKEW_WARNED = 1024
