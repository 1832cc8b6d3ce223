/**
 * Bounds on what one connection may make us read and keep. Every field is optional in
 * `FoolscapLimits`; `resolveLimits` fills in the defaults once.
 */
import * as C from './constants.js'
import { InvalidOptionError } from '../errors.js'

export interface FoolscapLimits {
  /** Longest STRING token. @default 262144 */
  maxStringBytes?: number
  /** Most items in one list, tuple, set or dict (entries). @default 10000 */
  maxContainerItems?: number
  /** Deepest nesting of OPEN sequences. @default 32 */
  maxDepth?: number
  /** Largest top-level message (call, answer, error). @default 16 MiB */
  maxMessageBytes?: number
  /** Bytes one connection may send us in its life; past it, it is closed (peers reconnect). @default 256 MiB */
  maxConnectionBytes?: number
  /** Bytes queued to a peer that does not read; past it, the connection is dropped. @default 32 MiB */
  maxWriteBufferBytes?: number
  /** Calls from the peer being handled at once; one more closes the connection. @default 32 */
  maxInboundCalls?: number
  /** Our calls waiting for answers on one connection. @default 256 */
  maxOutboundCalls?: number
  /** References kept per connection, each way. @default 1024 */
  maxReferences?: number
  /** Time to complete negotiation. @default 30000 */
  negotiationTimeoutMs?: number
  /** Send a PING after this much silence. @default 240000 */
  keepaliveMs?: number
  /** Drop a connection silent this long. @default 600000 */
  idleTimeoutMs?: number
  /** Fail our call if unanswered this long. @default 60000 */
  callTimeoutMs?: number
  /** Established connections a listening tub keeps. @default 1000 */
  maxConnections?: number
  /** Connections in negotiation at once. @default 64 */
  maxNegotiating?: number
}

export type ResolvedLimits = Required<FoolscapLimits>

export function resolveLimits (l: FoolscapLimits = {}): ResolvedLimits {
  const r: ResolvedLimits = {
    maxStringBytes: l.maxStringBytes ?? C.DEFAULT_MAX_STRING_BYTES,
    maxContainerItems: l.maxContainerItems ?? C.DEFAULT_MAX_CONTAINER_ITEMS,
    maxDepth: l.maxDepth ?? C.DEFAULT_MAX_DEPTH,
    maxMessageBytes: l.maxMessageBytes ?? C.DEFAULT_MAX_MESSAGE_BYTES,
    maxConnectionBytes: l.maxConnectionBytes ?? C.DEFAULT_MAX_CONNECTION_BYTES,
    maxWriteBufferBytes: l.maxWriteBufferBytes ?? 32 * 1024 * 1024,
    maxInboundCalls: l.maxInboundCalls ?? C.DEFAULT_MAX_INBOUND_CALLS,
    maxOutboundCalls: l.maxOutboundCalls ?? C.DEFAULT_MAX_OUTBOUND_CALLS,
    maxReferences: l.maxReferences ?? C.DEFAULT_MAX_REFERENCES,
    negotiationTimeoutMs: l.negotiationTimeoutMs ?? C.DEFAULT_NEGOTIATION_TIMEOUT_MS,
    keepaliveMs: l.keepaliveMs ?? C.DEFAULT_KEEPALIVE_MS,
    idleTimeoutMs: l.idleTimeoutMs ?? C.DEFAULT_IDLE_TIMEOUT_MS,
    callTimeoutMs: l.callTimeoutMs ?? C.DEFAULT_CALL_TIMEOUT_MS,
    maxConnections: l.maxConnections ?? C.DEFAULT_MAX_CONNECTIONS,
    maxNegotiating: l.maxNegotiating ?? C.DEFAULT_MAX_NEGOTIATING
  }
  for (const [k, v] of Object.entries(r)) {
    if (!Number.isInteger(v) || v <= 0) throw new InvalidOptionError(k, `must be a positive integer, got ${v}`)
  }
  if (r.idleTimeoutMs <= r.keepaliveMs) throw new InvalidOptionError('idleTimeoutMs', 'must be longer than keepaliveMs')
  return r
}
