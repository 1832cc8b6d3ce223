/**
 * `npm run bench`: N nodes as separate OS processes on loopback, once with createNode()
 * ("ours") and once as bare libp2p + gossipsub ("raw"), in the same planned topology.
 * Measures propagation of a new announcement and of an update, a burst of M
 * announcements, a late joiner's catch-up (sync), graceful leave, RSS, idle CPU and bytes
 * sent, and prints ours/raw ratios. Ours also gets a flood phase: an attacker process
 * floods forged, then rapid-fire valid, records while honest updates are timed against
 * the quiet case. See docs/benchmarks.md for the method.
 *
 * Options (argv `--n=100` or env `BENCH_N=100`): n, m, rounds, introducers, degree,
 * idle-ms, late-joiners, leaves, warmup-ms, settle-ms, grids (ours,raw), seed,
 * max-minutes, flood-rounds (0: no flood phase), flood-rate (messages/s), flood-targets
 * (nodes the attacker connects to), flood-nice (the attacker's nice value), out (JSON
 * file), json (print the JSON on stdout).
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { availableParallelism, cpus, loadavg, setPriority, totalmem } from 'node:os'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { assertSupportedRuntime } from '../src/version.js'
import { GRAYLIST_THRESHOLD } from '../src/gossip/scoring.js'
import { rng, shuffled, summarize, median, type Summary } from './stats.js'
import type {
  BurstResult, Command, DialResult, FloodKind, FloodResult, IdleResult, InitResult, JoinResult, LeaveResult, Mode,
  PublishResult, Reply, ScoreResult, StatusResult, WorkerMessage
} from './protocol.js'

// ---- options ----------------------------------------------------------------------------
interface Options {
  n: number
  m: number
  rounds: number
  introducers: number
  degree: number
  idleMs: number
  lateJoiners: number
  leaves: number
  warmupMs: number
  settleMs: number
  burstTimeoutS: number
  grids: Mode[]
  seed: number
  maxMinutes: number
  floodRounds: number
  floodRate: number
  floodTargets: number
  floodNice: number
  out: string
  json: boolean
}

function parseOptions (argv: string[], env: NodeJS.ProcessEnv): Options {
  const given = new Map<string, string>()
  for (const arg of argv) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg)
    if (m == null) {
      throw new Error(`unknown argument ${arg} (use --name=value)`)
    }
    given.set(m[1], m[2] ?? 'true')
  }
  const get = (name: string): string | undefined => given.get(name) ?? env[`BENCH_${name.toUpperCase().replaceAll('-', '_')}`]
  const int = (name: string, dflt: number, min: number, max: number): number => {
    const raw = get(name)
    const v = raw == null ? dflt : Number(raw)
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new Error(`--${name} must be a whole number from ${min} to ${max}, not ${raw}`)
    }
    return v
  }
  const n = int('n', 30, 8, 300)
  const introducers = int('introducers', 3, 1, 10)
  const rounds = int('rounds', 5, 1, 50)
  if (rounds + introducers + 1 > n) {
    throw new Error(`need n >= rounds + introducers + 1 (${rounds + introducers + 1})`)
  }
  const grids = (get('grids') ?? 'ours,raw').split(',').map(g => g.trim())
  if (grids.length === 0 || grids.some(g => g !== 'ours' && g !== 'raw')) {
    throw new Error('--grids is a comma-separated subset of ours,raw')
  }
  return {
    n,
    m: int('m', 1000, 0, 20_000),
    rounds,
    introducers,
    degree: int('degree', 4, 1, 20),
    idleMs: int('idle-ms', 10_000, 1000, 120_000),
    lateJoiners: int('late-joiners', 3, 0, 20),
    leaves: Math.min(int('leaves', 3, 0, 20), rounds),
    warmupMs: int('warmup-ms', 3000, 0, 60_000),
    settleMs: int('settle-ms', 1500, 0, 30_000),
    burstTimeoutS: int('burst-timeout-s', 120, 10, 3600),
    grids: grids as Mode[],
    seed: int('seed', 1, 0, 2 ** 31),
    maxMinutes: int('max-minutes', 30, 1, 240),
    floodRounds: int('flood-rounds', 5, 0, 50),
    floodRate: int('flood-rate', 2000, 10, 50_000),
    floodTargets: int('flood-targets', 5, 1, 50),
    floodNice: int('flood-nice', 0, 0, 19),
    out: get('out') ?? 'bench/results/latest.json',
    json: get('json') === 'true' || get('json') === '1'
  }
}

// ---- child processes --------------------------------------------------------------------
const WORKER = fileURLToPath(new URL('./worker.js', import.meta.url))
const children = new Set<ChildProcess>()

function killAll (): void {
  for (const child of children) {
    if (child.exitCode == null && child.signalCode == null) {
      child.kill('SIGKILL')
    }
  }
  children.clear()
}

process.on('exit', killAll)
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    console.error(`\nbench: ${signal}, killing workers`)
    killAll()
    process.exit(130)
  })
}

/** Timestamps pushed by workers: key -> worker index -> Date.now() at the worker. */
class EventLog {
  private readonly events = new Map<string, Map<number, number>>()

