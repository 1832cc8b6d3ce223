/**
 * Connection slots on real nodes over loopback TCP. "Remote" hosts are sockets bound to
 * 127.0.0.2 and 127.0.0.3 (all of 127.0.0.0/8 is loopback on Linux, but only 127.0.0.1 is
 * an address of this machine); the test's own dials from 127.0.0.1 are local.
 */
import assert from 'node:assert/strict'
import { connect, type Socket } from 'node:net'
import { after, afterEach, describe, it } from 'node:test'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { KEEP_ALIVE } from '@libp2p/interface'
import { tcp, type TCPSocketOptions } from '@libp2p/tcp'
import { getNetConfig } from '@libp2p/utils'
import { createLibp2p, type Libp2p } from 'libp2p'
import { NodeSet } from '../helpers/nodes.js'
import { waitFor } from '../helpers/wait.js'
import type { IntroducerNode } from '../../src/node.js'

const sleep = async (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

describe('connection slots', { timeout: 120_000 }, () => {
  const set = new NodeSet()
  const peers: Libp2p[] = []
  const sockets: Socket[] = []

  /** A bare libp2p peer whose dials come from `localAddress`. */
  async function peer (localAddress = '127.0.0.1'): Promise<Libp2p> {
    const node = await createLibp2p({
      transports: [tcp({ dialOpts: { localAddress } as TCPSocketOptions })],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionMonitor: { enabled: false }
    })
    peers.push(node)
    return node
  }

  /** A TCP socket to `target` that never sends a byte; resolves once connected. */
  async function silentSocket (target: IntroducerNode, localAddress: string): Promise<Socket> {
    const { port } = getNetConfig(target.getMultiaddrs()[0]) as { port: number }
    const socket = connect({ host: '127.0.0.1', port, localAddress })
    socket.on('error', () => {})
    sockets.push(socket)
    await new Promise(resolve => socket.once('connect', resolve))
    return socket
  }

  const stats = (node: IntroducerNode): ReturnType<IntroducerNode['libp2p']['services']['connectionSlots']['stats']> =>
    node.libp2p.services.connectionSlots.stats()
  const fromHost = (node: IntroducerNode, ip: string): number =>
    node.libp2p.getConnections().filter(c => c.remoteAddr.toString().startsWith(`/ip4/${ip}/`)).length

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy()
    await Promise.allSettled(peers.splice(0).map(async p => p.stop()))
    await set.stopAll()
  })
  after(async () => { await set.stopAll() })

  it('a peer id holds at most maxConnectionsPerPeer; a host wasting handshakes is then refused before them', async () => {
    const target = await set.start()
    const attacker = await peer('127.0.0.2')
    const results: boolean[] = []
    for (let i = 0; i < 8; i++) {
      const connection = await attacker.dial(target.getMultiaddrs()[0], { force: true, signal: AbortSignal.timeout(5000) }).catch(() => undefined)
      // the dialer may see its side complete just before the target closes it
      await sleep(50)
      results.push(connection?.status === 'open')
    }
    assert.equal(results.filter(Boolean).length, 4, JSON.stringify(results))
    assert.equal(fromHost(target, '127.0.0.2'), 4)
    const refused = { ...stats(target).refused }
    // 2 handshakes refused in a second (more if the dials were slower than that), then refused before the handshake
    assert.ok((refused['peer-connections'] ?? 0) >= 2, JSON.stringify(refused))
    assert.ok((refused['host-refused-handshakes'] ?? 0) >= 1, JSON.stringify(refused))
    assert.equal((refused['peer-connections'] ?? 0) + (refused['host-refused-handshakes'] ?? 0), 4, JSON.stringify(refused))
    // the same from this machine's own address: the per-peer limit applies, the host penalty does not
    const local = await peer()
    for (let i = 0; i < 7; i++) {
      await local.dial(target.getMultiaddrs()[0], { force: true, signal: AbortSignal.timeout(5000) }).catch(() => undefined)
    }
    await sleep(200)
    assert.equal(target.libp2p.getConnections(local.peerId).length, 4)
    assert.equal(stats(target).refused['peer-connections'], (refused['peer-connections'] ?? 0) + 3)
    assert.equal(stats(target).refused['host-refused-handshakes'], refused['host-refused-handshakes'])
  })

  it('a remote host has at most maxPendingPerHost handshakes under way and holds at most maxConnectionsPerHost; the deadline closes silent sockets', async () => {
    const target = await set.start({ connections: { maxPendingPerHost: 3, maxConnectionsPerHost: 5, handshakeTimeoutMs: 1500, localHandshakeTimeoutMs: 4000 } })
    const silent = await Promise.all(Array.from({ length: 6 }, async () => silentSocket(target, '127.0.0.2')))
    await waitFor('the target to refuse the silent sockets over the pending limit', () => stats(target).refused['host-pending'] === 3, 5000)
    assert.equal(stats(target).pending, 3)
    // another remote host is not affected
    const other = await peer('127.0.0.3')
    await other.dial(target.getMultiaddrs()[0], { signal: AbortSignal.timeout(5000) })
    // local sockets are exempt from the pending limit
    const t0 = Date.now()
    const local = await Promise.all(Array.from({ length: 5 }, async () => silentSocket(target, '127.0.0.1')))
    await waitFor('the local silent sockets to be pending', () => stats(target).pending === 8, 5000)
    // the deadlines: remote silent sockets are closed after handshakeTimeoutMs, local ones after localHandshakeTimeoutMs
    const closed = (sockets: Socket[]): boolean => sockets.every(s => s.destroyed || s.readyState === 'closed')
    await waitFor('the remote silent sockets to be closed', () => closed(silent) && stats(target).pending === 5, 4000)
    assert.ok(!closed(local) && Date.now() - t0 < 4000, `remote sockets closed after ${Date.now() - t0} ms`)
    await waitFor('the local silent sockets to be closed', () => closed(local) && stats(target).pending === 0, 8000)
    assert.ok(Date.now() - t0 >= 3500, `local sockets closed after ${Date.now() - t0} ms`)

    // 2 identities x 4 connections from 127.0.0.2: the host holds 5 at most
    const a = await peer('127.0.0.2')
    const b = await peer('127.0.0.2')
    for (let i = 0; i < 4; i++) {
      for (const p of [a, b]) {
        await p.dial(target.getMultiaddrs()[0], { force: true, signal: AbortSignal.timeout(5000) }).catch(() => undefined)
      }
    }
    await sleep(200)
    assert.equal(fromHost(target, '127.0.0.2'), 5)
    assert.ok((stats(target).refused['host-connections'] ?? 0) >= 3, JSON.stringify(stats(target).refused))
  })

  it('when full, a newcomer from another host gets in and the host holding the most is pruned, never a kept peer', async () => {
    const target = await set.start({ connections: { maxConnections: 8, reservedConnections: 1 } })
    // a peer the target keeps on purpose, on the attacker's own host
    const kept = await peer('127.0.0.2')
    await target.libp2p.peerStore.merge(kept.peerId, { tags: { [`${KEEP_ALIVE}-test`]: { value: 1 } } })
    await kept.dial(target.getMultiaddrs()[0])
    // the flood: identities from 127.0.0.2, one connection each, until the host is refused
    const flood = await Promise.all(Array.from({ length: 9 }, async () => peer('127.0.0.2')))
    // valued more than the kept peer (tag value 1): only its reserved slot keeps the kept peer from being pruned first
    for (const p of flood) {
      await target.libp2p.peerStore.merge(p.peerId, { tags: { 'test-valued': { value: 50 } } })
    }
    for (const p of flood) {
      await p.dial(target.getMultiaddrs()[0], { signal: AbortSignal.timeout(5000) }).catch(() => undefined)
    }
    await sleep(200)
    assert.equal(target.libp2p.getConnections().length, 8)
    // (here the host's limit is maxConnections, which it reaches first)
    assert.ok((stats(target).refused['host-connections'] ?? 0) >= 1, JSON.stringify(stats(target).refused))

    // honest newcomers from 127.0.0.1 (and 127.0.0.3) get in; the flood's connections make room
    const newcomers = [await peer(), await peer('127.0.0.3'), await peer()]
    for (const p of newcomers) {
      const connection = await p.dial(target.getMultiaddrs()[0], { signal: AbortSignal.timeout(5000) })
      assert.equal(connection.status, 'open')
    }
    await waitFor('the target to be back within maxConnections', () => target.libp2p.getConnections().length <= 8, 5000)
    await sleep(300)
    for (const p of newcomers) {
      assert.equal(target.libp2p.getConnections(p.peerId).length, 1, 'a newcomer was pruned')
    }
    assert.equal(target.libp2p.getConnections(kept.peerId).length, 1, 'the kept peer was pruned')
    assert.equal(fromHost(target, '127.0.0.2'), 5)
    assert.equal(stats(target).pruned, 3)
    // full now, and 127.0.0.2 holds the most: its next connection is refused before the handshake
    const again = await peer('127.0.0.2')
    await assert.rejects(again.dial(target.getMultiaddrs()[0], { signal: AbortSignal.timeout(5000) }))
    assert.equal(stats(target).refused.full, 1)
    assert.equal(target.libp2p.getConnections().length, 8)
  })
})
