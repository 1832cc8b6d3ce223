/**
 * A raw node: a bare libp2p host (tcp, noise, yamux, identify, @libp2p/gossipsub with its
 * defaults, except the loopback colocation whitelist, allowPublishToZeroTopicPeers and the
 * same raised inbound connection limits as createNode) subscribed to the same topics as a
 * createNode() node of its role. Only topic names come from src/ (see host.ts).
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { gossipsub, type GossipSub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import { createLibp2p, type Libp2p } from 'libp2p'
import { DOWNLOAD_STORAGE, INTRODUCER, PREDEFINED_SERVICES, UPLOAD_STORAGE } from '../../src/announcement/names.js'
import { serviceTopic } from '../../src/gossip/topic.js'
import { burstKey, decodeKey, encodeKeyed, parseBurstKey } from '../payload.js'
import { BENCH_GRID, type NodeArgs, type NodeResults, type NodeStatus } from '../protocol.js'
import { BenchNode, COLOCATION_WHITELIST, gossipsubInternals, MEASURED_TOPIC, type Emit } from './bench-node.js'
import { publishBurst } from './publish-burst.js'

export class RawNode extends BenchNode {
  private burstPayloads: Uint8Array[] = []

  private constructor (index: number, emit: Emit, private readonly host: Libp2p<{ pubsub: GossipSub }>) {
    super(index, emit)
    host.services.pubsub.addEventListener('message', (evt) => {
      if (evt.detail.topic !== MEASURED_TOPIC) {
        return
      }
      const key = decodeKey(evt.detail.data)
      if (key.startsWith('b:')) {
        if (this.tracker != null) {
          const i = parseBurstKey(key, this.tracker.run)
          if (i != null) {
            this.tracker.arrived(i, Date.now())
          }
        }
        this.held++
        this.heldChanged()
      } else {
        this.emit(`msg:${key}`)
      }
    })
  }

  static async create (index: number, emit: Emit, introducer: boolean): Promise<RawNode> {
    const host = await createLibp2p({
      privateKey: await generateKeyPair('Ed25519'),
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionManager: { inboundConnectionThreshold: 50, maxIncomingPendingConnections: 50 },
      services: {
        identify: identify(),
        pubsub: gossipsub({
          allowPublishToZeroTopicPeers: true,
          scoreParams: { IPColocationFactorWhitelist: new Set(COLOCATION_WHITELIST) }
        })
      }
    })
    // the same topics a createNode() node of this role subscribes to
    const services = introducer ? PREDEFINED_SERVICES : [INTRODUCER, UPLOAD_STORAGE, DOWNLOAD_STORAGE]
    for (const service of services) {
      host.services.pubsub.subscribe(serviceTopic(BENCH_GRID, service))
    }
    return new RawNode(index, emit, host)
  }

  get libp2p (): Libp2p {
    return this.host
  }

  get pubsub (): ReturnType<typeof gossipsubInternals> {
    return gossipsubInternals(this.host.services.pubsub)
  }

  protected stats (): NodeStatus['stats'] {
    return undefined
  }

  async publish (args: NodeArgs['publish']): Promise<NodeResults['publish']> {
    const data = encodeKeyed(args.tag, args.size)
    const t0 = Date.now()
    await this.pubsub.publish(MEASURED_TOPIC, data)
    return { t0, t1: Date.now(), bytes: data.byteLength }
  }

  /** Untimed: the payloads, keyed with their index in burst `run`. */
  async prepareBurst (args: NodeArgs['prepareBurst']): Promise<NodeResults['prepareBurst']> {
    const t0 = performance.now()
    this.burstPayloads = Array.from({ length: args.m }, (_, i) => encodeKeyed(burstKey(args.run, i), args.size))
    return { prepMs: performance.now() - t0, ids: [] }
  }

  /** Timed: publishes the M payloads (gossipsub signs each with this node's key, StrictSign). */
  async burst (): Promise<NodeResults['burst']> {
    const payloads = this.burstPayloads
    this.burstPayloads = []
    return publishBurst(async data => this.pubsub.publish(MEASURED_TOPIC, data), payloads.length, async i => payloads[i])
  }

  async join (): Promise<NodeResults['join']> {
    throw new Error('join is for ours nodes (raw gossipsub has no history for late joiners)')
  }

  async prepareFlood (): Promise<NodeResults['prepareFlood']> {
    throw new Error('the flood phase is for ours nodes')
  }

  floodStart (): void {
    throw new Error('the flood phase is for ours nodes')
  }

  async floodStop (): Promise<NodeResults['floodStop']> {
    throw new Error('the flood phase is for ours nodes')
  }

  protected async stopHost (): Promise<void> {
    await this.host.stop()
  }
}
