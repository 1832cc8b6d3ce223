/**
 * The introduction service: the IntroducerClient of every node (publish, subscribe, read
 * in Tahoe's order) and the introducer role. The pieces it wires together: the peer table
 * (peer-table.ts), its own records (publisher.ts), gossip validation (gossip/), the sync
 * protocol (sync/), connections (connections.ts) and persistence (store.ts).
 */
import { serviceCapabilities, serviceDependencies, TypedEventEmitter, type AbortOptions, type IdentifyResult, type Logger, type PeerId, type Startable } from '@libp2p/interface'
import { AbortError, asError, ChangeQueueOverflowError, describeError, InvalidAnnouncementError, NotStartedError, TooManyServicesError } from '../errors.js'
import { assertServiceName, INTRODUCER, PREDEFINED_SERVICES } from '../announcement/names.js'
import { expiresAt, openAnnouncement, peekAnnouncement } from '../announcement/record.js'
import { AnnouncementRejection, ignore, reject, type RejectionCode } from '../announcement/rejection.js'
import { checkAdmission } from '../announcement/admission.js'
import { createTopicValidator } from '../gossip/validator.js'
import { fastMessageId } from '../gossip/message-id.js'
import { scoreTopic } from '../gossip/scoring.js'
import { DEFAULT_PUBLISHER_RATE_LIMIT, PublisherRateLimiter } from '../gossip/rate-limit.js'
import { parseServiceTopic, serviceTopic } from '../gossip/topic.js'
import { PeerTable, type OfferResult, type PeerTableEventName, type ServicePeer } from '../peer-table.js'
import { permute } from '../permute.js'
import { parseStorageIndex } from '../storage-index.js'
import { answerSync, MAX_SYNC_SERVICES, SYNC_PROTOCOL } from '../sync/sync-protocol.js'
import { SyncClient } from '../sync/sync-client.js'
import { ConnectionKeeper, type DialTarget } from './connections.js'
import { resolveOptions, type Resolved } from './options.js'
import { Publisher } from './publisher.js'
import {
  DEFAULT_ANTI_ENTROPY_INTERVAL_MS, FOLLOW_UP_SYNC_MS, DEFAULT_BOOTSTRAP_RETRY_MAX_MS, DEFAULT_BOOTSTRAP_RETRY_MS, DEFAULT_CACHE_WRITE_DELAY_MS, DEFAULT_MAINTENANCE_INTERVAL_MS, REFRESH_FRACTION,
  type IntroducerService, type IntroductionComponents, type IntroductionEvents, type IntroductionInit, type IntroductionStats,
  type PeerChange, type PeerChangeType, type PermutedPeer, type PublishFields
} from './index.js'

/**
 * Most services a node subscribes to, its own choices and what an introducer follows on
 * its own alike: one sync request names them all, and topic spam cannot grow the set
 * without end. `subscribeTo` past it throws TooManyServicesError.
 */
export const MAX_FOLLOWED_SERVICES = MAX_SYNC_SERVICES
/** Most sync-relayed message ids remembered (oldest forgotten first). */
export const MAX_PENDING_SYNC_RELAYS = 10_000
/** Most changes buffered for one `changes()` consumer. */
export const MAX_PENDING_CHANGES = 10_000
/** Inbound sync streams served at once per connection. */
export const MAX_INBOUND_SYNC_STREAMS = 4

const TABLE_EVENTS: Array<[PeerTableEventName, PeerChangeType]> = [
  ['peer:added', 'added'], ['peer:updated', 'updated'], ['peer:withdrawn', 'withdrawn'], ['peer:expired', 'expired']
]

export class Introduction extends TypedEventEmitter<IntroductionEvents> implements IntroducerService, Startable {
  readonly [Symbol.toStringTag] = 'gossip-introducer'
  readonly [serviceCapabilities]: string[] = ['@gossip-introducer/introduction']
  readonly [serviceDependencies]: string[] = ['@libp2p/pubsub', '@libp2p/identify']

