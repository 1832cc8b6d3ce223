/**
 * The parent's side of the IPC protocol (bench/protocol.ts): a WorkerProcess is one
 * forked bench/worker.js; a NodeHandle one node in it. `call` is typed by the command
 * maps and every reply is checked against its command's result schema, so a reply of
 * the wrong shape is an error naming the command, not a wrong figure. Every request has
 * a timeout. ProcessGroup owns every process, to kill what is left on exit.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  nodeSchemas, processSchemas, workerMessageSchema,
  type Mode, type NodeArgs, type NodeCommand, type NodeResults, type ProcessArgs, type ProcessCommand, type ProcessResults
} from './protocol.js'

const WORKER = fileURLToPath(new URL('./worker.js', import.meta.url))
/** A request's timeout unless the call names one (ProcessGroup's callTimeoutMs; bench --call-timeout-s). */
export const DEFAULT_CALL_TIMEOUT_MS = 30_000
const STOP_TIMEOUT_MS = 15_000
const EXIT_WAIT_MS = 3000

export type Role = 'introducer' | 'node' | 'joiner' | 'attacker'

/** Settings of ours nodes the bench may change (0: the library's default). */
export interface NodeTuning {
  antiEntropyMs: number
  pingMs: number
}

export const DEFAULT_TUNING: NodeTuning = { antiEntropyMs: 0, pingMs: 0 }

/** Receives a worker's events: node index, key, Date.now() at the worker. */
export type EventSink = (node: number, key: string, t: number) => void

interface Pending { settle(result: unknown): void, fail(err: Error): void, timer: ReturnType<typeof setTimeout> }

export class WorkerProcess {
  readonly child: ChildProcess
  /** The nodes started in this process (NodeHandle registers itself). */
  readonly nodes: NodeHandle[] = []
  private running = true
  private nextId = 1
  private readonly pending = new Map<number, Pending>()

  constructor (readonly index: number, onEvent: EventSink, private readonly callTimeoutMs = DEFAULT_CALL_TIMEOUT_MS) {
    this.child = fork(WORKER, [], { execPath: process.execPath, execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    this.child.on('message', (raw) => {
      const parsed = workerMessageSchema.safeParse(raw)
      if (!parsed.success) {
        console.error(`bench: process ${this.index} sent a malformed message: ${parsed.error.message}`)
        return
      }
      const msg = parsed.data
      if (msg.type === 'event') {
        onEvent(msg.node, msg.key, msg.t)
        return
      }
      const p = this.pending.get(msg.id)
      if (p == null) {
        return
      }
      this.pending.delete(msg.id)
      clearTimeout(p.timer)
      if (msg.ok) {
        p.settle(msg.result)
      } else {
        p.fail(new Error(`process ${this.index}: ${msg.error}`))
      }
    })
    this.child.on('exit', (code, signal) => {
      this.running = false
      for (const node of this.nodes) {
        node.alive = false
      }
      for (const [id, p] of this.pending) {
        clearTimeout(p.timer)
        p.fail(new Error(`process ${this.index} exited (${code ?? signal}) during request ${id}`))
      }
      this.pending.clear()
    })
    this.child.on('error', () => { /* reported through exit */ })
  }

  get alive (): boolean {
    return this.running
  }

  async call<C extends ProcessCommand> (cmd: C, args: ProcessArgs[C], timeoutMs = this.callTimeoutMs): Promise<ProcessResults[C]> {
    const schema = processSchemas[cmd].result
    return this.request(`${cmd}`, { scope: 'process', cmd, args }, v => schema.parse(v), timeoutMs)
  }

  async callNode<C extends NodeCommand> (node: number, cmd: C, args: NodeArgs[C], timeoutMs = this.callTimeoutMs): Promise<NodeResults[C]> {
    const schema = nodeSchemas[cmd].result
    return this.request(`${cmd} (node ${node})`, { scope: 'node', node, cmd, args }, v => schema.parse(v), timeoutMs)
  }

  /** Graceful stop of every node in it, then SIGKILL if it has not exited within the bound. */
  async stop (): Promise<void> {
    if (this.running) {
      await this.call('stop', {}, STOP_TIMEOUT_MS).catch(() => {})
      const deadline = Date.now() + EXIT_WAIT_MS
      while (this.running && Date.now() < deadline) {
        await sleep(20)
      }
    }
    this.kill()
  }

  kill (): void {
    if (this.child.exitCode == null && this.child.signalCode == null) {
      this.child.kill('SIGKILL')
    }
  }

  private async request<T> (what: string, body: Record<string, unknown>, parse: (v: unknown) => T, timeoutMs: number): Promise<T> {
    if (!this.running || !this.child.connected) {
      throw new Error(`process ${this.index} is not running (${what})`)
    }
    const id = this.nextId++
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(new Error(`process ${this.index}: ${what} timed out after ${timeoutMs} ms`))
      }, timeoutMs)
      this.pending.set(id, {
        settle: (v) => {
          try {
            resolve(parse(v))
          } catch (err) {
            reject(new Error(`process ${this.index}: bad reply to ${what}: ${String(err)}`))
          }
        },
        fail: reject,
        timer
      })
      this.child.send({ type: 'request', id, ...body })
    })
  }
}

/** One node, addressed in its process by its grid index. */
export class NodeHandle {
  peerId = ''
  addrs: string[] = []
  /** false once it left or its process exited. */
  alive = true

  private constructor (readonly index: number, readonly role: Role, readonly proc: WorkerProcess) {
    proc.nodes.push(this)
  }

  /** Starts node `index` in `proc`. */
  static async start (proc: WorkerProcess, index: number, mode: Mode, role: Role, tuning: NodeTuning = DEFAULT_TUNING): Promise<{ node: NodeHandle, startMs: number }> {
    const res = await proc.call('addNode', { index, mode, introducer: role === 'introducer', attacker: role === 'attacker', ...tuning }, 60_000)
    const node = new NodeHandle(index, role, proc)
    node.peerId = res.peerId
    node.addrs = res.addrs.map(a => a.includes('/p2p/') ? a : `${a}/p2p/${res.peerId}`)
    return { node, startMs: res.startMs }
  }

  async call<C extends NodeCommand> (cmd: C, args: NodeArgs[C], timeoutMs?: number): Promise<NodeResults[C]> {
    if (!this.alive) {
      throw new Error(`node ${this.index} is not running (${cmd})`)
    }
    return this.proc.callNode(this.index, cmd, args, timeoutMs)
  }

  /** Graceful leave (ours withdraws first); the process goes on with its other nodes. */
  async leave (timeoutMs: number): Promise<NodeResults['leave']> {
    const res = await this.call('leave', {}, timeoutMs)
    this.alive = false
    return res
  }
}

/** Every worker process of the run, so that none outlives it. */
export class ProcessGroup {
  /** Requests to the processes spawned from now on time out after this, unless the call names a timeout. */
  callTimeoutMs = DEFAULT_CALL_TIMEOUT_MS
  private readonly processes = new Set<WorkerProcess>()
  private nextIndex = 0

  spawn (onEvent: EventSink): WorkerProcess {
    const proc = new WorkerProcess(this.nextIndex++, onEvent, this.callTimeoutMs)
    this.processes.add(proc)
    proc.child.once('exit', () => { this.processes.delete(proc) })
    return proc
  }

  killAll (): void {
    for (const proc of this.processes) {
      proc.kill()
    }
    this.processes.clear()
  }
}
