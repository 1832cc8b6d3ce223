/**
 * The services this node follows: one gossipsub topic each, with its topic validator (the
 * gate into intake) and our score parameters. The configured services (and, for an
 * introducer, the predefined ones) and those `subscribeTo` adds are pinned; an introducer
 * also tries the services of its grid that peers subscribe to, and follows those of which
 * a valid record arrives, within a budget of its own (auto-follow.ts). A `subscribed`
 * event tells the sync part to catch up on a service joined after start.
 */
import { TypedEventEmitter, type Logger, type Startable } from '@libp2p/interface'
import { repeatingTask, type RepeatingTask } from '@libp2p/utils'
import { AnnouncementRejection } from '../announcement/rejection.js'
import { describeError, TooManyServicesError } from '../errors.js'
import { scoreTopic } from '../gossip/scoring.js'
import { parseServiceTopic, serviceTopic } from '../gossip/topic.js'
import { createTopicValidator } from '../gossip/validator.js'
import { AutoFollow } from './auto-follow.js'
import { AUTO_FOLLOW_CHECK_MS, MAX_FOLLOWED_SERVICES } from './constants.js'
import type { Intake } from './intake.js'
import type { SyncRelays } from './relays.js'
import type { PeerTable, ServicePeer } from '../peer-table.js'
import type { GossipSub } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'

export interface SubscriptionsEvents {
  /** A service followed after start: catch up on what others hold of it. */
  subscribed: CustomEvent<string>
}

export interface SubscriptionsInit {
  grid: string
  /** Services followed from start. */
  services: string[]
  /** The introducer role: try every service of the grid that a peer subscribes to, and follow those in use. */
  followAll: boolean
  now(): number
}

/** What the subscriptions read of the table: which services have records. */
export type ServiceEntries = Pick<PeerTable, 'sizes' | 'addEventListener' | 'removeEventListener'>

/** The names of the services followed, bounded by MAX_FOLLOWED_SERVICES; intake reads it. */
export class FollowedServices {
  private readonly names = new Set<string>()

  has (service: string): boolean {
    return this.names.has(service)
  }

  get size (): number {
    return this.names.size
  }

  list (): string[] {
    return [...this.names]
  }

  /** Throws TooManyServicesError past the limit. */
  add (service: string): void {
    if (!this.names.has(service) && this.names.size >= MAX_FOLLOWED_SERVICES) {
      throw new TooManyServicesError(`cannot subscribe to ${service}: this node already follows ${this.names.size} services, the most one sync request can name`)
    }
    this.names.add(service)
  }

  delete (service: string): void {
    this.names.delete(service)
  }

  clear (): void {
    this.names.clear()
  }
}

export class Subscriptions extends TypedEventEmitter<SubscriptionsEvents> implements Startable {
  private started = false
  /** Services followed whatever happens: configured, predefined, or asked for by `subscribeTo`. */
  private readonly pinned = new Set<string>()
  private readonly auto = new AutoFollow()
  private readonly check: RepeatingTask

  constructor (
    private readonly pubsub: GossipSub,
    private readonly followed: FollowedServices,
    private readonly intake: Intake,
    private readonly relays: SyncRelays,
    private readonly entries: ServiceEntries,
    private readonly init: SubscriptionsInit,
    private readonly log: Logger
  ) {
    super()
    this.check = repeatingTask(() => { this.step() }, AUTO_FOLLOW_CHECK_MS)
  }

  start (): void {
    // topics are joined in afterStart
  }

  /** gossipsub is only sure to run after libp2p's start, so topics are joined here. */
  afterStart (): void {
    this.started = true
    for (const service of this.init.services) {
      this.pinned.add(service)
      this.join(service)
    }
    if (this.init.followAll) {
      this.pubsub.addEventListener('subscription-change', this.onSubscriptionChange)
      this.entries.addEventListener('peer:added', this.onAdded)
      this.check.start()
    }
  }

