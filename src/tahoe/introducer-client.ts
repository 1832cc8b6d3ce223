/**
 * Subscribes to a Tahoe-LAFS introducer (ours or Tahoe's own) by its FURL, as Tahoe's
 * IntroducerClient does (introducer/client.py): get_version, then subscribe_v2 per service
 * with a subscriber object whose announce_v2 receives batches. Each announcement is
 * verified and put through Tahoe's replacement rule; new and newer ones go to
 * `onAnnouncement`. Reconnects with backoff until stopped.
 */
import { Tub } from '../foolscap/tub.js'
import { decodeTubIdentity, generateTubIdentity } from '../foolscap/tub-identity.js'
import { Dict, utf8, type BananaValue, type Referenceable } from '../foolscap/values.js'
import type { FoolscapLimits } from '../foolscap/limits.js'
import type { RemoteReference } from '../foolscap/remote-reference.js'
import { verifyTahoeAnnouncement, type VerifiedTahoeAnnouncement } from './announcement.js'
import { AnnouncementTable } from './announcement-table.js'
import {
  DEFAULT_MAX_ANNOUNCEMENTS, DEFAULT_RECONNECT_MAX_MS, DEFAULT_RECONNECT_MIN_MS, INTRODUCER_V2, SUBSCRIBER_CLIENT_INTERFACE
} from './constants.js'
import { InsufficientVersionError } from './errors.js'
import { announcementFromWire, batchItems } from './wire.js'

export interface TahoeIntroducerClientInit {
  /** The introducer's FURL. */
  furl: string
  /** Services to subscribe to. @default ['storage'] */
  serviceNames?: string[]
  /** Shown on the introducer's subscriber table. @default 'gossip-introducer' */
  nickname?: string
  /** A node.pem to connect with; a fresh identity when absent. */
  tubIdentity?: Uint8Array | string
  limits?: FoolscapLimits
  /** @default 10000 */
  maxAnnouncements?: number
  /** @default 1000 */
  reconnectMinMs?: number
  /** @default 60000 */
  reconnectMaxMs?: number
  onAnnouncement?: (ann: VerifiedTahoeAnnouncement) => void
  /** An announcement that failed verification or the replacement rule, or a connection failure. */
  onRejected?: (reason: string) => void
  onConnected?: () => void
  /** The connection to the introducer was lost (after `onConnected`); it reconnects by itself. */
  onDisconnected?: () => void
}

export class TahoeIntroducerClient {
  private readonly tub: Tub
  private readonly table: AnnouncementTable
  private readonly init: TahoeIntroducerClientInit
  private readonly subscriber: Referenceable
  private publisher: RemoteReference | undefined
  private running = false
  private wake: (() => void) | undefined
  private loop: Promise<void> | undefined

  constructor (init: TahoeIntroducerClientInit) {
    this.init = init
    const identity = init.tubIdentity === undefined ? generateTubIdentity() : decodeTubIdentity(init.tubIdentity)
    this.tub = new Tub({ identity, limits: init.limits })
    this.table = new AnnouncementTable(init.maxAnnouncements ?? DEFAULT_MAX_ANNOUNCEMENTS)
    this.subscriber = {
      interfaceName: SUBSCRIBER_CLIENT_INTERFACE,
      methods: { announce_v2: { params: ['announcements'], call: args => this.received(args.get('announcements')) } }
    }
  }

  get connected (): boolean {
    return this.publisher?.connected === true
  }

  announcements (serviceName?: string): VerifiedTahoeAnnouncement[] {
    return this.table.list(serviceName)
  }

  start (): void {
    if (this.running) return
    this.running = true
    this.loop = this.run()
  }

  async stop (): Promise<void> {
    this.running = false
    this.wake?.()
    await this.tub.stop()
    await this.loop
  }

  private async run (): Promise<void> {
    let delay = this.init.reconnectMinMs ?? DEFAULT_RECONNECT_MIN_MS
    while (this.running) {
      try {
        const ref = await this.tub.getReference(this.init.furl)
        const gone = new Promise<void>(resolve => ref.onDisconnect(resolve))
        await this.subscribe(ref)
        this.publisher = ref
        this.init.onConnected?.()
        delay = this.init.reconnectMinMs ?? DEFAULT_RECONNECT_MIN_MS
        await Promise.race([gone, new Promise<void>(resolve => { this.wake = resolve })])
      } catch (e) {
        if (this.running) this.init.onRejected?.(`connection: ${(e as Error).message}`)
      }
      if (this.publisher !== undefined) {
        this.publisher = undefined
        this.init.onDisconnected?.()
      }
      if (!this.running) break
      await new Promise<void>(resolve => {
        const t = setTimeout(resolve, delay)
        this.wake = () => { clearTimeout(t); resolve() }
      })
      delay = Math.min(delay * 2, this.init.reconnectMaxMs ?? DEFAULT_RECONNECT_MAX_MS)
    }
  }

  private async subscribe (ref: RemoteReference): Promise<void> {
    const version = await ref.callRemote('get_version')
    if (!(version instanceof Dict) || version.get(INTRODUCER_V2) === undefined) {
      throw new InsufficientVersionError('the introducer does not speak the v2 protocol')
    }
    const info = new Dict([
      [utf8('version'), 0],
      [utf8('nickname'), this.init.nickname ?? 'gossip-introducer'],
      [utf8('app-versions'), []],
      [utf8('my-version'), 'gossip-introducer'],
      [utf8('oldest-supported'), 'gossip-introducer']
    ])
    for (const name of this.init.serviceNames ?? ['storage']) {
      await ref.callRemote('subscribe_v2', { subscriber: this.subscriber, service_name: utf8(name), subscriber_info: info })
    }
  }

  private received (batch: BananaValue | undefined): null {
    const items = batchItems(batch)
    if (items === undefined) {
      this.init.onRejected?.('announce_v2 without a set of announcements')
      return null
    }
    const wanted = new Set(this.init.serviceNames ?? ['storage'])
    for (const item of items) {
      const signed = announcementFromWire(item)
      if (signed === undefined) {
        this.init.onRejected?.('malformed: not a (msg, sig, key) tuple')
        continue
      }
      let ann: VerifiedTahoeAnnouncement
      try {
        ann = verifyTahoeAnnouncement(signed)
      } catch (e) {
        this.init.onRejected?.((e as Error).message)
        continue
      }
      if (!wanted.has(ann.serviceName)) continue
      const outcome = this.table.offer(ann)
      if (outcome === 'new' || outcome === 'updated') this.init.onAnnouncement?.(ann)
      else if (outcome !== 'duplicate') this.init.onRejected?.(outcome)
    }
    return null
  }
}
