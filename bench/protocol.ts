/**
 * The IPC vocabulary between the bench parent (bench/run.ts) and its worker processes
 * (bench/worker.ts), declared once as zod schemas: each command has an args schema and a
 * result schema, and the TypeScript types are inferred from them. The parent checks every
 * reply against its command's result schema and the worker checks every request's args,
 * so `node.call('publish', args)` is type-checked end to end without casts.
 *
 * A worker process hosts one or more nodes. Process commands act on the process (start a
 * node, CPU and memory, stop); node commands address one node by its index in that
 * process. Workers also push `event` messages, stamped with Date.now() in the worker
 * (every process reads the same clock) and tagged with the node's index.
 */
import { z } from 'zod'

/** `ours`: createNode() from src/; `raw`: a bare libp2p + @libp2p/gossipsub host. */
export const MODES = ['ours', 'raw'] as const
export type Mode = typeof MODES[number]

export const BENCH_GRID = 'bench'

const int = z.number().int()
const empty = z.object({})
const nothing = z.null()

/** What a node's introduction service counts (ours only). */
const introductionStats = z.object({
  accepted: z.number(),
  dropped: z.record(z.string(), z.number().optional()),
  syncRequestsServed: z.number(),
  syncRequestsMade: z.number(),
  syncFailures: z.number()
})

/**
 * Flood phase. `forged`: records claiming another publisher's key, signed by the attacker
 * (every one fails the signature check); `rapid`: valid records of the attacker's own key
 * with ever greater seqnums (over the rate limit after its burst). All are signed before
 * the flood starts, so that sending is all the attacker does while it floods.
 */
export const FLOOD_KINDS = ['forged', 'rapid'] as const
export type FloodKind = typeof FLOOD_KINDS[number]

const resources = z.object({ rss: z.number(), heapUsed: z.number(), bytesSent: z.number(), nodes: int })

export const processCommands = {
  /**
   * Starts a node in this process under the parent's `index` (node commands and events
   * use it); `attacker`: an ours node whose own key signs the flood.
   */
  addNode: {
    args: z.object({ index: int.min(0), mode: z.enum(MODES), introducer: z.boolean(), attacker: z.boolean(), antiEntropyMs: int.min(0), pingMs: int.min(0) }),
    result: z.object({ peerId: z.string(), addrs: z.array(z.string()), rss: z.number(), startMs: z.number() })
  },
  idleStart: { args: empty, result: nothing },
  /** CPU over the window (the whole process), memory and bytes sent; `nodes`: nodes running in it. */
  idleEnd: { args: empty, result: resources.extend({ cpuMs: z.number(), wallMs: z.number() }) },
  resources: { args: empty, result: resources },
  /**
   * Every node of this process stamps the first arrival of each of the `m` records of
   * burst `run`: ours knows them by publisher peer id (`ids`, by record index), raw by
   * the key `b:<run>:<index>` in the payload.
   */
  trackBurst: { args: z.object({ run: z.string(), m: int.min(0), ids: z.array(z.string()) }), result: nothing },
  /** Stops every node, replies, then the process exits. */
  stop: { args: empty, result: nothing }
}