  readonly grid: string
  readonly isIntroducer: boolean
  private readonly options: Resolved
  private readonly init: IntroductionInit
  private readonly log: Logger
  private readonly table: PeerTable
  private readonly keeper: ConnectionKeeper
  private readonly limiter: PublisherRateLimiter
  private readonly subscriptions = new Set<string>()
  private readonly publisher: Publisher
  /** Message ids of records relayed after a sync: see the topic validator's ingest. */
  private readonly syncRelays = new Set<string>()
  private readonly sync: SyncClient
  private readonly counters: IntroductionStats = { accepted: 0, dropped: {}, syncRequestsServed: 0, syncRequestsMade: 0, syncFailures: 0 }
  private started = false
  private timers: Array<ReturnType<typeof setInterval>> = []
  /** Follow-up syncs with newly identified peers, pending. */
  private readonly followUps = new Set<ReturnType<typeof setTimeout>>()
  private expiryTimer?: ReturnType<typeof setTimeout>
  private expiryAt = Infinity
  private cacheTimer?: ReturnType<typeof setTimeout>
  private stopController = new AbortController()

  constructor (private readonly components: IntroductionComponents, init: IntroductionInit = {}) {
    super()
    this.init = init
    this.options = resolveOptions(init)
    this.grid = this.options.grid
    this.isIntroducer = this.options.introducer
    this.log = components.logger.forComponent('introducer')
    this.table = new PeerTable({ now: this.options.now })
    this.limiter = new PublisherRateLimiter(init.publisherRateLimit ?? DEFAULT_PUBLISHER_RATE_LIMIT)
    for (const [event, type] of TABLE_EVENTS) {
      this.table.addEventListener(event, (evt) => {
        this.log('%s %s %p seqnum %s', type, evt.detail.service, evt.detail.peerId, evt.detail.seqnum)
        this.safeDispatchEvent(event, { detail: evt.detail })
      })
    }
    this.keeper = new ConnectionKeeper(components, {
      bootstrap: this.options.bootstrap,
      retryMs: init.bootstrapRetryMs ?? DEFAULT_BOOTSTRAP_RETRY_MS,
      retryMaxMs: init.bootstrapRetryMaxMs ?? DEFAULT_BOOTSTRAP_RETRY_MAX_MS,
      introducerTarget: this.options.introducerTarget,
      now: this.options.now,
      knownIntroducers: () => this.dialTargets(this.table.getPeers(INTRODUCER)),
      knownPeers: () => this.dialTargets([...this.table.sizes().keys()].flatMap(s => this.table.getPeers(s))),
      log: this.log
    })
    this.publisher = new Publisher(components, {
      ...this.options,
      permutationSeed: init.permutationSeed,
      certificate: init.certificate,
      table: this.table,
      log: this.log,
      onTableChange: () => { this.afterTableChange() }
    })
    this.sync = new SyncClient(components, {
      grid: this.grid,
      timeoutMs: this.options.syncTimeoutMs,
      relayAll: this.isIntroducer,
      onRelay: (data) => {
        this.syncRelays.add(fastMessageId({ data }))
        if (this.syncRelays.size > MAX_PENDING_SYNC_RELAYS) {
          this.syncRelays.delete(this.syncRelays.values().next().value as string)
        }
      },
      now: this.options.now,
      services: () => this.subscriptions,
      ingest: async (data, from) => this.ingest(data, undefined, from),
      count: (outcome) => { this.count(outcome) },
      onExchange: (outcome) => {
        if (outcome === 'made') this.counters.syncRequestsMade++
        else this.counters.syncFailures++
      },
      signal: () => this.stopController.signal,
      log: this.log
    })
  }

  isStarted (): boolean {
    return this.started
  }

