/**
 * The introduction service's options, resolved once: every default applied and every
 * value checked here, at construction, so that a bad option fails with an
 * InvalidOptionError naming it and its allowed range instead of misbehaving later.
 * Parts receive the resolved values and apply no defaults of their own.
 */
import { describeCertificate } from '../announcement/admission.js'
import { assertGridId, assertServiceName, DEFAULT_GRID, INTRODUCER, PREDEFINED_SERVICES } from '../announcement/names.js'
import { resolveAdmission, type ResolvedAdmission } from '../announcement/admission.js'
import { MAX_CERTIFICATE_BYTES, MAX_NICKNAME_BYTES, MAX_PERMUTATION_SEED_BYTES, MAX_TTL_MS, MAX_VERSION_BYTES, MIN_TTL_MS } from '../announcement/record.js'
import { describeError, GossipSettingsError, InvalidOptionError } from '../errors.js'
import { checkGossipsubSettings } from '../gossip/settings.js'
import { DEFAULT_PUBLISHER_RATE_LIMIT, type RateLimit } from '../gossip/rate-limit.js'
import { SOFTWARE_VERSION } from '../version.js'
import { parseBootstrapEntry, type DialTarget } from './bootstrap-entry.js'
import {
  DEFAULT_ANNOUNCEMENT_TTL_MS, DEFAULT_ANTI_ENTROPY_INTERVAL_MS, DEFAULT_BOOTSTRAP_RETRY_MAX_MS, DEFAULT_BOOTSTRAP_RETRY_MS,
  DEFAULT_INTRODUCER_TARGET, DEFAULT_MAINTENANCE_INTERVAL_MS, DEFAULT_NICKNAME, DEFAULT_SYNC_TIMEOUT_MS, MAX_FOLLOWED_SERVICES,
  MAX_INTRODUCER_TARGET, MIN_SYNC_TIMEOUT_MS
} from './constants.js'
import { MemoryStore, type IntroductionStore } from './store.js'
import type { IntroductionComponents, IntroductionInit } from './index.js'
import type { PeerId } from '@libp2p/interface'

const HOUR_MS = 60 * 60 * 1000
/** Most records per second a rate limit may allow a publisher, and the largest burst. */
const MAX_RATE_PER_SECOND = 10_000
const MAX_RATE_BURST = 10_000

export interface ResolvedOptions {
  grid: string
  nickname: string
  version: string
  ttlMs: number
  introducer: boolean
  introducerTarget: number
  bootstrap: DialTarget[]
  bootstrapRetryMs: number
  bootstrapRetryMaxMs: number
  maintenanceIntervalMs: number
  antiEntropyIntervalMs: number
  syncTimeoutMs: number
  /** Services subscribed to at start: `introducer`, the configured ones and, for an introducer, the predefined ones. */
  services: string[]
  permutationSeed: Uint8Array
  certificate?: Uint8Array
  publisherRateLimit: RateLimit
  admission?: ResolvedAdmission
  store: IntroductionStore
  now: () => number
}

const encoder = new TextEncoder()

function integer (option: string, value: number | undefined, fallback: number, min: number, max: number, unit = ''): number {
  const n = value ?? fallback
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new InvalidOptionError(option, `must be a whole number${unit} from ${min} to ${max}, not ${String(n)}`)
  }
  return n
}

function text (option: string, value: string | undefined, fallback: string, maxBytes: number): string {
  const s = value ?? fallback
  if (typeof s !== 'string' || encoder.encode(s).byteLength > maxBytes) {
    throw new InvalidOptionError(option, `must be a string of at most ${maxBytes} UTF-8 bytes${typeof s === 'string' ? `, not ${encoder.encode(s).byteLength}` : ''}`)
  }
  return s
}

function bytes (option: string, value: Uint8Array | undefined, maxBytes: number): Uint8Array | undefined {
  if (value != null && (!(value instanceof Uint8Array) || value.byteLength > maxBytes)) {
    throw new InvalidOptionError(option, `must be at most ${maxBytes} bytes${value instanceof Uint8Array ? `, not ${value.byteLength}` : ''}`)
  }
  return value
}

function rateLimit (value: RateLimit | undefined): RateLimit {
  const limit = value ?? DEFAULT_PUBLISHER_RATE_LIMIT
  const burst = integer('publisherRateLimit.burst', limit.burst, 0, 1, MAX_RATE_BURST)
  if (typeof limit.perSecond !== 'number' || !Number.isFinite(limit.perSecond) || limit.perSecond <= 0 || limit.perSecond > MAX_RATE_PER_SECOND) {
    throw new InvalidOptionError('publisherRateLimit.perSecond', `must be a number above 0 and at most ${MAX_RATE_PER_SECOND}, not ${String(limit.perSecond)}`)
  }
  return { burst, perSecond: limit.perSecond }
}

function certificate (value: Uint8Array | undefined, grid: string): Uint8Array | undefined {
  const cert = bytes('certificate', value, MAX_CERTIFICATE_BYTES)
  if (cert == null) {
    return undefined
  }
  let described
  try {
    described = describeCertificate(cert)
  } catch (err) {
    throw new InvalidOptionError('certificate', `is not a grid admission certificate: ${describeError(err)}`)
  }
  if (described.grid !== grid) {
    throw new InvalidOptionError('certificate', `admits to grid ${JSON.stringify(described.grid)}, but this node is in ${JSON.stringify(grid)}`)
  }
  return cert
}

