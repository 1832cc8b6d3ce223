/**
 * The introduction service: a composition root that builds its parts, starts and stops
 * them in order, and answers the public API by delegating to them. Data flows one way:
 *
 *   gossip (Subscriptions' validators) ─┐
 *   sync (SyncClient)                   ├─► Intake ─► PeerTable ─► Expiry, Cache, Changes, events
 *   cache (Cache.load)                  ┘                 ▲
 *   Publisher (own records) ──────────────────────────────┘
 *
 * Sync answers others from the table; the ConnectionKeeper keeps bootstrap peers and
 * introducers connected from what the table knows.
 */
import { InvalidParametersError, NotStartedError, serviceCapabilities, serviceDependencies, TypedEventEmitter, type AbortOptions, type PeerId, type Startable } from '@libp2p/interface'
import { assertServiceName, INTRODUCER } from '../announcement/names.js'
import { peekAnnouncement } from '../announcement/peek.js'
import { AnnouncementRejection } from '../announcement/rejection.js'
import { prepareSignatureWorkers, settleSignatureWorkers } from '../announcement/signatures.js'
import { describeError, InvalidAnnouncementError } from '../errors.js'
import { PeerTable, type ServicePeer } from '../peer-table.js'
import { permute } from '../permute.js'
import { parseStorageIndex } from '../storage-index.js'
import { TAHOE_STORAGE_SERVICE } from '../tahoe/carriage.js'
import { dedupeCarried } from '../tahoe/carried-peers.js'
import { parseBootstrapEntry, type DialTarget } from './bootstrap-entry.js'
import { Cache } from './cache.js'
import { Changes, TABLE_EVENTS } from './changes.js'
import { ClockWatch } from './clock-watch.js'
import { ConnectionKeeper } from './connections.js'
import { Departures } from './departures.js'
import { Expiry } from './expiry.js'
import { GuardedStore, type StoreStatus } from './guarded-store.js'
import { Intake } from './intake.js'
import { connectionHost } from './newcomer-budget.js'
import { ServiceMetrics } from './metrics.js'
import { checkIdentity, checkPubsub, resolveOptions, type ResolvedOptions } from './options.js'
import { Publisher } from './publisher.js'
import { SyncRelays } from './relays.js'
import { FollowedServices, Subscriptions } from './subscriptions.js'
import { Sync } from './sync.js'
import type {
  Departure, IntroducerService, IntroductionComponents, IntroductionEvents, IntroductionInit, IntroductionStats, PeerChange, PermutedPeer, PublishFields
} from './index.js'

export class Introduction extends TypedEventEmitter<IntroductionEvents> implements IntroducerService, Startable {
  readonly [Symbol.toStringTag] = 'gossip-introducer'
  readonly [serviceCapabilities]: string[] = ['@gossip-introducer/introduction']
  readonly [serviceDependencies]: string[] = ['@libp2p/pubsub', '@libp2p/identify']

  readonly grid: string
  readonly isIntroducer: boolean
  private readonly options: ResolvedOptions
  private readonly table: PeerTable
  private readonly followed = new FollowedServices()
  private readonly metrics: ServiceMetrics
  private readonly keeper: ConnectionKeeper
  private readonly subscriptions: Subscriptions
  private readonly publisher: Publisher
  private readonly sync: Sync
  private readonly expiry: Expiry
  private readonly cache: Cache
  private readonly changeStreams: Changes
  private readonly departures: Departures
  private readonly store: GuardedStore
  private readonly relays: SyncRelays
  private readonly intake: Intake
  private started = false

  constructor (private readonly components: IntroductionComponents, init: IntroductionInit = {}) {
    super()
    const options = this.options = resolveOptions(init)
    checkIdentity(options, components.peerId)
    this.grid = options.grid
    this.isIntroducer = options.introducer
    const log = components.logger.forComponent('introducer')
    // checked here, so that a node with the wrong gossipsub is never built at all
    checkPubsub(components)
    const store = this.store = new GuardedStore(options.store, options.now, log)
    const table = this.table = new PeerTable({ now: options.now })
    for (const [event, type] of TABLE_EVENTS) {
      table.addEventListener(event, (evt) => {
        log('%s %s %p seqnum %s', type, evt.detail.service, evt.detail.peerId, evt.detail.seqnum)
        this.safeDispatchEvent(event, { detail: evt.detail })
      })
    }
    this.keeper = new ConnectionKeeper(components, table, options, log)
    const clocks = new ClockWatch(options.now)
    clocks.addEventListener('peer:clock-skew', (evt) => {
      log('clock of %p looks %d ms off', evt.detail.peerId, evt.detail.offsetMs)
      this.safeDispatchEvent('peer:clock-skew', { detail: evt.detail })
    })
    this.metrics = new ServiceMetrics(components.metrics, {
      tableSizes: () => table.sizes(),
      tableCounts: () => table.counts(),
      connectedIntroducers: () => this.keeper.connectedIntroducers().length,
      dials: () => this.keeper.dialCounts(),
      autoFollow: () => this.subscriptions.autoFollowCounts(),
      clockSkews: () => clocks.count
    })
    store.addEventListener('store:error', (evt) => {
      this.metrics.storeFailure(evt.detail.operation)
      this.safeDispatchEvent('store:error', { detail: evt.detail })
    })
    const intake = this.intake = new Intake(table, this.followed, this.metrics, { ...options, self: components.peerId, newcomers: { hostOf: connectionHost(components.connectionManager) }, clocks, log })
    const relays = new SyncRelays(components.pubsub, options.grid, log)
    this.subscriptions = new Subscriptions(components.pubsub, this.followed, intake, relays, table, { grid: options.grid, services: options.services, followAll: options.introducer, now: options.now }, log)
    this.relays = relays
    this.publisher = new Publisher(components, table, { ...options, store }, log)
    this.sync = new Sync(components, { table, followed: this.followed, subscriptions: this.subscriptions, intake, relays, metrics: this.metrics }, {
      grid: options.grid,
      timeoutMs: options.syncTimeoutMs,
      antiEntropyIntervalMs: options.antiEntropyIntervalMs,
      introducer: options.introducer,
      now: options.now
    }, log)
    this.expiry = new Expiry(table, options.now)
    this.cache = new Cache(table, intake, store, options.now, log, this.keeper)
    this.changeStreams = new Changes(table, service => this.getPeers(service))
    this.departures = new Departures(table, { now: options.now })
  }

