/** The introduction service's options, resolved once with their defaults and checked. */
import { assertGridId, assertServiceName, DEFAULT_GRID, INTRODUCER, PREDEFINED_SERVICES } from '../announcement/names.js'
import { resolveAdmission, type ResolvedAdmission } from '../announcement/admission.js'
import { MAX_TTL_MS, MIN_TTL_MS } from '../announcement/record.js'
import { describeError, InvalidOptionError } from '../errors.js'
import { DEFAULT_SYNC_TIMEOUT_MS, MAX_SYNC_SERVICES } from '../sync/sync-protocol.js'
import { SOFTWARE_VERSION } from '../version.js'
import { parseBootstrapEntry, type DialTarget } from './connections.js'
import { MemoryStore, type IntroductionStore } from './store.js'
import { DEFAULT_ANNOUNCEMENT_TTL_MS, DEFAULT_INTRODUCER_TARGET, DEFAULT_NICKNAME, type IntroductionInit } from './index.js'

export interface Resolved {
  admission?: ResolvedAdmission
  grid: string
  nickname: string
  ttlMs: number
  introducer: boolean
  introducerTarget: number
  bootstrap: DialTarget[]
  version: string
  now: () => number
  store: IntroductionStore
  syncTimeoutMs: number
}

export function resolveOptions (init: IntroductionInit): Resolved {
  const grid = init.grid ?? DEFAULT_GRID
  assertGridId(grid)
  const ttlMs = init.announcementTtlMs ?? DEFAULT_ANNOUNCEMENT_TTL_MS
  if (!Number.isInteger(ttlMs) || ttlMs < MIN_TTL_MS || ttlMs > MAX_TTL_MS) {
    throw new InvalidOptionError('announcementTtlMs', `must be a whole number of ms from ${MIN_TTL_MS} to ${MAX_TTL_MS}, not ${ttlMs}`)
  }
  const introducerTarget = init.introducerTarget ?? DEFAULT_INTRODUCER_TARGET
  if (!Number.isInteger(introducerTarget) || introducerTarget < 1 || introducerTarget > 64) {
    throw new InvalidOptionError('introducerTarget', `must be a whole number from 1 to 64, not ${introducerTarget}`)
  }
  const bootstrap = (init.bootstrap ?? []).map(entry => {
    try {
      return parseBootstrapEntry(entry)
    } catch (err) {
      throw new InvalidOptionError('bootstrap', describeError(err))
    }
  })
  for (const service of init.services ?? []) {
    assertServiceName(service)
  }
  // what the node subscribes to at start (see Introduction.afterStart); one sync request names them all
  const subscribed = new Set([INTRODUCER, ...(init.services ?? []), ...(init.introducer === true ? PREDEFINED_SERVICES : [])])
  if (subscribed.size > MAX_SYNC_SERVICES) {
    throw new InvalidOptionError('services', `${subscribed.size} services, more than the ${MAX_SYNC_SERVICES} one sync request can name`)
  }
  return {
    admission: resolveAdmission(init.admission),
    grid,
    nickname: init.nickname ?? DEFAULT_NICKNAME,
    ttlMs,
    introducer: init.introducer ?? false,
    introducerTarget,
    bootstrap,
    version: init.version ?? SOFTWARE_VERSION,
    now: init.now ?? Date.now,
    store: init.store ?? new MemoryStore(),
    syncTimeoutMs: init.syncTimeoutMs ?? DEFAULT_SYNC_TIMEOUT_MS
  }
}

