/**
 * The Tahoe gateway: makes a node a Tahoe-LAFS introducer on the gossip grid.
 *
 *   Tahoe server ──publish_v2──► TahoeIntroducerServer ──onPublish──► CarriedServers ──► grid
 *   upstream Tahoe introducer ──► TahoeIntroducerClient ─────────────┘  (one record per server)
 *   grid (tahoe-storage entries) ──announce──► TahoeIntroducerServer ──announce_v2──► Tahoe clients
 *
 * Every announcement is the Tahoe server's own signed bytes, verified by every daemon and
 * by every Tahoe client. The same server carried by several daemons is one announcement
 * for Tahoe clients (their replacement rule) and one entry for getPeers (carried-peers.ts).
 */
import { repeatingTask, type RepeatingTask } from '@libp2p/utils'
import { describeError, InvalidOptionError } from '../errors.js'
import { parseFurl } from '../foolscap/furl.js'
import { MIN_REFRESH_INTERVAL_MS, REFRESH_FRACTION } from '../introduction/constants.js'
import { CarriedServers, type VouchingSource } from './carried-servers.js'
import { CARRIED_TAHOE_SERVICE, FURL_FIELD, TAHOE_STORAGE_SERVICE } from './carriage.js'
import { tahoeAnnouncementOf, tahoeServerIdOf } from './carried-peers.js'
import { DEFAULT_MAX_CARRIED_SERVERS, MAX_CARRIED_SERVERS } from './constants.js'
import { TahoeIntroducerClient } from './introducer-client.js'
import { TahoeIntroducerServer, type SubscriberSummary } from './introducer-server.js'
import type { VerifiedTahoeAnnouncement } from './announcement.js'
import type { IntroducerService } from '../introduction/index.js'
import type { ServicePeer } from '../peer-table.js'
import type { FoolscapLimits } from '../foolscap/limits.js'
import type { TcpHint } from '../foolscap/furl.js'
import type { PrivateKey } from '@libp2p/interface'

export interface TahoeGatewayListen {
  host: string
  /** 0 picks a free port (keep the bound one to keep the FURL). */
  port: number
  /** Hints advertised in the FURL. @default the bound address */
  location?: TcpHint[]
  /** node.pem bytes and swissnum: keep both to keep the FURL. */
  tubIdentity: Uint8Array | string
  swissnum: string
}

export interface GatewayEvent {
  type: 'published' | 'carried' | 'updated' | 'withdrawn' | 'refused' | 'announced' | 'forgotten' | 'rejected' | 'upstream-connected' | 'upstream-lost'
  /** The Tahoe server id (v0-...), when about one server. */
  serverId?: string
  nickname?: string
  detail?: string
}

export interface TahoeGatewayInit {
  /** The node's introduction service. */
  introducer: IntroducerService
  /** The node's Ed25519 key: carrier keys are derived from it and bound to it. */
  nodeKey: PrivateKey
  /** Serve a Tahoe introducer (absent: only bring `upstream` announcements in). */
  listen?: TahoeGatewayListen
  /** FURLs of existing Tahoe introducers whose storage announcements are carried (migration). */
  upstream?: string[]
  /** Most Tahoe servers this node carries onto the grid (1 to 10 000). @default 1000 */
  maxServers?: number
  /** Lifetime of the carrying records, refreshed every third of it. */
  ttlMs: number
  /** This node's grid admission certificate, sent with every carrying record. */
  certificate?: Uint8Array
  /** Shown to upstream introducers. @default 'gossip-introducer' */
  nickname?: string
  limits?: FoolscapLimits
  now?: () => number
  onEvent?: (event: GatewayEvent) => void
}

export interface TahoeServerStatus {
  serverId: string
  nickname: string
  version: string
  /** Tahoe's seqnum, decimal (absent when the announcement has none). */
  seqnum: string | null
  anonymousStorageFurl: string | null
  /** Sources vouching for it here: Foolscap connections it published on, connected upstreams. */
  vouchedHere: number
}

export interface TahoeGatewayStatus {
  furl: string | null
  tubId: string | null
  subscribers: SubscriberSummary[]
  /** What Tahoe clients here are given (storage announcements held). */
  servers: TahoeServerStatus[]
  carried: number
  maxServers: number
  upstream: Array<{ furl: string, connected: boolean, announcements: number }>
}

