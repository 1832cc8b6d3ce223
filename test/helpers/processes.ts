/**
 * Node processes for tests: `introducer run DIR` as real OS processes over loopback.
 * Every process started through a ProcessSet is killed by `killAll()` (call it in
 * `after`), and on this process's exit.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { FatalWaitError, waitFor } from './wait.js'
import type { PeersJson, StatusJson } from '../../src/daemon/status.js'

export const BIN = resolve('dist/src/daemon/bin.js')

export interface NodeInfo {
  peerId: string
  multiaddrs: string[]
  http: string
  pid: number
}

export class NodeProcess {
  readonly output: string[] = []
  info?: NodeInfo
  exited?: Promise<number | null>
  child?: ChildProcess

  /** `env`: variables added to the child's environment (which has no INTRODUCER_* of ours). */
  constructor (readonly name: string, readonly dir: string, readonly args: string[], readonly env: NodeJS.ProcessEnv = {}) {}

  get multiaddr (): string {
    if (this.info == null) throw new Error(`${this.name} is not running`)
    return this.info.multiaddrs[0]
  }

  get peerId (): string {
    if (this.info == null) throw new Error(`${this.name} has not started yet`)
    return this.info.peerId
  }

  /** The command that runs the node: `introducer run DIR ARGS` (subclasses wrap it). */
  protected command (): [string, string[]] {
    return [process.execPath, [BIN, 'run', this.dir, ...this.args]]
  }

  /** Starts the process and waits until it has written node.json. */
  async start (timeoutMs = 45_000): Promise<this> {
    await rm(join(this.dir, 'node.json'), { force: true })
    const [file, args] = this.command()
    // INTRODUCER_INIT: test directories are new, and run refuses a directory never initialised
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...cleanEnv(), INTRODUCER_INIT: 'true', ...this.env } })
    this.child = child
    this.exited = new Promise(resolve => child.once('exit', (code) => { resolve(code) }))
    const collect = (chunk: Buffer): void => { this.output.push(...chunk.toString().split('\n').filter(Boolean)) }
    child.stdout.on('data', collect)
    child.stderr.on('data', collect)
    let exitCode: number | null | undefined
    void this.exited.then(code => { exitCode = code })
    this.info = await waitFor(`${this.name} to start`, async () => {
      if (exitCode !== undefined) {
        throw new FatalWaitError(`${this.name} exited with ${exitCode}:\n${this.output.join('\n')}`)
      }
      try {
        const info = JSON.parse(await readFile(join(this.dir, 'node.json'), 'utf8')) as NodeInfo
        return info.pid === child.pid ? info : undefined
      } catch {
        return undefined
      }
    }, timeoutMs, 50)
    return this
  }

  async api<T = StatusJson> (path = '/api/v1/status'): Promise<T> {
    if (this.info == null) throw new Error(`${this.name} is not running`)
    const response = await fetch(`${this.info.http}${path}`, { signal: AbortSignal.timeout(5000) })
    return response.json() as Promise<T>
  }

  /** The node's /metrics text (Prometheus exposition). */
  async metrics (): Promise<string> {
    if (this.info == null) throw new Error(`${this.name} is not running`)
    const response = await fetch(`${this.info.http}/metrics`, { signal: AbortSignal.timeout(30_000) })
    return response.text()
  }

  /** Peer ids this node holds for a service. */
  async peers (service: string): Promise<string[]> {
    return (await this.peerList(service)).map(p => p.peerId).sort()
  }

  /** Every entry this node holds for a service: all pages of /api/v1/peers (at most 100). */
  async peerList (service: string): Promise<PeersJson['peers']> {
    const all: PeersJson['peers'] = []
    let cursor: string | null = null
    for (let page = 0; page < 100; page++) {
      const query: string = `service=${encodeURIComponent(service)}&limit=1000${cursor != null ? `&cursor=${encodeURIComponent(cursor)}` : ''}`
      const body: PeersJson = await this.api<PeersJson>(`/api/v1/peers?${query}`)
      all.push(...body.peers)
      cursor = body.next
      if (cursor == null) return all
    }
    throw new Error(`${this.name}: more than 100 pages of ${service} peers`)
  }

  /** Sends a signal and waits for the exit code. */
  async kill (signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<number | null> {
    if (this.child == null || this.child.exitCode !== null || this.child.signalCode !== null) {
      return this.child?.exitCode ?? null
    }
    this.child.kill(signal)
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), timeoutMs)
    try {
      return await this.exited!
    } finally {
      clearTimeout(timer)
    }
  }

  /** Freezes (SIGSTOP) or resumes (SIGCONT) the process. */
  signal (signal: NodeJS.Signals): void {
    this.child?.kill(signal)
  }
}

/** The value of one sample (`name` with its `{labels}`, if any) in /metrics text; throws when absent. */
export function metricSample (text: string, name: string, labels = ''): number {
  const line = text.split('\n').find(l => l.startsWith(`${name}${labels} `))
  if (line == null) throw new Error(`no ${name}${labels} in /metrics`)
  return Number(line.slice(line.lastIndexOf(' ') + 1))
}

/** A process's resident memory in MB, from /proc. */
export async function rssMb (pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1]
  if (kb == null) throw new Error(`no VmRSS for ${pid}`)
  return Number(kb) / 1024
}

/**
 * This process's environment without INTRODUCER_* variables, so that none set in the
 * shell that runs the tests leaks into a node under test.
 */
export function cleanEnv (): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('INTRODUCER_')))
}

const live = new Set<NodeProcess>()
process.once('exit', () => {
  for (const p of live) {
    p.child?.kill('SIGKILL')
  }
})

export class ProcessSet {
  readonly all: NodeProcess[] = []
  private root?: string

  async dir (name: string): Promise<string> {
    this.root ??= await mkdtemp(join(tmpdir(), 'gi-test-'))
    return join(this.root, name)
  }

  async start (name: string, args: string[], dir?: string, env?: NodeJS.ProcessEnv): Promise<NodeProcess> {
    const p = new NodeProcess(name, dir ?? await this.dir(name), args, env)
    this.all.push(p)
    live.add(p)
    return p.start()
  }

  async killAll (): Promise<void> {
    await Promise.allSettled(this.all.map(async p => p.kill('SIGKILL', 5000)))
    for (const p of this.all) live.delete(p)
    if (this.root != null) {
      await rm(this.root, { recursive: true, force: true })
    }
  }
}

/** A free TCP port on 127.0.0.1 (for a process that must come back at the same address). */
export async function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => { resolve(typeof address === 'object' && address != null ? address.port : 0) })
    })
  })
}
