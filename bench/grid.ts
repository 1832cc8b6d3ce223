/**
 * One grid of N nodes of one mode in worker processes: starting them (introducers
 * first, a few at a time: N processes loading libp2p at once would thrash 2 cores),
 * connecting them as planned (a few nodes dialling at a time, with bounded repair passes), waiting until every node sees
 * its peers on the measured topic, and extra one-node processes (late joiners, the
 * attacker). Processes are forked as their first node starts.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { EventLog } from './event-log.js'
import type { NodeStatus, Mode } from './protocol.js'
import { DEFAULT_TUNING, NodeHandle, type NodeTuning, type ProcessGroup, type Role, type WorkerProcess } from './worker-client.js'

/** Nodes starting at once. */
const START_CONCURRENCY = 4
/** Nodes dialling their planned peers at once. */
const DIAL_CONCURRENCY = 6
/**
 * With several nodes per process: about one node per process at once (at least the
 * above, at most this). Nodes in one process share its event loop, and under load their
 * Noise handshakes time out (seen at N=30 in 1 and in 3 processes; the repair passes
 * redial them).
 */
const MAX_CONCURRENCY = 24
const DIAL_PASSES = 3
const DIAL_TIMEOUT_MS = 10_000
const READY_POLL_MS = 250

/** `fn` over `items`, at most `limit` at a time (a new one starts as one ends); results in order. */
export async function mapLimit<T, R> (items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length)
  let next = 0
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i])
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane))
  return out
}

export class Grid {
  readonly events = new EventLog()
  /** The grid's nodes by index (joiners and attackers are not among them). */
  readonly nodes: NodeHandle[] = []
  /** The grid's processes by index. */
  readonly processes: WorkerProcess[] = []
  private readonly extra: WorkerProcess[] = []
  private nextExtraIndex: number

  constructor (readonly mode: Mode, private readonly group: ProcessGroup, private readonly n: number, private readonly nodesPerProcess: number, private readonly tuning: NodeTuning = DEFAULT_TUNING) {
    this.nextExtraIndex = n
  }

  /** `base` with one node per process; about one per process otherwise. */
  private concurrency (base: number): number {
    const processes = Math.ceil(this.n / this.nodesPerProcess)
    return this.nodesPerProcess === 1 ? base : Math.min(MAX_CONCURRENCY, Math.max(base, processes))
  }

  /** Live grid nodes. */
  live (): NodeHandle[] {
    return this.nodes.filter(w => w.alive)
  }

  /** Starts node i in process placement[i]; returns each node's start time (ms). */
  async start (introducers: number, placement: number[]): Promise<number[]> {
    const spawn = async (i: number): Promise<number> => {
      const p = placement[i]
      this.processes[p] ??= this.group.spawn((node, key, t) => { this.events.record(node, key, t) })
      const { node, startMs } = await NodeHandle.start(this.processes[p], i, this.mode, i < introducers ? 'introducer' : 'node', this.tuning)
      this.nodes[i] = node
      return startMs
    }
    const indices = Array.from({ length: this.n }, (_, i) => i)
    return [
      ...await mapLimit(indices.slice(0, introducers), this.concurrency(START_CONCURRENCY), spawn),
      ...await mapLimit(indices.slice(introducers), this.concurrency(START_CONCURRENCY), spawn)
    ]
  }

  /**
   * Dials as planned, then repairs what failed (bounded passes). A dial request that
   * fails as a whole (e.g. its process too busy to answer in time) counts as failed dials
   * for the next pass, and so does a node whose status does not come.
   */
  async connect (plan: number[][], log: (s: string) => void): Promise<void> {
    const wanted = plan.map(targets => targets.map(j => this.nodes[j]))
    for (let pass = 0; pass < DIAL_PASSES; pass++) {
      const statuses = await this.tryStatuses(this.nodes)
      const todo = this.nodes.map((w, i) => ({ w, missing: wanted[i].filter(t => statuses[i]?.connected.includes(t.peerId) !== true) }))
        .filter(x => x.missing.length > 0)
      if (todo.length === 0) {
        break
      }
      const results = await mapLimit(todo, this.concurrency(DIAL_CONCURRENCY), async x => {
        return x.w.call('dial', { addrs: x.missing.map(t => t.addrs[0]), timeoutMs: DIAL_TIMEOUT_MS }, 2 * DIAL_TIMEOUT_MS)
          .catch((err: unknown) => ({ ok: 0, failed: x.missing.map(t => `${t.addrs[0]}: ${String(err)}`) }))
      })
      const failed = results.flatMap(r => r.failed)
      if (failed.length > 0) {
        log(`${this.mode}: pass ${pass}: ${failed.length} dials failed, e.g. ${failed[0]}`)
        await sleep(1000)
      }
    }
  }

  /** Waits (bounded) until every node sees all its connected peers on the measured topic; returns how many did not. */
  async waitReady (timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs
    let statuses: Array<NodeStatus | undefined> = []
    while (Date.now() < deadline) {
      statuses = await this.tryStatuses(this.nodes)
      if (statuses.every(ready)) {
        break
      }
      await sleep(READY_POLL_MS)
    }
    return statuses.filter(s => !ready(s)).length
  }

  /** Statuses; undefined for a node whose status request failed. */
  async tryStatuses (nodes: NodeHandle[]): Promise<Array<NodeStatus | undefined>> {
    return Promise.all(nodes.map(async w => w.call('status', {}).catch(() => undefined)))
  }

  async statuses (nodes: NodeHandle[]): Promise<NodeStatus[]> {
    return Promise.all(nodes.map(async w => w.call('status', {})))
  }

  /** Bytes sent so far, summed over the grid's processes. */
  async bytesNow (): Promise<number> {
    const res = await Promise.all(this.processes.filter(p => p.alive).map(async p => p.call('resources', {})))
    return res.reduce((a, r) => a + r.bytesSent, 0)
  }

  /** A joiner or attacker: an ours node in a process of its own, not one of the grid's nodes. */
  async startExtra (role: Role): Promise<NodeHandle> {
    const proc = this.group.spawn((node, key, t) => { this.events.record(node, key, t) })
    this.extra.push(proc)
    const { node } = await NodeHandle.start(proc, this.nextExtraIndex++, 'ours', role, this.tuning)
    return node
  }

  /** Stops an extra node's process. */
  async stopExtra (node: NodeHandle): Promise<void> {
    await node.proc.stop()
  }

  async stop (): Promise<void> {
    await Promise.all([...this.processes, ...this.extra].map(async p => p.stop()))
  }
}

function ready (s: NodeStatus | undefined): boolean {
  return s != null && s.topicPeers >= s.connected.length && s.connected.length > 0
}