  async start (): Promise<void> {
    if (this.started) {
      return
    }
    this.stopController = new AbortController()
    await this.publisher.loadSeqnum()
    await this.components.registrar.handle(SYNC_PROTOCOL, async (stream) => {
      this.counters.syncRequestsServed++
      try {
        await answerSync(stream, {
          grid: this.grid,
          records: (wanted) => this.table.records(wanted).map(r => r.signed),
          signal: AbortSignal.timeout(this.options.syncTimeoutMs)
        })
      } catch (err) {
        this.log('sync answer failed: %s', describeError(err))
        stream.abort(asError(err))
      }
    }, { maxInboundStreams: MAX_INBOUND_SYNC_STREAMS, runOnLimitedConnection: false })
    this.components.events.addEventListener('peer:identify', this.onIdentify)
    this.components.pubsub.addEventListener('subscription-change', this.onSubscriptionChange)
    this.started = true
  }

  /** libp2p starts components in parallel: gossipsub is only sure to be up here. */
  async afterStart (): Promise<void> {
    const services = new Set([INTRODUCER, ...(this.init.services ?? []), ...(this.isIntroducer ? PREDEFINED_SERVICES : [])])
    for (const service of services) {
      this.subscribe(service)
    }
    await this.loadCache()
    if (this.isIntroducer) {
      await this.publish(INTRODUCER, {})
    }
    this.timers.push(setInterval(() => { this.keeper.tick() }, this.init.maintenanceIntervalMs ?? DEFAULT_MAINTENANCE_INTERVAL_MS))
    this.timers.push(setInterval(() => { void this.publisher.refresh() }, Math.max(250, Math.floor(this.options.ttlMs * REFRESH_FRACTION))))
    this.timers.push(setInterval(() => { void this.antiEntropy() }, this.init.antiEntropyIntervalMs ?? DEFAULT_ANTI_ENTROPY_INTERVAL_MS))
    this.keeper.tick()
  }

  /** Withdraws what this node published while the network is still up. */
  async beforeStop (): Promise<void> {
    if (!this.started) {
      return
    }
    await this.publisher.withdrawAll()
    await this.writeCache()
    // libp2p stops components in parallel: leave the topics while gossipsub still runs
    this.leaveTopics()
  }

  private leaveTopics (): void {
    for (const service of this.subscriptions) {
      const topic = serviceTopic(this.grid, service)
      this.components.pubsub.topicValidators.delete(topic)
      try {
        this.components.pubsub.unsubscribe(topic)
      } catch (err) {
        this.log('leaving %s: %s', topic, describeError(err))
      }
    }
    this.subscriptions.clear()
  }

  async stop (): Promise<void> {
    if (!this.started) {
      return
    }
    this.started = false
    this.stopController.abort(new NotStartedError('the introduction service stopped'))
    for (const timer of this.timers) {
      clearInterval(timer)
    }
    this.timers = []
    for (const timer of this.followUps) {
      clearTimeout(timer)
    }
    this.followUps.clear()
    clearTimeout(this.expiryTimer)
    clearTimeout(this.cacheTimer)
    this.expiryAt = Infinity
    this.components.events.removeEventListener('peer:identify', this.onIdentify)
    this.components.pubsub.removeEventListener('subscription-change', this.onSubscriptionChange)
    this.leaveTopics()
    await this.components.registrar.unhandle(SYNC_PROTOCOL)
  }

  // ---- publishing --------------------------------------------------------------------

  async publish (service: string, fields: PublishFields = {}): Promise<void> {
    assertServiceName(service)
    this.assertStarted()
    try {
      await this.publisher.publish(service, fields)
    } catch (err) {
      // what was published before stays published
      if (err instanceof AnnouncementRejection) {
        throw new InvalidAnnouncementError(`cannot publish ${service}: ${describeError(err)}`)
      }
      throw err
    }
  }

  async unpublish (service: string): Promise<void> {
    assertServiceName(service)
    this.assertStarted()
    if (this.publisher.has(service)) {
      await this.publisher.withdraw(service)
    }
  }

