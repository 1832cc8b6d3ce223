/**
 * Tahoe-LAFS introduction over Foolscap, for the daemon to wire into the gossip grid.
 *
 * The narrow interface:
 * - `SignedTahoeAnnouncement` `{ msg, sig, key }`: the exact bytes a Tahoe server signed.
 *   Carry them unchanged; every holder re-verifies with `verifyTahoeAnnouncement`, so a
 *   daemon cannot forge or alter a server's announcement.
 * - `TahoeIntroducerServer`: listens on host:port with a caller-kept tub identity
 *   (node.pem bytes) and swissnum, so its `furl` is stable across restarts.
 *   `onAnnouncement(ann, from)` gets every new or newer announcement Tahoe nodes publish
 *   to it; `announce(signed)` hands it one learned elsewhere, which goes to every current
 *   and future subscriber of its service (a duplicate is ignored, a greater seqnum
 *   replaces, a lower one is refused); `forget(keyId)` stops offering one to new
 *   subscribers (Tahoe clients never forget what they were told).
 * - `TahoeIntroducerClient`: subscribes to an existing introducer's FURL (migration).
 * - `TahoeGateway`: both of them wired to a node's introduction service; Tahoe
 *   announcements travel the grid in `tahoe-storage` records (carriage.ts), one entry per
 *   Tahoe server for readers (carried-peers.ts).
 */
export {
  verifyTahoeAnnouncement, type SignedTahoeAnnouncement, type VerifiedTahoeAnnouncement
} from './announcement.js'
export { AnnouncementTable, type OfferOutcome } from './announcement-table.js'
export { TahoeIntroducerServer, type TahoeIntroducerServerInit, type AnnouncementSource } from './introducer-server.js'
export { TahoeIntroducerClient, type TahoeIntroducerClientInit } from './introducer-client.js'
export { TahoeAnnouncementError, InsufficientVersionError, type TahoeAnnouncementErrorCode } from './errors.js'
export { INTRODUCER_SERVICE_INTERFACE, SUBSCRIBER_CLIENT_INTERFACE, INTRODUCER_V2 } from './constants.js'
export { generateTubIdentity, encodeTubIdentity, decodeTubIdentity, type TubIdentity } from '../foolscap/tub-identity.js'
export { TahoeGateway, type TahoeGatewayInit, type TahoeGatewayListen, type TahoeGatewayStatus, type TahoeServerStatus, type GatewayEvent } from './gateway.js'
export {
  TAHOE_STORAGE_SERVICE, carriedContent, checkCarriage, deriveCarrier, tahoePermutationSeed, NotCarriedError, type CarriedContent, type Carrier
} from './carriage.js'
export { dedupeCarried, tahoeAnnouncementOf, tahoeServerIdOf } from './carried-peers.js'
export { loadOrCreateGatewayIdentity, FURL_FILE, TUB_KEY_FILE, SWISSNUM_FILE } from './gateway-dir.js'
export type { SubscriberSummary } from './introducer-server.js'
