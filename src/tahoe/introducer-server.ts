/**
 * A Tahoe-LAFS introducer over Foolscap: serves RIIntroducerPublisherAndSubscriberService_v2
 * (get_version, publish_v2, subscribe_v2) and calls announce_v2 on subscribers, as Tahoe's
 * own introducer (introducer/server.py) does. Announcements also come in through
 * `announce()` (e.g. from the gossip grid) and go to every current and later subscriber of
 * their service; announcements published here are handed to `onAnnouncement`.
 */
import { InvalidOptionError } from '../errors.js'
import { Tub } from '../foolscap/tub.js'
import { decodeTubIdentity } from '../foolscap/tub-identity.js'
import { Violation } from '../foolscap/errors.js'
import { Dict, fromUtf8, isRemoteReference, utf8, type BananaValue, type CallContext, type Referenceable } from '../foolscap/values.js'
import type { RemoteReference } from '../foolscap/remote-reference.js'
import type { FoolscapLimits } from '../foolscap/limits.js'
import type { TcpHint } from '../foolscap/furl.js'
import { verifyTahoeAnnouncement, type SignedTahoeAnnouncement, type VerifiedTahoeAnnouncement } from './announcement.js'
import { AnnouncementTable, type OfferOutcome } from './announcement-table.js'
import {
  DEFAULT_MAX_ANNOUNCEMENTS, DEFAULT_MAX_SUBSCRIBERS, INTRODUCER_SERVICE_INTERFACE, INTRODUCER_V2,
  MAX_SERVICE_NAME_LENGTH, MAX_SUBSCRIPTIONS_PER_CONNECTION, SUBSCRIBER_CLIENT_INTERFACE
} from './constants.js'
import { announcementFromWire, batchToWire } from './wire.js'

/**
 * Where an announcement came from: the Foolscap connection that published it (the same
 * object for every publish on one connection).
 */
export interface AnnouncementSource {
  readonly tubId: string
  readonly remoteAddress: string
  /** False once that connection is lost. */
  readonly connected: boolean
  /** Runs `listener` once when that connection is lost; returns a function that cancels it. */
  onDisconnect(listener: () => void): () => void
}

/** A Tahoe node subscribed to one service here. */
export interface SubscriberSummary {
  readonly serviceName: string
  readonly tubId: string
  /** From its subscriber_info (untrusted text). */
  readonly nickname: string
  readonly version: string
  /** When it subscribed, ms since the epoch. */
  readonly since: number
}

export interface TahoeIntroducerServerInit {
  /** Address to listen on. @default '127.0.0.1' */
  host?: string
  /** Port to listen on; 0 picks a free one. */
  port: number
  /** Hints advertised in the FURL. @default the bound host:port */
  location?: TcpHint[]
  /** The tub's node.pem (certificate and key); keep it to keep the FURL. */
  tubIdentity: Uint8Array | string
  /** The FURL's name part; keep it to keep the FURL. */
  swissnum: string
  /** Foolscap bounds (sizes, counts, timeouts). */
  limits?: FoolscapLimits
  /** @default 10000 */
  maxAnnouncements?: number
  /** @default 1000 */
  maxSubscribers?: number
  /** Sent as `application-version` by get_version. @default 'gossip-introducer' */
  applicationVersion?: string
  /** A verified announcement published to this server that is new or replaces an older one. */
  onAnnouncement?: (ann: VerifiedTahoeAnnouncement, from: AnnouncementSource) => void | Promise<void>
  /**
   * Every verified publish_v2 that is not refused: new, newer, or the one held again
   * (Tahoe nodes re-publish on every reconnection), with the connection it came on.
   */
  onPublish?: (ann: VerifiedTahoeAnnouncement, from: AnnouncementSource) => void
  /** A publish_v2 that was refused (bad signature, old seqnum, ...), for logs and tests. */
  onRejected?: (reason: string, from: AnnouncementSource) => void
}

