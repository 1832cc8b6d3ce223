/**
 * The gossipsub settings a grid's nodes must share (protocol.md §11.2): our records carry
 * their own signature, so gossipsub signs nothing (StrictNoSign; a node that signs and one
 * that does not drop each other's messages), and message ids hash the record bytes (they
 * travel in IHAVE/IWANT, so every node must compute the same ones). The rest is local:
 * fast ids for the seen-cache, publishing with no subscriber yet, tolerated duplicate
 * publishes (relays), and peer scoring for our topics.
 */
import { StrictNoSign, type GossipSub, type GossipsubOpts } from '@libp2p/gossipsub'
import { DEFAULT_GRID, PREDEFINED_SERVICES } from '../announcement/names.js'
import { GossipSettingsError } from '../errors.js'
import { fastMessageId, messageId } from './message-id.js'
import { announcementScoreParams, GOSSIP_THRESHOLD, GRAYLIST_THRESHOLD, PUBLISH_THRESHOLD } from './scoring.js'

export interface GossipsubOptionsInit {
  /** @default 'default' */
  grid?: string
  /** Services to score besides the predefined ones (later subscriptions are scored too). */
  services?: string[]
}

/**
 * Options for `gossipsub()` in a node that runs the introduction service:
 * `gossipsub({ ...gossipsubOptions({ grid }), ...yourOwn })`.
 */
export function gossipsubOptions (init: GossipsubOptionsInit = {}): Partial<GossipsubOpts> {
  return {
    globalSignaturePolicy: StrictNoSign,
    msgIdFn: messageId,
    fastMsgIdFn: fastMessageId,
    allowPublishToZeroTopicPeers: true,
    ignoreDuplicatePublishError: true,
    scoreParams: announcementScoreParams(init.grid ?? DEFAULT_GRID, [...PREDEFINED_SERVICES, ...(init.services ?? [])]),
    scoreThresholds: { gossipThreshold: GOSSIP_THRESHOLD, publishThreshold: PUBLISH_THRESHOLD, graylistThreshold: GRAYLIST_THRESHOLD }
  }
}

/**
 * Throws GossipSettingsError when the router's settings would cut this node off from the
 * grid's gossip: today's default gossipsub signs messages, so our nodes drop what it
 * publishes (withdrawals included) and it drops ours; only sync would still get through.
 */
export function checkGossipsubSettings (pubsub: Pick<GossipSub, 'globalSignaturePolicy'> & { opts?: Partial<GossipsubOpts> }): void {
  const problems: string[] = []
  if (pubsub.globalSignaturePolicy !== StrictNoSign) {
    problems.push(`globalSignaturePolicy is ${String(pubsub.globalSignaturePolicy)}, not StrictNoSign`)
  }
  if (pubsub.opts != null && pubsub.opts.msgIdFn !== messageId) {
    problems.push('msgIdFn is not the grid\'s message id (a hash of the record bytes)')
  }
  if (problems.length > 0) {
    throw new GossipSettingsError(`gossipsub is not set up for gossip-introducer: ${problems.join('; ')}. ` +
      'Build it with gossipsub({ ...gossipsubOptions({ grid }) }) (exported by gossip-introducer), or use createNode()')
  }
}
