/**
 * The attacker of the flood phase (an ours node with its own key). `prepare` signs the
 * flood records before the flood starts, so that sending is all it does while flooding:
 * rapid: valid records with ever greater seqnums (over the per-publisher rate limit
 * after its burst); forged: the same, but claiming another (random) publisher's key, so
 * that each fails the signature check at the first hop.
 */
import { randomBytes } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import type { GossipSub } from '@libp2p/gossipsub'
import type { PrivateKey } from '@libp2p/interface'
import { DEFAULT_ANNOUNCEMENT_TTL_MS, UPLOAD_STORAGE } from '../../src/index.js'
import { signAnnouncement, signAnnouncementPayload } from '../../src/announcement/record.js'
import { Announcement, SignedAnnouncement } from '../../src/pb/announcement.js'
import { BENCH_GRID, type NodeArgs, type NodeResults } from '../protocol.js'
import { MEASURED_TOPIC } from './bench-node.js'

export const NONCE_BYTES = 16
/** How often the sender catches up with its rate. */
const TICK_MS = 5

export class Flood {
  private pool: Uint8Array[] = []
  private running: { stop(): void, done: Promise<NodeResults['floodStop']> } | undefined

  constructor (private readonly key: PrivateKey) {}

  async prepare (args: NodeArgs['prepareFlood']): Promise<NodeResults['prepareFlood']> {
    const t0 = performance.now()
    const content = {
      grid: BENCH_GRID,
      service: UPLOAD_STORAGE,
      seqnum: 1n,
      nonce: new Uint8Array(NONCE_BYTES),
      issuedAtMs: Date.now(),
      ttlMs: DEFAULT_ANNOUNCEMENT_TTL_MS,
      nickname: 'attacker',
      version: 'gossip-introducer/bench',
      permutationSeed: new Uint8Array(),
      multiaddrs: [multiaddr('/ip4/127.0.0.1/tcp/1')],
      readonly: false,
      fields: {},
      withdrawn: false
    }
    const base = BigInt(Date.now()) * 1000n
    const victim = new Uint8Array((await generateKeyPair('Ed25519')).publicKey.raw)
    const template = args.kind === 'forged'
      ? Announcement.decode(SignedAnnouncement.decode((await signAnnouncement(content, this.key)).signed).payload)
      : undefined
    this.pool = []
    for (let i = 0; i < args.count; i++) {
      const seqnum = base + BigInt(i)
      const nonce = randomBytes(NONCE_BYTES)
      if (template == null) {
        this.pool.push((await signAnnouncement({ ...content, seqnum, nonce }, this.key)).signed)
      } else {
        const payload = Announcement.encode({ ...template, seqnum, nonce, publicKey: victim })
        const signature = new Uint8Array(await signAnnouncementPayload(payload, this.key))
        this.pool.push(SignedAnnouncement.encode({ payload, signature }))
      }
    }
    return { prepMs: performance.now() - t0 }
  }

  /** Sends the prepared records on the measured topic at `ratePerSec` until stop(), `maxMs` or the pool ends. */
  start (pubsub: GossipSub, args: NodeArgs['floodStart']): void {
    const pool = this.pool
    this.pool = []
    const state = { stop: false }
    const done = (async (): Promise<NodeResults['floodStop']> => {
      const t0 = Date.now()
      let sent = 0
      let failed = 0
      while (!state.stop && sent < pool.length && Date.now() - t0 < args.maxMs) {
        const due = Math.min(pool.length, Math.floor((Date.now() - t0) * args.ratePerSec / 1000) + 1)
        while (sent < due) {
          await pubsub.publish(MEASURED_TOPIC, pool[sent]).catch(() => { failed++ })
          sent++
        }
        await new Promise(resolve => setTimeout(resolve, TICK_MS))
      }
      return { sent, failed, ms: Date.now() - t0 }
    })()
    this.running = { stop: () => { state.stop = true }, done }
  }

  async stop (): Promise<NodeResults['floodStop']> {
    if (this.running == null) {
      throw new Error('floodStart was not called')
    }
    this.running.stop()
    return this.running.done
  }
}
