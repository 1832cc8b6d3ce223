// Real worker processes (dist/bench/worker.js) hosting several nodes each, driven through
// the typed client, over loopback TCP.
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { EventLog } from '../../bench/event-log.js'
import { NodeHandle, ProcessGroup, type WorkerProcess } from '../../bench/worker-client.js'
import { waitFor } from '../helpers/wait.js'

describe('bench worker process', () => {
  const group = new ProcessGroup()
  after(() => { group.killAll() })

  async function connectToFirst (nodes: NodeHandle[]): Promise<void> {
    for (const n of nodes.slice(1)) {
      const res = await n.call('dial', { addrs: [nodes[0].addrs[0]], timeoutMs: 10_000 })
      assert.deepEqual(res.failed, [])
    }
    await waitFor('every node sees its peers on the topic', async () => {
      const st = await Promise.all(nodes.map(async n => n.call('status', {})))
      return st.every(s => s.connected.length > 0 && s.topicPeers >= s.connected.length)
    }, 20_000, 100)
  }

  it('hosts several raw nodes, each addressed by index with its own events and burst view', async () => {
    const events = new EventLog()
    const proc: WorkerProcess = group.spawn((node, key, t) => { events.record(node, key, t) })
    const nodes = await Promise.all([10, 11, 12].map(async i => (await NodeHandle.start(proc, i, 'raw', 'node')).node))
    assert.equal(new Set(nodes.map(n => n.peerId)).size, 3)
    await connectToFirst(nodes)

    const pub = await nodes[1].call('publish', { tag: 'hello', size: 100 })
    assert.equal(pub.bytes, 100)
    const got = await events.waitAll('msg:hello', [10, 12], 10_000)
    assert.deepEqual([...got.keys()].sort(), [10, 12], 'the other two nodes, by their own index')

    // a burst from node 10: the others track its records; publish says whom each went to
    const prep = await nodes[0].call('prepareBurst', { m: 20, size: 100, run: 'x' })
    assert.deepEqual(prep.ids, [])
    assert.equal(await proc.call('trackBurst', { run: 'x', m: 20, ids: [] }), null)
    await nodes[2].call('expect', { key: 'burst', target: 20 })
    const burst = await nodes[0].call('burst', {})
    assert.equal(burst.sentTo.length, 20)
    assert.ok(burst.sentTo.every(to => to.length >= 1))
    assert.ok(burst.peers.every(p => p === nodes[1].peerId || p === nodes[2].peerId))
    assert.equal((await events.waitAll('burst', [12], 10_000)).size, 1)
    for (const n of nodes.slice(1)) {
      const held = await waitFor('all 20 held', async () => {
        const h = await n.call('burstHeld', {})
        return h.count === 20 ? h : undefined
      }, 10_000, 50)
      assert.deepEqual(held.missing, [])
      assert.ok(held.allAt != null && held.allAt >= burst.t0)
    }

    // one node leaves; the process and its other nodes go on
    await nodes[2].leave(10_000)
    assert.equal(nodes[2].alive, false)
    await assert.rejects(nodes[2].call('status', {}), /not running/)
    await assert.rejects(proc.callNode(12, 'status', {}), /node 12 has stopped/)
    await assert.rejects(proc.callNode(99, 'status', {}), /no node 99/)
    assert.equal((await proc.call('resources', {})).nodes, 2)
    assert.ok((await proc.call('resources', {})).bytesSent > 0, 'bytes over loopback TCP are counted')
    assert.ok((await nodes[1].call('status', {})).connected.includes(nodes[0].peerId))
    await proc.stop()
    assert.equal(proc.alive, false)
    assert.equal(nodes[0].alive, false, 'its nodes are gone with it')
  })

  it('hosts several ours (createNode) nodes that see each other\'s announcements', async () => {
    const events = new EventLog()
    const proc = group.spawn((node, key, t) => { events.record(node, key, t) })
    const nodes = await Promise.all([0, 1].map(async i => (await NodeHandle.start(proc, i, 'ours', i === 0 ? 'introducer' : 'node')).node))
    await connectToFirst(nodes)
    const before = await nodes[0].call('status', {})
    assert.ok(before.stats != null && typeof before.stats.accepted === 'number')
    const res = await nodes[1].call('publish', { tag: 't1', size: 0 })
    assert.ok(res.bytes > 0)
    assert.equal((await events.waitAll('added:t1', [0], 15_000)).size, 1)
    await waitFor('node 0 holds the record', async () => (await nodes[0].call('status', {})).held === before.held + 1, 10_000, 50)
    await nodes[1].leave(10_000)
    assert.equal((await events.waitAll(`withdrawn:${nodes[1].peerId}`, [0], 15_000)).size, 1)
    await proc.stop()
  })
})