  getPublished (): string[] {
    return this.publisher.services()
  }

  // ---- subscribing -------------------------------------------------------------------

  subscribeTo (service: string): void {
    assertServiceName(service)
    this.assertStarted()
    if (this.subscriptions.has(service)) {
      return
    }
    if (this.subscriptions.size >= MAX_FOLLOWED_SERVICES) {
      throw new TooManyServicesError(`cannot subscribe to ${service}: this node already follows ${this.subscriptions.size} services, the most one sync request can name`)
    }
    this.subscribe(service)
    // catch up at once from a few connected peers
    for (const peer of this.components.pubsub.getPeers().slice(0, 3)) {
      void this.syncWith(peer).catch(() => {})
    }
  }

  getSubscriptions (): string[] {
    return [...this.subscriptions]
  }

  private subscribe (service: string): void {
    const topic = serviceTopic(this.grid, service)
    this.subscriptions.add(service)
    this.components.pubsub.topicValidators.set(topic, createTopicValidator(service, {
      ingest: async (data, topicService, from) => {
        try {
          return await this.ingest(data, topicService, from)
        } catch (err) {
          // a gossip copy of a record we just took by sync: if that copy reached gossipsub
          // first, our own relay of it was refused as a duplicate, so forward this one
          if (err instanceof AnnouncementRejection && err.code === 'duplicate' && this.syncRelays.delete(fastMessageId({ data }))) {
            return undefined
          }
          throw err
        }
      },
      count: (outcome) => { this.count(outcome) }
    }))
    this.components.pubsub.subscribe(topic)
    scoreTopic(this.components.pubsub, topic)
  }

  /**
   * The one path by which a record from gossip, sync or the cache enters the table.
   * `from` is the peer that handed it to us (absent for the cache).
   */
  async ingest (data: Uint8Array, topicService?: string, from?: PeerId): Promise<OfferResult> {
    // a record we already hold (or a newer one) costs no signature check: sync answers
    // are mostly such records
    const peeked = peekAnnouncement(data)
    if (peeked != null && (topicService == null || peeked.service === topicService)) {
      const known = this.table.checkKnown(peeked)
      if (known != null) {
        throw known
      }
    }
    const record = await openAnnouncement(data, { grid: this.grid, service: topicService, now: this.options.now() }, peeked)
    if (this.options.admission != null) {
      try {
        await checkAdmission(record, this.options.admission, this.options.now())
      } catch (err) {
        // only the publisher itself is surely to blame: a relay may run without a policy
        if (from != null && !record.peerId.equals(from) && err instanceof AnnouncementRejection) {
          throw ignore(err.code, err.message)
        }
        throw err
      }
    }
    if (!this.subscriptions.has(record.announcement.service)) {
      throw ignore('not-subscribed', record.announcement.service)
    }
    if (record.peerId.equals(this.components.peerId)) {
      // our own record coming back: we are its only source of truth
      throw ignore('duplicate', 'own record')
    }
    const stale = this.table.check(record)
    if (stale != null) {
      throw stale
    }
    if (from != null && !this.limiter.take(`${record.announcement.service}\n${record.peerId.toString()}`, this.options.now())) {
      // only the publisher itself is to blame (reject, scored); a relay may be honest (ignore)
      throw (record.peerId.equals(from) ? reject : ignore)('rate-limited', record.peerId.toString())
    }
    const result = this.table.offer(record)
    // the new slot's deadline is no earlier than the record's own expiry: a timer set by
    // that bound (not a scan of the whole table per record) fires on time or early, and
    // the timer rescans
    this.afterTableChange(expiresAt(record.announcement, this.options.now()))
    return result
  }

  private count (outcome: 'accepted' | RejectionCode | 'internal-error'): void {
    if (outcome === 'accepted') {
      this.counters.accepted++
    } else {
      this.counters.dropped[outcome] = (this.counters.dropped[outcome] ?? 0) + 1
    }
  }

