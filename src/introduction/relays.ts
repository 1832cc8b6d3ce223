/**
 * Relays of records learned by sync onto gossip, so the rest of our side hears them now
 * rather than at the next anti-entropy round or the publisher's next refresh. They are
 * paced (RELAYS_PER_SECOND), so that a node that learns many records at once (a healed
 * partition) does not queue them all on gossipsub's streams in one go; the queue is
 * bounded (MAX_PENDING_SYNC_RELAYS), and what it drops anti-entropy repairs. A record is
 * not relayed when the peer that synced it to us is the topic's only subscriber we know:
 * it has the record, so a late joiner connected to one node sends nothing back.
 *
 * The one special case relays need lives here too: when a gossip copy of a relayed record
 * reaches gossipsub before our own publish, gossipsub refuses our publish as a duplicate,
 * and our validator would then ignore its copy as a duplicate as well — nobody would
 * forward it. `claim()` lets the validator accept (and so forward) that one copy.
 */
import { describeError } from '../errors.js'
import { fastMessageId } from '../gossip/message-id.js'
import { serviceTopic } from '../gossip/topic.js'
import { MAX_PENDING_SYNC_RELAYS, RELAYS_PER_SECOND } from './constants.js'
import type { GossipSub } from '@libp2p/gossipsub'
import type { Logger, PeerId, Startable } from '@libp2p/interface'

/** Relays go out in batches this often. */
const RELAY_TICK_MS = 50

export class SyncRelays implements Startable {
  /** Message ids of relayed records, oldest first. */
  private readonly relayed = new Set<string>()
  private queue: Array<{ data: Uint8Array, service: string, from: PeerId }> = []
  private timer?: ReturnType<typeof setTimeout>
  private started = false
  dropped = 0
  /** Relays left out because no subscriber but the record's sender would get them. */
  unneeded = 0

  constructor (private readonly pubsub: GossipSub, private readonly grid: string, private readonly log: Logger) {}

  start (): void {
    this.started = true
  }

  stop (): void {
    this.started = false
    clearTimeout(this.timer)
    this.timer = undefined
    this.queue = []
  }

  /** Queues a record (exact bytes) that `from` synced to us, for its service's topic; never throws. */
  relay (data: Uint8Array, service: string, from: PeerId): void {
    if (!this.started) {
      return
    }
    this.queue.push({ data, service, from })
    if (this.queue.length > MAX_PENDING_SYNC_RELAYS) {
      this.queue.shift()
      this.dropped++
    }
    this.timer ??= setTimeout(this.drain, 0)
  }

  /** True (once) when `data` is a record this node relayed after a sync. */
  claim (data: Uint8Array): boolean {
    return this.relayed.delete(fastMessageId({ data }))
  }

  private readonly drain = (): void => {
    this.timer = undefined
    const batch = this.queue.splice(0, Math.max(1, Math.round(RELAYS_PER_SECOND * RELAY_TICK_MS / 1000)))
    for (const { data, service, from } of batch) {
      const topic = serviceTopic(this.grid, service)
      if (this.pubsub.getSubscribers(topic).every(peer => peer.equals(from))) {
        this.unneeded++
        continue
      }
      this.relayed.add(fastMessageId({ data }))
      if (this.relayed.size > MAX_PENDING_SYNC_RELAYS) {
        this.relayed.delete(this.relayed.values().next().value as string)
      }
      this.pubsub.publish(topic, data).catch((err: unknown) => {
        this.log('relaying a synced %s record: %s', service, describeError(err))
      })
    }
    if (this.queue.length > 0 && this.started) {
      this.timer = setTimeout(this.drain, RELAY_TICK_MS)
    }
  }
}