  isStarted (): boolean {
    return this.started
  }

  async start (): Promise<void> {
    if (this.started) {
      return
    }
    // loaded by the time a first sync's records arrive (signatures.ts)
    prepareSignatureWorkers()
    await this.publisher.start()
    this.relays.start()
    await this.sync.start()
    this.expiry.start()
    this.cache.start()
    this.changeStreams.start()
    this.departures.start()
    this.started = true
  }

  /** libp2p starts components in parallel: gossipsub is only sure to be up here. */
  async afterStart (): Promise<void> {
    this.subscriptions.afterStart()
    await this.cache.load()
    if (!this.started) {
      return // stopped meanwhile: another component failed to start
    }
    if (this.isIntroducer) {
      await this.publish(INTRODUCER, {})
    }
    if (!this.started) {
      return
    }
    this.publisher.afterStart()
    this.sync.afterStart()
    this.keeper.afterStart()
  }

  /** Withdraws what this node published, and leaves its topics, while the network is up. */
  async beforeStop (): Promise<void> {
    if (!this.started) {
      return
    }
    await this.publisher.beforeStop()
    await this.sync.handOver()
    await this.cache.flush()
    this.subscriptions.beforeStop()
  }

  async stop (): Promise<void> {
    if (!this.started) {
      return
    }
    this.started = false
    this.changeStreams.stop()
    this.departures.stop()
    this.keeper.stop()
    this.publisher.stop()
    this.subscriptions.stop()
    this.expiry.stop()
    this.cache.stop()
    this.relays.stop()
    await this.sync.stop()
    // a process may exit right after: not while the thread is loading (signatures.ts)
    await settleSignatureWorkers()
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

  async publishSigned (record: Uint8Array): Promise<{ recipients: PeerId[] }> {
    this.assertStarted()
    try {
      await this.intake.ingest(record, { via: 'local' })
    } catch (err) {
      if (err instanceof AnnouncementRejection) {
        throw new InvalidAnnouncementError(`cannot publish the signed record: ${describeError(err)}`)
      }
      throw err
    }
    // it verified, so it decodes
    return { recipients: await this.publisher.gossip(peekAnnouncement(record)?.service as string, record) }
  }

  getPublished (): string[] {
    return this.publisher.services()
  }

  // ---- subscribing and reading -------------------------------------------------------

  subscribeTo (service: string): void {
    assertServiceName(service)
    this.assertStarted()
    this.subscriptions.add(service)
  }

  getSubscriptions (): string[] {
    return this.followed.list()
  }

  getPeers (service: string): ServicePeer[] {
    assertServiceName(service)
    const peers = this.table.getPeers(service)
    return service === TAHOE_STORAGE_SERVICE ? dedupeCarried(peers) : peers
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
    return this.changeStreams.waitForPeers(service, n, options)
  }

  changes (service: string, options: AbortOptions = {}): AsyncGenerator<PeerChange> {
    assertServiceName(service)
    this.assertStarted()
    return this.changeStreams.changes(service, options)
  }

  getConnectedIntroducers (): PeerId[] {
    return this.keeper.connectedIntroducers()
  }

  getDepartures (): Departure[] {
    return this.departures.list()
  }

  addBootstrap (entries: string[]): string[] {
    const targets: Array<[string, DialTarget]> = entries.map(entry => {
      try {
        return [entry, parseBootstrapEntry(entry)]
      } catch (err) {
        throw new InvalidParametersError(describeError(err))
      }
    })
    return targets.filter(([, target]) => this.keeper.addBootstrap(target)).map(([entry]) => entry)
  }

  async syncWith (peer: PeerId, options: AbortOptions = {}): Promise<number> {
    this.assertStarted()
    return this.sync.syncWith(peer, options)
  }

  stats (): IntroductionStats {
    return this.metrics.snapshot()
  }

  storeStatus (): StoreStatus {
    return this.store.status()
  }

  private assertStarted (): void {
    if (!this.started) {
      throw new NotStartedError('the introduction service is not running: start the libp2p node first')
    }
  }
}
