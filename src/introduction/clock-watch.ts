/**
 * Clock watch: notices publishers whose clocks look far off. Records expire by the
 * holder's own clock (announcement/expiry.ts), so a wrong clock harms nobody's view of
 * the grid; but its operator should hear of it. A record handed over on gossip by its
 * own publisher shows that publisher's clock offset to within the gossip delay; one
 * beyond CLOCK_SKEW_WARNING_MS is counted, and raised as a `peer:clock-skew` event (the
 * daemon logs it as a warning) at most once per publisher per CLOCK_SKEW_REPEAT_MS.
 */
import { TypedEventEmitter } from '@libp2p/interface'
import { CLOCK_SKEW_REPEAT_MS, CLOCK_SKEW_WARNING_MS, MAX_CLOCK_SKEW_WARNED } from './constants.js'
import type { ServicePeer } from '../peer-table.js'
import type { PeerId } from '@libp2p/interface'

/** A publisher whose clock looks far off. */
export interface ClockSkew {
  peerId: PeerId
  service: string
  /** The publisher's clock minus ours, in ms: positive when it is ahead. */
  offsetMs: number
}

export interface ClockWatchEvents {
  'peer:clock-skew': CustomEvent<ClockSkew>
}

export class ClockWatch extends TypedEventEmitter<ClockWatchEvents> {
  /** Publisher → when it was last raised; oldest first (a Map keeps insertion order). */
  private readonly warned = new Map<string, number>()
  private skewed = 0

  constructor (private readonly now: () => number) {
    super()
  }

  /** Records from far-off clocks seen so far (for metrics). */
  get count (): number {
    return this.skewed
  }

  /** Looks at an entry just taken from `from`; only its publisher's own hand-over counts. */
  observe (peer: ServicePeer, from: PeerId): void {
    if (!peer.peerId.equals(from) || Math.abs(peer.clockOffsetMs) <= CLOCK_SKEW_WARNING_MS) {
      return
    }
    this.skewed++
    const key = peer.peerId.toString()
    const now = this.now()
    const last = this.warned.get(key)
    if (last != null && now - last < CLOCK_SKEW_REPEAT_MS) {
      return
    }
    this.warned.delete(key)
    this.warned.set(key, now)
    if (this.warned.size > MAX_CLOCK_SKEW_WARNED) {
      const oldest = this.warned.keys().next().value
      if (oldest != null) this.warned.delete(oldest)
    }
    this.safeDispatchEvent('peer:clock-skew', { detail: { peerId: peer.peerId, service: peer.service, offsetMs: peer.clockOffsetMs } })
  }
}
