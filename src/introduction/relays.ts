/**
 * Relays of records learned by sync onto gossip, so the rest of our side hears them now
 * rather than at the publisher's next refresh. The one special case they need lives here
 * too: when a gossip copy of a relayed record reaches gossipsub before our own publish,
 * gossipsub refuses our publish as a duplicate, and our validator would then ignore its
 * copy as a duplicate as well — nobody would forward it. `claim()` lets the validator
 * accept (and so forward) that one copy.
 */
import { describeError } from '../errors.js'
import { fastMessageId } from '../gossip/message-id.js'
import { serviceTopic } from '../gossip/topic.js'
import { MAX_PENDING_SYNC_RELAYS } from './constants.js'
import type { GossipSub } from '@libp2p/gossipsub'
import type { Logger } from '@libp2p/interface'

export class SyncRelays {
  /** Message ids of relayed records, oldest first. */
  private readonly relayed = new Set<string>()

  constructor (private readonly pubsub: GossipSub, private readonly grid: string, private readonly log: Logger) {}

  /** Publishes a record (exact bytes) on its service's topic; never throws. */
  relay (data: Uint8Array, service: string): void {
    this.relayed.add(fastMessageId({ data }))
    if (this.relayed.size > MAX_PENDING_SYNC_RELAYS) {
      this.relayed.delete(this.relayed.values().next().value as string)
    }
    this.pubsub.publish(serviceTopic(this.grid, service), data).catch((err: unknown) => {
      this.log('relaying a synced %s record: %s', service, describeError(err))
    })
  }

  /** True (once) when `data` is a record this node relayed after a sync. */
  claim (data: Uint8Array): boolean {
    return this.relayed.delete(fastMessageId({ data }))
  }
}
