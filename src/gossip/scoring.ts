/**
 * Gossipsub peer scoring for our topics. Announcement topics are quiet (a record per
 * server every few minutes), so delivery-rate penalties (P3, P3b) are off: they would
 * punish honest mesh peers for silence. What counts is P4, invalid messages: a peer that
 * sends records our validator rejects (forged, malformed, wrong topic or grid, a
 * publisher over its rate) loses score quadratically and is graylisted after a handful.
 *
 * Loopback addresses are exempt from the IP-colocation penalty (P6), which would
 * otherwise punish every local test grid (more than 10 peers behind one IP).
 */
import { createPeerScoreParams, createTopicScoreParams, type PeerScoreParams, type TopicScoreParams } from '@libp2p/gossipsub/score'
import { PREDEFINED_SERVICES } from '../announcement/names.js'
import { serviceTopic } from './topic.js'

export const COLOCATION_WHITELIST = ['127.0.0.1', '::1']

/** Score below which a peer's messages are ignored altogether (gossipsub's default). */
export const GRAYLIST_THRESHOLD = -80
export const GOSSIP_THRESHOLD = -10
export const PUBLISH_THRESHOLD = -50

/**
 * Per-topic parameters. n invalid messages cost 10·n² points: four bring even a peer at
 * the +10 positive topic cap below the graylist threshold; the count decays by 10% a second, so an honest peer that relayed one bad record by
 * accident recovers within a minute.
 */
export function announcementTopicScoreParams (): TopicScoreParams {
  return createTopicScoreParams({
    topicWeight: 1,
    timeInMeshWeight: 0.0027,
    timeInMeshQuantum: 1000,
    timeInMeshCap: 3600,
    firstMessageDeliveriesWeight: 1,
    firstMessageDeliveriesDecay: 0.5,
    firstMessageDeliveriesCap: 10,
    meshMessageDeliveriesWeight: 0,
    meshMessageDeliveriesDecay: 0.5,
    meshMessageDeliveriesCap: 100,
    meshMessageDeliveriesThreshold: 1,
    meshMessageDeliveriesWindow: 10,
    meshMessageDeliveriesActivation: 5000,
    meshFailurePenaltyWeight: 0,
    meshFailurePenaltyDecay: 0.5,
    invalidMessageDeliveriesWeight: -10,
    invalidMessageDeliveriesDecay: 0.9
  })
}

/**
 * Adds our topic parameters for a topic subscribed after the router was created (a
 * service an introducer starts following, a later `subscribeTo`). Gossipsub's class has
 * `score.params.topics` public, though its interface type does not show it; the scorer
 * reads it on every computation. Returns false when the router has no such field.
 */
export function scoreTopic (pubsub: unknown, topic: string): boolean {
  const topics = (pubsub as { score?: { params?: { topics?: Record<string, TopicScoreParams> } } }).score?.params?.topics
  if (topics == null) {
    return false
  }
  topics[topic] ??= announcementTopicScoreParams()
  return true
}

/** Score parameters for a node of `grid`, with topic parameters for the given services. */
export function announcementScoreParams (grid: string, services: Iterable<string> = PREDEFINED_SERVICES): PeerScoreParams {
  const topics: Record<string, TopicScoreParams> = {}
  for (const service of new Set(services)) {
    topics[serviceTopic(grid, service)] = announcementTopicScoreParams()
  }
  return createPeerScoreParams({
    topics,
    IPColocationFactorWhitelist: new Set(COLOCATION_WHITELIST)
  })
}