  record (key: string, index: number, t: number): void {
    let m = this.events.get(key)
    if (m == null) {
      m = new Map()
      this.events.set(key, m)
    }
    if (!m.has(index)) {
      m.set(index, t)
    }
  }

  /** Waits (bounded) until every index reported `key`; returns what arrived. */
  async waitAll (key: string, indices: number[], timeoutMs: number): Promise<Map<number, number>> {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      const m = this.events.get(key)
      if (m != null && indices.every(i => m.has(i))) {
        break
      }
      await sleep(5)
    }
    const m = this.events.get(key) ?? new Map<number, number>()
    return new Map(indices.filter(i => m.has(i)).map(i => [i, m.get(i) ?? NaN]))
  }
}

type Role = 'introducer' | 'node' | 'joiner' | 'attacker'

class Worker {
  readonly child: ChildProcess
  peerId = ''
  addrs: string[] = []
  alive = true
  private nextId = 1
  private readonly pending = new Map<number, { resolve(v: unknown): void, reject(e: Error): void, timer: ReturnType<typeof setTimeout> }>()

  constructor (readonly index: number, readonly mode: Mode, readonly role: Role, events: EventLog) {
    this.child = fork(WORKER, [], { execPath: process.execPath, execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    children.add(this.child)
    this.child.on('message', (msg: WorkerMessage) => {
      if (msg.type === 'event') {
        events.record(msg.key, this.index, msg.t)
      } else if (msg.type === 'reply') {
        this.settle(msg)
      }
    })
    this.child.on('exit', (code, signal) => {
      this.alive = false
      children.delete(this.child)
      for (const [id, p] of this.pending) {
        clearTimeout(p.timer)
        p.reject(new Error(`worker ${this.index} exited (${code ?? signal}) during request ${id}`))
      }
      this.pending.clear()
    })
    this.child.on('error', () => { /* reported through exit */ })
  }

  private settle (msg: Reply): void {
    const p = this.pending.get(msg.id)
    if (p == null) {
      return
    }
    this.pending.delete(msg.id)
    clearTimeout(p.timer)
    if (msg.ok) {
      p.resolve(msg.result)
    } else {
      p.reject(new Error(`worker ${this.index}: ${msg.error}`))
    }
  }

  async request<T> (cmd: Command, args?: unknown, timeoutMs = 30_000): Promise<T> {
    if (!this.alive || !this.child.connected) {
      throw new Error(`worker ${this.index} is not running`)
    }
    const id = this.nextId++
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(new Error(`worker ${this.index}: ${cmd} timed out after ${timeoutMs} ms`))
      }, timeoutMs)
      this.pending.set(id, { resolve, reject, timer })
      this.child.send({ type: 'request', id, cmd, args })
    })
  }

  async init (): Promise<InitResult> {
    const res = await this.request<InitResult>('init', { mode: this.mode, introducer: this.role === 'introducer', attacker: this.role === 'attacker' }, 60_000)
    this.peerId = res.peerId
    this.addrs = res.addrs.map(a => a.includes('/p2p/') ? a : `${a}/p2p/${res.peerId}`)
    return res
  }

  /** Graceful stop, then SIGKILL if it has not exited within the bound. */
  async stop (): Promise<void> {
    if (this.alive) {
      await this.request('stop', undefined, 15_000).catch(() => {})
      const deadline = Date.now() + 3000
      while (this.alive && Date.now() < deadline) {
        await sleep(20)
      }
    }
    if (this.alive) {
      this.child.kill('SIGKILL')
    }
  }
}

async function inBatches<T, R> (items: T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = []
  for (let i = 0; i < items.length; i += size) {
    out.push(...await Promise.all(items.slice(i, i + size).map(fn)))
  }
  return out
}

// ---- topology -----------------------------------------------------------------------------
/**
 * Node i dials every introducer (createNode keeps 3 introducer connections by default,
 * so with 3 introducers that is what its keeper does anyway) and `degree` random earlier
 * nodes. The same plan is used for both grids.
 */
function planTopology (opts: Options): number[][] {
  const random = rng(opts.seed)
  const plan: number[][] = []
  for (let i = 0; i < opts.n; i++) {
    const targets = new Set<number>()
    const intros = shuffled(Array.from({ length: Math.min(opts.introducers, i) }, (_, j) => j), random).slice(0, 3)
    intros.forEach(j => targets.add(j))
    const earlier = shuffled(Array.from({ length: i }, (_, j) => j).filter(j => !targets.has(j)), random)
    earlier.slice(0, opts.degree).forEach(j => targets.add(j))
    plan.push([...targets])
  }
  return plan
}

// ---- results --------------------------------------------------------------------------------
interface Latency {
  /** Every (node, round) sample, ms from the publish call to the event at that node. */
  perNode: Summary
  /** Per round: ms until the last node had it. */
  lastPerRound: number[]
  last: Summary
  missed: number
  /** Indices of the nodes that never reported, per round. */
  missedNodes: number[][]
}