interface Subscription {
  ref: RemoteReference
  info: Dict
  since: number
}

function infoText (info: Dict, key: string): string {
  const v = info.get(key)
  if (typeof v === 'string') return v
  if (v instanceof Uint8Array) {
    try {
      return fromUtf8(v)
    } catch {}
  }
  return ''
}

export class TahoeIntroducerServer {
  private readonly tub: Tub
  private readonly table: AnnouncementTable
  private readonly subscribers = new Map<string, Map<RemoteReference, Subscription>>()
  private readonly init: TahoeIntroducerServerInit
  private readonly maxSubscribers: number
  private furlValue: string | undefined
  private readonly service: Referenceable
  private readonly sources = new WeakMap<CallContext, AnnouncementSource>()

  constructor (init: TahoeIntroducerServerInit) {
    if (!/^[a-z2-7]{1,100}$/.test(init.swissnum)) throw new InvalidOptionError('swissnum', 'must be 1 to 100 lowercase base32 characters')
    this.init = init
    this.tub = new Tub({ identity: decodeTubIdentity(init.tubIdentity), limits: init.limits })
    this.table = new AnnouncementTable(init.maxAnnouncements ?? DEFAULT_MAX_ANNOUNCEMENTS)
    this.maxSubscribers = init.maxSubscribers ?? DEFAULT_MAX_SUBSCRIBERS
    const version = new Dict([
      [utf8(INTRODUCER_V2), new Dict([])],
      [utf8('application-version'), utf8(init.applicationVersion ?? 'gossip-introducer')]
    ])
    this.service = {
      interfaceName: INTRODUCER_SERVICE_INTERFACE,
      methods: {
        get_version: { params: [], call: () => version },
        publish_v2: { params: ['announcement', 'canary'], call: async (args, ctx) => this.published(args, ctx) },
        subscribe_v2: { params: ['subscriber', 'service_name', 'subscriber_info'], call: (args) => this.subscribe(args) }
      }
    }
  }

  /** The FURL Tahoe nodes put in introducers.yaml (after `start`). */
  get furl (): string {
    if (this.furlValue === undefined) throw new Error('the introducer server is not started')
    return this.furlValue
  }

  get tubId (): string {
    return this.tub.tubId
  }

  async start (): Promise<TcpHint> {
    const bound = await this.tub.listen(this.init.host ?? '127.0.0.1', this.init.port, this.init.location)
    this.furlValue = this.tub.register(this.init.swissnum, this.service)
    return bound
  }

  async stop (): Promise<void> {
    await this.tub.stop()
    this.subscribers.clear()
  }

  /**
   * Offers an announcement that came from elsewhere (the gossip grid): verified, then kept
   * and sent to subscribers of its service if it is new or newer. Throws TahoeAnnouncementError.
   */
  announce (signed: SignedTahoeAnnouncement): OfferOutcome {
    return this.accept(verifyTahoeAnnouncement(signed))
  }

  /**
   * Stops handing out a server's announcements (one service or all) to new subscribers.
   * Tahoe clients that already have them keep them: Tahoe never forgets an announcement.
   */
  forget (keyId: string, serviceName?: string): number {
    return this.table.forget(keyId, serviceName)
  }

  announcements (serviceName?: string): VerifiedTahoeAnnouncement[] {
    return this.table.list(serviceName)
  }

  subscriberCount (serviceName: string): number {
    return this.subscribers.get(serviceName)?.size ?? 0
  }

  /** The current subscriptions, oldest first. */
  subscriberList (): SubscriberSummary[] {
    const out: SubscriberSummary[] = []
    for (const [serviceName, subs] of this.subscribers) {
      for (const s of subs.values()) {
        out.push({ serviceName, tubId: s.ref.remoteTubId, nickname: infoText(s.info, 'nickname'), version: infoText(s.info, 'my-version'), since: s.since })
      }
    }
    return out.sort((a, b) => a.since - b.since)
  }

