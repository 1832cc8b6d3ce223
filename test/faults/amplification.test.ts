/**
 * Amplification (issue #10): 300 Sybil `introducer` records, each under its own fresh
 * key, all naming one third party's host:port, reach a grid of three daemon processes.
 * Nodes keep connections to introducers from what their tables hold, so an
 * unauthenticated record could turn the grid into a flood against that third party. The
 * third party here is a TCP server that counts the connections it gets; the bound is the
 * per-address backoff and the budget of dials to introducers never reached before
 * (introduction/dial-policy.ts). A real introducer that joins afterwards must still be
 * reached by every node: the Sybils must not crowd it out.
 */
import assert from 'node:assert/strict'
import { createServer, type Server, type Socket } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { INTRODUCER } from '../../src/announcement/names.js'
import { signAnnouncement } from '../../src/announcement/record.js'
import { serviceTopic } from '../../src/gossip/topic.js'
import { figure } from '../helpers/figures.js'
import { GossipPeer } from '../helpers/gossip-peer.js'
import { ProcessSet, type NodeProcess } from '../helpers/processes.js'
import { content } from '../helpers/records.js'
import { waitFor } from '../helpers/wait.js'
import type { StatusJson } from '../../src/daemon/status.js'

const GRID = 'amplification'
const SYBILS = 300
const WINDOW_MS = 30_000
/**
 * Connections the third party may get from the three nodes in the window: per node, the
 * budget's burst and what it refills in 30 s (NEW_INTRODUCER_DIALS), which the address's
 * backoff cuts further. Before the fix: 105 in 30 s.
 */
const MAX_CONNECTIONS = 3 * 6

const sleep = async (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

describe('Sybil introducer records that name a third party', { timeout: 240_000 }, () => {
  const set = new ProcessSet()
  const sockets = new Set<Socket>()
  let victim: Server
  let port = 0
  const arrivals: number[] = []
  let attacker: GossipPeer | undefined
  let grid: NodeProcess[] = []

  before(async () => {
    victim = createServer((socket) => {
      arrivals.push(Date.now())
      sockets.add(socket)
      socket.on('error', () => {})
      socket.on('close', () => sockets.delete(socket))
      // says nothing, as a web server waiting for a request would: the dial times out
    })
    await new Promise<void>(resolve => victim.listen(0, '127.0.0.1', resolve))
    port = (victim.address() as { port: number }).port
    const introducer = await set.start('introducer', ['--grid', GRID, '--introducer', '--nickname', 'i'])
    grid = [introducer, ...await Promise.all(['a', 'b'].map(async name =>
      set.start(name, ['--grid', GRID, '--nickname', name, '--bootstrap', introducer.multiaddr])))]
  })

  after(async () => {
    await attacker?.stop()
    for (const socket of sockets) socket.destroy()
    victim?.close()
    await set.killAll()
  })

  it('dial the third party a bounded number of times, and still reach a new real introducer', async () => {
    const [introducer, a, b] = grid
    await waitFor('a and b to connect to the introducer', async () => {
      const statuses = await Promise.all([a, b].map(async n => n.api<StatusJson>()))
      return statuses.every(s => s.introducers.connected >= 1)
    }, 30_000, 200)

    attacker = await GossipPeer.start({ grid: GRID })
    const topic = serviceTopic(GRID, INTRODUCER)
    await attacker.join(introducer.multiaddr, topic)
    const now = Date.now()
    for (let i = 0; i < SYBILS; i++) {
      const record = await signAnnouncement(content({
        grid: GRID,
        service: INTRODUCER,
        seqnum: BigInt(now),
        issuedAtMs: Date.now(),
        ttlMs: 15 * 60_000,
        nickname: `sybil-${i}`,
        multiaddrs: [multiaddr(`/ip4/127.0.0.1/tcp/${port}`)]
      }), await generateKeyPair('Ed25519'))
      await attacker.publish(topic, record.signed)
    }
    await waitFor('every node to hold the Sybil records', async () => {
      const statuses = await Promise.all(grid.map(async n => n.api<StatusJson>()))
      return statuses.every(s => s.introducers.known >= SYBILS)
    }, 60_000, 500)
    const before = arrivals.length
    await sleep(WINDOW_MS)
    const inWindow = arrivals.length - before
    figure(`amplification: ${SYBILS} Sybil introducer records naming one host:port, 3 nodes: ` +
      `${inWindow} connections to it in the ${WINDOW_MS / 1000} s after every node held them (${arrivals.length} since the first record)`)

    // a real introducer joins: every node must reach it though 300 Sybils name the same role
    const late = await set.start('late-introducer', ['--grid', GRID, '--introducer', '--nickname', 'j', '--bootstrap', introducer.multiaddr])
    const t0 = Date.now()
    let reached = 0
    try {
      await waitFor('every node to connect to the new introducer', async () => {
        const lists = await Promise.all(grid.map(async n => n.peerList(INTRODUCER)))
        reached = lists.filter(list => list.some(p => p.peerId === late.peerId && p.connected)).length
        return reached === grid.length
      }, 60_000, 250)
    } finally {
      figure(`amplification: a new real introducer reached by ${reached} of ${grid.length} nodes in ${Date.now() - t0} ms; ` +
        `${arrivals.length - before - inWindow} more connections to the third party meanwhile`)
    }
    assert.ok(inWindow <= MAX_CONNECTIONS, `${inWindow} connections to the third party in ${WINDOW_MS} ms (at most ${MAX_CONNECTIONS})`)
  })
})