interface GridResult {
  mode: Mode
  n: number
  /** os.loadavg() when the grid started and when it was done (other work on the machine shows here). */
  loadavg: { start: number[], end: number[] }
  /** Peer ids by worker index, and roles. */
  nodes: Array<{ index: number, role: Role, peerId: string }>
  startupMs: Summary
  connections: Summary
  meshPeers: Summary
  idle: {
    windowMs: number
    cpuPct: Summary
    cpuPctIntroducers: Summary
    cpuPctNodes: Summary
    rssMB: Summary
    rssMBIntroducers: Summary
    rssMBNodes: Summary
    heapMB: Summary
    bytesPerSecPerNode: number
  }
  recordBytes: number
  /** Duration of the publish call itself at the publisher (ours: seqnum, sign, table, gossipsub publish). */
  publishCallMs: Summary
  added: Latency
  updated: Latency
  roundBytesPerNodePerAnnouncement: number
  burst?: {
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
  }
  lateJoin?: Array<{ dialMs: number, connectToAllMs: number | null, held: number, target: number }>
  leave?: Latency
  flood?: FloodPhase
  errors: string[]
}

interface FloodPhase {
  rate: number
  targets: number
  /** Honest updates from one publisher, timed at every other node, before any flood. */
  quiet: Latency
  floods: Array<{
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
  }>
}

interface Round { t0: number, times: Map<number, number>, expected: number[] }

function latency (perRound: Round[]): Latency {
  const all: number[] = []
  const missedNodes = perRound.map(r => r.expected.filter(i => !r.times.has(i)))
  const lasts: number[] = []
  let missed = 0
  for (const r of perRound) {
    const ds = [...r.times.values()].map(t => t - r.t0)
    all.push(...ds)
    missed += r.expected.length - ds.length
    if (ds.length > 0) {
      lasts.push(Math.max(...ds))
    }
  }
  return { perNode: summarize(all), lastPerRound: lasts, last: summarize(lasts), missed, missedNodes }
}

const MB = 1024 * 1024

