/**
 * Default connection limits (issue #10). Figures are per node; "host" is one IPv4 address
 * or one IPv6 /64. Connections from this machine's own addresses are exempt from the
 * per-host limits (see admission.ts for why).
 */

/** Above this many connections the least useful are closed (libp2p's own default). */
export const DEFAULT_MAX_CONNECTIONS = 300
/**
 * libp2p refuses inbound connections only at `maxConnections` plus this, so that a
 * newcomer gets in and the pruner makes room, instead of being refused at the door.
 */
export const PRUNE_MARGIN = 64
/** Connections one host may hold (established and being set up), unless local. */
export const DEFAULT_MAX_CONNECTIONS_PER_HOST = 64
/** Handshakes one host may have under way at once, unless local. */
export const DEFAULT_MAX_PENDING_PER_HOST = 16
/** Handshakes under way at once from all hosts together. */
export const DEFAULT_MAX_PENDING_CONNECTIONS = 256
/** Connections one peer id may hold: one, plus simultaneous dials and reconnect races. */
export const DEFAULT_MAX_CONNECTIONS_PER_PEER = 4
/**
 * Handshakes of one host that may end in a refusal (its peer over its limit) in a
 * second; beyond, the host is refused before the handshake for the rest of that second.
 */
export const DEFAULT_MAX_REFUSED_HANDSHAKES_PER_HOST = 2
/** New inbound connections per host per second (libp2p's `inboundConnectionThreshold`, default 5). */
export const DEFAULT_NEW_CONNECTIONS_PER_HOST_PER_SECOND = 50
/** An inbound connection from another host must finish its handshake (Noise, Yamux) within this. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 5000
/**
 * The same for connections from this machine (libp2p's default): all-loopback grids of
 * many processes on few cores can take seconds to answer a handshake.
 */
export const DEFAULT_LOCAL_HANDSHAKE_TIMEOUT_MS = 10_000
/** Connections to peers tagged keep-alive (introducers, bootstrap peers) never pruned, at most. */
export const DEFAULT_RESERVED_CONNECTIONS = 32
/** A connection this young is pruned last: it has not had time to open its streams. */
export const PRUNE_GRACE_MS = 10_000
/** This machine's addresses are read again at most this often. */
export const LOCAL_ADDRESSES_REFRESH_MS = 10_000
