/**
 * The publisher over stubbed components: the seqnum is saved before a record leaves,
 * a record nobody heard is published again when a peer subscribes, a graceful stop
 * withdraws, and a failing store does not stop publishing.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { peekAnnouncement } from '../../src/announcement/peek.js'
import { Announcement, SignedAnnouncement } from '../../src/pb/announcement.js'
import { Publisher } from '../../src/introduction/publisher.js'
import { GuardedStore } from '../../src/introduction/guarded-store.js'
import { MemoryStore } from '../../src/introduction/store.js'
import { resolveOptions } from '../../src/introduction/options.js'
import { PeerTable } from '../../src/peer-table.js'
import { serviceTopic } from '../../src/gossip/topic.js'
import { StubNode } from '../helpers/stub-components.js'
import { waitFor } from '../helpers/wait.js'
import { defaultLogger } from '@libp2p/logger'
import type { IntroductionStore } from '../../src/introduction/store.js'

const log = defaultLogger().forComponent('test')

function decode (data: Uint8Array): Announcement {
  return Announcement.decode(SignedAnnouncement.decode(data).payload)
}

async function publisherOn (node: StubNode, store: IntroductionStore = new MemoryStore()): Promise<{ publisher: Publisher, table: PeerTable }> {
  const table = new PeerTable()
  const publisher = new Publisher(node.components(), table, { ...resolveOptions({ grid: 'test' }), store }, log)
  await publisher.start()
  publisher.afterStart()
  return { publisher, table }
}

describe('publisher', () => {
  it('saves each seqnum before the record is published, and seqnums only grow', async () => {
    const node = await StubNode.create()
    const events: string[] = []
    const memory = new MemoryStore()
    const store: IntroductionStore = {
      loadSeqnum: async () => memory.loadSeqnum(),
      saveSeqnum: async (seqnum) => { events.push(`save ${seqnum}`); await memory.saveSeqnum(seqnum) },
      loadCache: async () => [],
      saveCache: async () => {}
    }
    const origPublish = node.pubsub.publish.bind(node.pubsub)
    node.pubsub.publish = async (topic, data) => { events.push(`publish ${decode(data).seqnum}`); return origPublish(topic, data) }
    const { publisher, table } = await publisherOn(node, store)
    await publisher.publish('helper', { fields: { a: '1' } })
    await publisher.publish('helper', { fields: { a: '2' } })
    const [first, second] = events.filter(e => e.startsWith('save')).map(e => BigInt(e.split(' ')[1]))
    assert.deepEqual(events, [`save ${first}`, `publish ${first}`, `save ${second}`, `publish ${second}`])
    assert.ok(second > first)
    assert.equal(table.get('helper', node.peerId)?.fields.a, '2', 'the own record is in the table, for sync to hand out')
    publisher.stop()
  })

  it('publishes again when a peer subscribes to a topic whose last record nobody heard', async () => {
    const node = await StubNode.create()
    const peer = await StubNode.create()
    const { publisher } = await publisherOn(node)
    await publisher.publish('helper', {})
    assert.equal(node.pubsub.published.length, 1)
    StubNode.link(node, peer, false)
    peer.pubsub.topicValidators.set(serviceTopic('test', 'helper'), async () => 0 as never)
    peer.pubsub.subscribe(serviceTopic('test', 'helper'))
    await waitFor('the record to be published again', () => node.pubsub.published.length === 2, 2000)
    publisher.stop()
  })

  it('withdraws every published service before stopping', async () => {
    const node = await StubNode.create()
    const { publisher } = await publisherOn(node)
    await publisher.publish('helper', {})
    await publisher.publish('upload_storage', {})
    await publisher.beforeStop()
    publisher.stop()
    const withdrawals = node.pubsub.published.map(p => decode(p.data)).filter(a => a.withdrawn)
    assert.deepEqual(withdrawals.map(a => a.service).sort(), ['helper', 'upload_storage'])
  })

  it('goes on publishing when the store fails, and reports the failure', async () => {
    const node = await StubNode.create()
    const fail = async (): Promise<never> => { throw new Error('ENOSPC: no space left on device') }
    const store = new GuardedStore({ loadSeqnum: fail, saveSeqnum: fail, loadCache: fail, saveCache: fail }, Date.now, log)
    const failures: string[] = []
    store.addEventListener('store:error', (evt) => { failures.push(evt.detail.operation) })
    const before = BigInt(Date.now())
    const { publisher } = await publisherOn(node, store)
    await publisher.publish('helper', {})
    await publisher.publish('helper', {})
    const seqnums = node.pubsub.published.map(p => peekAnnouncement(p.data)?.seqnum ?? 0n)
    assert.equal(seqnums.length, 2)
    assert.ok(seqnums[0] >= before, 'a seqnum never falls below the wall clock')
    assert.ok(seqnums[1] > seqnums[0])
    assert.deepEqual(failures, ['loadSeqnum', 'saveSeqnum', 'saveSeqnum'])
    assert.equal(store.status().healthy, false)
    publisher.stop()
  })
})
