/**
 * Real Tahoe-LAFS nodes for interop tests, from the `tahoe` binary in $TAHOE (e.g.
 * `TAHOE=$(../shared/tahoe/setup.sh)`). Each node runs in its own process group, on loopback
 * ports picked free; `killAll()` ends every group this set started.
 */
import assert from 'node:assert/strict'
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { freePort } from './processes.js'
import { waitFor } from './wait.js'

const run = promisify(execFile)

export const TAHOE = process.env.TAHOE
export const SKIP_TAHOE = TAHOE === undefined || TAHOE === '' ? 'TAHOE not set: run `TAHOE=$(/path/to/shared/tahoe/setup.sh) npm run test:tahoe`' : false

export interface ServerJson {
  nodeid: string
  connection_status: string
  nickname: string
}

export class TahoeNode {
  child?: ChildProcess
  readonly output: string[] = []
  constructor (readonly dir: string, readonly webPort: number, readonly tubPort?: number) {}

  get web (): string {
    return `http://127.0.0.1:${this.webPort}`
  }

  async servers (): Promise<ServerJson[]> {
    const res = await fetch(`${this.web}/?t=json`, { signal: AbortSignal.timeout(5000) })
    const j = await res.json() as { servers: ServerJson[] }
    return j.servers
  }

  async connectedServers (): Promise<ServerJson[]> {
    return (await this.servers()).filter(s => s.connection_status.startsWith('Connected'))
  }

  /** `tahoe put` of a file; returns the cap and the time it took. */
  async put (path: string): Promise<{ cap: string, ms: number }> {
    const t0 = Date.now()
    const { stdout } = await run(TAHOE as string, ['-d', this.dir, 'put', path], { timeout: 120_000 })
    return { cap: stdout.trim(), ms: Date.now() - t0 }
  }

  async get (cap: string, path: string): Promise<number> {
    const t0 = Date.now()
    await run(TAHOE as string, ['-d', this.dir, 'get', cap, path], { timeout: 120_000 })
    return Date.now() - t0
  }

  /**
   * The servers this client asked for shares in its latest download, in the order it
   * asked: Tahoe's permuted order for that storage index (ShareFinder sends its DYHB
   * queries in get_servers_for_psi's order). Read from the download's status page.
   */
  async lastDownloadOrder (): Promise<string[]> {
    const html = await (await fetch(`${this.web}/status`, { signal: AbortSignal.timeout(5000) })).text()
    const counters = [...html.matchAll(/status\/down-(\d+)/g)].map(m => Number(m[1]))
    if (counters.length === 0) throw new Error('no download on the status page')
    const res = await fetch(`${this.web}/status/down-${Math.max(...counters)}/event_json`, { signal: AbortSignal.timeout(5000) })
    const events = await res.json() as { server_info: Record<string, { num: number }> }
    return Object.entries(events.server_info).sort(([, x], [, y]) => x.num - y.num).map(([id]) => id)
  }

  async writeIntroducers (furls: string[]): Promise<void> {
    const body = 'introducers:\n' + furls.map((f, i) => `  intro${i}:\n    furl: "${f}"\n`).join('')
    await writeFile(join(this.dir, 'private', 'introducers.yaml'), body)
  }
}

export class TahoeGrid {
  readonly nodes: TahoeNode[] = []
  private root?: string

  async dir (): Promise<string> {
    this.root ??= await mkdtemp(join(tmpdir(), 'tahoe-interop-'))
    return this.root
  }

  /** A storage node (storage server and client) pointed at `furls`. */
  async storage (name: string, furls: string[]): Promise<TahoeNode> {
    const [tub, web] = [await freePort(), await freePort()]
    const dir = join(await this.dir(), name)
    await run(TAHOE as string, ['create-node', `--nickname=${name}`, `--introducer=${furls[0] ?? ''}`,
      `--port=tcp:${tub}:interface=127.0.0.1`, `--location=tcp:127.0.0.1:${tub}`, `--webport=tcp:${web}:interface=127.0.0.1`,
      '--shares-needed=1', '--shares-happy=2', '--shares-total=2', dir], { timeout: 60_000 })
    const node = new TahoeNode(dir, web, tub)
    await node.writeIntroducers(furls)
    this.nodes.push(node)
    return node
  }

  /** A client-only node pointed at `furls`. */
  async client (name: string, furls: string[]): Promise<TahoeNode> {
    const web = await freePort()
    const dir = join(await this.dir(), name)
    await run(TAHOE as string, ['create-client', `--nickname=${name}`, `--introducer=${furls[0] ?? ''}`,
      `--webport=tcp:${web}:interface=127.0.0.1`, '--shares-needed=1', '--shares-happy=2', '--shares-total=2', dir], { timeout: 60_000 })
    const node = new TahoeNode(dir, web)
    await node.writeIntroducers(furls)
    this.nodes.push(node)
    return node
  }

