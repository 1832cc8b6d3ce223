/** The peer table's options, resolved and checked once, at construction. */
import { InvalidOptionError } from '../errors.js'
import {
  DEFAULT_ESTABLISHED_AFTER_MS, DEFAULT_ESTABLISHED_AFTER_REFRESHES, DEFAULT_MAX_PEERS, DEFAULT_MAX_PEERS_PER_SERVICE,
  DEFAULT_MAX_TOMBSTONES, DEFAULT_MAX_TOMBSTONES_PER_SERVICE, DEFAULT_MAX_WITHDRAWN_KEYS, DEFAULT_NEWCOMER_SHARE
} from './constants.js'
import type { PeerTableInit } from './types.js'

export interface TableLimits {
  maxPeersPerService: number
  maxPeers: number
  /** Slots of one service that established entries never take. */
  newcomerSlotsPerService: number
  /** Slots of the whole table that established entries never take. */
  newcomerSlots: number
  establishedAfterMs: number
  establishedAfterRefreshes: number
  maxTombstonesPerService: number
  maxTombstones: number
  maxWithdrawnKeys: number
}

export interface ResolvedTableOptions extends TableLimits {
  now: () => number
}

function count (name: keyof PeerTableInit, value: number | undefined, fallback: number, min = 1): number {
  const n = value ?? fallback
  if (!Number.isSafeInteger(n) || n < min) {
    throw new InvalidOptionError(name, `must be a whole number from ${min}, not ${n}`)
  }
  return n
}

function reserved (cap: number, share: number): number {
  return share === 0 ? 0 : Math.min(cap, Math.max(1, Math.ceil(cap * share)))
}

export function resolveTableOptions (init: PeerTableInit): ResolvedTableOptions {
  const share = init.newcomerShare ?? DEFAULT_NEWCOMER_SHARE
  if (!Number.isFinite(share) || share < 0 || share > 1) {
    throw new InvalidOptionError('newcomerShare', `must be from 0 to 1, not ${share}`)
  }
  const maxPeersPerService = count('maxPeersPerService', init.maxPeersPerService, DEFAULT_MAX_PEERS_PER_SERVICE)
  const maxPeers = count('maxPeers', init.maxPeers, DEFAULT_MAX_PEERS)
  return {
    now: init.now ?? Date.now,
    maxPeersPerService,
    maxPeers,
    newcomerSlotsPerService: reserved(maxPeersPerService, share),
    newcomerSlots: reserved(maxPeers, share),
    establishedAfterMs: count('establishedAfterMs', init.establishedAfterMs, DEFAULT_ESTABLISHED_AFTER_MS, 0),
    establishedAfterRefreshes: count('establishedAfterRefreshes', init.establishedAfterRefreshes, DEFAULT_ESTABLISHED_AFTER_REFRESHES, 0),
    maxTombstonesPerService: count('maxTombstonesPerService', init.maxTombstonesPerService, DEFAULT_MAX_TOMBSTONES_PER_SERVICE),
    maxTombstones: count('maxTombstones', init.maxTombstones, DEFAULT_MAX_TOMBSTONES),
    maxWithdrawnKeys: count('maxWithdrawnKeys', init.maxWithdrawnKeys, DEFAULT_MAX_WITHDRAWN_KEYS)
  }
}
