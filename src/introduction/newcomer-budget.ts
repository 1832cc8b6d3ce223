/**
 * Budgets for new entries at the first hop (issue #10, Sybil keys): a record that would
 * add a (service, publisher) this node does not hold costs a token of the peer that
 * handed it over — on gossip or in a sync answer, whether that peer is the publisher or
 * a relay — and of that peer's host (an IPv4 address or IPv6 /64, from its connection;
 * this machine's own addresses are not counted, as the connection gater does not count
 * them). Over budget, the record is ignored, not rejected: a relay may be honest. Keys
 * are free in an open grid, so this only slows a Sybil down to the refill rate; what a
 * node holds is bounded by the peer table's caps, and admission is the defence that
 * keeps Sybils out.
 *
 * The bursts are generous so that honest grids never meet them: a relay forwarding a
 * few thousand servers that start at once, or an introducer catching up by sync from
 * one peer, stays within them.
 */
import { hostKey, LocalAddresses, remoteIp } from '../connections/host-key.js'
import { PublisherRateLimiter, type RateLimit } from '../gossip/rate-limit.js'
import { MAX_NEWCOMER_BUDGET_KEYS, NEW_ENTRIES_PER_HOST, NEW_ENTRIES_PER_PEER } from './constants.js'
import type { PeerId } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'

export interface NewcomerBudgetInit {
  /** @default NEW_ENTRIES_PER_PEER */
  perPeer?: RateLimit
  /** @default NEW_ENTRIES_PER_HOST */
  perHost?: RateLimit
  /** The host a peer's connection comes from; undefined: not counted by host. */
  hostOf?(peer: PeerId): string | undefined
}

export class NewcomerBudget {
  private readonly peers: PublisherRateLimiter
  private readonly hosts: PublisherRateLimiter

  constructor (private readonly init: NewcomerBudgetInit = {}) {
    this.peers = new PublisherRateLimiter(init.perPeer ?? NEW_ENTRIES_PER_PEER, MAX_NEWCOMER_BUDGET_KEYS)
    this.hosts = new PublisherRateLimiter(init.perHost ?? NEW_ENTRIES_PER_HOST, MAX_NEWCOMER_BUDGET_KEYS)
  }

  /** Takes a token of `from` and of its host; false (nothing taken from the host) when either is spent. */
  take (from: PeerId, now: number): boolean {
    if (!this.peers.take(from.toString(), now)) {
      return false
    }
    const host = this.init.hostOf?.(from)
    return host == null || this.hosts.take(host, now)
  }
}

/**
 * `hostOf` for NewcomerBudget: the host key of the peer's (first) connection, undefined
 * for this machine's own addresses and for peers not connected.
 */
export function connectionHost (connectionManager: Pick<ConnectionManager, 'getConnections'>, local = new LocalAddresses()): (peer: PeerId) => string | undefined {
  return (peer) => {
    const addr = connectionManager.getConnections(peer)[0]?.remoteAddr
    const ip = addr != null ? remoteIp(addr) : undefined
    return ip == null || local.has(ip) ? undefined : hostKey(ip)
  }
}
