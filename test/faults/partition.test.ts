/**
 * Partitions. Two sides, each in its own network namespace (an introducer, a storage
 * server and a client per side), joined through a bridge in a third namespace: the cable
 * of side B is cut, each side publishes news (a new storage server), each sees its own
 * and not the other's; the cable is restored and every node must converge to the same
 * table. Then, on loopback, an introducer frozen with SIGSTOP: announcements flow through
 * the other introducer meanwhile, and after SIGCONT the frozen one catches up.
 *
 * Figures (partition length, time to converge after the heal, after the resume) are
 * printed with `# fault figures:` for docs/security.md.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { NetnsLab, netnsUnavailable, type NetnsNodeProcess } from '../helpers/netns.js'
import { freePort, ProcessSet, type NodeProcess } from '../helpers/processes.js'
import { waitFor } from '../helpers/wait.js'
import { figure } from '../helpers/figures.js'

// pings every 10 s given 5 s (libp2p's own defaults; ours are 30 s and 20 s), so that
// cross connections die within the partition
const GRID = ['--grid', 'fault-test', '--dial-retry-max-ms', '2000', '--ping-interval-ms', '10000', '--ping-timeout-ms', '5000']
// long enough that no record is refreshed during a test: what converges, converges by sync
const LONG_TTL = ['--ttl-ms', '300000']
/** The partition lasts at least this long: past libp2p's ping interval (10 s), so cross connections die. */
const PARTITION_MS = 15_000
/** Convergence after a heal or a resume must take less than this. */
const CONVERGE_BOUND_MS = 30_000
const WAIT_MS = 30_000

const unavailable = await netnsUnavailable()
if (unavailable != null) {
  process.stdout.write(`# partition tests skipped: ${unavailable}\n`)
}

/** Peer ids of upload_storage held by each node, as one comparable string per node. */
async function tables (nodes: NodeProcess[]): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  await Promise.all(nodes.map(async n => { out.set(n.name, (await n.peers('upload_storage')).join(',')) }))
  return out
}

