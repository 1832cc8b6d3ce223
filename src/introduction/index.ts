/**
 * The introduction service: every node's IntroducerClient (Tahoe #271) and, optionally,
 * the introducer role (Tahoe #68), as a libp2p service. This file holds its public types
 * and its factory; the service itself is `Introduction` (introduction.ts), a composition
 * root over parts that each own their state and timers.
 *
 * @example
 * ```ts
 * const libp2p = await createLibp2p({
 *   privateKey,
 *   services: {
 *     identify: identify(),
 *     pubsub: gossipsub(gossipsubOptions({ grid: 'g1' })),
 *     introducer: introducer({ grid: 'g1' })
 *   }
 * })
 * ```
 * `createNode()` (src/node.ts) builds such a node.
 */
import { Introduction } from './introduction.js'
import type { IntroductionStore } from './store.js'
import type { StoreFailure, StoreStatus } from './guarded-store.js'
import type { ClockSkew } from './clock-watch.js'
import type { RateLimit } from '../gossip/rate-limit.js'
import type { AdmissionPolicy } from '../announcement/admission.js'
import type { ServicePeer } from '../peer-table.js'
import type { RejectionCode } from '../announcement/rejection.js'
import type { GossipSub } from '@libp2p/gossipsub'
import type { AbortOptions, ComponentLogger, Connection, Libp2pEvents, Metrics, PeerId, PeerStore, PrivateKey, TypedEventTarget } from '@libp2p/interface'
import type { AddressManager, ConnectionManager, Registrar } from '@libp2p/interface-internal'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface IntroductionInit {
  /**
   * Grid id: nodes of other grids never see each other's announcements.
   * @default 'default'
   */
  grid?: string
  /** Shown to other nodes with every announcement; at most 128 UTF-8 bytes. @default '' */
  nickname?: string
  /** Services subscribed to at start (more with `subscribeTo`); at most 64 with `introducer`. @default [] */
  services?: string[]
  /**
   * Lifetime of this node's records (3 s to 7 days); they are refreshed at a third of it.
   * @default DEFAULT_ANNOUNCEMENT_TTL_MS (15 minutes)
   */
  announcementTtlMs?: number
  /** Run the introducer role: follow every service of the grid and announce `introducer`. @default false */
  introducer?: boolean
  /** Connections to keep to introducers (1 to 64). @default DEFAULT_INTRODUCER_TARGET (3) */
  introducerTarget?: number
  /** Multiaddrs ending in /p2p/<peer id>, dialled at start and retried with backoff. @default [] */
  bootstrap?: string[]
  /** First wait before a failed dial is retried, doubled per failure (10 ms to 1 h). @default DEFAULT_BOOTSTRAP_RETRY_MS (1 s) */
  bootstrapRetryMs?: number
  /** Longest wait between retries (bootstrapRetryMs to 1 h). @default DEFAULT_BOOTSTRAP_RETRY_MAX_MS (60 s) */
  bootstrapRetryMaxMs?: number
  /** How often kept connections are checked (100 ms to 1 h). @default DEFAULT_MAINTENANCE_INTERVAL_MS (2 s) */
  maintenanceIntervalMs?: number
  /** Sync with one connected peer this often, to repair losses (100 ms to 24 h). @default DEFAULT_ANTI_ENTROPY_INTERVAL_MS */
  antiEntropyIntervalMs?: number
  /** Seed of the Tahoe permutation, announced with every record (at most 64 bytes). @default the public key */
  permutationSeed?: Uint8Array
  /** Where the seqnum and the cache are kept. @default in memory */
  store?: IntroductionStore
  /** Software version announced (at most 128 UTF-8 bytes). @default 'gossip-introducer/<version>' */
  version?: string
  /** Clock, for tests. @default Date.now */
  now?: () => number
  /** Time a sync exchange may take (100 ms to 10 min). @default DEFAULT_SYNC_TIMEOUT_MS (10 s) */
  syncTimeoutMs?: number
  /**
   * Records that change the table, per (service, publisher), from gossip and sync; a publisher over
   * it has its records dropped (and is penalised when it sends them itself on gossip). Burst 1 to
   * 10 000, rate above 0 and at most 10 000 per second.
   * @default DEFAULT_PUBLISHER_RATE_LIMIT (burst 20, 1 per second)
   */
  publisherRateLimit?: RateLimit
  /**
   * Grid admission: when set, only records of these publishers, or carrying a certificate
   * of one of these grid managers, are accepted (and relayed). @default off
   */
  admission?: AdmissionPolicy
  /** This node's admission certificate (from `signCertificate`), sent with every record. */
  certificate?: Uint8Array
}

export interface IntroductionComponents {
  peerId: PeerId
  privateKey: PrivateKey
  pubsub: GossipSub
  registrar: Registrar
  connectionManager: ConnectionManager
  addressManager: AddressManager
  peerStore: PeerStore
  events: TypedEventTarget<Libp2pEvents>
  logger: ComponentLogger
  /** When the node has a metrics implementation, the service's counters are registered there. */
  metrics?: Metrics
}

/** What `publish()` takes; everything else comes from the node. */
export interface PublishFields {
  /** Where the service is reached. @default the node's own addresses */
  multiaddrs?: Array<Multiaddr | string>
  /** Storage: serves reads only. @default false */
  readonly?: boolean
  /** Storage: bytes available for new shares. */
  availableSpace?: number
  /** Free-form fields of the service. */
  fields?: Record<string, string>
}

