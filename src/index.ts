/**
 * gossip-introducer: service introduction for storage grids over libp2p gossipsub.
 * See README.md for an example and docs/ for the protocol.
 */
export { createNode, defaultServices, DEFAULT_LISTEN, type IntroducerNode, type NodeOptions, type StorageOptions } from './node.js'
export {
  introducer, MemoryStore,
  DEFAULT_ANNOUNCEMENT_TTL_MS, DEFAULT_INTRODUCER_TARGET, DEFAULT_BOOTSTRAP_RETRY_MS, DEFAULT_BOOTSTRAP_RETRY_MAX_MS,
  type IntroducerService, type IntroductionInit, type IntroductionComponents, type IntroductionEvents, type IntroductionStats,
  type IntroductionStore, type PublishFields, type PermutedPeer, type PeerChange, type PeerChangeType
} from './introduction/index.js'
export { permute, permutedId } from './permute.js'
export { parseStorageIndex } from './storage-index.js'
export { PeerTable, type ServicePeer, type OfferResult } from './peer-table.js'
export {
  UPLOAD_STORAGE, DOWNLOAD_STORAGE, HELPER, INTRODUCER, PREDEFINED_SERVICES, DEFAULT_GRID, isValidServiceName
} from './announcement/names.js'
export {
  signAnnouncement, signAnnouncementPayload, openAnnouncement, expiresAt, ANNOUNCEMENT_SIGNING_DOMAIN, MAX_SIGNED_ANNOUNCEMENT_BYTES,
  type AnnouncementContent, type VerifiedAnnouncement
} from './announcement/record.js'
export { AnnouncementRejection, type RejectionAction, type RejectionCode } from './announcement/rejection.js'
export { nextSeqnum } from './announcement/seqnum.js'
export { serviceTopic, parseServiceTopic } from './gossip/topic.js'
export { SYNC_PROTOCOL } from './sync/sync-protocol.js'
export { FileStore, loadOrCreateKey } from './store/data-dir.js'
export * from './errors.js'
export { VERSION } from './version.js'
export { signCertificate, describeCertificate, CERTIFICATE_SIGNING_DOMAIN, type AdmissionPolicy, type CertificateInit } from './announcement/admission.js'
export { announcementScoreParams, GRAYLIST_THRESHOLD } from './gossip/scoring.js'
export { DEFAULT_PUBLISHER_RATE_LIMIT, type RateLimit } from './gossip/rate-limit.js'
