/**
 * `npm start`'s local grid: bootstrap/local.txt must name the demo introducers' keys and
 * ports (so the file cannot drift from src/daemon/local-grid.ts), and the script must bring
 * up a grid whose client's welcome page on 127.0.0.1:3456 lists the servers, and leave no
 * process behind on Ctrl-C (SIGINT).
 *
 * Only this file uses the fixed ports 3456 and 4101-4103.
 */
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { readdir, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join, resolve } from 'node:path'
import { after, describe, it } from 'node:test'
import { readBootstrapFile } from '../../src/bootstrap-file.js'
import { CLIENT_HTTP_PORT, INTRODUCER_PORTS, LOCAL_BOOTSTRAP_FILE, localBootstrapEntries, localIntroducerKey } from '../../src/daemon/local-grid.js'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { cleanEnv } from '../helpers/processes.js'
import { FatalWaitError, waitFor } from '../helpers/wait.js'
import type { PeersJson, StatusJson } from '../../src/daemon/status.js'

const SCRIPT = resolve('dist/src/daemon/local-grid.js')
const GRID_DIR = resolve('.local-grid')
const MEMBERS = ['introducer-0', 'introducer-1', 'introducer-2', 'storage-0', 'storage-1', 'storage-2', 'client']
const CLIENT = `http://127.0.0.1:${CLIENT_HTTP_PORT}`
const UP_MS = 30_000

async function portFree (port: number): Promise<boolean> {
  return new Promise(resolve => {
    const server = createServer()
    server.once('error', () => { resolve(false) })
    server.listen(port, '127.0.0.1', () => { server.close(() => { resolve(true) }) })
  })
}

function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The parent pid of a process (Linux /proc), or undefined if it is gone. */
async function parentPid (pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
  } catch {
    return undefined
  }
}

/** The pid in DIR/node.json, if there is one. */
async function nodeJsonPid (name: string): Promise<number | undefined> {
  try {
    return (JSON.parse(await readFile(join(GRID_DIR, name, 'node.json'), 'utf8')) as { pid: number }).pid
  } catch {
    return undefined
  }
}

async function getJson<T> (path: string): Promise<T> {
  const response = await fetch(`${CLIENT}${path}`, { signal: AbortSignal.timeout(5000) })
  assert.equal(response.status, 200, path)
  return response.json() as Promise<T>
}

describe('bootstrap/local.txt', () => {
  it('names exactly the demo introducers, derived from their seeds and ports', async () => {
    const entries = await readBootstrapFile(resolve(LOCAL_BOOTSTRAP_FILE))
    assert.deepEqual(entries, await localBootstrapEntries(),
      `${LOCAL_BOOTSTRAP_FILE} has drifted from src/daemon/local-grid.ts; it should list:\n${(await localBootstrapEntries()).join('\n')}`)
    assert.equal(entries.length, INTRODUCER_PORTS.length)
    for (const [i, entry] of entries.entries()) {
      const id = peerIdFromPrivateKey(await localIntroducerKey(i)).toString()
      assert.equal(entry, `/ip4/127.0.0.1/tcp/${INTRODUCER_PORTS[i]}/p2p/${id}`)
    }
    assert.equal(new Set(entries).size, entries.length, 'three different introducers')
  })
})

