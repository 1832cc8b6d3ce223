/** The shape of bench/results/*.json: one GridResult per mode (docs/benchmarks.md explains each figure). */
import type { Mode, FloodKind } from './protocol.js'
import type { Summary } from './stats.js'
import type { Role } from './worker-client.js'

export interface Latency {
  /** Every (node, round) sample, ms from the publish call to the event at that node. */
  perNode: Summary
  /** Per round: ms until the last node had it. */
  lastPerRound: number[]
  last: Summary
  missed: number
  /** Indices of the nodes that never reported, per round. */
  missedNodes: number[][]
}

/** Where a burst's records were lost (see phases/burst-loss.ts). */
export interface BurstLoss {
  /** Records missing at one node or more when the burst ended. */
  recordsMissing: number
  /** Records no node holds. */
  missingEverywhere: number
  /** (node, record) pairs missing. */
  pairsMissing: number
  /** Of the records missing: the injector's publish sent it to no peer. */
  notSent: number
  /** Of the records missing: sent, but none of the injector's direct peers ever took it. */
  neverAtDirectPeers: number
  /** Of the records missing: some direct peer took it, some other node never did (lost relaying). */
  lostInRelay: number
  /** Peers the injector was connected to when the burst started and when it ended (a burst can cost it connections). */
  injectorConnections: { before: number, after: number }
  /** Peers the injector's publish sent each record to. */
  recipientsPerRecord: Summary
  /** The injector's connected peers when the burst started. */
  directPeers: Array<{
    index: number
    role: Role
    /** Records the injector's publish sent to this peer. */
    sent: number
    /** Of those, records this peer never took. */
    sentNotHeld: number
    /** Records of the burst this peer holds. */
    held: number
    /** ours: what its validator accepted and dropped (by reason) during the burst. */
    accepted: number | null
    dropped: Record<string, number>
  }>
  /** The first record indices missing somewhere (at most 20). */
  firstMissing: number[]
}

export interface BurstResult {
  m: number
  publishMs: number
  allHoldMs: number
  perNodeMs: Summary
  missed: number
  /** Per node: fraction of the M held when the burst ended (or timed out). */
  delivered: Summary
  /** ours: records dropped by the validators of all nodes (all phases so far), by reason. */
  dropped: Record<string, number>
  /** The node that was last to hold all M. */
  slowest?: { index: number, role: Role, ms: number }
  bytesPerNodePerAnnouncement: number
  payloadBytes: number
  rssMBAfter: Summary
  /** ms from the injector's last publish until every other node held every record of the burst (null: some never did). */
  afterLastPublishMs: number | null
  loss: BurstLoss
}

/** One run of the burst phase (--runs): issue #9's "all hold all within 30 s, 5 of 5 runs". */
export interface BurstRun {
  run: number
  /** Min over nodes of the fraction of this run's records held at its end. */
  minFraction: number
  nodesMissing: number
  publishMs: number
  afterLastPublishMs: number | null
  /** afterLastPublishMs within BURST_TARGET_MS. */
  met: boolean
  loss: BurstLoss
}

export interface FloodCase {
  kind: FloodKind
  sent: number
  failed: number
  sendMs: number
  /** ms from the flood's start until every target's score for the attacker was under the graylist threshold. */
  graylistedAllMs: number | null
  graylistedTargets: number
  /** The attacker's score at each target when the flood ended. */
  scores: number[]
  connectedTargets: number
  /** Per target: records its validator dropped during the flood, by reason. */
  targetDropped: Array<Record<string, number>>
  /** Honest updates while the attacker floods. */
  honest: Latency
  dropped: Record<string, number>
}

export interface FloodPhase {
  rate: number
  targets: number
  /** The nodes each honest update is timed at (every live node but the publisher). */
  honestNodes: number
  /** Honest updates from one publisher, timed at every other node, before any flood. */
  quiet: Latency
  floods: FloodCase[]
}

export interface IdleResult {
  windowMs: number
  /** Per node: its process's figure divided by the nodes in that process. */
  cpuPct: Summary
  cpuPctIntroducers: Summary
  cpuPctNodes: Summary
  rssMB: Summary
  rssMBIntroducers: Summary
  rssMBNodes: Summary
  heapMB: Summary
  bytesPerSecPerNode: number
  /** Per worker process (the same as per node with 1 node per process). */
  processes: { count: number, cpuPct: Summary, rssMB: Summary }
}

export interface GridResult {
  mode: Mode
  n: number
  /** Worker processes and nodes per process. */
  layout: { processes: number, nodesPerProcess: number }
  /** os.loadavg() when the grid started and when it was done (other work on the machine shows here). */
  loadavg: { start: number[], end: number[] }
  /** Peer ids by node index, roles, and the worker process of each. */
  nodes: Array<{ index: number, role: Role, peerId: string, process: number }>
  startupMs: Summary
  /** ms from the first process fork until every node was started, and until the grid was connected and ready. */
  gridStartMs: { started: number, ready: number }
  connections: Summary
  meshPeers: Summary
  idle: IdleResult
  /** The same window once the burst (and, for ours, the late joiners) is over: every node holds M more records. */
  idleAfterBurst?: IdleResult
  recordBytes: number
  /** Duration of the publish call itself at the publisher (ours: seqnum, sign, table, gossipsub publish). */
  publishCallMs: Summary
  added: Latency
  updated: Latency
  roundBytesPerNodePerAnnouncement: number
  burst?: BurstResult
  burstRuns?: BurstRun[]
  lateJoin?: Array<{ dialMs: number, connectToFirstMs: number | null, connectToAllMs: number | null, held: number, target: number, checks: number, connections: number }>
  leave?: Latency
  flood?: FloodPhase
  errors: string[]
}
