/**
 * Which addresses the ConnectionKeeper may dial now (issue #10, amplification). An
 * `introducer` record is signed by its publisher, but nothing proves the publisher is at
 * the addresses it names: 300 Sybil keys may all name one third party's host:port, and
 * every node that keeps connections to introducers would dial it, forever. So:
 *
 * - backoff is per address (host:port) as well as per peer: one failing address waits,
 *   whichever keys name it;
 * - an address is *confirmed* when this node has had a connection with the publisher at
 *   it (outbound to that host:port, or inbound from that host); confirmed addresses are
 *   dialled at full rate, others only within a budget of dials to new addresses for the
 *   whole node (a token bucket), and their backoff grows further;
 * - what was confirmed is remembered (bounded), so introducers that answered before are
 *   preferred over ones never reached.
 *
 * Pure: no timers, no I/O; time comes from the caller.
 */
import { CODE_P2P, type Multiaddr } from '@multiformats/multiaddr'
import { tryGetNetConfig } from '@libp2p/utils'
import { remoteIp } from '../connections/host-key.js'
import {
  MAX_DIAL_ADDRESSES, MAX_REMEMBERED_PEERS, NEW_ADDRESS_DIAL_BURST, NEW_ADDRESS_DIALS_PER_MINUTE, NEW_ADDRESS_RETRY_MAX_MS
} from './constants.js'

export interface DialPolicyInit {
  /** First wait after a failure, doubled per failure. */
  retryMs: number
  /** Longest wait for a confirmed address (or a configured one). */
  retryMaxMs: number
  /** Longest wait for an address never confirmed. @default NEW_ADDRESS_RETRY_MAX_MS (or retryMaxMs if longer) */
  newRetryMaxMs?: number
  /** @default NEW_ADDRESS_DIAL_BURST */
  newBurst?: number
  /** @default NEW_ADDRESS_DIALS_PER_MINUTE */
  newPerMinute?: number
}

/** The addresses of one target that may be dialled now, and whether they are confirmed. */
export interface DialPlan {
  multiaddrs: Multiaddr[]
  /** Every address in the plan was confirmed (or configured): no budget needed. */
  confirmed: boolean
}

/** Dials started and put off, by kind, since start (for metrics). */
export interface DialCounts {
  /** Dials of bootstrap entries or confirmed addresses. */
  confirmed: number
  /** Dials of addresses never confirmed, within the budget. */
  new: number
  /** Dials that failed. */
  failed: number
  /** Passes in which a dial of a new address was put off for the budget. */
  'over-budget': number
}

interface AddressState {
  failures: number
  nextAttemptAt: number
  inFlight: boolean
}

interface Confirmed {
  /** host:port keys this node dialled the peer at successfully. */
  addresses: Set<string>
  /** IPs the peer connected from. */
  hosts: Set<string>
}

/** host:port of an address (the transport's view), or the address without /p2p when not IP. */
export function addressKey (ma: Multiaddr): string {
  const bare = withoutPeer(ma)
  const config = tryGetNetConfig(bare)
  if (config != null && 'port' in config && config.port != null) {
    return `${config.host}:${config.port}`
  }
  return bare.toString()
}

/** `ma` without the /p2p/<id> it ends with (however many times: some lists repeat it). */
export function withoutPeer (ma: Multiaddr): Multiaddr {
  let out = ma
  for (let i = 0; i < 8 && out.getComponents().at(-1)?.code === CODE_P2P; i++) {
    out = out.decapsulateCode(CODE_P2P)
  }
  return out
}

/** `ma` ending in /p2p/`peer` (whatever peer id it named before). */
export function withPeer (ma: Multiaddr, peer: { toString(): string }): Multiaddr {
  return withoutPeer(ma).encapsulate(`/p2p/${peer.toString()}`)
}

export class DialPolicy {
  private readonly addresses = new Map<string, AddressState>()
  private readonly confirmed = new Map<string, Confirmed>()
  private tokens: number
  private tokensAt = -Infinity
  private readonly newRetryMaxMs: number
  private readonly burst: number
  private readonly perMs: number

  constructor (private readonly init: DialPolicyInit) {
    this.newRetryMaxMs = Math.max(init.retryMaxMs, init.newRetryMaxMs ?? NEW_ADDRESS_RETRY_MAX_MS)
    this.burst = init.newBurst ?? NEW_ADDRESS_DIAL_BURST
    this.perMs = (init.newPerMinute ?? NEW_ADDRESS_DIALS_PER_MINUTE) / 60_000
    this.tokens = this.burst
  }

  /** Whether this node has had a connection with `peer` (at any address). */
  knows (peer: string): boolean {
    return this.confirmed.has(peer)
  }

