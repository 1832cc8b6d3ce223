/**
 * Network namespaces for fault tests: a "wire" namespace holding a bridge, and one
 * namespace per side, each joined to the bridge by a veth pair created inside the
 * namespaces (nothing is added to the host's own network). Addresses are 10.123.0.x/24
 * and exist only inside those namespaces. Cutting a side's cable sets its port on the
 * bridge down: the side keeps its address (its local traffic goes on) but its packets to
 * the other side are lost, as when a switch port or a link between sites fails.
 *
 * Node processes run inside a namespace through `ip netns exec` (which execs, so the child's
 * pid is the node's); their HTTP API binds 127.0.0.1 inside the namespace and is queried
 * through `ip netns exec NS curl`. `NetnsLab.cleanup()` kills every process and deletes
 * every namespace (call it in `after`); it also runs on this process's exit.
 */
import { execFile, execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { NodeProcess } from './processes.js'
import type { StatusJson } from '../../src/daemon/status.js'

const IP = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].find(p => existsSync(p)) ?? 'ip'
const CURL = ['/usr/bin/curl', '/bin/curl', '/usr/local/bin/curl'].find(p => existsSync(p)) ?? 'curl'

async function run (file: string, args: string[], timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err != null) {
        reject(new Error(`${file} ${args.join(' ')}: ${stderr.trim() !== '' ? stderr.trim() : err.message}`))
      } else {
        resolve(stdout)
      }
    })
  })
}

async function ip (...args: string[]): Promise<string> {
  return run(IP, args)
}

/**
 * Why network namespaces cannot be used here, or undefined when they can: tries to
 * create and delete one, with a veth pair, and to run a command in it.
 */
export async function netnsUnavailable (): Promise<string | undefined> {
  if (process.platform !== 'linux') {
    return `network namespaces are Linux-only (this is ${process.platform})`
  }
  const ns = `gi-probe-${process.pid}`
  try {
    await ip('netns', 'add', ns)
  } catch (err) {
    return `cannot create a network namespace (needs root or CAP_SYS_ADMIN and iproute2): ${(err as Error).message}`
  }
  try {
    await ip('-n', ns, 'link', 'add', 'p0', 'type', 'veth', 'peer', 'name', 'p1')
    await ip('-n', ns, 'link', 'add', 'b0', 'type', 'bridge')
    await run(IP, ['netns', 'exec', ns, CURL, '--version'])
    return undefined
  } catch (err) {
    return `network namespaces are there but not usable (veth, bridge or curl missing): ${(err as Error).message}`
  } finally {
    await ip('netns', 'del', ns).catch(() => {})
  }
}

export interface Side {
  /** Namespace name. */
  ns: string
  /** The side's address, 10.123.0.x, on its veth. */
  address: string
  /** The side's port on the bridge, in the wire namespace. */
  port: string
}

/** A node process inside a network namespace. */
export class NetnsNodeProcess extends NodeProcess {
  constructor (name: string, dir: string, args: string[], readonly side: Side) {
    super(name, dir, args)
  }

  protected override command (): [string, string[]] {
    const [file, args] = super.command()
    return [IP, ['netns', 'exec', this.side.ns, file, ...args]]
  }

  /** GET on the node's API, from inside its namespace. */
  override async api<T = StatusJson> (path = '/api/v1/status'): Promise<T> {
    if (this.info == null) throw new Error(`${this.name} is not running`)
    const body = await run(IP, ['netns', 'exec', this.side.ns, CURL, '-sS', '--fail', '--max-time', '5', `${this.info.http}${path}`], 8000)
    return JSON.parse(body) as T
  }
}

const labs = new Set<NetnsLab>()
process.once('exit', () => {
  for (const lab of labs) lab.cleanupSync()
})

/** Namespaces on one bridge, and the node processes run in them. */
export class NetnsLab {
  readonly sides = new Map<string, Side>()
  readonly processes: NetnsNodeProcess[] = []
  private readonly wire: string
  private readonly namespaces: string[] = []
  private root?: string

  /** `tag` keeps concurrent test files apart: namespace names are global. */
  constructor (readonly tag: string) {
    this.wire = `gi-${tag}-${process.pid}-w`
    labs.add(this)
  }

  async setUp (): Promise<void> {
    this.namespaces.push(this.wire)
    await ip('netns', 'add', this.wire)
    await ip('-n', this.wire, 'link', 'add', 'br0', 'type', 'bridge')
    await ip('-n', this.wire, 'link', 'set', 'br0', 'up')
  }

  /** Adds a side: a namespace with lo up and a veth with `address`/24, its other end on the bridge. */
  async addSide (name: string, address: string): Promise<Side> {
    const ns = `gi-${this.tag}-${process.pid}-${name}`
    const port = `to-${name}`.slice(0, 15)
    this.namespaces.push(ns)
    await ip('netns', 'add', ns)
    await ip('-n', ns, 'link', 'set', 'lo', 'up')
    // created in the wire namespace with its peer straight in the side's namespace
    await ip('-n', this.wire, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns)
    await ip('-n', this.wire, 'link', 'set', port, 'master', 'br0')
    await ip('-n', this.wire, 'link', 'set', port, 'up')
    await ip('-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0')
    await ip('-n', ns, 'link', 'set', 'eth0', 'up')
    const side = { ns, address, port }
    this.sides.set(name, side)
    return side
  }

  /** Cuts (down) or restores (up) a side's cable at the bridge. */
  async cable (name: string, state: 'up' | 'down'): Promise<void> {
    const side = this.sides.get(name)
    if (side == null) throw new Error(`no side ${name}`)
    await ip('-n', this.wire, 'link', 'set', side.port, state)
  }

  async dir (name: string): Promise<string> {
    this.root ??= await mkdtemp(join(tmpdir(), `gi-${this.tag}-`))
    return join(this.root, name)
  }

  /** Starts `introducer run` in a side's namespace, listening on the side's address. */
  async start (name: string, sideName: string, args: string[]): Promise<NetnsNodeProcess> {
    const side = this.sides.get(sideName)
    if (side == null) throw new Error(`no side ${sideName}`)
    const p = new NetnsNodeProcess(name, await this.dir(name), ['--listen', `/ip4/${side.address}/tcp/0`, ...args], side)
    this.processes.push(p)
    return p.start()
  }

  /** Kills every process, deletes every namespace and the data directories. Never throws. */
  async cleanup (): Promise<void> {
    await Promise.allSettled(this.processes.map(async p => p.kill('SIGKILL', 5000)))
    for (const ns of [...this.namespaces].reverse()) {
      await ip('netns', 'del', ns).catch(() => {})
    }
    this.namespaces.length = 0
    if (this.root != null) {
      await rm(this.root, { recursive: true, force: true })
    }
    labs.delete(this)
  }

  /** The same, synchronously, for process exit. */
  cleanupSync (): void {
    for (const p of this.processes) {
      p.child?.kill('SIGKILL')
    }
    for (const ns of this.namespaces) {
      try {
        execFileSync(IP, ['netns', 'del', ns], { stdio: 'ignore', timeout: 5000 })
      } catch {
        // gone already
      }
    }
  }
}