// ---- one grid ----------------------------------------------------------------------------------
async function runGrid (mode: Mode, opts: Options, plan: number[][], sizes: { record: number, burst: number }, log: (s: string) => void): Promise<GridResult> {
  const events = new EventLog()
  const workers: Worker[] = []
  const errors: string[] = []
  const random = rng(opts.seed + 17)
  const loadStart = loadavg()
  try {
    // start: introducers first, a few processes at a time (2 cores)
    log(`${mode}: starting ${opts.n} processes`)
    // fork inside the batches: N processes loading libp2p at once would thrash 2 cores
    const spawn = async (i: number): Promise<InitResult> => {
      const w = new Worker(i, mode, i < opts.introducers ? 'introducer' : 'node', events)
      workers[i] = w
      return w.init()
    }
    const indices = Array.from({ length: opts.n }, (_, i) => i)
    const inits = [
      ...await inBatches(indices.slice(0, opts.introducers), 4, spawn),
      ...await inBatches(indices.slice(opts.introducers), 4, spawn)
    ]

    // connect as planned, then repair what failed (bounded passes)
    log(`${mode}: connecting`)
    const wanted = plan.map(targets => targets.map(j => workers[j]))
    for (let pass = 0; pass < 3; pass++) {
      const statuses = await Promise.all(workers.map(async w => w.request<StatusResult>('status')))
      const todo = workers.map((w, i) => ({ w, missing: wanted[i].filter(t => !statuses[i].connected.includes(t.peerId)) }))
        .filter(x => x.missing.length > 0)
      if (todo.length === 0) {
        break
      }
      const results = await inBatches(todo, 6, async x => x.w.request<DialResult>('dial', { addrs: x.missing.map(t => t.addrs[0]), timeoutMs: 10_000 }, 20_000))
      const failed = results.flatMap(r => r.failed)
      if (failed.length > 0) {
        log(`${mode}: pass ${pass}: ${failed.length} dials failed, e.g. ${failed[0]}`)
        await sleep(1000)
      }
    }

    // ready: every node sees all its connected peers on the measured topic
    const readyDeadline = Date.now() + 30_000
    let statuses: StatusResult[] = []
    while (Date.now() < readyDeadline) {
      statuses = await Promise.all(workers.map(async w => w.request<StatusResult>('status')))
      if (statuses.every(s => s.topicPeers >= s.connected.length && s.connected.length > 0)) {
        break
      }
      await sleep(250)
    }
    const notReady = statuses.filter(s => s.topicPeers < s.connected.length || s.connected.length === 0).length
    if (notReady > 0) {
      errors.push(`${notReady} nodes did not see all their peers' subscriptions within 30 s`)
    }
    await sleep(opts.warmupMs)
    statuses = await Promise.all(workers.map(async w => w.request<StatusResult>('status')))

    // idle window: all processes at once, nothing else going on
    log(`${mode}: idle window ${opts.idleMs} ms`)
    await Promise.all(workers.map(async w => w.request('idleStart')))
    await sleep(opts.idleMs)
    const idle = await Promise.all(workers.map(async w => w.request<IdleResult>('idleEnd')))
    const cpuPct = (r: IdleResult): number => 100 * r.cpuMs / r.wallMs
    const intro = idle.filter((_, i) => workers[i].role === 'introducer')
    const nodes = idle.filter((_, i) => workers[i].role !== 'introducer')
    const idleBytesPerSecPerNode = idle.reduce((a, r) => a + r.bytesSent / (r.wallMs / 1000), 0) / idle.length
    const bytesNow = async (): Promise<number> => (await Promise.all(workers.filter(w => w.alive).map(async w => w.request<StatusResult>('status'))))
      .reduce((a, s) => a + s.bytesSent, 0)
    const live = (): Worker[] => workers.filter(w => w.alive)

    // propagation rounds: a new announcement, then an update of it
    log(`${mode}: ${opts.rounds} propagation rounds`)
    const injector = workers[opts.n - 1]
    const publishers = shuffled(workers.filter(w => w.role === 'node' && w !== injector), random).slice(0, opts.rounds)
    const added: Round[] = []
    const updated: typeof added = []
    let recordBytes = 0
    const publishCallMs: number[] = []
    let roundBytes = 0
    let roundMs = 0
    for (const [r, pub] of publishers.entries()) {
      const others = live().filter(w => w !== pub).map(w => w.index)
      const before = await bytesNow()
      const tStart = Date.now()
      for (const [kind, store] of [['a', added], ['u', updated]] as const) {
        const tag = `r${r}${kind}`
        const res = await pub.request<PublishResult>('publish', { tag, size: sizes.record })
        recordBytes = res.bytes
        publishCallMs.push(res.t1 - res.t0)
        const key = mode === 'raw' ? `msg:${tag}` : `${kind === 'a' ? 'added' : 'updated'}:${tag}`
        store.push({ t0: res.t0, times: await events.waitAll(key, others, 20_000), expected: others })
        await sleep(200)
      }
      await sleep(opts.settleMs)
      roundBytes += await bytesNow() - before
      roundMs += Date.now() - tStart
    }
    const roundBytesPerNodePerAnnouncement = (roundBytes - idleBytesPerSecPerNode * opts.n * roundMs / 1000) / opts.n / (2 * publishers.length)

    const result: GridResult = {
      mode,
      n: opts.n,
      loadavg: { start: loadStart, end: [] },
      nodes: workers.map(w => ({ index: w.index, role: w.role, peerId: w.peerId })),
      startupMs: summarize(inits.map(r => r.startMs)),
      connections: summarize(statuses.map(s => s.connected.length)),
      meshPeers: summarize(statuses.map(s => s.meshPeers)),
      idle: {
        windowMs: opts.idleMs,
        cpuPct: summarize(idle.map(cpuPct)),
        cpuPctIntroducers: summarize(intro.map(cpuPct)),
        cpuPctNodes: summarize(nodes.map(cpuPct)),
        rssMB: summarize(idle.map(r => r.rss / MB)),
        rssMBIntroducers: summarize(intro.map(r => r.rss / MB)),
        rssMBNodes: summarize(nodes.map(r => r.rss / MB)),
        heapMB: summarize(idle.map(r => r.heapUsed / MB)),
        bytesPerSecPerNode: idleBytesPerSecPerNode
      },
      recordBytes,
      publishCallMs: summarize(publishCallMs),
      added: latency(added),
      updated: latency(updated),
      roundBytesPerNodePerAnnouncement,
      errors
    }
    if (mode === 'ours') {
      sizes.record = recordBytes
    }

    // burst of M announcements from M keys (ours) / M messages (raw), through one node
    if (opts.m > 0) {
      log(`${mode}: burst of ${opts.m}`)
      const prep = await injector.request<{ prepMs: number }>('prepareBurst', { m: opts.m, size: sizes.burst }, 120_000)
      void prep
      const others = live().filter(w => w !== injector)
      const heldBefore = new Map(await Promise.all(others.map(async w => {
        const s = await w.request<StatusResult>('status')
        await w.request('expect', { key: 'burst', target: s.held + opts.m })
        return [w.index, s.held] as const
      })))
      const before = await bytesNow()
      const tStart = Date.now()
      const timeoutMs = opts.burstTimeoutS * 1000
      const res = await injector.request<BurstResult>('burst', undefined, timeoutMs)
      const times = await events.waitAll('burst', others.map(w => w.index), Math.max(1000, tStart + timeoutMs - Date.now()))
      await sleep(opts.settleMs)
      const bytes = await bytesNow() - before
      const ms = Date.now() - tStart
      const ds = [...times.values()].map(t => t - res.t0)
      const slowest = [...times.entries()].sort((a, b) => b[1] - a[1])[0]
      const after = await Promise.all(live().map(async w => w.request<StatusResult>('status')))
      const delivered = after.flatMap((s, i) => {
        const before = heldBefore.get(live()[i].index)
        return before == null ? [] : [(s.held - before) / opts.m]
      })
      const dropped = sumDropped(after.map(st => st.stats?.dropped))
      if (mode === 'ours') {
        sizes.burst = res.bytes
      }
      result.burst = {
        m: opts.m,
        publishMs: res.t1 - res.t0,
        allHoldMs: ds.length > 0 ? Math.max(...ds) : NaN,
        perNodeMs: summarize(ds),
        missed: others.length - ds.length,
        delivered: summarize(delivered),
        dropped,
        slowest: slowest == null ? undefined : { index: slowest[0], role: workers[slowest[0]].role, ms: slowest[1] - res.t0 },
        bytesPerNodePerAnnouncement: (bytes - idleBytesPerSecPerNode * opts.n * ms / 1000) / opts.n / opts.m,
        payloadBytes: res.bytes,
        rssMBAfter: summarize(after.map(s => s.rss / MB))
      }
    }

    if (mode === 'ours') {
      // late joiners: a fresh process dials one existing node and catches up by sync
      result.lateJoin = []
      for (let j = 0; j < opts.lateJoiners; j++) {
        const target = shuffled(live().filter(w => w.role === 'node' && w !== injector), random)[0]
        const st = await target.request<StatusResult>('status')
        log(`ours: late joiner ${j + 1}/${opts.lateJoiners} -> node ${target.index} (${st.held} entries)`)
        const joiner = new Worker(opts.n + j, 'ours', 'joiner', events)
        try {
          await joiner.init()
          const res = await joiner.request<JoinResult>('join', { addr: target.addrs[0], target: st.held, timeoutMs: 30_000 }, 45_000)
          result.lateJoin.push({ dialMs: res.tDialed - res.tStart, connectToAllMs: res.tDone == null ? null : res.tDone - res.tStart, held: res.held, target: st.held })
        } catch (err) {
          errors.push(`late joiner ${j}: ${String(err)}`)
        } finally {
          await joiner.stop()
        }
      }

      if (opts.floodRounds > 0) {
        result.flood = await floodPhase(opts, workers, events, publishers.slice(opts.leaves).find(w => w.alive) ?? shuffled(live().filter(w => w.role === 'node' && w !== injector && !publishers.includes(w)), random)[0], random, log)
      }

      // graceful leave: node.stop() withdraws, every other node drops the entry
      const leaves: Round[] = []
      for (const leaver of publishers.slice(0, opts.leaves)) {
        if (!leaver.alive) {
          continue
        }
        log(`ours: node ${leaver.index} leaves`)
        const others = live().filter(w => w !== leaver).map(w => w.index)
        const res = await leaver.request<LeaveResult>('leave', undefined, 20_000)
        leaves.push({ t0: res.t0, times: await events.waitAll(`withdrawn:${leaver.peerId}`, others, 20_000), expected: others })
      }
      result.leave = latency(leaves)
    }
    result.loadavg.end = loadavg()
    return result
  } finally {
    log(`${mode}: stopping`)
    await Promise.all(workers.map(async w => w.stop()))
  }
}