  /** Tahoe's own introducer; resolves with its node and FURL once it listens. */
  async introducer (name: string): Promise<{ node: TahoeNode, furl: string }> {
    const [tub, web] = [await freePort(), await freePort()]
    const dir = join(await this.dir(), name)
    await run(TAHOE as string, ['create-introducer', `--port=tcp:${tub}:interface=127.0.0.1`, `--location=tcp:127.0.0.1:${tub}`, dir], { timeout: 60_000 })
    const cfg = await readFile(join(dir, 'tahoe.cfg'), 'utf8')
    await writeFile(join(dir, 'tahoe.cfg'), cfg.replace(/^web\.port =.*$/m, `web.port = tcp:${web}:interface=127.0.0.1`))
    const node = new TahoeNode(dir, web, tub)
    this.nodes.push(node)
    this.start(node)
    const furl = await waitFor('the Tahoe introducer FURL', async () => (await readFile(join(dir, 'private', 'introducer.furl'), 'utf8').catch(() => '')).trim() || undefined, 60_000, 200)
    return { node, furl }
  }

  /** Starts `tahoe run` in its own process group. */
  start (node: TahoeNode): TahoeNode {
    // stdin stays open: Tahoe 1.19+ `tahoe run` exits when its stdin closes
    const child = spawn(TAHOE as string, ['run', node.dir], { detached: true, stdio: ['pipe', 'pipe', 'pipe'] })
    const collect = (b: Buffer): void => { node.output.push(...b.toString().split('\n').filter(Boolean)) }
    child.stdout?.on('data', collect)
    child.stderr?.on('data', collect)
    node.child = child
    return node
  }

  async stop (node: TahoeNode): Promise<void> {
    const child = node.child
    if (child?.pid === undefined || child.exitCode !== null) return
    const exited = new Promise(resolve => child.once('exit', resolve))
    try { process.kill(-child.pid, 'SIGTERM') } catch {}
    const killer = setTimeout(() => { try { process.kill(-(child.pid as number), 'SIGKILL') } catch {} }, 10_000)
    await exited
    clearTimeout(killer)
    node.child = undefined
  }

  async killAll (): Promise<void> {
    await Promise.all(this.nodes.map(async n => this.stop(n)))
    // TAHOE_KEEP=1 keeps the node directories (logs) for a look after a failure
    if (this.root !== undefined && process.env.TAHOE_KEEP === undefined) await rm(this.root, { recursive: true, force: true })
  }
}

/** Waits until `node` is connected to `count` storage servers (or those with `ids`). */
export async function waitForServers (node: TahoeNode, count: number, timeoutMs = 90_000): Promise<ServerJson[]> {
  try {
    return await waitFor(`${node.dir} to connect to ${count} storage servers`, async () => {
      const s = await node.connectedServers()
      return s.length >= count ? s : undefined
    }, timeoutMs, 250)
  } catch (e) {
    // the web API lines are this wait's own polling: what is left says why it did not connect
    const told = node.output.filter(line => !/ web: \S+ GET /.test(line))
    throw new Error(`${(e as Error).message}; node output (web requests left out): ${told.slice(-20).join(' | ')}`)
  }
}

/** The storage index of a CHK cap in Tahoe base32, as `tahoe debug dump-cap` prints it. */
export async function storageIndexOf (cap: string): Promise<string> {
  const { stdout } = await run(TAHOE as string, ['debug', 'dump-cap', cap], { timeout: 60_000 })
  const si = /storage index: ([a-z2-7]+)/.exec(stdout)?.[1]
  if (si === undefined) throw new Error(`no storage index in dump-cap's output: ${stdout}`)
  return si
}

/** `tahoe put` then `tahoe get` of 4 KiB through `client` (a CHK file: it reaches storage servers). */
export async function roundTrip (grid: TahoeGrid, client: TahoeNode): Promise<{ cap: string, putMs: number, getMs: number }> {
  const dir = await grid.dir()
  const data = randomBytes(4096)
  const name = randomBytes(4).toString('hex')
  await writeFile(join(dir, `${name}.in`), data)
  const { cap, ms: putMs } = await client.put(join(dir, `${name}.in`))
  assert.match(cap, /^URI:CHK:/, 'a file over 55 bytes goes to storage servers (a CHK cap, not LIT)')
  const getMs = await client.get(cap, join(dir, `${name}.out`))
  assert.deepEqual(await readFile(join(dir, `${name}.out`)), data)
  return { cap, putMs, getMs }
}