function store (value: IntroductionStore | undefined): IntroductionStore {
  if (value == null) {
    return new MemoryStore()
  }
  for (const method of ['loadSeqnum', 'saveSeqnum', 'loadCache', 'saveCache'] as const) {
    if (typeof value[method] !== 'function') {
      throw new InvalidOptionError('store', `must implement IntroductionStore (${method} is missing)`)
    }
  }
  return value
}

/** Resolves and checks every option; throws InvalidOptionError (or a name error) on the first bad one. */
export function resolveOptions (init: IntroductionInit): ResolvedOptions {
  const grid = init.grid ?? DEFAULT_GRID
  assertGridId(grid)
  for (const service of init.services ?? []) {
    assertServiceName(service)
  }
  const introducer = init.introducer ?? false
  if (typeof introducer !== 'boolean') {
    throw new InvalidOptionError('introducer', `must be true or false, not ${String(introducer)}`)
  }
  const services = [...new Set([INTRODUCER, ...(init.services ?? []), ...(introducer ? PREDEFINED_SERVICES : [])])]
  if (services.length > MAX_FOLLOWED_SERVICES) {
    throw new InvalidOptionError('services', `${services.length} services, more than the ${MAX_FOLLOWED_SERVICES} one sync request can name`)
  }
  const bootstrapRetryMs = integer('bootstrapRetryMs', init.bootstrapRetryMs, DEFAULT_BOOTSTRAP_RETRY_MS, 10, HOUR_MS, ' of ms')
  if (init.now != null && typeof init.now !== 'function') {
    throw new InvalidOptionError('now', 'must be a function returning ms since the epoch')
  }
  return {
    grid,
    nickname: text('nickname', init.nickname, DEFAULT_NICKNAME, MAX_NICKNAME_BYTES),
    version: text('version', init.version, SOFTWARE_VERSION, MAX_VERSION_BYTES),
    ttlMs: integer('announcementTtlMs', init.announcementTtlMs, DEFAULT_ANNOUNCEMENT_TTL_MS, MIN_TTL_MS, MAX_TTL_MS, ' of ms'),
    introducer,
    introducerTarget: integer('introducerTarget', init.introducerTarget, DEFAULT_INTRODUCER_TARGET, 1, MAX_INTRODUCER_TARGET),
    bootstrap: (init.bootstrap ?? []).map(entry => {
      try {
        return parseBootstrapEntry(entry)
      } catch (err) {
        throw new InvalidOptionError('bootstrap', describeError(err))
      }
    }),
    bootstrapRetryMs,
    bootstrapRetryMaxMs: integer('bootstrapRetryMaxMs', init.bootstrapRetryMaxMs, Math.max(bootstrapRetryMs, DEFAULT_BOOTSTRAP_RETRY_MAX_MS), bootstrapRetryMs, HOUR_MS, ' of ms (at least bootstrapRetryMs)'),
    maintenanceIntervalMs: integer('maintenanceIntervalMs', init.maintenanceIntervalMs, DEFAULT_MAINTENANCE_INTERVAL_MS, 100, HOUR_MS, ' of ms'),
    antiEntropyIntervalMs: integer('antiEntropyIntervalMs', init.antiEntropyIntervalMs, DEFAULT_ANTI_ENTROPY_INTERVAL_MS, 100, 24 * HOUR_MS, ' of ms'),
    syncTimeoutMs: integer('syncTimeoutMs', init.syncTimeoutMs, DEFAULT_SYNC_TIMEOUT_MS, MIN_SYNC_TIMEOUT_MS, HOUR_MS / 6, ' of ms'),
    services,
    permutationSeed: bytes('permutationSeed', init.permutationSeed, MAX_PERMUTATION_SEED_BYTES) ?? new Uint8Array(),
    certificate: certificate(init.certificate, grid),
    publisherRateLimit: rateLimit(init.publisherRateLimit),
    admission: resolveAdmission(init.admission),
    store: store(init.store),
    now: init.now ?? Date.now
  }
}

/** Checks what can only be checked against the node's own identity (at construction, with components). */
export function checkIdentity (options: ResolvedOptions, peerId: PeerId): void {
  if (options.certificate != null) {
    const subject = describeCertificate(options.certificate).subject
    if (subject !== peerId.toString()) {
      throw new InvalidOptionError('certificate', `admits ${subject}, not this node (${peerId.toString()})`)
    }
  }
}

/** Whether gossipsub is built already: libp2p builds services in the order they are listed. */
function hasPubsub (components: Pick<IntroductionComponents, 'pubsub'>): boolean {
  try {
    return components.pubsub != null
  } catch {
    return false // libp2p's components throw for a service not built yet
  }
}

/** Throws GossipSettingsError unless gossipsub is built before us, with the grid's settings. */
export function checkPubsub (components: Pick<IntroductionComponents, 'pubsub'>): void {
  if (!hasPubsub(components)) {
    throw new GossipSettingsError('the introduction service needs gossipsub: list `pubsub: gossipsub(gossipsubOptions({ grid }))` before `introducer` in libp2p\'s services')
  }
  checkGossipsubSettings(components.pubsub)
}