// ---- flood ------------------------------------------------------------------------------------------
/** `count` updates of `publisher`'s record, each timed until every other live node has it. */
async function updateRounds (publisher: Worker, workers: Worker[], events: EventLog, prefix: string, count: number): Promise<Latency> {
  const rounds: Round[] = []
  for (let r = 0; r < count; r++) {
    const others = workers.filter(w => w.alive && w !== publisher && w.role !== 'attacker').map(w => w.index)
    const tag = `${prefix}${r}`
    const res = await publisher.request<PublishResult>('publish', { tag, size: 0 })
    rounds.push({ t0: res.t0, times: await events.waitAll(`updated:${tag}`, others, 20_000), expected: others })
    await sleep(500)
  }
  return latency(rounds)
}

/**
 * An attacker process connects to the introducers and to random nodes and floods the
 * measured topic, first with forged records, then with valid records over the rate limit;
 * meanwhile one honest node's updates are timed at every node, against the same updates
 * timed before any flood.
 */
async function floodPhase (opts: Options, workers: Worker[], events: EventLog, publisher: Worker, random: () => number, log: (s: string) => void): Promise<FloodPhase> {
  const live = (): Worker[] => workers.filter(w => w.alive && w.role !== 'attacker' && w.role !== 'joiner')
  // a first update that is not timed: the publisher may not have published yet
  await publisher.request<PublishResult>('publish', { tag: 'flood-warmup', size: 0 })
  await sleep(opts.settleMs)
  log(`ours: flood phase: ${opts.floodRounds} quiet updates from node ${publisher.index}`)
  const quiet = await updateRounds(publisher, workers, events, 'fq', opts.floodRounds)
  const phase: FloodPhase = { rate: opts.floodRate, targets: 0, quiet, floods: [] }
  for (const [k, kind] of (['forged', 'rapid'] as const).entries()) {
    const intros = live().filter(w => w.role === 'introducer')
    const nodes = shuffled(live().filter(w => w.role === 'node' && w !== publisher), random)
    const targets = [...intros, ...nodes].slice(0, opts.floodTargets)
    phase.targets = targets.length
    const attacker = new Worker(workers.length + k, 'ours', 'attacker', events)
    try {
      const init = await attacker.init()
      if (attacker.child.pid != null && opts.floodNice > 0) {
        setPriority(attacker.child.pid, opts.floodNice)
      }
      // enough records for the honest rounds (about a second each), at the flood rate
      const maxMs = (opts.floodRounds * 2 + 10) * 1000
      const count = Math.min(200_000, Math.ceil(opts.floodRate * maxMs / 1000))
      log(`ours: flood ${kind}: attacker ${init.peerId.slice(-6)} signs ${count} records, connects to ${targets.length} nodes`)
      await attacker.request('prepareFlood', { kind, count }, 300_000)
      const dialed = await attacker.request<DialResult>('dial', { addrs: targets.map(t => t.addrs[0]), timeoutMs: 10_000 }, 20_000)
      if (dialed.failed.length > 0) {
        log(`ours: flood ${kind}: ${dialed.failed.length} dials failed, e.g. ${dialed.failed[0]}`)
      }
      // bounded wait until the targets see the attacker on the topic (else nothing reaches them)
      const meshDeadline = Date.now() + 10_000
      while (Date.now() < meshDeadline) {
        const st = await attacker.request<StatusResult>('status')
        if (st.topicPeers >= st.connected.length && st.connected.length > 0) break
        await sleep(100)
      }
      const droppedBefore = await droppedBy(live())
      const tFlood = Date.now()
      await attacker.request('floodStart', { ratePerSec: opts.floodRate, maxMs })
      // the targets' view of the attacker, polled while the honest rounds run
      let graylistedAllMs: number | null = null
      let polling = true
      const poll = (async () => {
        while (polling && graylistedAllMs == null) {
          const scores = await Promise.all(targets.map(async t => t.request<ScoreResult>('score', { peerId: attacker.peerId })))
          if (scores.every(s => s.score < GRAYLIST_THRESHOLD || !s.connected)) {
            graylistedAllMs = Date.now() - tFlood
          }
          await sleep(100)
        }
      })()
      const honest = await updateRounds(publisher, workers, events, `f${kind[0]}`, opts.floodRounds)
      // the flood goes on until every target has graylisted the attacker, or 10 s more
      // (what the attacker queued may reach a busy target late; scores are cached for 1 s)
      const graceEnd = Date.now() + 10_000
      while (graylistedAllMs == null && Date.now() < graceEnd) {
        await sleep(100)
      }
      polling = false
      await poll
      const scores = await Promise.all(targets.map(async t => t.request<ScoreResult>('score', { peerId: attacker.peerId })))
      const sent = await attacker.request<FloodResult>('floodStop', undefined, 30_000)
      const droppedAfter = await droppedBy(live())
      const during = (w: Worker): Record<string, number> => {
        const before = droppedBefore.get(w) ?? {}
        return Object.fromEntries(Object.entries(droppedAfter.get(w) ?? {}).map(([r, n]): [string, number] => [r, n - (before[r] ?? 0)]).filter(([, n]) => n !== 0))
      }
      const dropped = sumDropped([...droppedAfter.keys()].map(during))
      const targetDropped = targets.map(during)
      phase.floods.push({
        kind,
        sent: sent.sent,
        failed: sent.failed,
        sendMs: sent.ms,
        graylistedAllMs,
        graylistedTargets: scores.filter(s => s.score < GRAYLIST_THRESHOLD).length,
        scores: scores.map(s => Math.round(s.score)),
        connectedTargets: scores.filter(s => s.connected).length,
        targetDropped,
        honest,
        dropped
      })
      log(`ours: flood ${kind}: ${sent.sent} sent in ${sent.ms} ms; graylisted at all targets after ${graylistedAllMs ?? 'never'} ms`)
    } finally {
      await attacker.stop()
    }
    await sleep(opts.settleMs)
  }
  return phase
}