export const nodeCommands = {
  dial: {
    args: z.object({ addrs: z.array(z.string()), timeoutMs: int.positive() }),
    result: z.object({ ok: int, failed: z.array(z.string()) })
  },
  status: {
    args: empty,
    result: z.object({
      /** Distinct remote peers with an open connection. */
      connected: z.array(z.string()),
      /** Peers known to be subscribed to the measured topic. */
      topicPeers: int,
      /** Mesh peers of the measured topic. */
      meshPeers: int,
      /** ours: entries held for the measured service; raw: burst messages received. */
      held: int,
      /** ours: the introduction service's counters (accepted, dropped by reason, sync). */
      stats: introductionStats.optional()
    })
  },
  /** ours: publish (or update) this node's upload_storage record tagged `tag`. raw: publish a message keyed `tag`. */
  publish: {
    args: z.object({ tag: z.string(), size: int.min(0) }),
    result: z.object({ t0: z.number(), t1: z.number(), bytes: int })
  },
  /** Untimed: ours makes `m` publisher keys (their peer ids by record index in `ids`), raw `m` payloads. */
  prepareBurst: {
    args: z.object({ m: int.positive(), size: int.min(0), run: z.string() }),
    result: z.object({ prepMs: z.number(), ids: z.array(z.string()) })
  },
  /**
   * Timed: signs (ours) and publishes the prepared records. `bytes`: mean record size;
   * `sentTo[i]`: indices into `peers` of the peers gossipsub sent record i to.
   */
  burst: {
    args: empty,
    result: z.object({ t0: z.number(), t1: z.number(), bytes: z.number(), peers: z.array(z.string()), sentTo: z.array(z.array(int)) })
  },
  /** Push an event `key` when `held` reaches `target`. */
  expect: { args: z.object({ key: z.string(), target: int }), result: nothing },
  /** The tracked burst at this node: records held, the indices missing, when the last one came (null: not all). */
  burstHeld: {
    args: empty,
    result: z.object({ count: int, missing: z.array(int), allAt: z.number().nullable() })
  },
  /**
   * Late joiner: connect to one node and wait until `target` entries are held. `checks`:
   * signatures this process checked meanwhile; `connections`: its connections at the end.
   */
  join: {
    args: z.object({ addr: z.string(), target: int, timeoutMs: int.positive() }),
    result: z.object({ tStart: z.number(), tDialed: z.number(), tFirst: z.number().nullable(), tDone: z.number().nullable(), held: int, checks: int, connections: int })
  },
  /** Graceful stop of this node (ours withdraws its records first). */
  leave: { args: empty, result: z.object({ t0: z.number(), t1: z.number() }) },
  prepareFlood: { args: z.object({ kind: z.enum(FLOOD_KINDS), count: int.positive() }), result: z.object({ prepMs: z.number() }) },
  /** Sends the prepared records at `ratePerSec` until floodStop, `maxMs` or the pool ends. */
  floodStart: { args: z.object({ ratePerSec: z.number().positive(), maxMs: int.positive() }), result: nothing },
  floodStop: { args: empty, result: z.object({ sent: int, failed: int, ms: z.number() }) },
  /** A peer's gossipsub score at this node, and whether this node is still connected to it. */
  score: { args: z.object({ peerId: z.string() }), result: z.object({ score: z.number(), connected: z.boolean() }) }
}

export type ProcessCommand = keyof typeof processCommands
export type NodeCommand = keyof typeof nodeCommands
export type ProcessArgs = { [C in ProcessCommand]: z.output<typeof processCommands[C]['args']> }
export type ProcessResults = { [C in ProcessCommand]: z.output<typeof processCommands[C]['result']> }
export type NodeArgs = { [C in NodeCommand]: z.output<typeof nodeCommands[C]['args']> }
export type NodeResults = { [C in NodeCommand]: z.output<typeof nodeCommands[C]['result']> }
export type NodeStatus = NodeResults['status']

/**
 * The schemas seen through the inferred maps: indexing these with a generic command C
 * gives a schema of exactly Args[C] / Results[C] (TypeScript's correlated mapped types).
 */
export const processSchemas: { [C in ProcessCommand]: { args: z.ZodType<ProcessArgs[C]>, result: z.ZodType<ProcessResults[C]> } } = processCommands
export const nodeSchemas: { [C in NodeCommand]: { args: z.ZodType<NodeArgs[C]>, result: z.ZodType<NodeResults[C]> } } = nodeCommands

const processCommandName = z.custom<ProcessCommand>(v => typeof v === 'string' && Object.hasOwn(processCommands, v), 'not a process command')
const nodeCommandName = z.custom<NodeCommand>(v => typeof v === 'string' && Object.hasOwn(nodeCommands, v), 'not a node command')

export const requestSchema = z.discriminatedUnion('scope', [
  z.object({ type: z.literal('request'), id: int, scope: z.literal('process'), cmd: processCommandName, args: z.unknown() }),
  z.object({ type: z.literal('request'), id: int, scope: z.literal('node'), node: int.min(0), cmd: nodeCommandName, args: z.unknown() })
])
export type Request = z.output<typeof requestSchema>

export const workerMessageSchema = z.union([
  z.object({ type: z.literal('reply'), id: int, ok: z.literal(true), result: z.unknown() }),
  z.object({ type: z.literal('reply'), id: int, ok: z.literal(false), error: z.string() }),
  z.object({ type: z.literal('event'), node: int, key: z.string(), t: z.number() })
])
export type WorkerMessage = z.output<typeof workerMessageSchema>
