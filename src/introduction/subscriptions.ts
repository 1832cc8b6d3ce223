/**
 * The services this node follows: one gossipsub topic each, with its topic validator (the
 * gate into intake) and our score parameters; for an introducer, every service of the
 * grid it sees used. A `subscribed` event tells the sync part to catch up on a service
 * followed after start.
 */
import { TypedEventEmitter, type Logger, type Startable } from '@libp2p/interface'
import { AnnouncementRejection } from '../announcement/rejection.js'
import { describeError, TooManyServicesError } from '../errors.js'
import { scoreTopic } from '../gossip/scoring.js'
import { parseServiceTopic, serviceTopic } from '../gossip/topic.js'
import { createTopicValidator } from '../gossip/validator.js'
import { MAX_FOLLOWED_SERVICES } from './constants.js'
import type { Intake } from './intake.js'
import type { SyncRelays } from './relays.js'
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
  /** The introducer role: follow every service of the grid that a peer subscribes to. */
  followAll: boolean
}

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

  clear (): void {
    this.names.clear()
  }
}

export class Subscriptions extends TypedEventEmitter<SubscriptionsEvents> implements Startable {
  private started = false

  constructor (
    private readonly pubsub: GossipSub,
    private readonly followed: FollowedServices,
    private readonly intake: Intake,
    private readonly relays: SyncRelays,
    private readonly init: SubscriptionsInit,
    private readonly log: Logger
  ) {
    super()
  }

  start (): void {
    // topics are joined in afterStart
  }

  /** gossipsub is only sure to run after libp2p's start, so topics are joined here. */
  afterStart (): void {
    this.started = true
    for (const service of this.init.services) {
      this.join(service)
    }
    this.pubsub.addEventListener('subscription-change', this.onSubscriptionChange)
  }

  /** Follows a service; true when it was new. Throws TooManyServicesError past the limit. */
  add (service: string): boolean {
    if (this.followed.has(service)) {
      return false
    }
    this.join(service)
    this.safeDispatchEvent('subscribed', { detail: service })
    return true
  }

  /** Leaves every topic while gossipsub still runs (libp2p stops components in parallel). */
  beforeStop (): void {
    this.leaveAll()
  }

  stop (): void {
    this.started = false
    this.pubsub.removeEventListener('subscription-change', this.onSubscriptionChange)
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

  private leaveAll (): void {
    for (const service of this.followed.list()) {
      const topic = serviceTopic(this.init.grid, service)
      this.pubsub.topicValidators.delete(topic)
      try {
        this.pubsub.unsubscribe(topic)
      } catch (err) {
        this.log('leaving %s: %s', topic, describeError(err))
      }
    }
    this.followed.clear()
  }

  private readonly onSubscriptionChange = (evt: CustomEvent<{ subscriptions: Array<{ topic: string, subscribe: boolean }> }>): void => {
    if (!this.started || !this.init.followAll) {
      return
    }
    for (const { topic, subscribe } of evt.detail.subscriptions) {
      const parsed = parseServiceTopic(topic)
      if (subscribe && parsed?.grid === this.init.grid && !this.followed.has(parsed.service) && this.followed.size < MAX_FOLLOWED_SERVICES) {
        this.log('introducer follows service %s', parsed.service)
        this.add(parsed.service)
      }
    }
  }
}
