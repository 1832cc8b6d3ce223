/**
 * Connection admission and pruning as pure functions (issue #10): who may open one more
 * connection, and which connections to close when there are too many.
 *
 * - A host (an IPv4 address or an IPv6 /64) may have at most `maxPendingPerHost`
 *   handshakes under way and hold at most `maxConnectionsPerHost` connections.
 * - A peer id may hold at most `maxConnectionsPerPeer` connections. That is known only
 *   after the handshake, which costs the node CPU: a host whose handshakes ended in such
 *   a refusal `maxRefusedHandshakesPerHost` times in the last second is refused before
 *   the handshake for the rest of it.
 * - When the node holds `maxConnections` or more, a newcomer is refused only if its host
 *   already holds as many connections as any other host; anyone else is let in, and
 *   `chooseVictims` then closes connections of the hosts holding the most. One host cannot
 *   lock everyone out by filling the node.
 *
 * Connections from this machine's own addresses are exempt from the two per-host limits:
 * a local process can bind any of 127.0.0.0/8 (or open sockets in any number), so a
 * per-host limit never bounds it, while all-loopback test grids and benchmarks (N=100
 * processes on 127.0.0.1) need a node to hold a connection from every other one. They
 * still count towards the total and the per-peer limit, and are pruned like any other.
 */

/** Why a connection was refused; the `stats()` key. */
export type Refusal = 'host-pending' | 'host-connections' | 'host-refused-handshakes' | 'peer-connections' | 'full'

export interface AdmissionLimits {
  maxConnections: number
  maxConnectionsPerHost: number
  maxPendingPerHost: number
  maxConnectionsPerPeer: number
  maxRefusedHandshakesPerHost: number
}

/** The host a new inbound connection comes from. */
export interface InboundHost {
  key: string
  /** One of this machine's own addresses: exempt from the per-host limits. */
  local: boolean
  /** Its handshakes that ended in a refusal in the last second. */
  refusedHandshakes: number
}

/** What the node holds, counted when a new inbound connection arrives. */
export interface HostCounts {
  /** Connections established or being set up, in total. */
  total: number
  /** The same, per host key. */
  byHost: ReadonlyMap<string, number>
  /** Handshakes under way, per host key. */
  pendingByHost: ReadonlyMap<string, number>
}

/** The refusal for a new inbound connection from `host`, or undefined to admit it (checked before the handshake). */
export function checkInbound (counts: HostCounts, host: InboundHost, limits: AdmissionLimits): Refusal | undefined {
  const held = counts.byHost.get(host.key) ?? 0
  if (!host.local && (counts.pendingByHost.get(host.key) ?? 0) >= limits.maxPendingPerHost) {
    return 'host-pending'
  }
  if (!host.local && held >= limits.maxConnectionsPerHost) {
    return 'host-connections'
  }
  if (!host.local && host.refusedHandshakes >= limits.maxRefusedHandshakesPerHost) {
    return 'host-refused-handshakes'
  }
  if (counts.total >= limits.maxConnections && held > 0 && held >= Math.max(...counts.byHost.values())) {
    return 'full'
  }
  return undefined
}

/** The refusal for a connection of a peer that already holds `held` connections. */
export function checkPeer (held: number, limits: AdmissionLimits): Refusal | undefined {
  return held >= limits.maxConnectionsPerPeer ? 'peer-connections' : undefined
}

/** What the pruner knows of one open connection. */
export interface SlotConnection {
  id: string
  host: string
  peer: string
  /** Kept on purpose (a reserved slot): never chosen. */
  protected: boolean
  /** Sum of the peer's tag values. */
  tagValue: number
  streams: number
  openedAt: number
}

/**
 * The connections to close so that at most `limit` remain: one at a time from the host
 * that holds the most connections at that point, and within a host the least useful
 * first — a peer's extra connections, then connections older than `graceMs` (a younger
 * one has not had time to open its streams), lower tag value, fewer streams, newer.
 * Protected connections are never chosen, so fewer may be returned than asked.
 */
export function chooseVictims (connections: readonly SlotConnection[], limit: number, now: number, graceMs: number): SlotConnection[] {
  const excess = connections.length - limit
  if (excess <= 0) {
    return []
  }
  const oldestOfPeer = new Map<string, SlotConnection>()
  for (const c of connections) {
    const seen = oldestOfPeer.get(c.peer)
    if (seen == null || c.openedAt < seen.openedAt) oldestOfPeer.set(c.peer, c)
  }
  const rank = (c: SlotConnection): number[] => [
    oldestOfPeer.get(c.peer) === c ? 1 : 0,
    now - c.openedAt < graceMs ? 1 : 0,
    c.tagValue,
    c.streams,
    -c.openedAt
  ]
  const byRank = (a: SlotConnection, b: SlotConnection): number => compareRanks(rank(a), rank(b))
  const held = new Map<string, number>()
  const candidates = new Map<string, SlotConnection[]>()
  for (const c of connections) {
    held.set(c.host, (held.get(c.host) ?? 0) + 1)
    if (!c.protected) {
      const list = candidates.get(c.host) ?? []
      list.push(c)
      candidates.set(c.host, list)
    }
  }
  for (const list of candidates.values()) list.sort(byRank)

  const victims: SlotConnection[] = []
  while (victims.length < excess) {
    let best: string | undefined
    for (const [host, list] of candidates) {
      if (list.length === 0) continue
      if (best == null) { best = host; continue }
      const diff = (held.get(host) ?? 0) - (held.get(best) ?? 0)
      if (diff > 0 || (diff === 0 && byRank(list[0], candidates.get(best)![0]) < 0)) best = host
    }
    if (best == null) break
    victims.push(candidates.get(best)!.shift()!)
    held.set(best, held.get(best)! - 1)
  }
  return victims
}

function compareRanks (a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return a[i] - b[i]
  }
  return 0
}
