/**
 * The Tahoe servers one gateway carries onto the grid: one record each, under the
 * server's carrier key (carriage.ts), alive while at least one source vouches for it — a
 * Foolscap connection on which the server published it, or a connected upstream Tahoe
 * introducer that announced it — re-signed every third of the TTL, withdrawn (a signed,
 * newer record) when the last source goes. Only this node can sign for its carrier keys,
 * so nobody else can withdraw or refresh these records.
 */
import { randomBytes } from 'node:crypto'
import { isDeepStrictEqual } from 'node:util'
import { NONCE_BYTES, signAnnouncement } from '../announcement/record.js'
import { nextSeqnum } from '../announcement/seqnum.js'
import { describeError } from '../errors.js'
import { carriageOf, carriedContent, deriveCarrier, NotCarriedError, TAHOE_STORAGE_SERVICE, type Carrier, type CarriedContent } from './carriage.js'
import type { VerifiedTahoeAnnouncement } from './announcement.js'
import type { PrivateKey } from '@libp2p/interface'

/** Something that vouches for a server while it is connected. */
export interface VouchingSource {
  readonly connected: boolean
  onDisconnect(listener: () => void): () => void
}

export type CarryOutcome = 'carried' | 'updated' | 'vouched' | 'not-carried' | 'full' | 'disconnected'

export interface CarriedServersInit {
  grid: string
  nodeKey: PrivateKey
  ttlMs: number
  maxServers: number
  certificate?: Uint8Array
  now: () => number
  /** Puts a signed record into the node's table and on gossip (IntroducerService.publishSigned). */
  publish: (record: Uint8Array) => Promise<void>
  /** What happened, for logs. */
  onChange?: (type: 'carried' | 'updated' | 'withdrawn' | 'refused', ann: VerifiedTahoeAnnouncement, detail?: string) => void
}

interface Entry {
  ann: VerifiedTahoeAnnouncement
  content: CarriedContent
  carrier: Carrier
  sources: Map<VouchingSource, () => void>
  /** Publications of this entry, one at a time, in order. */
  chain: Promise<void>
}

/** Whether `ann` replaces `old` under Tahoe's rule (announcement-table.ts). */
function isNewer (ann: VerifiedTahoeAnnouncement, old: VerifiedTahoeAnnouncement): boolean {
  if (isDeepStrictEqual(ann.fields, old.fields)) return false
  if (!old.hasSeqnum) return true
  return ann.seqnum !== undefined && old.seqnum !== undefined && ann.seqnum > old.seqnum
}

export class CarriedServers {
  private readonly entries = new Map<string, Entry>()
  /** Carrier keys being derived, so that two publishes at once make one entry. */
  private readonly deriving = new Map<string, Promise<Carrier>>()
  private seqnum = 0n
  private stopped = false

  constructor (private readonly init: CarriedServersInit) {}

  get size (): number {
    return this.entries.size
  }

  has (keyId: string): boolean {
    return this.entries.has(keyId)
  }

  /** Sources vouching for a carried server (0: not carried). */
  sourceCount (keyId: string): number {
    return this.entries.get(keyId)?.sources.size ?? 0
  }

