/**
 * Which services an introducer follows on its own (issue #10, junk topics). Anyone can
 * subscribe to any topic name, so a topic a peer joins is only a *candidate*: the
 * introducer joins it for a while (so that a record can reach it at all) and follows it
 * for good only once a valid record of it entered the table. Bounds:
 *
 * - at most `maxCandidates` candidates at once, at most `maxPerPeer` of them on behalf of
 *   any one subscriber, each for `candidateWindowMs` at most, and none whose topic nobody
 *   subscribes to any more; the rest wait, oldest first, in a bounded queue;
 * - a followed service with no live entry for `idleMs` is left again;
 * - the services the node was configured with (and the predefined ones) are not counted
 *   here at all: the caller gives the room left beside them.
 *
 * Pure: no timers, no I/O; the caller joins and leaves topics as `step` says.
 */
import {
  AUTO_FOLLOW_IDLE_MS, CANDIDATE_WINDOW_MS, MAX_CANDIDATE_SERVICES, MAX_CANDIDATES_PER_PEER, MAX_PENDING_SERVICES
} from './constants.js'

export interface AutoFollowInit {
  /** @default MAX_CANDIDATE_SERVICES */
  maxCandidates?: number
  /** @default MAX_CANDIDATES_PER_PEER */
  maxPerPeer?: number
  /** @default CANDIDATE_WINDOW_MS */
  candidateWindowMs?: number
  /** @default AUTO_FOLLOW_IDLE_MS */
  idleMs?: number
  /** @default MAX_PENDING_SERVICES */
  maxPending?: number
}

/** What `step` needs to know of the world. */
export interface ServiceView {
  /** Peers (other than this node) that subscribe to the service's topic now. */
  subscribers(service: string): string[]
  /** Live entries of the service in the table. */
  liveEntries(service: string): number
}

export interface Step {
  /** Services to join as candidates. */
  join: string[]
  /** Candidates and followed services to leave. */
  leave: string[]
}

interface Candidate { since: number, by: string }

export class AutoFollow {
  /** Services some peer subscribed to, waiting for a candidate slot, oldest first. */
  private readonly pending = new Set<string>()
  private readonly candidates = new Map<string, Candidate>()
  /** Followed services, with when they were last seen without a live entry. */
  private readonly followed = new Map<string, { idleSince?: number }>()
  private readonly maxCandidates: number
  private readonly maxPerPeer: number
  private readonly windowMs: number
  private readonly idleMs: number
  private readonly maxPending: number

  constructor (init: AutoFollowInit = {}) {
    this.maxCandidates = init.maxCandidates ?? MAX_CANDIDATE_SERVICES
    this.maxPerPeer = init.maxPerPeer ?? MAX_CANDIDATES_PER_PEER
    this.windowMs = init.candidateWindowMs ?? CANDIDATE_WINDOW_MS
    this.idleMs = init.idleMs ?? AUTO_FOLLOW_IDLE_MS
    this.maxPending = init.maxPending ?? MAX_PENDING_SERVICES
  }

  /** Joined on our own: candidates and followed services. */
  get size (): number {
    return this.candidates.size + this.followed.size
  }

  isCandidate (service: string): boolean {
    return this.candidates.has(service)
  }

  isFollowed (service: string): boolean {
    return this.followed.has(service)
  }

  /** Candidates and followed services, for metrics. */
  counts (): { pending: number, candidates: number, followed: number } {
    return { pending: this.pending.size, candidates: this.candidates.size, followed: this.followed.size }
  }

  /** A peer subscribed to `service` (not one we follow): it waits for a candidate slot. */
  seen (service: string): void {
    if (this.candidates.has(service) || this.followed.has(service)) {
      return
    }
    this.pending.delete(service)
    this.pending.add(service)
    if (this.pending.size > this.maxPending) {
      this.pending.delete(this.pending.values().next().value as string)
    }
  }

  /**
   * A record of `service` entered the table. A candidate is followed from now on if
   * there is room (`room`: slots left beside the configured services, of which
   * `maxCandidates` stay for candidates); returns true then.
   */
  accepted (service: string, room: number): boolean {
    if (!this.candidates.has(service) || this.followed.size >= room - this.maxCandidates) {
      return false // full of services in use: it stays a candidate until its window ends
    }
    this.candidates.delete(service)
    this.followed.set(service, {})
    return true
  }

  /** Forgets `service` (left for another reason, e.g. the user subscribed to it). */
  forget (service: string): void {
    this.pending.delete(service)
    this.candidates.delete(service)
    this.followed.delete(service)
  }

  /** The least useful service joined on our own (a candidate first), to make room; forgotten. */
  victim (): string | undefined {
    const service = this.candidates.keys().next().value ?? this.evictIdle() ?? this.followed.keys().next().value
    if (service != null) {
      this.forget(service)
    }
    return service
  }

  /**
   * What to join and leave now: candidates past their window or without subscribers
   * and idle followed services go; free candidate slots are filled from the queue.
   * `room`: services this node may join on its own beside the configured ones.
   */
  step (now: number, view: ServiceView, room: number): Step {
    const leave: string[] = []
    for (const [service, candidate] of this.candidates) {
      const subscribers = view.subscribers(service)
      if (subscribers.length === 0 || now - candidate.since >= this.windowMs) {
        this.candidates.delete(service)
        leave.push(service)
        if (subscribers.length > 0) {
          this.seen(service) // another turn, after the others
        }
      }
    }
    for (const [service, state] of this.followed) {
      if (view.liveEntries(service) > 0) {
        state.idleSince = undefined
      } else if (state.idleSince == null) {
        state.idleSince = now
      } else if (now - state.idleSince >= this.idleMs) {
        this.followed.delete(service)
        leave.push(service)
      }
    }
    const join: string[] = []
    const byPeer = new Map<string, number>()
    for (const { by } of this.candidates.values()) {
      byPeer.set(by, (byPeer.get(by) ?? 0) + 1)
    }
    for (const service of this.pending) {
      if (this.candidates.size >= this.maxCandidates || this.size >= room) {
        break
      }
      const subscribers = view.subscribers(service)
      if (subscribers.length === 0) {
        this.pending.delete(service)
        continue
      }
      const by = subscribers.find(peer => (byPeer.get(peer) ?? 0) < this.maxPerPeer)
      if (by == null) {
        continue // its subscribers have their share of candidates already
      }
      this.pending.delete(service)
      this.candidates.set(service, { since: now, by })
      byPeer.set(by, (byPeer.get(by) ?? 0) + 1)
      join.push(service)
    }
    return { join, leave }
  }

  /** The followed service idle longest, forgotten; undefined when every one is in use. */
  private evictIdle (): string | undefined {
    let oldest: [string, number] | undefined
    for (const [service, state] of this.followed) {
      if (state.idleSince != null && (oldest == null || state.idleSince < oldest[1])) {
        oldest = [service, state.idleSince]
      }
    }
    if (oldest != null) {
      this.followed.delete(oldest[0])
    }
    return oldest?.[0]
  }
}