  /**
   * The addresses of `peer` that may be dialled now: the confirmed ones if any may be,
   * else the others if the budget allows (a token is taken). `configured`: addresses the
   * operator gave (bootstrap), confirmed by definition. `waiting`: every address is being
   * dialled or backing off; `over-budget`: only new addresses, and the budget is spent.
   */
  plan (peer: string, multiaddrs: readonly Multiaddr[], now: number, configured = false): DialPlan | 'waiting' | 'over-budget' {
    const open = multiaddrs.filter(ma => this.mayTry(addressKey(ma), now))
    if (open.length === 0) {
      return 'waiting'
    }
    const confirmed = configured ? open : open.filter(ma => this.isConfirmed(peer, ma))
    if (confirmed.length > 0) {
      return { multiaddrs: confirmed, confirmed: true }
    }
    if (!this.takeToken(now)) {
      return 'over-budget'
    }
    return { multiaddrs: open, confirmed: false }
  }

  /** Whether any of `multiaddrs` is confirmed for `peer`, dialable now or not. */
  confirmedAny (peer: string, multiaddrs: readonly Multiaddr[]): boolean {
    return multiaddrs.some(ma => this.isConfirmed(peer, ma))
  }

  /** Counts `multiaddrs` as confirmed for `peer` (a memory restored from the cache). */
  confirm (peer: string, multiaddrs: readonly Multiaddr[]): void {
    const entry = this.confirmed.get(peer) ?? { addresses: new Set<string>(), hosts: new Set<string>() }
    for (const ma of multiaddrs) {
      entry.addresses.add(addressKey(ma))
    }
    trim(entry.addresses)
    this.touch(this.confirmed, peer, entry, MAX_REMEMBERED_PEERS)
  }

  /** Whether `plan` would offer confirmed addresses of `peer` now (no token taken). */
  hasConfirmed (peer: string, multiaddrs: readonly Multiaddr[], now: number): boolean {
    return multiaddrs.some(ma => this.isConfirmed(peer, ma) && this.mayTry(addressKey(ma), now))
  }

  /** A dial of `plan` started. */
  started (plan: DialPlan): void {
    for (const ma of plan.multiaddrs) {
      const key = addressKey(ma)
      const state = this.addresses.get(key) ?? { failures: 0, nextAttemptAt: 0, inFlight: false }
      state.inFlight = true
      this.touch(this.addresses, key, state, MAX_DIAL_ADDRESSES)
    }
  }

  /** The dial of `plan` failed: each of its addresses waits, longer if never confirmed. Returns the longest wait. */
  failed (plan: DialPlan, now: number): number {
    let longest = 0
    for (const ma of plan.multiaddrs) {
      const state = this.addresses.get(addressKey(ma))
      if (state == null) {
        continue
      }
      state.inFlight = false
      state.failures++
      const max = plan.confirmed ? this.init.retryMaxMs : this.newRetryMaxMs
      const delay = Math.min(max, this.init.retryMs * 2 ** Math.min(30, state.failures - 1))
      state.nextAttemptAt = now + delay
      longest = Math.max(longest, delay)
    }
    return longest
  }

  /** The dial of `plan` ended with a connection (`remoteAddr`, or another one joined). */
  succeeded (plan: DialPlan): void {
    for (const ma of plan.multiaddrs) {
      this.addresses.delete(addressKey(ma))
    }
  }

  /** A connection with `peer` opened (either way): its address or host is confirmed. */
  connected (peer: string, remoteAddr: Multiaddr, direction: 'inbound' | 'outbound'): void {
    const entry = this.confirmed.get(peer) ?? { addresses: new Set<string>(), hosts: new Set<string>() }
    if (direction === 'outbound') {
      const key = addressKey(remoteAddr)
      entry.addresses.add(key)
      this.addresses.delete(key)
      trim(entry.addresses)
    } else {
      const ip = remoteIp(remoteAddr)
      if (ip != null) {
        entry.hosts.add(ip)
        trim(entry.hosts)
      }
    }
    this.touch(this.confirmed, peer, entry, MAX_REMEMBERED_PEERS)
  }

  private isConfirmed (peer: string, ma: Multiaddr): boolean {
    const entry = this.confirmed.get(peer)
    if (entry == null) {
      return false
    }
    if (entry.addresses.has(addressKey(ma))) {
      return true
    }
    const ip = remoteIp(withoutPeer(ma))
    return ip != null && entry.hosts.has(ip)
  }

  private mayTry (key: string, now: number): boolean {
    const state = this.addresses.get(key)
    return state == null || (!state.inFlight && state.nextAttemptAt <= now)
  }

  private takeToken (now: number): boolean {
    this.tokens = Math.min(this.burst, this.tokens + Math.max(0, now - this.tokensAt) * this.perMs)
    this.tokensAt = now
    if (this.tokens < 1) {
      return false
    }
    this.tokens -= 1
    return true
  }

  /** Re-inserts `key` as most recent; past `max`, the least recent entry is forgotten. */
  private touch<V> (map: Map<string, V>, key: string, value: V, max: number): void {
    map.delete(key)
    map.set(key, value)
    if (map.size > max) {
      const oldest = map.keys().next().value as string
      const state = map.get(oldest) as AddressState | undefined
      // an address being dialled is never forgotten: its end must find it
      if (state?.inFlight !== true) {
        map.delete(oldest)
      }
    }
  }
}

/** A peer's remembered addresses and hosts stay few (a publisher announces at most 16). */
function trim (set: Set<string>): void {
  while (set.size > 16) {
    set.delete(set.values().next().value as string)
  }
}