  /** Carries `ann` while `source` vouches for it; publishes when it is new or newer. */
  async carry (ann: VerifiedTahoeAnnouncement, source: VouchingSource): Promise<CarryOutcome> {
    if (this.stopped) return 'disconnected'
    let content: CarriedContent
    try {
      content = carriedContent(ann)
    } catch (err) {
      if (err instanceof NotCarriedError) return 'not-carried'
      throw err
    }
    let entry = this.entries.get(ann.keyId)
    if (entry === undefined) {
      if (this.entries.size + this.deriving.size >= this.init.maxServers && !this.deriving.has(ann.keyId)) {
        this.init.onChange?.('refused', ann, `this gateway carries ${this.init.maxServers} servers already`)
        return 'full'
      }
      let pending = this.deriving.get(ann.keyId)
      if (pending === undefined) {
        pending = deriveCarrier(this.init.nodeKey, ann.keyId)
        this.deriving.set(ann.keyId, pending)
      }
      const carrier = await pending.finally(() => this.deriving.delete(ann.keyId))
      entry = this.entries.get(ann.keyId)
      if (entry === undefined) {
        if (!source.connected || this.stopped) return 'disconnected'
        const fresh: Entry = { ann, content, carrier, sources: new Map(), chain: Promise.resolve() }
        this.entries.set(ann.keyId, fresh)
        this.vouch(ann.keyId, fresh, source)
        try {
          await this.enqueue(fresh, false)
        } catch {
          // not signable (e.g. over 8 KiB) or not taken: it stays local to this daemon
          this.forgetEntry(ann.keyId, fresh)
          return 'not-carried'
        }
        this.init.onChange?.('carried', ann)
        return 'carried'
      }
    }
    const vouched = this.vouch(ann.keyId, entry, source)
    if (isNewer(ann, entry.ann)) {
      entry.ann = ann
      entry.content = content
      await this.enqueue(entry, false)
      this.init.onChange?.('updated', ann)
      return 'updated'
    }
    return vouched ? 'vouched' : 'disconnected'
  }

  /** Re-signs every carried record with a fresh seqnum and expiry. */
  async refresh (): Promise<void> {
    for (const entry of [...this.entries.values()]) {
      await this.enqueue(entry, false).catch(() => {})
    }
  }

  /** Withdraws everything (the node stops gracefully); never throws. */
  async withdrawAll (): Promise<void> {
    this.stopped = true
    const all = [...this.entries.values()]
    this.entries.clear()
    for (const entry of all) {
      for (const cancel of entry.sources.values()) cancel()
      entry.sources.clear()
    }
    await Promise.allSettled(all.map(async entry => this.enqueue(entry, true)))
  }

  private forgetEntry (keyId: string, entry: Entry): void {
    if (this.entries.get(keyId) === entry) this.entries.delete(keyId)
    for (const cancel of entry.sources.values()) cancel()
    entry.sources.clear()
  }

  private vouch (keyId: string, entry: Entry, source: VouchingSource): boolean {
    if (entry.sources.has(source)) return true
    if (!source.connected) return false
    entry.sources.set(source, source.onDisconnect(() => { void this.unvouch(keyId, entry, source) }))
    return true
  }

  private async unvouch (keyId: string, entry: Entry, source: VouchingSource): Promise<void> {
    if (!entry.sources.delete(source) || entry.sources.size > 0 || this.entries.get(keyId) !== entry) return
    this.entries.delete(keyId)
    await this.enqueue(entry, true).catch(() => {})
    this.init.onChange?.('withdrawn', entry.ann, 'no connection vouches for it any more')
  }

  /** Signs and publishes the entry's record (or its withdrawal) after its earlier ones. */
  private async enqueue (entry: Entry, withdrawn: boolean): Promise<void> {
    const next = entry.chain.then(async () => this.sign(entry, withdrawn))
    entry.chain = next.catch(() => {})
    return next
  }

  private async sign (entry: Entry, withdrawn: boolean): Promise<void> {
    // one counter for every carrier key, never below the clock: a restart goes on above it
    this.seqnum = nextSeqnum(this.seqnum, this.init.now())
    const { content, carrier, ann } = entry
    try {
      const record = await signAnnouncement({
        grid: this.init.grid,
        service: TAHOE_STORAGE_SERVICE,
        seqnum: this.seqnum,
        nonce: randomBytes(NONCE_BYTES),
        issuedAtMs: this.init.now(),
        ttlMs: this.init.ttlMs,
        nickname: content.nickname,
        version: content.version,
        permutationSeed: content.permutationSeed,
        multiaddrs: [],
        readonly: false,
        fields: withdrawn ? {} : content.fields,
        withdrawn,
        certificate: this.init.certificate,
        tahoe: carriageOf(ann.signed, carrier)
      }, carrier.key)
      await this.init.publish(record.signed)
    } catch (err) {
      this.init.onChange?.('refused', ann, describeError(err))
      throw err
    }
  }
}
