/**
 * `npm start`: a local grid on loopback, as separate processes — 3 introducers, 3
 * storage servers (one read-only) and a client — in .local-grid/. Each run has its own
 * grid id and ports (the introducers listen on free ports; their addresses go into
 * .local-grid/bootstrap.txt), so no other local grid joins it by accident. Prints where
 * the client's welcome page is and how to join; stops everything on Ctrl-C.
 *
 * Ctrl-C in a terminal signals the whole process group: the script and every member get
 * SIGINT, and the script also sends each member SIGTERM (as it does when it alone is
 * signalled). A member takes a second signal that close to the first as the same stop
 * (signals.ts), so each withdraws its announcements and exits 0.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { formatBootstrapList } from '../bootstrap-file.js'
import { lockDataDir } from '../store/data-dir-lock.js'
import { assertSupportedRuntime } from '../version.js'
import { NODE_INFO_FILE, type NodeInfoFile } from './node-info.js'

/** Tahoe's default web port, for the client's welcome page when it is free. */
export const CLIENT_HTTP_PORT = 3456
export const LOCAL_GRID_DIR = '.local-grid'
export const LOCAL_BOOTSTRAP_FILE = 'bootstrap.txt'
const MEMBER_START_MS = 60_000

interface Member {
  name: string
  args: string[]
  child?: ChildProcess
  code?: number | null
}

async function portFree (port: number): Promise<boolean> {
  return new Promise(resolve => {
    const server = createServer()
    server.once('error', () => { resolve(false) })
    server.listen(port, '127.0.0.1', () => { server.close(() => { resolve(true) }) })
  })
}

async function main (): Promise<number> {
  assertSupportedRuntime()
  const root = resolve(fileURLToPath(import.meta.url), '../../../..')
  const bin = join(root, 'dist/src/daemon/bin.js')
  const gridDir = join(root, LOCAL_GRID_DIR)
  await mkdir(gridDir, { recursive: true })
  const lock = await lockDataDir(gridDir).catch((err: Error) => {
    throw new Error(`another \`npm start\` uses ${gridDir}: ${err.message}`)
  })
  const grid = `local-${randomBytes(3).toString('hex')}`
  const bootstrapFile = join(gridDir, LOCAL_BOOTSTRAP_FILE)
  const base = ['--init', '--grid', grid, '--dial-retry-max-ms', '5000']
  const members: Member[] = []
  let stopping = false
  let failed = false
  const stopAll = (): void => {
    if (stopping) {
      members.forEach(m => m.child?.kill('SIGKILL'))
      process.exit(1)
    }
    stopping = true
    process.stdout.write('\nstopping the local grid...\n')
    members.forEach(m => m.child?.kill('SIGTERM'))
  }
  process.on('SIGINT', stopAll)
  process.on('SIGTERM', stopAll)

  /** Starts a member; resolves with its node.json once it is up. */
  const start = async (name: string, args: string[]): Promise<NodeInfoFile> => {
    const dir = join(gridDir, name)
    const member: Member = { name, args }
    members.push(member)
    const child = spawn(process.execPath, [bin, 'run', dir, ...base, '--nickname', name, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    member.child = child
    const prefix = name.padEnd(12)
    const relay = (chunk: Buffer): void => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) process.stdout.write(`${prefix} ${line}\n`)
    }
    child.stdout.on('data', relay)
    child.stderr.on('data', relay)
    const exited = new Promise<void>(resolve => child.once('exit', (code) => {
      member.code = code
      process.stdout.write(`${prefix} exited (${code ?? 'signal'})\n`)
      if (!stopping) {
        failed = true
        stopAll()
      }
      resolve()
    }))
    const deadline = Date.now() + MEMBER_START_MS
    while (Date.now() < deadline && member.code === undefined && !stopping) {
      try {
        const info = JSON.parse(await readFile(join(dir, NODE_INFO_FILE), 'utf8')) as NodeInfoFile
        if (info.pid === child.pid) return info
      } catch {}
      await new Promise(resolve => setTimeout(resolve, 100))
    }
    void exited
    throw new Error(`${name} did not start`)
  }

  try {
    const first = await start('introducer-0', ['--introducer'])
    const addressOf = (info: NodeInfoFile): string => `${info.multiaddrs[0]}/p2p/${info.peerId}`
    const others = await Promise.all([1, 2].map(async i => start(`introducer-${i}`, ['--introducer', '--bootstrap', addressOf(first)])))
    await writeFile(bootstrapFile, formatBootstrapList([first, ...others].map(addressOf), `bootstrap list of the local grid ${grid} (npm start), this run only`))
    const boot = ['--bootstrap-file', bootstrapFile]
    const clientHttp = await portFree(CLIENT_HTTP_PORT) ? `127.0.0.1:${CLIENT_HTTP_PORT}` : '127.0.0.1:0'
    const [, , , client] = await Promise.all([
      start('storage-0', [...boot, '--storage', '--available-space', '500000000000']),
      start('storage-1', [...boot, '--storage', '--available-space', '250000000000']),
      start('storage-2', [...boot, '--storage', '--readonly']),
      start('client', [...boot, '--http-listen', clientHttp])
    ])
    process.stdout.write(`\n  local grid ${grid} is up in ${gridDir}: 3 introducers, 3 storage servers (one read-only), a client\n` +
      `  >>> the client's welcome page: ${client.http}/  (Ctrl-C stops the grid)\n` +
      `  to join it: introducer run DIR --init --grid ${grid} --bootstrap-file ${bootstrapFile}\n\n`)
  } catch (err) {
    if (!stopping) {
      process.stderr.write(`local grid: ${err instanceof Error ? err.message : String(err)}\n`)
      failed = true
      stopAll()
    }
  }
  await Promise.all(members.map(async m => m.code !== undefined ? undefined : new Promise(resolve => m.child?.once('exit', resolve))))
  await lock.release()
  return !failed && members.every(m => m.code === 0) ? 0 : 1
}

if (process.argv[1] != null && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(code => { process.exit(code) }, (err: unknown) => {
    process.stderr.write(`local grid: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exit(1)
  })
}