/** Records each worker's validator dropped so far, by reason. */
async function droppedBy (workers: Worker[]): Promise<Map<Worker, Record<string, number>>> {
  const statuses = await Promise.all(workers.map(async w => w.request<StatusResult>('status')))
  return new Map(workers.map((w, i) => [w, sumDropped([statuses[i].stats?.dropped])]))
}

/** Dropped records summed over nodes, by reason. */
function sumDropped (counts: Array<Record<string, number | undefined> | undefined>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const dropped of counts) {
    for (const [reason, count] of Object.entries(dropped ?? {})) {
      out[reason] = (out[reason] ?? 0) + (count ?? 0)
    }
  }
  return out
}

function floodTable (flood: FloodPhase, n: number): string {
  const rows: string[][] = [['flood', 'sent', 'sent/s', 'rejected at targets', 'graylisted at all, ms', 'targets graylisted', 'per node median quiet/flood ms', 'ratio', `last of ${n - 2} quiet/flood ms`, 'ratio', 'missed', 'target', 'met']]
  for (const f of flood.floods) {
    const perNode = f.honest.perNode.median / flood.quiet.perNode.median
    const last = f.honest.last.median / flood.quiet.last.median
    rows.push([
      f.kind, String(f.sent), fmt(f.sent / (f.sendMs / 1000), 0),
      String(f.targetDropped.reduce((a, d) => a + (d['bad-signature'] ?? 0) + (d['rate-limited'] ?? 0), 0)),
      f.graylistedAllMs == null ? 'never' : String(f.graylistedAllMs),
      `${f.graylistedTargets}/${flood.targets}`,
      `${fmt(flood.quiet.perNode.median, 0)}/${fmt(f.honest.perNode.median, 0)}`, fmt(perNode, 2),
      `${fmt(flood.quiet.last.median, 0)}/${fmt(f.honest.last.median, 0)}`, fmt(last, 2),
      String(f.honest.missed), '<= 2x', perNode <= 2 && last <= 2 && f.honest.missed === 0 ? 'yes' : 'NO'
    ])
  }
  return renderTable(rows)
}