  private accept (ann: VerifiedTahoeAnnouncement): OfferOutcome {
    const outcome = this.table.offer(ann)
    if (outcome === 'new' || outcome === 'updated') {
      for (const s of this.subscribers.get(ann.serviceName)?.values() ?? []) this.send(s.ref, [ann.signed])
    }
    return outcome
  }

  private async published (args: Map<string, BananaValue>, ctx: CallContext): Promise<null> {
    const from = this.sourceOf(ctx)
    const signed = announcementFromWire(args.get('announcement'))
    if (signed === undefined) {
      this.init.onRejected?.('malformed: not a (msg, sig, key) tuple', from)
      throw new Violation('announcement must be a tuple of three byte strings')
    }
    let ann: VerifiedTahoeAnnouncement
    try {
      ann = verifyTahoeAnnouncement(signed)
    } catch (e) {
      this.init.onRejected?.((e as Error).message, from)
      throw e
    }
    const outcome = this.accept(ann)
    if (outcome === 'new' || outcome === 'updated' || outcome === 'duplicate') this.init.onPublish?.(ann, from)
    if (outcome === 'new' || outcome === 'updated') await this.init.onAnnouncement?.(ann, from)
    else if (outcome !== 'duplicate') this.init.onRejected?.(outcome, from)
    return null
  }

  private sourceOf (ctx: CallContext): AnnouncementSource {
    let source = this.sources.get(ctx)
    if (source === undefined) {
      source = {
        tubId: ctx.remoteTubId,
        remoteAddress: ctx.remoteAddress,
        get connected () { return ctx.connected },
        onDisconnect: listener => ctx.onDisconnect(listener)
      }
      this.sources.set(ctx, source)
    }
    return source
  }

  private subscribe (args: Map<string, BananaValue>): null {
    const ref = args.get('subscriber')
    if (!isRemoteReference(ref) || (ref as RemoteReference).interfaceName !== SUBSCRIBER_CLIENT_INTERFACE) {
      throw new Violation(`subscriber must be a reference to ${SUBSCRIBER_CLIENT_INTERFACE}`)
    }
    const subscriber = ref as RemoteReference
    const raw = args.get('service_name')
    const name = raw instanceof Uint8Array ? fromUtf8(raw) : raw
    if (typeof name !== 'string' || name.length === 0 || name.length > MAX_SERVICE_NAME_LENGTH) throw new Violation('service_name must be a short string')
    const info = args.get('subscriber_info')
    if (!(info instanceof Dict)) throw new Violation('subscriber_info must be a dict')
    let subs = this.subscribers.get(name)
    if (subs?.has(subscriber) === true) return null
    const total = [...this.subscribers.values()].reduce((n, m) => n + m.size, 0)
    const mine = [...this.subscribers.values()].filter(m => [...m.keys()].some(r => r.remoteTubId === subscriber.remoteTubId)).length
    if (total >= this.maxSubscribers || mine >= MAX_SUBSCRIPTIONS_PER_CONNECTION) throw new Violation('too many subscriptions')
    if (subs === undefined) {
      subs = new Map()
      this.subscribers.set(name, subs)
    }
    const set = subs
    set.set(subscriber, { ref: subscriber, info, since: Date.now() })
    subscriber.onDisconnect(() => {
      set.delete(subscriber)
      if (set.size === 0 && this.subscribers.get(name) === set) this.subscribers.delete(name)
    })
    const held = this.table.list(name)
    if (held.length > 0) this.send(subscriber, held.map(a => a.signed))
    return null
  }

  private send (ref: RemoteReference, anns: SignedTahoeAnnouncement[]): void {
    // Tahoe's introducer logs a failing subscriber and goes on; so do we.
    ref.callRemote('announce_v2', { announcements: batchToWire(anns) }).catch(() => {})
  }
}
