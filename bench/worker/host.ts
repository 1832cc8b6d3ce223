/**
 * A worker process: hosts one or more bench nodes (by the index the parent gave them),
 * counts the bytes the process sends, measures its idle CPU, and runs each IPC request
 * through its command's handler (handlers.ts) after checking its args.
 *
 * raw nodes import only topic names from src/ (src/ is edited while benches run, and a
 * raw grid must not depend on the rest of it); the ours node module is loaded lazily.
 */
import { nodeSchemas, processSchemas, requestSchema, type NodeCommand, type NodeResults, type ProcessArgs, type ProcessCommand, type ProcessResults, type Request, type WorkerMessage } from '../protocol.js'
import type { BenchNode } from './bench-node.js'
import { ByteCounter } from './byte-counter.js'
import { nodeHandlers, processHandlers } from './handlers.js'
import { CpuProfile } from './cpu-profile.js'
import { RawNode } from './raw-node.js'

export type Send = (msg: WorkerMessage, then?: () => void) => void

export class WorkerHost {
  private readonly nodes = new Map<number, BenchNode>()
  private readonly bytes = new ByteCounter()
  private idleMark: { cpu: NodeJS.CpuUsage, wall: number, bytes: number } | undefined
  private readonly profile = CpuProfile.fromEnv('BENCH_IDLE_PROFILE')
  private mode = 'raw'

  /** `exit` is called once the reply to `stop` has left. */
  constructor (private readonly send: Send, private readonly exit: () => void) {
    this.bytes.start()
  }

  /** One IPC message from the parent: a request gets exactly one reply. */
  receive (message: unknown): void {
    const parsed = requestSchema.safeParse(message)
    if (!parsed.success) {
      const id = typeof message === 'object' && message != null && 'id' in message && typeof message.id === 'number' ? message.id : -1
      this.send({ type: 'reply', id, ok: false, error: `bad request: ${parsed.error.message}` })
      return
    }
    const req = parsed.data
    this.run(req).then(result => {
      const last = req.scope === 'process' && req.cmd === 'stop'
      this.send({ type: 'reply', id: req.id, ok: true, result }, last ? this.exit : undefined)
    }, (err: unknown) => {
      this.send({ type: 'reply', id: req.id, ok: false, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) })
    })
  }

  async addNode (args: ProcessArgs['addNode']): Promise<ProcessResults['addNode']> {
    if (this.nodes.has(args.index)) {
      throw new Error(`node ${args.index} already exists in this process`)
    }
    const t0 = performance.now()
    const emit = (key: string): void => { this.send({ type: 'event', node: args.index, key, t: Date.now() }) }
    let node: BenchNode
    this.mode = args.mode
    if (args.mode === 'ours') {
      const { OursNode } = await import('./ours-node.js')
      node = await OursNode.create(args.index, emit, args.introducer, args.attacker, args)
    } else {
      node = await RawNode.create(args.index, emit, args.introducer)
    }
    this.nodes.set(args.index, node)
    return { peerId: node.peerId, addrs: node.addrs(), rss: process.memoryUsage().rss, startMs: performance.now() - t0 }
  }

  async idleStart (): Promise<null> {
    await this.profile?.start()
    this.idleMark = { cpu: process.cpuUsage(), wall: performance.now(), bytes: this.bytes.sent }
    return null
  }

  async idleEnd (): Promise<ProcessResults['idleEnd']> {
    if (this.idleMark == null) {
      throw new Error('idleStart was not called')
    }
    const cpu = process.cpuUsage(this.idleMark.cpu)
    await this.profile?.stop(this.mode)
    return {
      ...this.resources(),
      cpuMs: (cpu.user + cpu.system) / 1000,
      wallMs: performance.now() - this.idleMark.wall,
      bytesSent: this.bytes.sent - this.idleMark.bytes
    }
  }

  resources (): ProcessResults['resources'] {
    const mem = process.memoryUsage()
    return { rss: mem.rss, heapUsed: mem.heapUsed, bytesSent: this.bytes.sent, nodes: this.running().length }
  }

  trackBurst (args: ProcessArgs['trackBurst']): null {
    const ids = new Map(args.ids.map((id, i) => [id, i]))
    for (const node of this.running()) {
      node.trackBurst(args.run, args.m, ids)
    }
    return null
  }

  async stopAll (): Promise<null> {
    await Promise.all(this.running().map(async n => n.leave()))
    return null
  }

  private running (): BenchNode[] {
    return [...this.nodes.values()].filter(n => n.running)
  }

  private async run (req: Request): Promise<unknown> {
    if (req.scope === 'process') {
      return this.runProcess(req.cmd, req.args)
    }
    const node = this.nodes.get(req.node)
    if (node == null) {
      throw new Error(`no node ${req.node} in this process`)
    }
    if (!node.running) {
      throw new Error(`node ${req.node} has stopped`)
    }
    return this.runNode(req.cmd, node, req.args)
  }

  private async runProcess<C extends ProcessCommand> (cmd: C, args: unknown): Promise<ProcessResults[C]> {
    return processHandlers[cmd](this, processSchemas[cmd].args.parse(args))
  }

  private async runNode<C extends NodeCommand> (cmd: C, node: BenchNode, args: unknown): Promise<NodeResults[C]> {
    return nodeHandlers[cmd](node, nodeSchemas[cmd].args.parse(args))
  }
}