// ---- report -------------------------------------------------------------------------------------
/** Rows as aligned columns: the first column left, the others right, a rule under the header. */
function renderTable (rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map(r => r[c].length)))
  return rows.map((r, i) => {
    const line = r.map((cell, c) => c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])).join('  ')
    return i === 0 ? `${line}\n${'-'.repeat(line.length)}` : line
  }).join('\n')
}

function fmt (v: number | null | undefined, digits = 1): string {
  return v == null || Number.isNaN(v) ? 'n/a' : v.toFixed(digits)
}

function table (ours: GridResult | undefined, raw: GridResult | undefined, opts: Options): string {
  const rows: string[][] = [['metric', 'ours', 'raw', 'ours/raw', 'target', 'met']]
  const add = (metric: string, o: number | undefined, r: number | undefined, target = '', met?: boolean, digits = 1): void => {
    const ratio = o != null && r != null && r !== 0 ? o / r : undefined
    rows.push([metric, fmt(o, digits), fmt(r, digits), fmt(ratio, 2), target, met == null ? '' : met ? 'yes' : 'NO'])
  }
  const ratio = (o?: number, r?: number): number | undefined => (o != null && r != null && r !== 0 ? o / r : undefined)
  const lastAdd = ratio(ours?.added.last.median, raw?.added.last.median)
  add(`new announcement -> last of ${opts.n - 1}, ms (median of ${opts.rounds} rounds)`, ours?.added.last.median, raw?.added.last.median, '<= 1.3x raw', lastAdd == null ? undefined : lastAdd <= 1.3)
  add('new announcement -> last, worst round, ms', ours?.added.last.max, raw?.added.last.max)
  add('new announcement, per node median, ms', ours?.added.perNode.median, raw?.added.perNode.median)
  add('new announcement, per node p99, ms', ours?.added.perNode.p99, raw?.added.perNode.p99)
  add('update -> last, ms (median of rounds)', ours?.updated.last.median, raw?.updated.last.median)
  add('update, per node median, ms', ours?.updated.perNode.median, raw?.updated.perNode.median)
  add('update, per node p99, ms', ours?.updated.perNode.p99, raw?.updated.perNode.p99)
  add('missed deliveries (rounds, add+update)', (ours?.added.missed ?? 0) + (ours?.updated.missed ?? 0), raw == null ? undefined : raw.added.missed + raw.updated.missed, '', undefined, 0)
  add('publish call at the publisher, ms (median)', ours?.publishCallMs.median, raw?.publishCallMs.median)
  add('payload bytes per announcement', ours?.recordBytes, raw?.recordBytes, '', undefined, 0)
  add('bytes sent per node per announcement (rounds)', ours?.roundBytesPerNodePerAnnouncement, raw?.roundBytesPerNodePerAnnouncement, '', undefined, 0)
  if (opts.m > 0) {
    add(`burst of ${opts.m}: all nodes hold all, ms`, ours?.burst?.allHoldMs, raw?.burst?.allHoldMs, '', undefined, 0)
    add(`burst of ${opts.m}: per node median, ms`, ours?.burst?.perNodeMs.median, raw?.burst?.perNodeMs.median, '', undefined, 0)
    add('burst: bytes sent per node per announcement', ours?.burst?.bytesPerNodePerAnnouncement, raw?.burst?.bytesPerNodePerAnnouncement, '', undefined, 0)
    add('burst: nodes that missed some', ours?.burst?.missed, raw?.burst?.missed, '', undefined, 0)
    add('burst: fraction of M held at the end (min)', ours?.burst?.delivered.min, raw?.burst?.delivered.min, '', undefined, 3)
    add('burst: time to publish all M at the injector, ms', ours?.burst?.publishMs, raw?.burst?.publishMs, '', undefined, 0)
    add('RSS after burst, MB (median)', ours?.burst?.rssMBAfter.median, raw?.burst?.rssMBAfter.median)
  }
  const lj = (ours?.lateJoin ?? []).map(l => l.connectToAllMs ?? NaN)
  if (lj.length > 0) {
    const worst = Math.max(...lj)
    add(`late joiner: connect -> holds all ${opts.m}+, ms (median)`, median(lj), undefined, '<= 1000', undefined, 0)
    add('late joiner: worst, ms', worst, undefined, '<= 1000', !Number.isNaN(worst) && worst <= 1000, 0)
  }
  if (ours?.leave != null && ours.leave.lastPerRound.length > 0) {
    add('graceful leave -> gone at last node, ms (median)', ours.leave.last.median, undefined)
    add('graceful leave, per node median, ms', ours.leave.perNode.median, undefined)
    add('graceful leave, missed', ours.leave.missed, undefined, '', undefined, 0)
  }
  const rssRatio = ratio(ours?.idle.rssMB.median, raw?.idle.rssMB.median)
  add('RSS per process, MB (median)', ours?.idle.rssMB.median, raw?.idle.rssMB.median, '<= 1.15x raw', rssRatio == null ? undefined : rssRatio <= 1.15)
  add('RSS, introducer processes, MB (median)', ours?.idle.rssMBIntroducers.median, raw?.idle.rssMBIntroducers.median)
  add('RSS, max, MB', ours?.idle.rssMB.max, raw?.idle.rssMB.max)
  add('idle CPU, % of a core (median)', ours?.idle.cpuPct.median, raw?.idle.cpuPct.median, '< 1%', ours == null ? undefined : ours.idle.cpuPct.median < 1, 2)
  add('idle CPU, % of a core (max)', ours?.idle.cpuPct.max, raw?.idle.cpuPct.max, '< 1%', ours == null ? undefined : ours.idle.cpuPct.max < 1, 2)
  add('idle CPU, introducers, % (median)', ours?.idle.cpuPctIntroducers.median, raw?.idle.cpuPctIntroducers.median, '', undefined, 2)
  add('idle bytes sent per node per s', ours?.idle.bytesPerSecPerNode, raw?.idle.bytesPerSecPerNode, '', undefined, 0)
  add('connections per node (median)', ours?.connections.median, raw?.connections.median, '', undefined, 0)
  add('mesh peers on the topic (median)', ours?.meshPeers.median, raw?.meshPeers.median, '', undefined, 0)
  add('process start to node ready, ms (median)', ours?.startupMs.median, raw?.startupMs.median, '', undefined, 0)

  return renderTable(rows)
}

