/** Public types of the peer table (peer-table.ts). */
import type { VerifiedAnnouncement } from '../announcement/record.js'
import type { PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** What a node knows of one publisher's service: the item of `getPeers()`. */
export interface ServicePeer {
  service: string
  peerId: PeerId
  nickname: string
  /** Software version the publisher announced. */
  version: string
  multiaddrs: readonly Multiaddr[]
  fields: Readonly<Record<string, string>>
  seqnum: bigint
  readonly: boolean
  availableSpace?: number
  permutationSeed: Uint8Array
  /** When the publisher signed this record (its clock), ms since the epoch. */
  issuedAt: number
  /** When this node first held an entry for this (service, publisher). */
  firstSeen: number
  /** When this node received the current record. */
  lastSeen: number
  /** When the entry expires unless refreshed (this node's clock: receipt + TTL - age). */
  expiresAt: number
  /**
   * The publisher's apparent clock offset: `issuedAt` minus when this node reckons the
   * record was issued (receipt - age). Positive: the publisher's clock seems ahead.
   */
  clockOffsetMs: number
  /** The signed record, as it travels. */
  record: VerifiedAnnouncement
}

export type OfferResult =
  /** `evicted`: the entry that gave way to this one at a cap, if any. */
  | { outcome: 'added', peer: ServicePeer, evicted?: ServicePeer }
  | { outcome: 'updated' | 'withdrawn', peer: ServicePeer }
  /**
   * A withdrawal for something not live here. If the key holds a tombstone, it is kept
   * there; if the key was never held, only its key and seqnum are remembered (bounded).
   * Nobody is notified.
   */
  | { outcome: 'tombstoned' }

export interface OfferOptions {
  /**
   * How long the record had already been held when it arrived: 0 for gossip, the
   * holder's age on sync, the age at shutdown plus the time since for the cache.
   * @default 0
   */
  ageMs?: number
  /** Restoring from the cache: when this node first held the entry (its clock). */
  firstSeen?: number
  /** Restoring from the cache: how often the entry had been refreshed. */
  refreshes?: number
}

/** A record held, as `held()` hands it out (sync answers, the cache). */
export interface HeldRecord {
  record: VerifiedAnnouncement
  /** How long this node reckons the record has existed: the age sync passes on. */
  ageMs: number
  /** `now - ageMs`, by this node's clock: what the cache stores. */
  originMs: number
  /** The live entry; absent for a tombstone. */
  peer?: ServicePeer
  /** Times the live entry was refreshed since `firstSeen`. */
  refreshes: number
  /** Whether the entry is established (never pushed out by a newcomer). */
  established: boolean
}

export interface HeldOptions {
  /** Most records returned. @default all */
  limit?: number
}

/** Counts of one service, for metrics. */
export interface ServiceCounts {
  live: number
  /** Live entries that are established. */
  established: number
  /** Withdrawn or expired slots kept so that older copies cannot return. */
  tombstones: number
  /** Live entries pushed out by a newcomer at a cap, since the table was made. */
  evicted: number
  /** Records not taken at a cap because no entry could give way. */
  refused: number
  /** Tombstones dropped at a cap (their key and seqnum go to the withdrawn-keys memory). */
  tombstonesDropped: number
}

export interface TableCounts {
  services: Map<string, ServiceCounts>
  /** Withdrawn keys remembered without a tombstone. */
  withdrawnKeys: number
}

export interface PeerTableEvents {
  /** Something the table holds changed (an offer taken, entries expired or forgotten). */
  change: CustomEvent
  'peer:added': CustomEvent<ServicePeer>
  'peer:updated': CustomEvent<ServicePeer>
  'peer:withdrawn': CustomEvent<ServicePeer>
  'peer:expired': CustomEvent<ServicePeer>
  /** A live entry pushed out by a newcomer at a cap. */
  'peer:evicted': CustomEvent<ServicePeer>
}

/** The events about one entry, which the introduction service re-dispatches as its own. */
export type PeerTableEventName = Exclude<keyof PeerTableEvents, 'change'>

export interface PeerTableInit {
  /** Clock in ms since the epoch. @default Date.now */
  now?: () => number
  /** Most live entries of one service. @default DEFAULT_MAX_PEERS_PER_SERVICE (10 000) */
  maxPeersPerService?: number
  /** Most live entries of all services. @default DEFAULT_MAX_PEERS (30 000) */
  maxPeers?: number
  /**
   * Share of each cap kept for entries not yet established (at least one slot unless 0;
   * 0: established entries may fill a cap, and newcomers are then refused).
   * @default DEFAULT_NEWCOMER_SHARE (0.1)
   */
  newcomerShare?: number
  /** Held this long without a break... @default DEFAULT_ESTABLISHED_AFTER_MS (30 min) */
  establishedAfterMs?: number
  /** ...and refreshed this often, an entry is established. @default DEFAULT_ESTABLISHED_AFTER_REFRESHES (3) */
  establishedAfterRefreshes?: number
  /** @default DEFAULT_MAX_TOMBSTONES_PER_SERVICE (1 000) */
  maxTombstonesPerService?: number
  /** @default DEFAULT_MAX_TOMBSTONES (5 000) */
  maxTombstones?: number
  /** @default DEFAULT_MAX_WITHDRAWN_KEYS (1 024) */
  maxWithdrawnKeys?: number
}
