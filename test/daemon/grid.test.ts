/**
 * A grid of real OS processes over loopback: 3 introducers, 6 storage servers (2
 * read-only), 2 clients. Phases run in order on the same grid.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { freePort, ProcessSet, type NodeProcess } from '../helpers/processes.js'
import { waitFor } from '../helpers/wait.js'
import type { PeersJson } from '../../src/daemon/status.js'

const GRID = ['--grid', 'proc-test', '--dial-retry-max-ms', '2000']
const LONG_TTL = ['--ttl-ms', '120000']
const WAIT_MS = 20_000

describe('a grid of node processes', { timeout: 240_000 }, () => {
  const set = new ProcessSet()
  const introducers: NodeProcess[] = []
  const introducerPorts: number[] = []
  const writable: NodeProcess[] = []
  const readonly: NodeProcess[] = []
  const clients: NodeProcess[] = []
  const ids = (ps: NodeProcess[]): string[] => ps.map(p => p.peerId).sort()

  before(async () => {
    for (let i = 0; i < 3; i++) {
      introducerPorts.push(await freePort())
    }
    introducers.push(await set.start('intro-0', [...GRID, ...LONG_TTL, '--introducer', '--nickname', 'intro-0', '--listen', `/ip4/127.0.0.1/tcp/${introducerPorts[0]}`]))
    for (let i = 1; i < 3; i++) {
      introducers.push(await set.start(`intro-${i}`, [...GRID, ...LONG_TTL, '--introducer', '--nickname', `intro-${i}`,
        '--listen', `/ip4/127.0.0.1/tcp/${introducerPorts[i]}`, '--bootstrap', introducers[0].multiaddr]))
    }
    const starts: Array<Promise<NodeProcess>> = []
    for (let i = 0; i < 6; i++) {
      const ro = i >= 4
      // each server knows one introducer only; the rest it learns from the introducer topic
      starts.push(set.start(`server-${i}`, [...GRID, ...LONG_TTL, '--storage', ...(ro ? ['--readonly'] : []), '--nickname', `server-${i}`,
        '--bootstrap', introducers[i % 3].multiaddr]))
    }
    for (let i = 0; i < 2; i++) {
      starts.push(set.start(`client-${i}`, [...GRID, '--nickname', `client-${i}`, '--bootstrap', introducers[(i + 1) % 3].multiaddr]))
    }
    const started = await Promise.all(starts)
    writable.push(...started.slice(0, 4))
    readonly.push(...started.slice(4, 6))
    clients.push(...started.slice(6))
  })

  after(async () => { await set.killAll() })

  it('every client sees exactly the right servers for upload and download', async () => {
    for (const client of clients) {
      await waitFor(`${client.name} to know the upload servers`, async () =>
        JSON.stringify(await client.peers('upload_storage')) === JSON.stringify(ids(writable)), WAIT_MS)
      await waitFor(`${client.name} to know the download servers`, async () =>
        JSON.stringify(await client.peers('download_storage')) === JSON.stringify(ids([...writable, ...readonly])), WAIT_MS)
    }
    const status = await clients[0].api('/api/v1/status')
    assert.equal(status.introducers.known, 3)
    assert.ok(status.introducers.connected >= 1)
    const ro = (await clients[0].api<PeersJson>('/api/v1/peers?service=download_storage')).peers.filter(p => p.readonly)
    assert.deepEqual(ro.map(p => p.peerId).sort(), ids(readonly))
  })

  it('a new introducer is discovered by every node through the introducer topic', async () => {
    const port = await freePort()
    introducerPorts.push(port)
    const late = await set.start('intro-3', [...GRID, ...LONG_TTL, '--introducer', '--nickname', 'intro-3', '--listen', `/ip4/127.0.0.1/tcp/${port}`,
      '--bootstrap', introducers[2].multiaddr])
    introducers.push(late)
    for (const p of [...introducers.slice(0, 3), ...writable, ...readonly, ...clients]) {
      await waitFor(`${p.name} to learn of intro-3`, async () => (await p.peers('introducer')).includes(late.peerId), WAIT_MS)
    }
  })

  it('with 2 of 3 original introducers killed, announcements still reach everyone and a newcomer gets the full state', async () => {
    await introducers[0].kill('SIGKILL')
    await introducers[1].kill('SIGKILL')
    const survivor = introducers[2]
    const fresh = await set.start('server-new', [...GRID, ...LONG_TTL, '--storage', '--nickname', 'server-new', '--bootstrap', survivor.multiaddr])
    writable.push(fresh)
    for (const client of clients) {
      await waitFor(`${client.name} to hear of server-new`, async () => (await client.peers('upload_storage')).includes(fresh.peerId), WAIT_MS)
    }
    const newcomer = await set.start('client-new', [...GRID, '--nickname', 'client-new', '--bootstrap', survivor.multiaddr])
    clients.push(newcomer)
    await waitFor('the newcomer to hold the full state', async () =>
      JSON.stringify(await newcomer.peers('download_storage')) === JSON.stringify(ids([...writable, ...readonly])), WAIT_MS)
  })

  it('with every introducer down, clients keep their peers; a restarted client comes back from its cache and rejoins', async () => {
    await Promise.all(introducers.map(async p => p.kill('SIGKILL')))
    const client = clients[0]
    assert.deepEqual(await client.peers('upload_storage'), ids(writable))
    // restart it while no introducer is up: its cache still knows the servers
    assert.equal(await client.kill('SIGTERM'), 0)
    await client.start()
    assert.deepEqual(await client.peers('upload_storage'), ids(writable), 'peers served from the cache right after restart')
    // it rejoins through a cached peer it can reach (the storage servers are up)
    await waitFor('the restarted client to connect to a cached server', async () =>
      (await client.api('/api/v1/status')).node.connections > 0, WAIT_MS)
    // and when an introducer returns (same identity, same address), it is reconnected
    const back = introducers[2]
    await back.start()
    await waitFor('the client to reconnect to the returning introducer', async () =>
      (await client.api('/api/v1/status')).introducers.connected >= 1, WAIT_MS)
  })

  it('a server stopped gracefully disappears everywhere quickly; one killed disappears after its TTL', async () => {
    const graceful = writable[0]
    const t0 = Date.now()
    assert.equal(await graceful.kill('SIGTERM'), 0)
    for (const client of clients) {
      await waitFor(`${client.name} to drop the stopped server`, async () => !(await client.peers('upload_storage')).includes(graceful.peerId), WAIT_MS)
    }
    const gracefulMs = Date.now() - t0
    assert.ok(gracefulMs < 5000, `withdrawal took ${gracefulMs} ms`)

    const ttlMs = 4000
    const short = await set.start('server-short', [...GRID, '--storage', '--ttl-ms', String(ttlMs), '--nickname', 'server-short', '--bootstrap', introducers[2].multiaddr])
    for (const client of clients) {
      await waitFor(`${client.name} to know server-short`, async () => (await client.peers('upload_storage')).includes(short.peerId), WAIT_MS)
    }
    const killedAt = Date.now()
    await short.kill('SIGKILL')
    // still there well inside the TTL (its last refresh was at most TTL/3 ago)...
    assert.ok((await clients[1].peers('upload_storage')).includes(short.peerId))
    for (const client of clients) {
      await waitFor(`${client.name} to expire server-short`, async () => !(await client.peers('upload_storage')).includes(short.peerId), ttlMs + 5000)
    }
    const goneMs = Date.now() - killedAt
    assert.ok(goneMs <= ttlMs + 1000, `expired after ${goneMs} ms, TTL ${ttlMs} ms`)
  })
})