  private readonly onSubscriptionChange = (evt: CustomEvent<{ subscriptions: Array<{ topic: string, subscribe: boolean }> }>): void => {
    if (!this.started) {
      return
    }
    for (const { topic, subscribe } of evt.detail.subscriptions) {
      const parsed = parseServiceTopic(topic)
      if (!subscribe || parsed?.grid !== this.grid) {
        continue
      }
      this.publisher.peerSubscribed(parsed.service)
      if (this.isIntroducer && !this.subscriptions.has(parsed.service) && this.subscriptions.size < MAX_FOLLOWED_SERVICES) {
        this.log('introducer follows service %s', parsed.service)
        this.subscribeTo(parsed.service)
      }
    }
  }

  // ---- reading -----------------------------------------------------------------------

  getPeers (service: string): ServicePeer[] {
    assertServiceName(service)
    return this.table.getPeers(service)
  }

  getPermutedPeers (service: string, storageIndex: Uint8Array | string): PermutedPeer[] {
    const index = parseStorageIndex(storageIndex)
    return permute(index, this.getPeers(service)).map(peer => ({
      ...peer,
      dial: async (options?: AbortOptions) => {
        await this.components.peerStore.merge(peer.peerId, { multiaddrs: [...peer.multiaddrs] })
        return this.components.connectionManager.openConnection(peer.peerId, options)
      }
    }))
  }

  async waitForPeers (service: string, n: number, options: AbortOptions = {}): Promise<ServicePeer[]> {
    assertServiceName(service)
    const current = this.getPeers(service)
    if (current.length >= n) {
      return current
    }
    for await (const _change of this.changes(service, options)) {
      const peers = this.getPeers(service)
      if (peers.length >= n) {
        return peers
      }
    }
    throw options.signal?.aborted === true ? new AbortError(`waiting for ${n} ${service} peers was aborted`) : new NotStartedError('the node stopped')
  }

  async * changes (service: string, options: AbortOptions = {}): AsyncGenerator<PeerChange> {
    assertServiceName(service)
    this.assertStarted()
    const queue: PeerChange[] = []
    let overflow = false
    let wake: (() => void) | undefined
    const signals = [this.stopController.signal, ...(options.signal != null ? [options.signal] : [])]
    const listeners = TABLE_EVENTS.map(([event, type]) => {
      const listener = (evt: CustomEvent<ServicePeer>): void => {
        if (evt.detail.service !== service) {
          return
        }
        queue.push({ type, peer: evt.detail })
        overflow ||= queue.length > MAX_PENDING_CHANGES
        wake?.()
      }
      this.table.addEventListener(event, listener)
      return [event, listener] as const
    })
    const onAbort = (): void => { wake?.() }
    signals.forEach(s => { s.addEventListener('abort', onAbort) })
    try {
      while (!signals.some(s => s.aborted)) {
        if (overflow) {
          throw new ChangeQueueOverflowError(`more than ${MAX_PENDING_CHANGES} changes of ${service} were not consumed`)
        }
        const next = queue.shift()
        if (next != null) {
          yield next
          continue
        }
        await new Promise<void>(resolve => { wake = resolve })
        wake = undefined
      }
    } finally {
      for (const [event, listener] of listeners) {
        this.table.removeEventListener(event, listener)
      }
      signals.forEach(s => { s.removeEventListener('abort', onAbort) })
    }
  }

  getConnectedIntroducers (): PeerId[] {
    return this.table.getPeers(INTRODUCER)
      .map(p => p.peerId)
      .filter(id => !id.equals(this.components.peerId) && this.keeper.isConnected(id))
  }

  stats (): IntroductionStats {
    return { ...this.counters, dropped: { ...this.counters.dropped } }
  }

  // ---- sync --------------------------------------------------------------------------

