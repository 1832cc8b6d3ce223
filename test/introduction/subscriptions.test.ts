/**
 * Subscriptions over stubbed components: bytes handed to the real topic validators, the
 * verdicts gossipsub would act on, the introducer's following of services others use,
 * and the one accepted gossip copy of a record just relayed after a sync.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { TopicValidatorResult } from '@libp2p/gossipsub'
import { defaultLogger } from '@libp2p/logger'
import { serviceTopic } from '../../src/gossip/topic.js'
import { Intake } from '../../src/introduction/intake.js'
import { ServiceMetrics } from '../../src/introduction/metrics.js'
import { SyncRelays } from '../../src/introduction/relays.js'
import { FollowedServices, Subscriptions } from '../../src/introduction/subscriptions.js'
import { PeerTable } from '../../src/peer-table.js'
import { signed } from '../helpers/records.js'
import { startService, stopService, StubNode } from '../helpers/stub-components.js'
import { waitFor } from '../helpers/wait.js'

const TOPIC = serviceTopic('test', 'upload_storage')

describe('subscriptions', () => {
  it('accepts a valid record into the table and rejects a forged one, at the validator', async () => {
    const [node, peer] = await Promise.all([StubNode.create(), StubNode.create()])
    const service = await startService(node, { services: ['upload_storage'] })
    try {
      const validator = node.pubsub.topicValidators.get(TOPIC)
      assert.ok(validator != null)
      const record = await signed(peer.privateKey, { issuedAtMs: Date.now() })
      assert.equal(await validator(peer.peerId, { type: 'unsigned', topic: TOPIC, data: record.signed }), TopicValidatorResult.Accept)
      assert.equal(service.getPeers('upload_storage')[0]?.peerId.toString(), peer.peerId.toString())
      const forged = new Uint8Array((await signed(peer.privateKey, { issuedAtMs: Date.now(), seqnum: 2n })).signed)
      forged[forged.length - 1] ^= 1
      assert.equal(await validator(peer.peerId, { type: 'unsigned', topic: TOPIC, data: forged }), TopicValidatorResult.Reject)
      assert.equal(service.stats().dropped['bad-signature'], 1)
    } finally {
      await stopService(service)
    }
    assert.equal(node.pubsub.topicValidators.size, 0, 'validators are removed at stop')
    assert.equal(node.pubsub.topics.size, 0, 'topics are left at stop')
  })

  it('as an introducer, follows a service of its grid when a peer subscribes to it, and not other grids', async () => {
    const [node, peer] = await Promise.all([StubNode.create(), StubNode.create()])
    const service = await startService(node, { introducer: true })
    try {
      StubNode.link(node, peer, false)
      peer.pubsub.subscribe(serviceTopic('test', 'fileshare'))
      peer.pubsub.subscribe(serviceTopic('other', 'chat'))
      await waitFor('the introducer to follow fileshare', () => service.getSubscriptions().includes('fileshare'), 2000)
      assert.ok(!service.getSubscriptions().includes('chat'))
      assert.ok(node.pubsub.topics.has(serviceTopic('test', 'fileshare')))
    } finally {
      await stopService(service)
    }
  })

  it('as an introducer, lets a service it joined on its own give way to one the user subscribes to', async () => {
    const [node, peer] = await Promise.all([StubNode.create(), StubNode.create()])
    // 4 predefined + 59 configured: one slot left for the introducer's own choices
    const configured = Array.from({ length: 59 }, (_, i) => `configured-${i}`)
    const service = await startService(node, { introducer: true, services: configured })
    try {
      assert.equal(service.getSubscriptions().length, 63)
      StubNode.link(node, peer, false)
      peer.pubsub.subscribe(serviceTopic('test', 'junk'))
      await waitFor('the introducer to try junk', () => service.getSubscriptions().includes('junk'), 2000)
      service.subscribeTo('wanted')
      assert.ok(service.getSubscriptions().includes('wanted'))
      assert.ok(!service.getSubscriptions().includes('junk'), 'the candidate gave way')
      assert.ok(!node.pubsub.topics.has(serviceTopic('test', 'junk')), 'and its topic was left')
      assert.equal(service.getSubscriptions().length, 64)
    } finally {
      await stopService(service)
    }
  })

  it('accepts one gossip copy of a record it took by sync and relayed, so that copy is forwarded', async () => {
    const [node, peer, source] = await Promise.all([StubNode.create(), StubNode.create(), StubNode.create()])
    // peer may lack what source synced to us, so it is relayed
    StubNode.link(node, peer, false)
    peer.pubsub.subscribe(TOPIC)
    const log = defaultLogger().forComponent('test')
    const table = new PeerTable()
    const followed = new FollowedServices()
    const metrics = new ServiceMetrics(undefined, { tableSizes: () => table.sizes(), connectedIntroducers: () => 0 })
    const intake = new Intake(table, followed, metrics, { grid: 'test', self: node.peerId, now: Date.now, publisherRateLimit: { burst: 20, perSecond: 1 } })
    const relays = new SyncRelays(node.pubsub as never, 'test', log)
    relays.start()
    const subscriptions = new Subscriptions(node.pubsub as never, followed, intake, relays, table, { grid: 'test', services: ['upload_storage'], followAll: false, now: Date.now }, log)
    subscriptions.afterStart()
    const record = await signed(peer.privateKey, { issuedAtMs: Date.now() })
    await intake.ingest(record.signed, { via: 'sync', from: peer.peerId })
    relays.relay(record.signed, 'upload_storage', source.peerId)
    await waitFor('the relay to go out (paced)', () => node.pubsub.published.length === 1, 2000)
    const validator = node.pubsub.topicValidators.get(TOPIC)
    assert.ok(validator != null)
    const message = { type: 'unsigned' as const, topic: TOPIC, data: record.signed }
    assert.equal(await validator(peer.peerId, message), TopicValidatorResult.Accept, 'the first copy after the relay')
    assert.equal(await validator(peer.peerId, message), TopicValidatorResult.Ignore, 'later copies are duplicates')
    subscriptions.stop()
    relays.stop()
  })

  it('relays a synced record only when a subscriber other than its sender may lack it', async () => {
    const [node, sender, other] = await Promise.all([StubNode.create(), StubNode.create(), StubNode.create()])
    StubNode.link(node, sender)
    node.pubsub.subscribe(TOPIC)
    sender.pubsub.subscribe(TOPIC)
    await waitFor('the sender to be seen subscribed', () => node.pubsub.getSubscribers(TOPIC).some(p => p.equals(sender.peerId)), 2000)
    const relays = new SyncRelays(node.pubsub as never, 'test', defaultLogger().forComponent('test'))
    relays.start()
    try {
      const fromSender = await signed(sender.privateKey, { issuedAtMs: Date.now() })
      const fromOther = await signed(other.privateKey, { issuedAtMs: Date.now() })
      relays.relay(fromSender.signed, 'upload_storage', sender.peerId)
      relays.relay(fromOther.signed, 'upload_storage', other.peerId)
      await waitFor('the second relay to go out', () => node.pubsub.published.length === 1, 2000)
      assert.deepEqual(node.pubsub.published[0].data, fromOther.signed, 'the sender\'s own record is not sent back to it')
      assert.equal(relays.unneeded, 1)
    } finally {
      relays.stop()
    }
  })
})
