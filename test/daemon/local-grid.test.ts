/**
 * `npm start`'s local grid, run as a terminal runs it (its own process group): it must
 * bring up a grid of its own (a new grid id and free ports each run) whose client lists
 * the servers, and on Ctrl-C (SIGINT to the whole group) every member must withdraw and
 * exit 0, leaving no process and no node.json behind.
 *
 * Uses the repository's .local-grid directory (the script's): it refuses while another
 * `npm start` runs there.
 */
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { after, describe, it } from 'node:test'
import { readBootstrapFile } from '../../src/bootstrap-file.js'
import { LOCAL_BOOTSTRAP_FILE, LOCAL_GRID_DIR } from '../../src/daemon/local-grid.js'
import { cleanEnv } from '../helpers/processes.js'
import { FatalWaitError, waitFor } from '../helpers/wait.js'
import type { PeersJson, StatusJson } from '../../src/daemon/status.js'

const SCRIPT = resolve('dist/src/daemon/local-grid.js')
const GRID_DIR = resolve(LOCAL_GRID_DIR)
const MEMBERS = ['introducer-0', 'introducer-1', 'introducer-2', 'storage-0', 'storage-1', 'storage-2', 'client']
const UP_MS = 60_000

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

async function nodeJson (name: string): Promise<{ pid: number, multiaddrs: string[], peerId: string } | undefined> {
  try {
    return JSON.parse(await readFile(join(GRID_DIR, name, 'node.json'), 'utf8')) as { pid: number, multiaddrs: string[], peerId: string }
  } catch {
    return undefined
  }
}

describe('npm start (the local grid script)', { timeout: 150_000 }, () => {
  let grid: ChildProcess | undefined
  let exited: Promise<number | null> | undefined
  const output: string[] = []
  const pids = new Map<string, number>()

  after(async () => {
    if (grid == null) return
    // whatever happened, leave nothing running: the script stops its members on SIGTERM...
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

  it('brings up a grid of its own whose client lists the servers; Ctrl-C to the group stops every member gracefully', async () => {
    // its own process group, as a terminal runs it: Ctrl-C signals the whole group
    const child = spawn(process.execPath, [SCRIPT], { stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv(), detached: true })
    grid = child
    exited = new Promise(resolve => child.once('exit', (code) => { resolve(code) }))
    const collect = (chunk: Buffer): void => { output.push(...chunk.toString().split('\n').filter(Boolean)) }
    child.stdout.on('data', collect)
    child.stderr.on('data', collect)
    const context = (): string => `\nlocal grid output:\n${output.slice(-40).join('\n')}`

    // the script says where the grid runs once every member is up
    const url = await waitFor('the script to say where the welcome page is', () => {
      if (child.exitCode !== null) throw new FatalWaitError(`the script exited with ${child.exitCode}${context()}`)
      return output.map(l => />>> the client's welcome page: (http:\/\/127\.0\.0\.1:\d+)\//.exec(l)?.[1]).find(u => u != null)
    }, UP_MS, 100).catch((err: Error) => { throw new Error(err.message + context()) })
    const gridId = output.map(l => /local grid (local-[0-9a-f]{6}) is up/.exec(l)?.[1]).find(g => g != null)
    assert.ok(gridId != null, `the script names its grid id${context()}`)
    assert.ok(output.some(l => l.includes(`introducer run DIR --init --grid ${gridId} --bootstrap-file ${join(GRID_DIR, LOCAL_BOOTSTRAP_FILE)}`)), `the script says how to join${context()}`)

    // every member wrote DIR/node.json with its pid: a child of the script
    for (const name of MEMBERS) {
      const info = await nodeJson(name)
      assert.ok(info != null, `${name} has a node.json${context()}`)
      assert.equal(await parentPid(info.pid), child.pid, `${name} (pid ${info.pid}) is a child of the script`)
      pids.set(name, info.pid)
    }
    assert.equal(new Set(pids.values()).size, MEMBERS.length, 'one process per member')
    // this run's bootstrap list names the introducers where they listen now
    const introducers = await Promise.all([0, 1, 2].map(async i => nodeJson(`introducer-${i}`)))
    assert.deepEqual(await readBootstrapFile(join(GRID_DIR, LOCAL_BOOTSTRAP_FILE)), introducers.map(i => `${i?.multiaddrs[0]}/p2p/${i?.peerId}`))

    const getJson = async <T>(path: string): Promise<T> => {
      const response = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(5000) })
      assert.equal(response.status, 200, path)
      return response.json() as Promise<T>
    }
    await waitFor('the client to know the 3 servers and the 3 introducers', async () =>
      (await getJson<PeersJson>('/api/v1/peers?service=download_storage')).peers.length === 3 &&
      (await getJson<PeersJson>('/api/v1/peers?service=upload_storage')).peers.length === 2 &&
      (await getJson<StatusJson>('/api/v1/status')).introducers.known === 3, UP_MS)
      .catch((err: Error) => { throw new Error(err.message + context()) })
    const download = (await getJson<PeersJson>('/api/v1/peers?service=download_storage')).peers
    const upload = (await getJson<PeersJson>('/api/v1/peers?service=upload_storage')).peers
    assert.deepEqual(download.map(p => [p.nickname, p.readonly]).sort(), [['storage-0', false], ['storage-1', false], ['storage-2', true]])
    assert.deepEqual(upload.map(p => p.nickname).sort(), ['storage-0', 'storage-1'])
    assert.deepEqual(download.map(p => p.availableSpace).sort(), [250e9, 500e9, null])
    const status = await getJson<StatusJson>('/api/v1/status')
    assert.equal(status.node.grid, gridId)
    assert.ok(status.introducers.connected >= 1)
    const page = await fetch(`${url}/`, { signal: AbortSignal.timeout(5000) })
    assert.equal(page.status, 200)
    assert.match(await page.text(), /<title>gossip-introducer<\/title>/)

    // Ctrl-C in a terminal: SIGINT to every process of the group (the script and each member)
    process.kill(-child.pid!, 'SIGINT')
    const code = await Promise.race([exited, new Promise<'timeout'>(resolve => setTimeout(() => { resolve('timeout') }, 30_000).unref())])
    assert.notEqual(code, 'timeout', `the script did not exit within 30 s of SIGINT${context()}`)
    assert.equal(code, 0, `exit code${context()}`)
    for (const [name, pid] of pids) {
      assert.equal(alive(pid), false, `${name} (pid ${pid}) is still running after the script exited`)
    }
    // each member withdrew and stopped: exit 0, not "SIGTERM again: exiting at once"
    for (const name of MEMBERS) {
      assert.ok(output.some(l => l.startsWith(`${name.padEnd(12)} exited (0)`)), `${name} exited 0${context()}`)
    }
    assert.ok(!output.some(l => /again: exiting at once/.test(l)), `no member took the group's signal and the script's for two${context()}`)
    // ...and removed its node.json
    const left = (await Promise.all(MEMBERS.map(async name => (await readdir(join(GRID_DIR, name))).includes('node.json') ? name : null))).filter(n => n != null)
    assert.deepEqual(left, [], 'members that did not stop gracefully')
  })
})
