/**
 * What every bench node does the same way in both modes (ours: createNode(), raw: bare
 * libp2p + gossipsub): its own event stream (tagged with its index), the entry count
 * `held` and the expectations on it, burst tracking, dialling, status, scores and stop.
 * ours-node.ts and raw-node.ts add publishing, bursts and what only ours has.
 */
import { multiaddr } from '@multiformats/multiaddr'
import type { GossipSub } from '@libp2p/gossipsub'
import type { Libp2p } from 'libp2p'
import { UPLOAD_STORAGE } from '../../src/announcement/names.js'
import { serviceTopic } from '../../src/gossip/topic.js'
import { BENCH_GRID, type NodeArgs, type NodeResults, type NodeStatus } from '../protocol.js'
import { BurstTracker, type BurstHeld } from './burst-tracker.js'

export const MEASURED_TOPIC = serviceTopic(BENCH_GRID, UPLOAD_STORAGE)
/** Loopback is exempt from gossipsub's IP-colocation penalty in both modes (all nodes share 127.0.0.1). */
export const COLOCATION_WHITELIST = ['127.0.0.1', '::1']
const STOP_TIMEOUT_MS = 10_000

/** gossipsub methods the bench reads that its exported interface does not declare. */
interface GossipsubInternals {
  getMeshPeers(topic: string): string[]
  getScore(peerId: string): number
}

function hasInternals (p: GossipSub): p is GossipSub & GossipsubInternals {
  return 'getMeshPeers' in p && typeof p.getMeshPeers === 'function' && 'getScore' in p && typeof p.getScore === 'function'
}

export function gossipsubInternals (p: GossipSub): GossipSub & GossipsubInternals {
  if (!hasInternals(p)) {
    throw new Error('this @libp2p/gossipsub has no getMeshPeers/getScore')
  }
  return p
}

/** Sends event `key` for this node, stamped now. */
export type Emit = (key: string) => void

export abstract class BenchNode {
  /** ours: live entries of upload_storage; raw: burst messages received. */
  protected held = 0
  protected tracker: BurstTracker | undefined
  private readonly expectations = new Map<string, number>()
  private stopped = false

  constructor (readonly index: number, protected readonly emit: Emit) {}

  abstract get libp2p (): Libp2p
  abstract get pubsub (): GossipSub & GossipsubInternals
  /** ours: the introduction service's counters. */
  protected abstract stats (): NodeStatus['stats']
  abstract publish (args: NodeArgs['publish']): Promise<NodeResults['publish']>
  abstract prepareBurst (args: NodeArgs['prepareBurst']): Promise<NodeResults['prepareBurst']>
  abstract burst (): Promise<NodeResults['burst']>
  abstract join (args: NodeArgs['join']): Promise<NodeResults['join']>
  abstract prepareFlood (args: NodeArgs['prepareFlood']): Promise<NodeResults['prepareFlood']>
  abstract floodStart (args: NodeArgs['floodStart']): void
  abstract floodStop (): Promise<NodeResults['floodStop']>
  protected abstract stopHost (): Promise<void>

  get running (): boolean {
    return !this.stopped
  }

  get peerId (): string {
    return this.libp2p.peerId.toString()
  }

  addrs (): string[] {
    return this.libp2p.getMultiaddrs().map(String)
  }

  async dial (args: NodeArgs['dial']): Promise<NodeResults['dial']> {
    const results = await Promise.allSettled(args.addrs.map(async a => this.libp2p.dial(multiaddr(a), { signal: AbortSignal.timeout(args.timeoutMs) })))
    const failed = results.flatMap((r, i) => r.status === 'rejected' ? [`${args.addrs[i]}: ${String(r.reason)}`] : [])
    return { ok: results.length - failed.length, failed }
  }

  status (): NodeStatus {
    const p = this.pubsub
    return {
      connected: [...new Set(this.libp2p.getConnections().map(c => c.remotePeer.toString()))],
      topicPeers: p.getSubscribers(MEASURED_TOPIC).length,
      meshPeers: p.getMeshPeers(MEASURED_TOPIC).length,
      held: this.held,
      stats: this.stats()
    }
  }

  expect (args: NodeArgs['expect']): null {
    this.expectations.set(args.key, args.target)
    this.heldChanged()
    return null
  }

  /** Starts tracking burst `run` (replacing the previous one). */
  trackBurst (run: string, m: number, ids: ReadonlyMap<string, number>): void {
    this.tracker = new BurstTracker(run, m, ids)
  }

  burstHeld (): BurstHeld {
    if (this.tracker == null) {
      throw new Error('trackBurst was not called')
    }
    return this.tracker.held()
  }

  score (args: NodeArgs['score']): NodeResults['score'] {
    return {
      score: this.pubsub.getScore(args.peerId),
      connected: this.libp2p.getConnections().some(c => c.remotePeer.toString() === args.peerId)
    }
  }

  /** Graceful stop, bounded; later calls do nothing. */
  async leave (): Promise<NodeResults['leave']> {
    const t0 = Date.now()
    if (!this.stopped) {
      this.stopped = true
      let timer: ReturnType<typeof setTimeout> | undefined
      await Promise.race([this.stopHost(), new Promise<void>(resolve => { timer = setTimeout(resolve, STOP_TIMEOUT_MS) })])
      clearTimeout(timer)
    }
    return { t0, t1: Date.now() }
  }

  /** Emits every expectation `held` has reached. */
  protected heldChanged (): void {
    for (const [key, target] of this.expectations) {
      if (this.held >= target) {
        this.expectations.delete(key)
        this.emit(key)
      }
    }
  }
}