describe('npm start (the local grid script)', { timeout: 90_000 }, () => {
  let grid: ChildProcess | undefined
  let exited: Promise<number | null> | undefined
  const output: string[] = []
  const pids = new Map<string, number>()

  after(async () => {
    if (grid == null) return // not started (node.json files there are not ours to act on)
    // whatever happened, leave nothing running: the script stops its children on SIGTERM...
    if (grid.exitCode === null && grid.signalCode === null) {
      grid.kill('SIGTERM')
      const timer = setTimeout(() => { grid?.kill('SIGKILL') }, 15_000)
      await exited
      clearTimeout(timer)
    }
    // ...and any member it left behind is killed: only pids seen as the script's children
    for (const pid of pids.values()) {
      if (alive(pid)) process.kill(pid, 'SIGKILL')
    }
  })

  it('brings up a grid whose client lists the servers, and stops every process on SIGINT', async () => {
    for (const port of [CLIENT_HTTP_PORT, ...INTRODUCER_PORTS]) {
      assert.ok(await portFree(port), `port ${port} is in use: is \`npm start\` running? The test needs 3456 and 4101-4103.`)
    }
    // .local-grid is the script's own directory: another grid running (npm start, or this
    // test elsewhere) is not ours to touch; node.json files of a run killed hard are removed
    for (const name of MEMBERS) {
      const pid = await nodeJsonPid(name)
      assert.ok(pid == null || !alive(pid), `${GRID_DIR}/${name} belongs to a running process (pid ${pid}): is \`npm start\` running?`)
      await rm(join(GRID_DIR, name, 'node.json'), { force: true })
    }
    const child = spawn(process.execPath, [SCRIPT], { stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv() })
    grid = child
    exited = new Promise(resolve => child.once('exit', (code) => { resolve(code) }))
    const collect = (chunk: Buffer): void => { output.push(...chunk.toString().split('\n').filter(Boolean)) }
    child.stdout.on('data', collect)
    child.stderr.on('data', collect)
    const context = (): string => `\nlocal grid output:\n${output.slice(-40).join('\n')}`

    // every member writes DIR/node.json with its pid once it is up: a child of the script
    await waitFor('every member of the local grid to start', async () => {
      if (child.exitCode !== null) throw new FatalWaitError(`the script exited with ${child.exitCode}`)
      for (const name of MEMBERS) {
        if (!pids.has(name)) {
          const pid = await nodeJsonPid(name)
          if (pid == null) return false
          if (await parentPid(pid) !== child.pid) throw new FatalWaitError(`${name}'s node.json names pid ${pid}, not a child of the script`)
          pids.set(name, pid)
        }
      }
      return true
    }, UP_MS, 100).catch((err: Error) => { throw new Error(err.message + context()) })
    for (const [name, pid] of pids) {
      assert.ok(alive(pid), `${name} (pid ${pid}) is running`)
    }
    assert.equal(new Set(pids.values()).size, MEMBERS.length, 'one process per member')

    // the client, on Tahoe's web port, learns every server through the demo introducers
    await waitFor('the client to know the 3 servers and the 3 introducers', async () =>
      (await getJson<PeersJson>('/api/v1/peers?service=download_storage')).peers.length === 3 &&
      (await getJson<PeersJson>('/api/v1/peers?service=upload_storage')).peers.length === 2 &&
      (await getJson<StatusJson>('/api/v1/status')).introducers.known === 3, UP_MS)
      .catch((err: Error) => { throw new Error(err.message + context()) })
    const download = (await getJson<PeersJson>('/api/v1/peers?service=download_storage')).peers
    const upload = (await getJson<PeersJson>('/api/v1/peers?service=upload_storage')).peers
    assert.deepEqual(download.map(p => [p.nickname, p.readonly]).sort(), [['storage-0', false], ['storage-1', false], ['storage-2 (read-only)', true]])
    assert.deepEqual(upload.map(p => p.nickname).sort(), ['storage-0', 'storage-1'])
    assert.deepEqual(download.map(p => p.availableSpace).sort(), [250e9, 500e9, null])
    const status = await getJson<StatusJson>('/api/v1/status')
    assert.equal(status.node.grid, 'local')
    assert.equal(status.introducers.known, 3)
    assert.ok(status.introducers.connected >= 1)
    const page = await fetch(`${CLIENT}/`, { signal: AbortSignal.timeout(5000) })
    assert.equal(page.status, 200)
    assert.match(await page.text(), /<title>gossip-introducer<\/title>/)
    assert.ok(output.some(l => l.includes(`>>> the client's welcome page: ${CLIENT}/`)), `the script says where the page is${context()}`)

    // Ctrl-C: the script stops every member and exits
    child.kill('SIGINT')
    const code = await Promise.race([exited, new Promise<'timeout'>(resolve => setTimeout(() => { resolve('timeout') }, 20_000).unref())])
    assert.notEqual(code, 'timeout', `the script did not exit within 20 s of SIGINT${context()}`)
    assert.equal(code, 0, `exit code${context()}`)
    for (const [name, pid] of pids) {
      assert.equal(alive(pid), false, `${name} (pid ${pid}) is still running after the script exited`)
    }
    // each member stopped gracefully: it removed its node.json
    const left = (await Promise.all(MEMBERS.map(async name => (await readdir(join(GRID_DIR, name))).includes('node.json') ? name : null))).filter(n => n != null)
    assert.deepEqual(left, [], 'members that did not stop gracefully')
    for (const port of [CLIENT_HTTP_PORT, ...INTRODUCER_PORTS]) {
      assert.ok(await portFree(port), `port ${port} released`)
    }
  })
})
