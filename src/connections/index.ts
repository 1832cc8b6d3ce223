/**
 * Connection slots (issue #10): per-host and per-peer limits on inbound connections, a
 * short handshake deadline, reserved slots for the peers a node keeps on purpose, and
 * pruning of the least useful connections instead of refusing newcomers, so that one
 * host cannot lock everyone else out. The rules are in admission.ts.
 *
 * libp2p takes a gater, connection manager settings and a service apart, so the factory
 * returns the three, made for each other:
 *
 * @example
 * ```ts
 * const slots = connectionSlots({ maxConnections: 300 })
 * const libp2p = await createLibp2p({
 *   connectionGater: slots.connectionGater,
 *   connectionManager: slots.connectionManager,
 *   services: { connectionSlots: slots.service }
 * })
 * ```
 */
import { ConnectionSlots } from './connection-slots.js'
import { SlotGater } from './gater.js'
import { LocalAddresses } from './host-key.js'
import { libp2pConnectionManagerInit, resolveSlotsOptions } from './options.js'
import type { Refusal } from './admission.js'
import type { ComponentLogger, ConnectionGater, Libp2pEvents, Metrics, PeerStore, TypedEventTarget } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'
import type { ConnectionManagerInit } from 'libp2p'

export type { Refusal } from './admission.js'

export interface ConnectionSlotsInit {
  /** Above this many connections, the least useful are closed. @default DEFAULT_MAX_CONNECTIONS (300) */
  maxConnections?: number
  /**
   * Connections (established or being set up) one host may hold: an IPv4 address or an
   * IPv6 /64. Not applied to this machine's own addresses.
   * @default DEFAULT_MAX_CONNECTIONS_PER_HOST (64)
   */
  maxConnectionsPerHost?: number
  /** Handshakes one host may have under way at once; not applied to this machine's own addresses. @default DEFAULT_MAX_PENDING_PER_HOST (16) */
  maxPendingPerHost?: number
  /**
   * Handshakes of one host that may end in a refusal (its peer over its limit) in a
   * second, before the host is refused before the handshake for the rest of that second.
   * @default DEFAULT_MAX_REFUSED_HANDSHAKES_PER_HOST (2)
   */
  maxRefusedHandshakesPerHost?: number
  /** Handshakes under way at once, from all hosts. @default DEFAULT_MAX_PENDING_CONNECTIONS (256) */
  maxPendingConnections?: number
  /** Connections one peer id may hold. @default DEFAULT_MAX_CONNECTIONS_PER_PEER (4) */
  maxConnectionsPerPeer?: number
  /** New inbound connections per host per second. @default DEFAULT_NEW_CONNECTIONS_PER_HOST_PER_SECOND (50) */
  newConnectionsPerHostPerSecond?: number
  /** An inbound connection from another host must complete its handshake within this. @default DEFAULT_HANDSHAKE_TIMEOUT_MS (5000) */
  handshakeTimeoutMs?: number
  /**
   * The same for connections from this machine's own addresses; at least `handshakeTimeoutMs`.
   * @default DEFAULT_LOCAL_HANDSHAKE_TIMEOUT_MS (10 000)
   */
  localHandshakeTimeoutMs?: number
  /**
   * Connections to peers tagged `keep-alive*` (introducers, bootstrap peers) that are
   * never pruned, at most. @default DEFAULT_RESERVED_CONNECTIONS (32)
   */
  reservedConnections?: number
}

export interface ConnectionSlotsComponents {
  connectionManager: ConnectionManager
  peerStore: PeerStore
  events: TypedEventTarget<Libp2pEvents>
  logger: ComponentLogger
  metrics?: Metrics
}

export interface ConnectionSlotsStats {
  /** Inbound connections refused since start, by limit. */
  refused: Partial<Record<Refusal, number>>
  /** Connections closed to stay within `maxConnections`. */
  pruned: number
  /** Inbound handshakes under way now. */
  pending: number
}

export interface ConnectionSlotsService {
  stats(): ConnectionSlotsStats
}

export interface ConnectionSlotsSetup {
  connectionGater: ConnectionGater
  connectionManager: ConnectionManagerInit
  service: (components: ConnectionSlotsComponents) => ConnectionSlotsService
}

/** Checks `init` (throws InvalidOptionError) and returns the gater, settings and service for one node. */
export function connectionSlots (init: ConnectionSlotsInit = {}): ConnectionSlotsSetup {
  const options = resolveSlotsOptions(init)
  const gater = new SlotGater(options, new LocalAddresses())
  return {
    connectionGater: gater,
    connectionManager: libp2pConnectionManagerInit(options),
    service: (components) => new ConnectionSlots(components, gater, options)
  }
}
