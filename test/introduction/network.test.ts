/** The IntroducerClient across real libp2p nodes over loopback TCP. */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { DOWNLOAD_STORAGE, HELPER, INTRODUCER, UPLOAD_STORAGE } from '../../src/announcement/names.js'
import { serviceTopic } from '../../src/gossip/topic.js'
import { permute } from '../../src/permute.js'
import { connect, NodeSet, TEST_GRID, waitForMesh } from '../helpers/nodes.js'
import { forge, key } from '../helpers/records.js'
import { FOLLOW_UP_SYNC_MS, MAX_FOLLOWED_SERVICES } from '../../src/introduction/constants.js'
import { waitFor } from '../helpers/wait.js'

describe('introduction over real nodes', () => {
  const set = new NodeSet()
  after(async () => { await set.stopAll() })

  it('a storage server announces upload and download storage; a client sees both', async () => {
    const client = await set.start({ nickname: 'client' })
    const server = await set.start({ nickname: 'server', storage: { enabled: true, availableSpace: 1000 } })
    await connect(client, server, [UPLOAD_STORAGE])
    const [peer] = await client.introducer.waitForPeers(UPLOAD_STORAGE, 1, { signal: AbortSignal.timeout(10_000) })
    assert.equal(peer.peerId.toString(), server.peerId.toString())
    assert.equal(peer.nickname, 'server')
    assert.equal(peer.availableSpace, 1000)
    assert.equal(peer.readonly, false)
    assert.deepEqual(peer.multiaddrs.map(String), server.getMultiaddrs().map(String))
    await client.introducer.waitForPeers(DOWNLOAD_STORAGE, 1, { signal: AbortSignal.timeout(10_000) })
    // the client offers no storage
    assert.deepEqual(client.introducer.getPublished(), [])
    assert.equal(server.introducer.getPeers(UPLOAD_STORAGE).filter(p => p.peerId.equals(client.peerId)).length, 0)
    await set.stopAll()
  })

  it('a read-only server announces download storage only', async () => {
    const client = await set.start()
    const server = await set.start({ storage: { enabled: true, readonly: true } })
    assert.deepEqual(server.introducer.getPublished(), [DOWNLOAD_STORAGE])
    await connect(client, server, [DOWNLOAD_STORAGE])
    const [peer] = await client.introducer.waitForPeers(DOWNLOAD_STORAGE, 1, { signal: AbortSignal.timeout(10_000) })
    assert.equal(peer.readonly, true)
    assert.equal(client.introducer.getPeers(UPLOAD_STORAGE).length, 0)
    await set.stopAll()
  })

  it('gossip carries updates and withdrawals, and a non-subscriber never holds the service', async () => {
    const client = await set.start({ services: [HELPER] })
    const relay = await set.start({ services: [HELPER] })
    const helper = await set.start({ storage: { enabled: true, storageOnly: true } })
    // line topology: helper - relay - client; the client learns through relay's forwarding
    await connect(helper, relay, [INTRODUCER])
    await connect(relay, client, [HELPER])
    await waitForMesh(relay, client, HELPER)
    await waitFor('helper to see relay subscribed', () =>
      helper.libp2p.services.pubsub.getSubscribers(serviceTopic(TEST_GRID, HELPER)).some(p => p.equals(relay.peerId)))
    await helper.introducer.publish(HELPER, { fields: { load: 'low' } })
    await waitFor('helper at the client', () => client.introducer.getPeers(HELPER)[0]?.fields.load === 'low')
    const first = client.introducer.getPeers(HELPER)[0].seqnum

    await helper.introducer.publish(HELPER, { fields: { load: 'high' } })
    await waitFor('helper update at the client', () => client.introducer.getPeers(HELPER)[0]?.fields.load === 'high')
    assert.ok(client.introducer.getPeers(HELPER)[0].seqnum > first)

    // the storage-only server subscribes to no storage service: it holds only its own records
    assert.deepEqual(helper.introducer.getSubscriptions().sort(), ['introducer'])
    assert.equal(helper.introducer.getPeers(HELPER).length, 1)

    await helper.introducer.unpublish(HELPER)
    await waitFor('helper withdrawal at the client', () => client.introducer.getPeers(HELPER).length === 0)
    assert.equal(relay.introducer.getPeers(HELPER).length, 0)
    await set.stopAll()
  })

  it('changes() reports what changes after it starts, and does not replay what is held', async () => {
    const a = await set.start({ services: [HELPER] })
    const b = await set.start({ services: [HELPER] })
    await connect(a, b, [HELPER])
    await b.introducer.publish(HELPER)
    await a.introducer.waitForPeers(HELPER, 1, { signal: AbortSignal.timeout(10_000) })
    const seen: string[] = []
    const controller = new AbortController()
    const consumer = (async () => {
      for await (const change of a.introducer.changes(HELPER, { signal: controller.signal })) {
        seen.push(`${change.type}:${change.peer.peerId.toString() === b.peerId.toString()}`)
        controller.abort()
      }
    })()
    await b.introducer.publish(HELPER, { fields: { v: '2' } })
    await waitFor('the change to be seen', () => seen.length === 1)
    await consumer
    assert.deepEqual(seen, ['updated:true'])
    await set.stopAll()
  })

  it('a forged announcement is rejected at the first hop and reaches no one', async () => {
    const attacker = await set.start({ services: [UPLOAD_STORAGE] })
    const honest = await set.start()
    const far = await set.start()
    await connect(attacker, honest, [UPLOAD_STORAGE])
    await connect(honest, far, [UPLOAD_STORAGE])
    await waitForMesh(honest, far, UPLOAD_STORAGE)
    await waitForMesh(honest, attacker, UPLOAD_STORAGE)
    const topic = serviceTopic(TEST_GRID, UPLOAD_STORAGE)
    const victim = await key()
    // signed by the attacker's key, claiming the victim's identity
    const forged = await forge({ publicKey: victim.publicKey.raw as Uint8Array<ArrayBuffer>, issuedAtMs: Date.now(), grid: TEST_GRID }, await key())
    // a record for another grid, validly signed
    const otherGrid = await forge({ grid: 'other', issuedAtMs: Date.now(), seqnum: 2n }, await key())
    await attacker.libp2p.services.pubsub.publish(topic, forged)
    await attacker.libp2p.services.pubsub.publish(topic, otherGrid)
    await waitFor('the honest node to reject both', () =>
      honest.introducer.stats().dropped['bad-signature'] === 1 && honest.introducer.stats().dropped['wrong-grid'] === 1)
    // and a valid one afterwards still flows, proving the path works
    await honest.introducer.publish(UPLOAD_STORAGE)
    await waitFor('the valid record at the far node', () => far.introducer.getPeers(UPLOAD_STORAGE).length === 1)
    assert.deepEqual(far.introducer.stats().dropped, {})
    assert.equal(far.introducer.getPeers(UPLOAD_STORAGE)[0].peerId.toString(), honest.peerId.toString())
    await set.stopAll()
  })

  it('orders peers as Tahoe does and dials them', async () => {
    const client = await set.start()
    const servers = await Promise.all([1, 2, 3].map(async i => set.start({ nickname: `s${i}`, storage: { enabled: true } })))
    for (const server of servers) {
      await connect(client, server)
    }
    await client.introducer.waitForPeers(UPLOAD_STORAGE, 3, { signal: AbortSignal.timeout(10_000) })
    const index = 'aaaqeayeaudaocajbifqydiob4'
    const permuted = client.introducer.getPermutedPeers(UPLOAD_STORAGE, index)
    const expected = permute(Uint8Array.from({ length: 16 }, (_, i) => i), servers.map(s => ({ id: s.peerId.toString(), permutationSeed: s.peerId.publicKey!.raw })))
    assert.deepEqual(permuted.map(p => p.peerId.toString()), expected.map(e => e.id))
    assert.deepEqual(permuted.map(p => p.permutedId), expected.map(e => e.permutedId))
    const connection = await permuted[0].dial({ signal: AbortSignal.timeout(5000) })
    assert.equal(connection.remotePeer.toString(), permuted[0].peerId.toString())
    await set.stopAll()
  })

  it('waitForPeers ends with an AbortError when aborted', async () => {
    const node = await set.start()
    await assert.rejects(node.introducer.waitForPeers(UPLOAD_STORAGE, 1, { signal: AbortSignal.timeout(200) }), { name: 'AbortError' })
    await set.stopAll()
  })

  it('syncs again and again over one connection (streams are released)', async () => {
    const a = await set.start({ services: [HELPER] })
    const b = await set.start({ services: [HELPER] })
    await b.introducer.publish(HELPER)
    await connect(a, b)
    for (let i = 0; i < 8; i++) {
      await a.introducer.syncWith(b.peerId, { signal: AbortSignal.timeout(5000) })
    }
    assert.equal(a.introducer.getPeers(HELPER).length, 1)
    assert.equal(a.introducer.stats().syncFailures, 0)
    await set.stopAll()
  })

  it('refuses to publish what no receiver would accept, and keeps what it held', async () => {
    const node = await set.start()
    await node.introducer.publish(HELPER, { availableSpace: 5 })
    await assert.rejects(node.introducer.publish(HELPER, { availableSpace: -1 }), { name: 'InvalidAnnouncementError' })
    await assert.rejects(node.introducer.publish(HELPER, { availableSpace: 1.5 }), { name: 'InvalidAnnouncementError' })
    await assert.rejects(node.introducer.publish('Bad Name'), { name: 'InvalidServiceNameError' })
    assert.equal(node.introducer.getPeers(HELPER)[0]?.availableSpace, 5)
    await set.stopAll()
  })

  it('refuses to follow more services than one sync request can name, and keeps those it has', async () => {
    const node = await set.start()
    const room = MAX_FOLLOWED_SERVICES - node.introducer.getSubscriptions().length
    for (let i = 0; i < room; i++) {
      node.introducer.subscribeTo(`extra-${i}`)
    }
    assert.throws(() => { node.introducer.subscribeTo('one-too-many') }, { name: 'TooManyServicesError' })
    assert.equal(node.introducer.getSubscriptions().length, MAX_FOLLOWED_SERVICES)
    assert.ok(node.introducer.getSubscriptions().includes(`extra-${room - 1}`))
    node.introducer.subscribeTo('extra-0') // one it has: no error
    // the same bound on the services given at start (with the default ones, past 64)
    await assert.rejects(set.start({ services: Array.from({ length: MAX_FOLLOWED_SERVICES }, (_, i) => `s-${i}`) }), { name: 'InvalidOptionError', message: /more than the 64 one sync request can name/ })
    await set.stopAll()
  })

  it('syncs with a newly identified peer at once and once more FOLLOW_UP_SYNC_MS later', async () => {
    const a = await set.start()
    const b = await set.start()
    const connectedAt = Date.now()
    await connect(a, b, [UPLOAD_STORAGE])
    await waitFor('the first sync each way', () => a.introducer.stats().syncRequestsServed >= 1 && b.introducer.stats().syncRequestsServed >= 1, 5000)
    await waitFor('the follow-up sync each way', () => a.introducer.stats().syncRequestsServed >= 2 && b.introducer.stats().syncRequestsServed >= 2, FOLLOW_UP_SYNC_MS + 5000)
    assert.ok(Date.now() - connectedAt >= FOLLOW_UP_SYNC_MS - 100, 'the second sync waited for the follow-up delay')
    await set.stopAll()
  })

  it('catches up on a service followed after start at once and once more FOLLOW_UP_SYNC_MS later', async () => {
    // no anti-entropy within the test, so every exchange counted is a catch-up or a connection's
    const a = await set.start({ antiEntropyIntervalMs: 120_000 })
    const b = await set.start({ antiEntropyIntervalMs: 120_000 })
    await connect(a, b, [UPLOAD_STORAGE])
    // past the connection's syncs: a's at once, then one each way FOLLOW_UP_SYNC_MS later
    await waitFor('the connection\'s syncs', () => b.introducer.stats().syncRequestsServed >= 2 && a.introducer.stats().syncRequestsServed >= 1, FOLLOW_UP_SYNC_MS + 5000)
    const served = b.introducer.stats().syncRequestsServed
    const subscribedAt = Date.now()
    a.introducer.subscribeTo(HELPER)
    await waitFor('the catch-up at once', () => b.introducer.stats().syncRequestsServed >= served + 1, 5000)
    assert.ok(Date.now() - subscribedAt < FOLLOW_UP_SYNC_MS, 'the first catch-up did not wait')
    await waitFor('the catch-up once more', () => b.introducer.stats().syncRequestsServed >= served + 2, FOLLOW_UP_SYNC_MS + 5000)
    assert.ok(Date.now() - subscribedAt >= FOLLOW_UP_SYNC_MS - 100, 'the second waited for the follow-up delay')
    await set.stopAll()
  })

  it('a publisher hands its record of a service it does not follow to a later follower by sync (an offer)', async () => {
    const server = await set.start()
    const first = await set.start({ services: [HELPER] })
    await first.libp2p.dial(server.getMultiaddrs()[0])
    const topic = serviceTopic(TEST_GRID, HELPER)
    await waitFor('the server to see first follow helper', () => server.libp2p.services.pubsub.getSubscribers(topic).some(p => p.equals(first.peerId)))
    await server.introducer.publish(HELPER, { fields: { region: 'eu' } })
    // gossip reached the only follower there was, so nothing publishes it again
    await waitFor('first to take it from gossip', () => first.introducer.getPeers(HELPER).length === 1, 5000)
    await first.stop()
    const later = await set.start({ services: [HELPER] })
    await later.libp2p.dial(server.getMultiaddrs()[0])
    // the server does not follow helper, so the services reconciled leave it out: only its offer carries it
    await waitFor('a later follower to get it from the publisher by sync', () => later.introducer.getPeers(HELPER).length === 1, 5000)
    assert.equal(later.introducer.getPeers(HELPER)[0].fields.region, 'eu')
    assert.deepEqual(server.introducer.getSubscriptions().includes(HELPER), false)
    await set.stopAll()
  })

  it('syncs with a connected peer now and then (anti-entropy), not only on connection', async () => {
    const a = await set.start({ antiEntropyIntervalMs: 300 })
    const b = await set.start()
    await connect(a, b, [UPLOAD_STORAGE])
    const served = b.introducer.stats().syncRequestsServed
    // more than the one follow-up sync after identify could give
    await waitFor('five more syncs from a', () => b.introducer.stats().syncRequestsServed >= served + 5, 10_000)
    await set.stopAll()
  })
})