  private readonly onIdentify = (evt: CustomEvent<IdentifyResult>): void => {
    if (!this.started || !evt.detail.protocols.includes(SYNC_PROTOCOL)) {
      return
    }
    const peer = evt.detail.peerId
    void this.syncWith(peer).catch(() => {})
    // and once more a little later (FOLLOW_UP_SYNC_MS says why), if still connected
    const timer = setTimeout(() => {
      this.followUps.delete(timer)
      if (this.started && this.components.connectionManager.getConnections(peer).length > 0) {
        void this.syncWith(peer).catch(() => {})
      }
    }, FOLLOW_UP_SYNC_MS)
    this.followUps.add(timer)
  }

  /**
   * Anti-entropy: now and then, sync with one connected peer (an introducer when there is
   * one), so that whatever gossip lost — a withdrawal sent while a link was down — is
   * repaired without waiting for a reconnection or an expiry.
   */
  private async antiEntropy (): Promise<void> {
    const introducers = this.getConnectedIntroducers()
    const candidates = introducers.length > 0 ? introducers : this.components.pubsub.getPeers()
    if (candidates.length === 0) {
      return
    }
    const peer = candidates[Math.floor(Math.random() * candidates.length)]
    try {
      await this.syncWith(peer)
    } catch (err) {
      this.log('anti-entropy sync with %p: %s', peer, describeError(err))
    }
  }

  async syncWith (peer: PeerId, options: AbortOptions = {}): Promise<number> {
    this.assertStarted()
    return this.sync.syncWith(peer, options)
  }

  // ---- expiry and cache --------------------------------------------------------------

  /** `deadline`: when the changed slot may need `expire()`; without it the table is scanned. */
  private afterTableChange (deadline?: number): void {
    this.scheduleExpiry(deadline)
    this.scheduleCacheWrite()
  }

  private scheduleExpiry (deadline?: number): void {
    const next = deadline ?? this.table.nextExpiry()
    if (next == null || next >= this.expiryAt || !this.started) {
      return
    }
    clearTimeout(this.expiryTimer)
    this.expiryAt = next
    this.expiryTimer = setTimeout(() => {
      this.expiryAt = Infinity
      this.table.expire()
      this.afterTableChange()
    }, Math.max(0, next - this.options.now()) + 1)
  }

  private scheduleCacheWrite (): void {
    if (this.cacheTimer != null || !this.started) {
      return
    }
    this.cacheTimer = setTimeout(() => {
      this.cacheTimer = undefined
      void this.writeCache()
    }, DEFAULT_CACHE_WRITE_DELAY_MS)
  }

  private async writeCache (): Promise<void> {
    try {
      await this.options.store.saveCache(this.table.records().map(r => r.signed))
    } catch (err) {
      this.log.error('could not write the cache: %s', describeError(err))
    }
  }

  private async loadCache (): Promise<void> {
    let loaded = 0
    let dropped = 0
    for (const data of await this.options.store.loadCache()) {
      try {
        // the same checks as gossip and sync, except that our own records are not restored:
        // we publish fresh ones
        await this.ingest(data)
        loaded++
      } catch {
        dropped++
      }
    }
    if (loaded + dropped > 0) {
      this.log('cache: %d records loaded, %d expired, unsubscribed or invalid dropped', loaded, dropped)
    }
  }

  // ---- helpers -----------------------------------------------------------------------

  private dialTargets (peers: ServicePeer[]): DialTarget[] {
    const seen = new Set<string>()
    const out: DialTarget[] = []
    for (const peer of peers) {
      const id = peer.peerId.toString()
      if (!seen.has(id) && !peer.peerId.equals(this.components.peerId) && peer.multiaddrs.length > 0) {
        seen.add(id)
        out.push({ peerId: peer.peerId, multiaddrs: peer.multiaddrs })
      }
    }
    return out
  }

  private assertStarted (): void {
    if (!this.started) {
      throw new NotStartedError('the introduction service is not running: start the libp2p node first')
    }
  }
}