  /**
   * Follows a service for good; true when it was not followed before. A service joined on
   * our own gives way if there is no room. Throws TooManyServicesError past the limit.
   */
  add (service: string): boolean {
    if (this.followed.has(service)) {
      if (!this.pinned.has(service)) {
        this.auto.forget(service)
        this.pinned.add(service)
      }
      return false
    }
    if (this.followed.size >= MAX_FOLLOWED_SERVICES) {
      const victim = this.auto.victim()
      if (victim != null) {
        this.log('leaving service %s to make room for %s', victim, service)
        this.leave(victim)
      }
    }
    this.join(service)
    this.pinned.add(service)
    this.safeDispatchEvent('subscribed', { detail: service })
    return true
  }

  /** Services joined on our own: waiting, being tried, followed. */
  autoFollowCounts (): { pending: number, candidates: number, followed: number } {
    return this.auto.counts()
  }

  /** Leaves every topic while gossipsub still runs (libp2p stops components in parallel). */
  beforeStop (): void {
    this.leaveAll()
  }

  stop (): void {
    this.started = false
    this.check.stop()
    this.pubsub.removeEventListener('subscription-change', this.onSubscriptionChange)
    this.entries.removeEventListener('peer:added', this.onAdded)
    this.leaveAll()
  }

  private join (service: string): void {
    const topic = serviceTopic(this.init.grid, service)
    this.followed.add(service)
    this.pubsub.topicValidators.set(topic, createTopicValidator(service, {
      ingest: async (data: Uint8Array, topicService: string, from: PeerId) => {
        try {
          return await this.intake.ingest(data, { via: 'gossip', service: topicService, from })
        } catch (err) {
          // a gossip copy of a record we just took by sync and relayed: our relay was
          // refused as a duplicate if this copy reached gossipsub first, so forward it
          if (err instanceof AnnouncementRejection && err.code === 'duplicate' && this.relays.claim(data)) {
            return undefined
          }
          throw err
        }
      }
    }))
    this.pubsub.subscribe(topic)
    scoreTopic(this.pubsub, topic)
  }

  private leave (service: string): void {
    const topic = serviceTopic(this.init.grid, service)
    this.followed.delete(service)
    this.pubsub.topicValidators.delete(topic)
    try {
      this.pubsub.unsubscribe(topic)
    } catch (err) {
      this.log('leaving %s: %s', topic, describeError(err))
    }
  }

  private leaveAll (): void {
    for (const service of this.followed.list()) {
      this.leave(service)
      this.auto.forget(service)
    }
    this.followed.clear()
    this.pinned.clear()
  }

  /** Services this node may join on its own beside the pinned ones. */
  private room (): number {
    return MAX_FOLLOWED_SERVICES - this.pinned.size
  }

  /** Joins and leaves what AutoFollow says is due. Never throws. */
  private step (): void {
    if (!this.started) {
      return
    }
    const sizes = this.entries.sizes()
    const { join, leave } = this.auto.step(this.init.now(), {
      subscribers: (service) => this.pubsub.getSubscribers(serviceTopic(this.init.grid, service)).map(String),
      liveEntries: (service) => sizes.get(service) ?? 0
    }, this.room())
    for (const service of leave) {
      this.log('introducer leaves service %s (no record of it, or none live for a while)', service)
      this.leave(service)
    }
    for (const service of join) {
      if (this.followed.size >= MAX_FOLLOWED_SERVICES) {
        this.auto.forget(service)
        continue
      }
      this.log('introducer tries service %s', service)
      this.join(service)
      this.safeDispatchEvent('subscribed', { detail: service })
    }
  }

  private readonly onAdded = (evt: CustomEvent<ServicePeer>): void => {
    if (this.auto.accepted(evt.detail.service, this.room())) {
      this.log('introducer follows service %s', evt.detail.service)
    }
  }

  private readonly onSubscriptionChange = (evt: CustomEvent<{ subscriptions: Array<{ topic: string, subscribe: boolean }> }>): void => {
    if (!this.started) {
      return
    }
    let seen = false
    for (const { topic, subscribe } of evt.detail.subscriptions) {
      const parsed = parseServiceTopic(topic)
      if (subscribe && parsed?.grid === this.init.grid && !this.followed.has(parsed.service)) {
        this.auto.seen(parsed.service)
        seen = true
      }
    }
    if (seen) {
      this.step()
    }
  }
}