/** The commit measured, and whether src/ had uncommitted changes (others edit it while we run). */
function gitInfo (): { commit: string, srcDirty: boolean } | undefined {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', timeout: 5000 }).trim()
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { encoding: 'utf8', timeout: 5000 }).trim()
    return { commit, srcDirty: dirty.length > 0 }
  } catch {
    return undefined
  }
}

// ---- main ---------------------------------------------------------------------------------------
async function main (): Promise<void> {
  assertSupportedRuntime()
  const opts = parseOptions(process.argv.slice(2), process.env)
  const log = (s: string): void => { console.error(`[${new Date().toISOString().slice(11, 19)}] ${s}`) }
  const watchdog = setTimeout(() => {
    console.error(`bench: over --max-minutes=${opts.maxMinutes}, giving up`)
    killAll()
    process.exit(2)
  }, opts.maxMinutes * 60_000)
  watchdog.unref()

  const plan = planTopology(opts)
  const sizes = { record: 300, burst: 300 }
  const results: Partial<Record<Mode, GridResult>> = {}
  const started = Date.now()
  // ours first: raw then sends payloads of the sizes ours measured
  for (const mode of (['ours', 'raw'] as const).filter(g => opts.grids.includes(g))) {
    results[mode] = await runGrid(mode, opts, plan, sizes, log)
  }
  const report = {
    date: new Date().toISOString(),
    git: gitInfo(),
    machine: { cpus: availableParallelism(), cpuModel: cpus()[0]?.model, totalMemGiB: totalmem() / 1024 ** 3, node: process.versions.node },
    options: opts,
    durationS: (Date.now() - started) / 1000,
    results
  }
  const out = resolve(opts.out)
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(out, JSON.stringify(report, null, 2) + '\n')
  console.log(`\ngossip-introducer bench: N=${opts.n} processes (${opts.introducers} introducers), M=${opts.m}, ` +
    `${opts.rounds} rounds, degree ${opts.degree}, ${availableParallelism()} cpus, ${report.durationS.toFixed(0)} s, ` +
    `commit ${report.git?.commit ?? '?'}${report.git?.srcDirty === true ? ' + uncommitted src changes' : ''}\n`)
  console.log(table(results.ours, results.raw, opts))
  if (results.ours?.flood != null) {
    console.log(`\nflood phase: an attacker (nice ${opts.floodNice}) connected to ${results.ours.flood.targets} nodes (the introducers first) sends at up to ${opts.floodRate}/s; ` +
      `honest updates from one node, ${opts.floodRounds} timed before and ${opts.floodRounds} during each flood\n`)
    console.log(floodTable(results.ours.flood, opts.n))
  }
  for (const r of Object.values(results)) {
    console.log(`load average (1/5/15 min) during ${r.mode}: start ${r.loadavg.start.map(v => v.toFixed(1)).join('/')}, end ${r.loadavg.end.map(v => v.toFixed(1)).join('/')}`)
  }
  for (const r of Object.values(results)) {
    for (const e of r.errors) {
      console.log(`! ${r.mode}: ${e}`)
    }
  }
  console.log(`\nJSON: ${out}`)
  if (opts.json) {
    console.log(JSON.stringify(report, null, 2))
  }
}

main().then(() => {
  killAll()
  process.exit(0)
}, (err: unknown) => {
  console.error('bench failed:', err)
  killAll()
  process.exit(1)
})
