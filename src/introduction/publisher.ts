/**
 * This node's own records: what it publishes, the seqnum counter behind them (persisted
 * before use, one publication at a time; a failing store does not stop publishing: see
 * guarded-store.ts), refreshes every third of the TTL (its own
 * timer), withdrawals, and re-publication of a record nobody heard as soon as a peer
 * subscribes to its topic.
 */
import { repeatingTask, type RepeatingTask } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { randomBytes } from 'node:crypto'
import { NONCE_BYTES, signAnnouncement } from '../announcement/record.js'
import { nextSeqnum } from '../announcement/seqnum.js'
import { describeError } from '../errors.js'
import { parseServiceTopic, serviceTopic } from '../gossip/topic.js'
import { MIN_REFRESH_INTERVAL_MS, REFRESH_FRACTION } from './constants.js'
import type { IntroductionComponents, PublishFields } from './index.js'
import type { ResolvedOptions } from './options.js'
import type { PeerTable } from '../peer-table.js'
import type { Logger, PeerId, Startable } from '@libp2p/interface'

export type PublisherOptions = Pick<ResolvedOptions, 'grid' | 'ttlMs' | 'nickname' | 'version' | 'permutationSeed' | 'certificate' | 'store' | 'now'>

export class Publisher implements Startable {
  private readonly published = new Map<string, PublishFields>()
  /** Services whose latest record reached no peer when it was published. */
  private readonly unheard = new Set<string>()
  private seqnum = 0n
  private seqnumLock: Promise<unknown> = Promise.resolve()
  private readonly refresher: RepeatingTask

  constructor (
    private readonly components: Pick<IntroductionComponents, 'privateKey' | 'pubsub' | 'addressManager'>,
    private readonly table: PeerTable,
    private readonly init: PublisherOptions,
    private readonly log: Logger
  ) {
    this.refresher = repeatingTask(async () => { await this.refresh() }, Math.max(MIN_REFRESH_INTERVAL_MS, Math.floor(init.ttlMs * REFRESH_FRACTION)))
  }

  async start (): Promise<void> {
    this.seqnum = await this.init.store.loadSeqnum()
    this.components.pubsub.addEventListener('subscription-change', this.onSubscriptionChange)
  }

  /** Refreshes start once gossipsub is up. */
  afterStart (): void {
    this.refresher.start()
  }

  /** Withdraws everything while the network is still up. */
  async beforeStop (): Promise<void> {
    this.refresher.stop()
    await this.withdrawAll()
  }

  stop (): void {
    this.refresher.stop()
    this.components.pubsub.removeEventListener('subscription-change', this.onSubscriptionChange)
  }

  services (): string[] {
    return [...this.published.keys()]
  }

  has (service: string): boolean {
    return this.published.has(service)
  }

  /** Publishes with new fields; what was published before stays if this throws. */
  async publish (service: string, fields: PublishFields): Promise<void> {
    await this.publishRecord(service, false, { ...fields })
  }

  async withdraw (service: string): Promise<void> {
    await this.publishRecord(service, true)
    this.published.delete(service)
    this.unheard.delete(service)
  }

  /** Withdraws everything; never throws. */
  private async withdrawAll (): Promise<void> {
    await Promise.allSettled(this.services().map(async service => this.publishRecord(service, true)))
  }

  /** Re-publishes every service with a fresh seqnum, so its records do not expire. */
  private async refresh (): Promise<void> {
    for (const service of this.services()) {
      try {
        await this.publishRecord(service, false)
      } catch (err) {
        this.log.error('refresh of %s failed: %s', service, describeError(err))
      }
    }
  }

  /** A peer subscribed to a topic of ours: publish again if nobody heard the last record. */
  private readonly onSubscriptionChange = (evt: CustomEvent<{ subscriptions: Array<{ topic: string, subscribe: boolean }> }>): void => {
    for (const { topic, subscribe } of evt.detail.subscriptions) {
      const service = parseServiceTopic(topic)
      if (!subscribe || service?.grid !== this.init.grid || !this.unheard.has(service.service) || !this.published.has(service.service)) {
        continue
      }
      this.unheard.delete(service.service)
      void this.publishRecord(service.service, false).catch((err: unknown) => {
        this.log('re-publishing %s: %s', service.service, describeError(err))
      })
    }
  }

  /** Signs a fresh record (new seqnum), takes it into our table, and gossips it. */
  private async publishRecord (service: string, withdrawn: boolean, newFields?: PublishFields): Promise<void> {
    const fields = newFields ?? this.published.get(service) ?? {}
    const multiaddrs = (fields.multiaddrs ?? this.components.addressManager.getAddresses()).map(ma => typeof ma === 'string' ? multiaddr(ma) : ma)
    const seqnum = await this.takeSeqnum()
    const record = await signAnnouncement({
      grid: this.init.grid,
      service,
      seqnum,
      nonce: randomBytes(NONCE_BYTES),
      issuedAtMs: this.init.now(),
      ttlMs: this.init.ttlMs,
      nickname: this.init.nickname,
      version: this.init.version,
      permutationSeed: this.init.permutationSeed,
      multiaddrs: withdrawn ? [] : multiaddrs,
      readonly: fields.readonly ?? false,
      availableSpace: fields.availableSpace,
      fields: withdrawn ? {} : (fields.fields ?? {}),
      withdrawn,
      certificate: this.init.certificate
    }, this.components.privateKey)
    this.table.offer(record)
    if (newFields != null) {
      this.published.set(service, newFields)
    }
    const recipients = (await this.gossip(service, record.signed)).length
    if (recipients === 0 && !withdrawn) {
      // nobody heard it: publish again as soon as a peer subscribes to the topic
      this.unheard.add(service)
    } else {
      this.unheard.delete(service)
    }
  }

  /**
   * Publishes a signed record on its service's topic; the peers gossipsub sent it to,
   * none when nobody is subscribed (sync hands it on). Never throws.
   */
  async gossip (service: string, signed: Uint8Array): Promise<PeerId[]> {
    try {
      return (await this.components.pubsub.publish(serviceTopic(this.init.grid, service), signed)).recipients
    } catch (err) {
      this.log('publish %s: %s', service, describeError(err))
      return []
    }
  }

  /** The seqnum counter is persisted before a seqnum is used, one publication at a time. */
  private async takeSeqnum (): Promise<bigint> {
    const next = this.seqnumLock.then(async () => {
      const seqnum = nextSeqnum(this.seqnum, this.init.now())
      await this.init.store.saveSeqnum(seqnum)
      this.seqnum = seqnum
      return seqnum
    })
    this.seqnumLock = next.catch(() => {})
    return next
  }
}
