/**
 * gossip-introducer: service introduction for storage grids over libp2p gossipsub.
 * The public surface: `createNode`, the `introducer()` service factory with its types,
 * the gossipsub settings it needs, service names, Tahoe's permutation, grid admission
 * certificates and the errors callers can match on. See README.md for an example and
 * docs/ for the protocol. Everything else is internal and may change.
 */
export { createNode, defaultServices, DEFAULT_LISTEN, type IntroducerNode, type NodeOptions, type StorageOptions } from './node.js'
export {
  introducer,
  type IntroducerService, type IntroductionInit, type IntroductionComponents, type IntroductionEvents, type IntroductionStats,
  type PublishFields, type PermutedPeer, type PeerChange, type PeerChangeType, type Departure, type DepartureReason
} from './introduction/index.js'
export { DEFAULT_ANNOUNCEMENT_TTL_MS, DEFAULT_INTRODUCER_TARGET, DEFAULT_ANTI_ENTROPY_INTERVAL_MS } from './introduction/constants.js'
export { MemoryStore, type IntroductionStore } from './introduction/store.js'
export type { ClockSkew } from './introduction/clock-watch.js'
export { gossipsubOptions, type GossipsubOptionsInit } from './gossip/settings.js'
export { permute, permutedId } from './permute.js'
export { parseStorageIndex } from './storage-index.js'
export type { ServicePeer } from './peer-table.js'
export {
  UPLOAD_STORAGE, DOWNLOAD_STORAGE, HELPER, INTRODUCER, PREDEFINED_SERVICES, DEFAULT_GRID, isValidServiceName
} from './announcement/names.js'
export type { RejectionAction, RejectionCode } from './announcement/rejection.js'
export { SYNC_PROTOCOL } from './sync/sync-protocol.js'
export {
  InvalidOptionError, TooManyServicesError, InvalidServiceNameError, InvalidGridIdError, InvalidStorageIndexError,
  InvalidAnnouncementError, GossipSettingsError, UnsupportedRuntimeError, DataDirError, ChangeQueueOverflowError
} from './errors.js'
export { VERSION } from './version.js'
export { signCertificate, describeCertificate, type AdmissionPolicy, type CertificateInit } from './announcement/admission.js'
export { DEFAULT_PUBLISHER_RATE_LIMIT, type RateLimit } from './gossip/rate-limit.js'
// Tahoe storage servers carried by gateways (docs/tahoe.md): the service and its entries' Tahoe part
export { TAHOE_STORAGE_SERVICE } from './tahoe/carriage.js'
export { tahoeAnnouncementOf, tahoeServerIdOf } from './tahoe/carried-peers.js'