export interface PermutedPeer extends ServicePeer {
  /** SHA-1(storage index || permutation seed). */
  permutedId: Uint8Array
  /** Opens (or reuses) a connection to the publisher through its announced addresses. */
  dial(options?: AbortOptions): Promise<Connection>
}

/** `evicted`: pushed out by a newcomer when the table was at a cap (peer-table.ts). */
export type PeerChangeType = 'added' | 'updated' | 'withdrawn' | 'expired' | 'evicted'

export interface PeerChange {
  type: PeerChangeType
  peer: ServicePeer
}

/** Why an entry left the table. */
export type DepartureReason = 'withdrawn' | 'expired' | 'evicted'

/** An entry that left the table recently (departures.ts keeps them, bounded). */
export interface Departure {
  service: string
  peerId: PeerId
  nickname: string
  version: string
  multiaddrs: readonly Multiaddr[]
  reason: DepartureReason
  /** When it left, by this node's clock. */
  at: number
  /** When this node had last received its record. */
  lastSeen: number
}

export interface IntroductionEvents {
  'peer:added': CustomEvent<ServicePeer>
  'peer:updated': CustomEvent<ServicePeer>
  'peer:withdrawn': CustomEvent<ServicePeer>
  'peer:expired': CustomEvent<ServicePeer>
  'peer:evicted': CustomEvent<ServicePeer>
  /** The store failed (disk full, read-only...); the node goes on in memory. */
  'store:error': CustomEvent<StoreFailure>
  /** A publisher's clock looks far off (raised at most once an hour per publisher). */
  'peer:clock-skew': CustomEvent<ClockSkew>
}

/** What happened to incoming records, by outcome, and to sync exchanges. */
export interface IntroductionStats {
  accepted: number
  /** Records dropped, by reason. */
  dropped: Partial<Record<RejectionCode | 'internal-error', number>>
  syncRequestsServed: number
  syncRequestsMade: number
  syncFailures: number
  /** Bytes of sync 2.0.0 exchanges (1.0.0 exchanges are not counted). */
  syncBytesSent: number
  syncBytesReceived: number
}

/** The IntroducerClient of Tahoe #271, in TypeScript form. */
export interface IntroducerService extends TypedEventTarget<IntroductionEvents> {
  readonly grid: string
  readonly isIntroducer: boolean
  /** Signs and publishes an announcement of this node's service; re-published on refresh. */
  publish(service: string, fields?: PublishFields): Promise<void>
  /** Withdraws a published service: every holder drops it. */
  unpublish(service: string): Promise<void>
  /**
   * Takes a record signed here with another key this node holds (a Tahoe gateway's
   * carrier keys, src/tahoe/gateway.ts) through every intake check into the table, and
   * gossips it; the peers gossip sent it to are returned (none when nobody subscribed:
   * sync hands the record on, as it does whatever gossip lost). Not refreshed: the
   * signer re-signs. Throws InvalidAnnouncementError.
   */
  publishSigned(record: Uint8Array): Promise<{ recipients: PeerId[] }>
  /** Services this node publishes. */
  getPublished(): string[]
  /** Starts receiving a service; what the node already holds is available at once. */
  subscribeTo(service: string): void
  getSubscriptions(): string[]
  /**
   * Current entries of a service. For `tahoe-storage`, one per Tahoe server id (the one
   * with the highest Tahoe seqnum), however many gateways carry it.
   */
  getPeers(service: string): ServicePeer[]
  /** Entries in Tahoe's permuted order for a storage index (bytes, or base32/hex text). */
  getPermutedPeers(service: string, storageIndex: Uint8Array | string): PermutedPeer[]
  /** Resolves once at least `n` entries of the service are held. */
  waitForPeers(service: string, n: number, options?: AbortOptions): Promise<ServicePeer[]>
  /** Changes to a service's entries, from now on, until the signal aborts. */
  changes(service: string, options?: AbortOptions): AsyncGenerator<PeerChange>
  /** Peers that run the introducer role and this node is connected to. */
  getConnectedIntroducers(): PeerId[]
  /**
   * Entries that left the table recently (withdrawn, expired, evicted), the most recent
   * first: at most DEFAULT_MAX_DEPARTURES, none older than DEFAULT_DEPARTURE_MAX_AGE_MS.
   */
  getDepartures(): Departure[]
  /**
   * Adds bootstrap entries at run time (multiaddrs ending in /p2p/<peer id>): they are
   * dialled, and re-dialled with backoff, like those given at start. Returns the entries
   * that were new; throws InvalidParametersError for an entry without a peer id.
   */
  addBootstrap(entries: string[]): string[]
  /**
   * Syncs with a connected peer (both ways, with sync 2.0.0); returns the records taken.
   * One exchange runs per peer at a time: a call made while one runs has it run once
   * more when it ends, and waits for that.
   */
  syncWith(peer: PeerId, options?: AbortOptions): Promise<number>
  stats(): IntroductionStats
  /** Whether the store works: false after a failed write until the next one succeeds. */
  storeStatus(): StoreStatus
}

/** Factory for libp2p's `services` map: `services: { introducer: introducer(init) }`. */
export function introducer (init: IntroductionInit = {}): (components: IntroductionComponents) => IntroducerService {
  return (components) => new Introduction(components, init)
}
