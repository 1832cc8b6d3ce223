/**
 * An ours node: createNode({ grid: 'bench' }) from src/, unchanged (its gossipsub
 * settings, scoring, validator, sync protocol, connection keeper), optionally with the
 * introducer role. This module is loaded only for ours nodes (host.ts imports it lazily).
 */
import { CpuProfile } from './cpu-profile.js'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { Libp2p } from 'libp2p'
import type { PrivateKey } from '@libp2p/interface'
import { createNode, UPLOAD_STORAGE, type IntroducerNode, type ServicePeer } from '../../src/index.js'
import { BENCH_GRID, type NodeArgs, type NodeResults, type NodeStatus } from '../protocol.js'
import { BenchNode, gossipsubInternals, type Emit } from './bench-node.js'
import type { NodeTuning } from '../worker-client.js'
import { signBurstRecord } from './burst-record.js'
import { signatureChecksMade } from '../../src/announcement/signatures.js'
import { Flood } from './flood.js'
import { publishBurst } from './publish-burst.js'

function benchTag (peer: ServicePeer): string | undefined {
  return peer.service === UPLOAD_STORAGE ? peer.fields.bench : undefined
}

export class OursNode extends BenchNode {
  private burstKeys: PrivateKey[] = []
  private flood: Flood | undefined

  private constructor (index: number, emit: Emit, private readonly node: IntroducerNode, attackerKey: PrivateKey | undefined) {
    super(index, emit)
    this.flood = attackerKey == null ? undefined : new Flood(attackerKey)
    const intro = node.introducer
    this.held = intro.getPeers(UPLOAD_STORAGE).length
    intro.addEventListener('peer:added', (evt) => {
      if (evt.detail.service === UPLOAD_STORAGE) {
        this.held++
        this.tracker?.arrivedFrom(evt.detail.peerId.toString(), Date.now())
        const tag = benchTag(evt.detail)
        if (tag != null) {
          this.emit(`added:${tag}`)
        }
        this.heldChanged()
      }
    })
    intro.addEventListener('peer:updated', (evt) => {
      const tag = benchTag(evt.detail)
      if (tag != null) {
        this.emit(`updated:${tag}`)
      }
    })
    const gone = (evt: CustomEvent<ServicePeer>): void => {
      if (evt.detail.service === UPLOAD_STORAGE) {
        this.held--
        this.emit(`withdrawn:${evt.detail.peerId.toString()}`)
      }
    }
    intro.addEventListener('peer:withdrawn', gone)
    intro.addEventListener('peer:expired', gone)
  }

  /** `attacker`: the node's own key is kept to sign flood records. `tuning`: 0 keeps a default. */
  static async create (index: number, emit: Emit, introducer: boolean, attacker: boolean, tuning: NodeTuning): Promise<OursNode> {
    const attackerKey = attacker ? await generateKeyPair('Ed25519') : undefined
    const node = await createNode({
      grid: BENCH_GRID,
      introducer,
      listen: ['/ip4/127.0.0.1/tcp/0'],
      privateKey: attackerKey,
      antiEntropyIntervalMs: tuning.antiEntropyMs > 0 ? tuning.antiEntropyMs : undefined,
      pingIntervalMs: tuning.pingMs > 0 ? tuning.pingMs : undefined
    })
    return new OursNode(index, emit, node, attackerKey)
  }

  get libp2p (): Libp2p {
    return this.node.libp2p
  }

  get pubsub (): ReturnType<typeof gossipsubInternals> {
    return gossipsubInternals(this.node.libp2p.services.pubsub)
  }

  protected stats (): NodeStatus['stats'] {
    return this.node.introducer.stats()
  }

  /** t0 just before the call, so signing and the seqnum are included. */
  async publish (args: NodeArgs['publish']): Promise<NodeResults['publish']> {
    const t0 = Date.now()
    await this.node.introducer.publish(UPLOAD_STORAGE, { fields: { bench: args.tag } })
    const t1 = Date.now()
    const own = this.node.introducer.getPeers(UPLOAD_STORAGE).find(p => p.peerId.equals(this.node.peerId))
    return { t0, t1, bytes: own?.record.signed.byteLength ?? 0 }
  }

  /** Untimed: M publishers' keys; their peer ids say which burst record a holder has. */
  async prepareBurst (args: NodeArgs['prepareBurst']): Promise<NodeResults['prepareBurst']> {
    const t0 = performance.now()
    this.burstKeys = await Promise.all(Array.from({ length: args.m }, async () => generateKeyPair('Ed25519')))
    const ids = this.burstKeys.map(k => peerIdFromPrivateKey(k).toString())
    return { prepMs: performance.now() - t0, ids }
  }

  /**
   * Timed: signs one announcement per key (M distinct publishers) and publishes each
   * through this node's publishSigned: the node holds them (so sync hands on what gossip
   * loses, as for a Tahoe gateway's carried records) and gossips each on upload_storage.
   */
  async burst (): Promise<NodeResults['burst']> {
    const keys = this.burstKeys
    this.burstKeys = []
    return publishBurst(async data => this.node.introducer.publishSigned(data), keys.length, async i => signBurstRecord(keys[i]))
  }

  /**
   * Late joiner: dial one node and wait until `target` entries are held (they come by
   * sync). BENCH_JOIN_PROFILE=<dir>: a CPU profile of each join (cpu-profile.ts).
   */
  async join (args: NodeArgs['join']): Promise<NodeResults['join']> {
    let done: number | null = null
    const profile = CpuProfile.fromEnv('BENCH_JOIN_PROFILE')
    await profile?.start()
    let first: number | null = null
    this.node.introducer.addEventListener('peer:added', () => { first ??= Date.now() }, { once: true })
    const reached = new Promise<void>(resolve => {
      const check = (): void => {
        if (this.held >= args.target) {
          done ??= Date.now()
          resolve()
        }
      }
      this.node.introducer.addEventListener('peer:added', check)
      check()
    })
    const checksBefore = signatureChecksMade()
    const tStart = Date.now()
    await this.libp2p.dial(multiaddr(args.addr), { signal: AbortSignal.timeout(args.timeoutMs) })
    const tDialed = Date.now()
    let timer: ReturnType<typeof setTimeout> | undefined
    await Promise.race([reached, new Promise<void>(resolve => { timer = setTimeout(resolve, args.timeoutMs) })])
    clearTimeout(timer)
    await profile?.stop('join')
    const checks = signatureChecksMade()
    return {
      tStart, tDialed, tFirst: first, tDone: done, held: this.held,
      checks: checks.here + checks.onWorkers - checksBefore.here - checksBefore.onWorkers,
      connections: this.libp2p.getConnections().length
    }
  }

  async prepareFlood (args: NodeArgs['prepareFlood']): Promise<NodeResults['prepareFlood']> {
    return this.attacker().prepare(args)
  }

  floodStart (args: NodeArgs['floodStart']): void {
    this.attacker().start(this.pubsub, args)
  }

  async floodStop (): Promise<NodeResults['floodStop']> {
    return this.attacker().stop()
  }

  protected async stopHost (): Promise<void> {
    await this.node.stop()
  }

  private attacker (): Flood {
    if (this.flood == null) {
      throw new Error('the flood commands need a node started with attacker: true')
    }
    return this.flood
  }
}
