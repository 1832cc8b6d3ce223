/**
 * The one adapter from our validation outcome (data) to gossipsub's verdict. A record
 * that is accepted has already been taken into the peer table by `ingest`, which also
 * counts every outcome.
 */
import { TopicValidatorResult, type TopicValidatorFn } from '@libp2p/gossipsub'
import { AnnouncementRejection } from '../announcement/rejection.js'
import type { PeerId } from '@libp2p/interface'

export function toValidatorResult (err: unknown): TopicValidatorResult {
  if (err instanceof AnnouncementRejection) {
    return err.action === 'reject' ? TopicValidatorResult.Reject : TopicValidatorResult.Ignore
  }
  // an unexpected failure of ours is no proof against the sender
  return TopicValidatorResult.Ignore
}

export interface ValidatorHooks {
  /** Takes the record into the table or throws an AnnouncementRejection. */
  ingest(data: Uint8Array, topicService: string, from: PeerId): Promise<unknown>
}

export function createTopicValidator (service: string, hooks: ValidatorHooks): TopicValidatorFn {
  return async (peer, message) => {
    try {
      await hooks.ingest(message.data, service, peer)
      return TopicValidatorResult.Accept
    } catch (err) {
      return toValidatorResult(err)
    }
  }
}