/** A connected upstream introducer, as a source vouching for what it announced. */
class UpstreamSource implements VouchingSource {
  private readonly listeners = new Set<() => void>()
  connected = false

  onDisconnect (listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  lost (): void {
    this.connected = false
    const all = [...this.listeners]
    this.listeners.clear()
    for (const l of all) l()
  }
}

export class TahoeGateway {
  private readonly init: TahoeGatewayInit
  private readonly carried: CarriedServers
  private readonly server?: TahoeIntroducerServer
  private readonly upstream: Array<{ furl: string, client: TahoeIntroducerClient, source: UpstreamSource }> = []
  private readonly refresher: RepeatingTask
  private readonly maxServers: number
  private started = false
  private bound: TcpHint | undefined

  constructor (init: TahoeGatewayInit) {
    this.init = init
    const max = this.maxServers = init.maxServers ?? DEFAULT_MAX_CARRIED_SERVERS
    if (!Number.isInteger(max) || max < 1 || max > MAX_CARRIED_SERVERS) {
      throw new InvalidOptionError('maxServers', `must be a whole number from 1 to ${MAX_CARRIED_SERVERS}, not ${max}`)
    }
    const now = init.now ?? Date.now
    const event = (e: GatewayEvent): void => { init.onEvent?.(e) }
    this.carried = new CarriedServers({
      grid: init.introducer.grid,
      nodeKey: init.nodeKey,
      ttlMs: init.ttlMs,
      maxServers: max,
      certificate: init.certificate,
      now,
      publish: async record => { await init.introducer.publishSigned(record) },
      onChange: (type, ann, detail) => { event({ type, serverId: ann.keyId, nickname: ann.nickname, detail }) }
    })
    if (init.listen !== undefined) {
      this.server = new TahoeIntroducerServer({
        host: init.listen.host,
        port: init.listen.port,
        location: init.listen.location,
        tubIdentity: init.listen.tubIdentity,
        swissnum: init.listen.swissnum,
        limits: init.limits,
        onPublish: (ann, from) => { this.carry(ann, from, `publish from ${from.tubId}`) },
        onAnnouncement: (ann, from) => { event({ type: 'published', serverId: ann.keyId, nickname: ann.nickname, detail: `seqnum ${ann.seqnum ?? '-'} by tub ${from.tubId} at ${from.remoteAddress}` }) },
        onRejected: (reason, from) => { event({ type: 'rejected', detail: `publish_v2 from ${from.tubId} at ${from.remoteAddress}: ${reason}` }) }
      })
    }
    for (const furl of init.upstream ?? []) {
      try {
        parseFurl(furl)
      } catch (err) {
        throw new InvalidOptionError('upstream', describeError(err))
      }
      const source = new UpstreamSource()
      const client: TahoeIntroducerClient = new TahoeIntroducerClient({
        furl,
        serviceNames: [CARRIED_TAHOE_SERVICE],
        nickname: init.nickname,
        limits: init.limits,
        onAnnouncement: ann => { this.carry(ann, source, `upstream ${furl}`) },
        onConnected: () => {
          source.connected = true
          event({ type: 'upstream-connected', detail: furl })
          // what it announced before the last loss is vouched for again
          for (const ann of client.announcements()) this.carry(ann, source, `upstream ${furl}`)
        },
        onDisconnected: () => {
          event({ type: 'upstream-lost', detail: furl })
          source.lost()
        },
        onRejected: reason => { event({ type: 'rejected', detail: `upstream ${furl}: ${reason}` }) }
      })
      this.upstream.push({ furl, client, source })
    }
    this.refresher = repeatingTask(async () => { await this.carried.refresh() }, Math.max(MIN_REFRESH_INTERVAL_MS, Math.floor(init.ttlMs * REFRESH_FRACTION)))
  }

  /** The FURL Tahoe nodes list in introducers.yaml (when listening). */
  get furl (): string | undefined {
    return this.server?.furl
  }

  /** Where the Tahoe introducer listens (after start). */
  get address (): TcpHint | undefined {
    return this.bound
  }