describe('a partition between two sides, in network namespaces', { timeout: 150_000, skip: unavailable ?? false }, () => {
  const lab = new NetnsLab('part')
  let introA: NetnsNodeProcess
  let introB: NetnsNodeProcess
  const sideA: NetnsNodeProcess[] = []
  const sideB: NetnsNodeProcess[] = []
  const all = (): NetnsNodeProcess[] => [...sideA, ...sideB]
  const ids = (ps: NodeProcess[]): string => ps.map(p => p.peerId).sort().join(',')
  const servers: NetnsNodeProcess[] = []

  before(async () => {
    await lab.setUp()
    await lab.addSide('a', '10.123.0.1')
    await lab.addSide('b', '10.123.0.2')
    introA = await lab.start('intro-a', 'a', [...GRID, ...LONG_TTL, '--introducer', '--nickname', 'intro-a'])
    introB = await lab.start('intro-b', 'b', [...GRID, ...LONG_TTL, '--introducer', '--nickname', 'intro-b', '--bootstrap', introA.multiaddr])
    const [a1, b1, ca, cb] = await Promise.all([
      lab.start('server-a1', 'a', [...GRID, ...LONG_TTL, '--storage', '--nickname', 'server-a1', '--bootstrap', introA.multiaddr]),
      lab.start('server-b1', 'b', [...GRID, ...LONG_TTL, '--storage', '--nickname', 'server-b1', '--bootstrap', introB.multiaddr]),
      lab.start('client-a', 'a', [...GRID, '--nickname', 'client-a', '--bootstrap', introA.multiaddr]),
      lab.start('client-b', 'b', [...GRID, '--nickname', 'client-b', '--bootstrap', introB.multiaddr])
    ])
    sideA.push(introA, a1, ca)
    sideB.push(introB, b1, cb)
    servers.push(a1, b1)
  })

  after(async () => { await lab.cleanup() })

  it('before the cut, every node of both sides knows both servers', async () => {
    for (const node of all()) {
      await waitFor(`${node.name} to know both servers`, async () => (await node.peers('upload_storage')).join(',') === ids(servers), WAIT_MS, 200)
    }
  })

  it('cut: each side sees its own news and not the other\'s; healed: every node converges', async () => {
    await lab.cable('b', 'down')
    const cutAt = Date.now()
    const outputAtCut = new Map(all().map(p => [p, p.output.length]))
    const [a2, b2] = await Promise.all([
      lab.start('server-a2', 'a', [...GRID, ...LONG_TTL, '--storage', '--nickname', 'server-a2', '--bootstrap', introA.multiaddr]),
      lab.start('server-b2', 'b', [...GRID, ...LONG_TTL, '--storage', '--nickname', 'server-b2', '--bootstrap', introB.multiaddr])
    ])
    sideA.push(a2)
    sideB.push(b2)
    for (const node of sideA) {
      await waitFor(`${node.name} to hear of server-a2 during the partition`, async () => (await node.peers('upload_storage')).includes(a2.peerId), WAIT_MS, 200)
    }
    for (const node of sideB) {
      await waitFor(`${node.name} to hear of server-b2 during the partition`, async () => (await node.peers('upload_storage')).includes(b2.peerId), WAIT_MS, 200)
    }
    // hold the partition past libp2p's ping interval, so that connections across it fail
    await new Promise(resolve => setTimeout(resolve, Math.max(0, cutAt + PARTITION_MS - Date.now())))
    for (const node of sideA) {
      assert.ok(!(await node.peers('upload_storage')).includes(b2.peerId), `${node.name} heard of server-b2 across the cut`)
    }
    for (const node of sideB) {
      assert.ok(!(await node.peers('upload_storage')).includes(a2.peerId), `${node.name} heard of server-a2 across the cut`)
    }
    const crossDisconnects = all().reduce((n, p) => n + p.output.slice(outputAtCut.get(p)).filter(l => / disconnected /.test(l)).length, 0)

    await lab.cable('b', 'up')
    const healedAt = Date.now()
    const partitionMs = healedAt - cutAt
    const expected = ids([...servers, a2, b2])
    let last = new Map<string, string>()
    try {
      await waitFor('every node to hold the same 4 servers', async () => {
        last = await tables(all())
        return [...last.values()].every(t => t === expected)
      }, CONVERGE_BOUND_MS, 100)
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${[...last].map(([n, t]) => `${n}: ${t}`).join('\n')}`)
    }
    const convergeMs = Date.now() - healedAt
    figure(`partition held ${partitionMs} ms (${crossDisconnects} disconnections logged during it), 8 nodes converged ${convergeMs} ms after the heal`)
  })
})

describe('an introducer frozen with SIGSTOP, then resumed', { timeout: 120_000 }, () => {
  const set = new ProcessSet()
  let frozen: NodeProcess
  let other: NodeProcess
  let client: NodeProcess
  const servers: NodeProcess[] = []
  const ids = (ps: NodeProcess[]): string => ps.map(p => p.peerId).sort().join(',')

  before(async () => {
    const port = await freePort()
    frozen = await set.start('intro-x', [...GRID, ...LONG_TTL, '--introducer', '--nickname', 'intro-x', '--listen', `/ip4/127.0.0.1/tcp/${port}`])
    other = await set.start('intro-y', [...GRID, ...LONG_TTL, '--introducer', '--nickname', 'intro-y', '--bootstrap', frozen.multiaddr])
    const [s1, c] = await Promise.all([
      set.start('server-1', [...GRID, ...LONG_TTL, '--storage', '--nickname', 'server-1', '--bootstrap', frozen.multiaddr]),
      set.start('client', [...GRID, '--nickname', 'client', '--bootstrap', frozen.multiaddr])
    ])
    servers.push(s1)
    client = c
  })

  after(async () => {
    frozen?.signal('SIGCONT')
    await set.killAll()
  })

  it('announcements flow through the other introducer while one is frozen; it converges after resuming', async () => {
    for (const node of [frozen, other, client]) {
      await waitFor(`${node.name} to know server-1`, async () => (await node.peers('upload_storage')).join(',') === ids(servers), WAIT_MS, 100)
    }
    await waitFor('the client to connect to both introducers', async () => (await client.api('/api/v1/status')).introducers.connected === 2, WAIT_MS, 100)

    frozen.signal('SIGSTOP')
    const frozenAt = Date.now()
    // a newcomer joins through the other introducer; the frozen one is still in everyone's
    // table, and dials to it hang in the handshake
    const s2 = await set.start('server-2', [...GRID, ...LONG_TTL, '--storage', '--nickname', 'server-2', '--bootstrap', other.multiaddr])
    servers.push(s2)
    for (const node of [other, client, servers[0]]) {
      await waitFor(`${node.name} to hear of server-2 while intro-x is frozen`, async () => (await node.peers('upload_storage')).includes(s2.peerId), WAIT_MS, 100)
    }
    const flowedMs = Date.now() - frozenAt
    // stay frozen past libp2p's ping interval, so that peers give up on its connections
    await new Promise(resolve => setTimeout(resolve, Math.max(0, frozenAt + 12_000 - Date.now())))

    frozen.signal('SIGCONT')
    const resumedAt = Date.now()
    await waitFor('intro-x to hold both servers after resuming', async () => (await frozen.peers('upload_storage')).join(',') === ids(servers), CONVERGE_BOUND_MS, 100)
    const convergeMs = Date.now() - resumedAt
    // and everyone agrees, on the introducers too
    for (const node of [frozen, other, client, ...servers]) {
      await waitFor(`${node.name} to know both introducers`, async () => (await node.peers('introducer')).join(',') === ids([frozen, other]), WAIT_MS, 100)
    }
    figure(`frozen introducer: server-2 reached the others in ${flowedMs} ms through the other introducer; frozen ${resumedAt - frozenAt} ms; converged ${convergeMs} ms after SIGCONT`)
  })
})
