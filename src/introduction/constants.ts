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
 * and introducers all meet at once.
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