  /** Starts serving; the node must be started. */
  async start (): Promise<void> {
    if (this.started) return
    const intro = this.init.introducer
    if (!intro.getSubscriptions().includes(TAHOE_STORAGE_SERVICE)) intro.subscribeTo(TAHOE_STORAGE_SERVICE)
    this.bound = await this.server?.start()
    this.started = true
    for (const type of ['peer:added', 'peer:updated'] as const) intro.addEventListener(type, this.onEntry)
    for (const type of ['peer:withdrawn', 'peer:expired', 'peer:evicted'] as const) intro.addEventListener(type, this.onGone)
    for (const peer of intro.getPeers(TAHOE_STORAGE_SERVICE)) this.announce(peer)
    for (const u of this.upstream) u.client.start()
    this.refresher.start()
  }

  /** Withdraws what it carries (while the node still runs), then stops serving. */
  async stop (): Promise<void> {
    if (!this.started) return
    this.started = false
    this.refresher.stop()
    const intro = this.init.introducer
    for (const type of ['peer:added', 'peer:updated'] as const) intro.removeEventListener(type, this.onEntry)
    for (const type of ['peer:withdrawn', 'peer:expired', 'peer:evicted'] as const) intro.removeEventListener(type, this.onGone)
    await this.carried.withdrawAll()
    await Promise.allSettled(this.upstream.map(async u => u.client.stop()))
    await this.server?.stop()
  }

  status (): TahoeGatewayStatus {
    const anns = this.server?.announcements(CARRIED_TAHOE_SERVICE) ??
      this.upstream.flatMap(u => u.client.announcements(CARRIED_TAHOE_SERVICE))
    return {
      furl: this.server !== undefined && this.started ? this.server.furl : null,
      tubId: this.server?.tubId ?? null,
      subscribers: this.server?.subscriberList() ?? [],
      servers: anns.map(a => ({
        serverId: a.keyId,
        nickname: a.nickname ?? '',
        version: a.myVersion ?? '',
        seqnum: a.seqnum?.toString() ?? null,
        anonymousStorageFurl: typeof a.fields[FURL_FIELD] === 'string' ? a.fields[FURL_FIELD] : null,
        vouchedHere: this.carried.sourceCount(a.keyId)
      })),
      carried: this.carried.size,
      maxServers: this.maxServers,
      upstream: this.upstream.map(u => ({ furl: u.furl, connected: u.client.connected, announcements: u.client.announcements().length }))
    }
  }

  private carry (ann: VerifiedTahoeAnnouncement, source: VouchingSource, from: string): void {
    this.carried.carry(ann, source).catch((err: unknown) => {
      this.init.onEvent?.({ type: 'refused', serverId: ann.keyId, nickname: ann.nickname, detail: `${from}: ${describeError(err)}` })
    })
  }

  /** A carrying entry of the grid: its Tahoe announcement goes to the Tahoe clients here. */
  private announce (peer: ServicePeer): void {
    const signed = tahoeAnnouncementOf(peer)
    if (this.server === undefined || signed === undefined) return
    try {
      const outcome = this.server.announce(signed)
      if (outcome === 'new' || outcome === 'updated') {
        this.init.onEvent?.({ type: 'announced', serverId: tahoeServerIdOf(peer), nickname: peer.nickname, detail: outcome })
      }
    } catch (err) {
      // verified on intake already: only a bug gets here
      this.init.onEvent?.({ type: 'rejected', serverId: tahoeServerIdOf(peer), detail: describeError(err) })
    }
  }

  private readonly onEntry = (evt: CustomEvent<ServicePeer>): void => {
    if (evt.detail.service === TAHOE_STORAGE_SERVICE) this.announce(evt.detail)
  }

  /** An entry left: when no daemon carries that server any more, new subscribers are not told of it. */
  private readonly onGone = (evt: CustomEvent<ServicePeer>): void => {
    const id = evt.detail.service === TAHOE_STORAGE_SERVICE ? tahoeServerIdOf(evt.detail) : undefined
    if (id === undefined || this.server === undefined || this.carried.has(id)) return
    const intro = this.init.introducer
    const rest = intro.getPeers(TAHOE_STORAGE_SERVICE).find(p => tahoeServerIdOf(p) === id)
    if (rest !== undefined) {
      this.announce(rest)
    } else if (this.server.forget(id, CARRIED_TAHOE_SERVICE) > 0) {
      this.init.onEvent?.({ type: 'forgotten', serverId: id, nickname: evt.detail.nickname, detail: evt.type })
    }
  }
}
