/** Connection limits, resolved once with their defaults and checked. */
import { InvalidOptionError } from '../errors.js'
import {
  DEFAULT_HANDSHAKE_TIMEOUT_MS, DEFAULT_LOCAL_HANDSHAKE_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_HOST, DEFAULT_MAX_CONNECTIONS_PER_PEER,
  DEFAULT_MAX_PENDING_CONNECTIONS, DEFAULT_MAX_PENDING_PER_HOST, DEFAULT_MAX_REFUSED_HANDSHAKES_PER_HOST, DEFAULT_NEW_CONNECTIONS_PER_HOST_PER_SECOND,
  DEFAULT_RESERVED_CONNECTIONS, PRUNE_MARGIN
} from './constants.js'
import type { AdmissionLimits } from './admission.js'
import type { ConnectionSlotsInit } from './index.js'
import type { ConnectionManagerInit } from 'libp2p'

export interface ResolvedSlots extends AdmissionLimits {
  maxPendingConnections: number
  newConnectionsPerHostPerSecond: number
  handshakeTimeoutMs: number
  localHandshakeTimeoutMs: number
  reservedConnections: number
}

export function resolveSlotsOptions (init: ConnectionSlotsInit = {}): ResolvedSlots {
  const whole = (name: keyof ConnectionSlotsInit, dflt: number, min: number, max: number): number => {
    const value = init[name] ?? dflt
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new InvalidOptionError(`connections.${name}`, `must be a whole number from ${min} to ${max}, not ${value}`)
    }
    return value
  }
  const maxConnections = whole('maxConnections', DEFAULT_MAX_CONNECTIONS, 1, 100_000)
  const handshakeTimeoutMs = whole('handshakeTimeoutMs', DEFAULT_HANDSHAKE_TIMEOUT_MS, 100, 120_000)
  return {
    maxConnections,
    maxConnectionsPerHost: whole('maxConnectionsPerHost', Math.min(DEFAULT_MAX_CONNECTIONS_PER_HOST, maxConnections), 1, maxConnections),
    maxPendingPerHost: whole('maxPendingPerHost', DEFAULT_MAX_PENDING_PER_HOST, 1, 10_000),
    maxConnectionsPerPeer: whole('maxConnectionsPerPeer', DEFAULT_MAX_CONNECTIONS_PER_PEER, 1, 100),
    maxRefusedHandshakesPerHost: whole('maxRefusedHandshakesPerHost', DEFAULT_MAX_REFUSED_HANDSHAKES_PER_HOST, 1, 10_000),
    maxPendingConnections: whole('maxPendingConnections', DEFAULT_MAX_PENDING_CONNECTIONS, 1, 100_000),
    newConnectionsPerHostPerSecond: whole('newConnectionsPerHostPerSecond', DEFAULT_NEW_CONNECTIONS_PER_HOST_PER_SECOND, 1, 100_000),
    handshakeTimeoutMs,
    localHandshakeTimeoutMs: whole('localHandshakeTimeoutMs', Math.max(DEFAULT_LOCAL_HANDSHAKE_TIMEOUT_MS, handshakeTimeoutMs), handshakeTimeoutMs, 120_000),
    reservedConnections: whole('reservedConnections', Math.min(DEFAULT_RESERVED_CONNECTIONS, maxConnections), 0, maxConnections)
  }
}

/**
 * libp2p's own connection manager settings that go with the limits: its door
 * (`maxConnections`) stands PRUNE_MARGIN above ours so that newcomers get in and our
 * pruner makes room; its pending limit is the total one (ours are per host); its
 * handshake deadline is the local one (the gater applies the shorter remote one).
 */
export function libp2pConnectionManagerInit (options: ResolvedSlots): ConnectionManagerInit {
  return {
    maxConnections: options.maxConnections + PRUNE_MARGIN,
    maxIncomingPendingConnections: options.maxPendingConnections,
    inboundConnectionThreshold: options.newConnectionsPerHostPerSecond,
    inboundUpgradeTimeout: options.localHandshakeTimeoutMs
  }
}
