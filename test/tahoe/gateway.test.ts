/**
 * The Tahoe gateway in one process: real libp2p nodes over loopback, real Foolscap
 * connections, our own tubs standing in for Tahoe servers (the interop suite uses real
 * Tahoe). A publishes, B's Tahoe client hears; several gateways carrying a server are one
 * entry; liveness follows the publishing connection; forged records stop at the first hop.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { Tub } from '../../src/foolscap/tub.js'
import { Tuple, type Referenceable } from '../../src/foolscap/values.js'
import { encodeTubIdentity, generateTubIdentity } from '../../src/foolscap/tub-identity.js'
import { serviceTopic } from '../../src/gossip/topic.js'
import { permute } from '../../src/permute.js'
import { parseStorageIndex } from '../../src/storage-index.js'
import { TAHOE_STORAGE_SERVICE } from '../../src/tahoe/carriage.js'
import { tahoeServerIdOf } from '../../src/tahoe/carried-peers.js'
import { TahoeGateway, type GatewayEvent } from '../../src/tahoe/gateway.js'
import { TahoeIntroducerClient } from '../../src/tahoe/introducer-client.js'
import { TahoeIntroducerServer } from '../../src/tahoe/introducer-server.js'
import { verifyTahoeAnnouncement, type SignedTahoeAnnouncement, type VerifiedTahoeAnnouncement } from '../../src/tahoe/announcement.js'
import { connect, NodeSet, TEST_GRID } from '../helpers/nodes.js'
import { forgeCarryingRecord, TahoeSigner } from '../helpers/tahoe-signer.js'
import { waitFor } from '../helpers/wait.js'
import type { IntroducerNode } from '../../src/node.js'

const canary: Referenceable = { interfaceName: 'canary', methods: {} }

/** A stand-in Tahoe server: one tub per introducer it publishes to. */
async function publish (tub: Tub, furl: string, signed: SignedTahoeAnnouncement): Promise<void> {
  const ref = await tub.getReference(furl)
  await ref.callRemote('publish_v2', { announcement: new Tuple([signed.msg, signed.sig, signed.key]), canary })
}

const tahoePeers = (node: IntroducerNode): string[] => node.introducer.getPeers(TAHOE_STORAGE_SERVICE).map(p => tahoeServerIdOf(p) ?? '?')

describe('Tahoe gateway: two gateways and a native node on one grid', () => {
  const nodes = new NodeSet()
  const tubs: Tub[] = []
  const events: GatewayEvent[] = []
  let a: IntroducerNode, b: IntroducerNode, c: IntroducerNode
  let ga: TahoeGateway, gb: TahoeGateway
  let client: TahoeIntroducerClient
  const heard: VerifiedTahoeAnnouncement[] = []
  const s = new TahoeSigner()
  const tub = (): Tub => { const t = new Tub({ identity: generateTubIdentity() }); tubs.push(t); return t }

  before(async () => {
    const keys = await Promise.all([1, 2, 3].map(async () => generateKeyPair('Ed25519')))
    ;[a, b, c] = await Promise.all(keys.map(async privateKey => nodes.start({ privateKey, services: [TAHOE_STORAGE_SERVICE] })))
    await connect(a, b, [TAHOE_STORAGE_SERVICE])
    await connect(b, c, [TAHOE_STORAGE_SERVICE])
    await connect(a, c, [TAHOE_STORAGE_SERVICE])
    const gateway = (node: IntroducerNode, key: typeof keys[number], maxServers?: number): TahoeGateway => new TahoeGateway({
      introducer: node.introducer,
      nodeKey: key,
      listen: { host: '127.0.0.1', port: 0, tubIdentity: encodeTubIdentity(generateTubIdentity()), swissnum: 'gatewaytest' },
      ttlMs: 60_000,
      maxServers,
      onEvent: e => { events.push(e) }
    })
    ga = gateway(a, keys[0], 1)
    gb = gateway(b, keys[1])
    await ga.start()
    await gb.start()
    client = new TahoeIntroducerClient({ furl: gb.furl as string, onAnnouncement: x => { heard.push(x) } })
    client.start()
    await waitFor('the Tahoe client to subscribe at B', () => gb.status().subscribers.length === 1, 20_000)
  })
  after(async () => {
    await client.stop()
    await Promise.allSettled(tubs.map(async t => t.stop()))
    await ga.stop()
    await gb.stop()
    await nodes.stopAll()
  })

  it('an announcement published at A reaches a Tahoe client at B with its exact bytes, and native nodes see it', async () => {
    const signed = s.storage(1)
    await publish(tub(), ga.furl as string, signed)
    await waitFor('the client at B to hear of it', () => heard.length === 1, 20_000)
    assert.deepEqual(Buffer.from(heard[0].signed.msg), Buffer.from(signed.msg))
    assert.deepEqual(Buffer.from(heard[0].signed.sig), Buffer.from(signed.sig))
    await waitFor('C to hold it', () => tahoePeers(c).length === 1, 20_000)
    const [peer] = c.introducer.getPeers(TAHOE_STORAGE_SERVICE)
    assert.equal(peer.fields['anonymous-storage-FURL'], verifyTahoeAnnouncement(signed).anonymousStorageFurl)
    assert.equal(peer.nickname, 'storage-a')
    assert.deepEqual(Buffer.from(peer.permutationSeed), Buffer.from(s.rawPublicKey))
    assert.equal(ga.status().carried, 1)
    assert.equal(ga.status().servers[0].vouchedHere, 1)
  })

  it('the same server publishing to A and B is one entry everywhere; a newer Tahoe seqnum replaces', async () => {
    const tb = tub()
    await publish(tb, gb.furl as string, s.storage(1))
    await waitFor('B to carry it too', () => gb.status().carried === 1, 20_000)
    await waitFor('the grid to settle', () => tahoePeers(c).length === 1 && tahoePeers(a).length === 1 && tahoePeers(b).length === 1, 5000)
    assert.equal(heard.length, 1, 'the client was not told twice')
    const second = s.storage(2, { nickname: 'renamed' })
    await publish(tubs[0], ga.furl as string, second)
    await publish(tb, gb.furl as string, second)
    await waitFor('the client to hear seqnum 2', () => heard.length === 2, 20_000)
    assert.equal(heard[1].seqnum, 2n)
    await waitFor('C to show seqnum 2', () => c.introducer.getPeers(TAHOE_STORAGE_SERVICE)[0]?.fields['tahoe-seqnum'] === '2', 20_000)
    assert.equal(c.introducer.getPeers(TAHOE_STORAGE_SERVICE)[0].nickname, 'renamed')
    assert.equal(tahoePeers(c).length, 1)
  })

  it("getPermutedPeers orders carried servers by Tahoe's permutation with Tahoe's seeds", async () => {
    const t = new TahoeSigner()
    const tt = tub()
    // 26 base32 "a"s: a seed of 16 zero bytes
    await publish(tt, gb.furl as string, t.storage(1, { nickname: 'storage-b', 'permutation-seed-base32': 'a'.repeat(26) }))
    await waitFor('C to hold two servers', () => tahoePeers(c).length === 2, 20_000)
    const seeds = [{ nickname: 'renamed', permutationSeed: s.rawPublicKey }, { nickname: 'storage-b', permutationSeed: new Uint8Array(16) }]
    const orders = new Set<string>()
    for (const index of ['a'.repeat(26), 'zyxwvutsrqponmlkjihgfedcba', 'b'.repeat(25) + 'a', 'mfrggzdfmztwq2lknnwg23tpoa', 'onxw2zlunbsxk3ttobqxe5dzma']) {
      const got = c.introducer.getPermutedPeers(TAHOE_STORAGE_SERVICE, index).map(p => p.nickname)
      assert.deepEqual(got, permute(parseStorageIndex(index), seeds).map(p => p.nickname), index)
      orders.add(got.join())
    }
    assert.equal(orders.size, 2, 'both orders occur among these indexes (the check can fail)')
    await tt.stop()
    await waitFor('B to withdraw storage-b', () => tahoePeers(c).length === 1, 20_000)
  })

  it('a server over max_servers is refused by that gateway (it stays local there)', async () => {
    const u = new TahoeSigner()
    const tu = tub()
    await publish(tu, ga.furl as string, u.storage(1, { nickname: 'one-too-many' }))
    await waitFor('the refusal', () => events.some(e => e.type === 'refused' && e.serverId === u.keyId), 10_000)
    assert.equal(ga.status().carried, 1)
    assert.ok(ga.status().servers.some(x => x.serverId === u.keyId), 'still given to Tahoe clients at A')
    assert.ok(!tahoePeers(b).includes(u.keyId))
    await tu.stop()
  })

  it('liveness follows the publishing connection: each gateway withdraws when its connection drops', async () => {
    await tubs[0].stop()
    await waitFor('A to withdraw', () => ga.status().carried === 0, 20_000)
    assert.deepEqual(tahoePeers(c), [s.keyId], 'B still vouches for it')
    await tubs[1].stop()
    await waitFor('B to withdraw', () => gb.status().carried === 0, 20_000)
    await waitFor('the grid to drop it', () => tahoePeers(c).length === 0 && tahoePeers(a).length === 0 && tahoePeers(b).length === 0, 20_000)
    await waitFor('B to stop giving it to new subscribers', () => gb.status().servers.length === 0, 5000)
    assert.equal(client.announcements().length, 2, 'Tahoe clients never forget (the client keeps what it was told)')
  })

  it('a forged record carrying a tampered Tahoe announcement is rejected by the first daemon and goes no further', async () => {
    const before = b.introducer.stats().dropped['bad-tahoe'] ?? 0
    const told = heard.length
    const genuine = s.storage(3)
    const tampered = { ...genuine, msg: Buffer.from(Buffer.from(genuine.msg).toString().replace('127.0.0.1', '10.6.6.6')) }
    const forged = await forgeCarryingRecord(TEST_GRID, genuine, tampered)
    await c.libp2p.services.pubsub.publish(serviceTopic(TEST_GRID, TAHOE_STORAGE_SERVICE), forged)
    await waitFor('A and B to reject it', () => (a.introducer.stats().dropped['bad-tahoe'] ?? 0) >= 1 && (b.introducer.stats().dropped['bad-tahoe'] ?? 0) > before, 20_000)
    assert.equal(tahoePeers(a).length + tahoePeers(b).length, 0)
    await new Promise(resolve => setTimeout(resolve, 500))
    assert.equal(heard.length, told, 'the Tahoe client heard nothing new')
  })
})

describe('Tahoe gateway: bringing in an existing introducer (migration)', () => {
  const nodes = new NodeSet()
  const identity = encodeTubIdentity(generateTubIdentity())
  const s = new TahoeSigner()
  let old: TahoeIntroducerServer
  let port: number
  let a: IntroducerNode, b: IntroducerNode
  let ga: TahoeGateway
  const publisher = new Tub({ identity: generateTubIdentity() })
  const oldIntroducer = (p: number): TahoeIntroducerServer => new TahoeIntroducerServer({ port: p, tubIdentity: identity, swissnum: 'oldintroducer' })

  before(async () => {
    old = oldIntroducer(0)
    port = (await old.start()).port
    await publish(publisher, old.furl, s.storage(1, { nickname: 'on-the-old-one' }))
    const key = await generateKeyPair('Ed25519')
    a = await nodes.start({ privateKey: key, services: [TAHOE_STORAGE_SERVICE] })
    b = await nodes.start({ services: [TAHOE_STORAGE_SERVICE] })
    await connect(a, b, [TAHOE_STORAGE_SERVICE])
    ga = new TahoeGateway({ introducer: a.introducer, nodeKey: key, upstream: [old.furl], ttlMs: 60_000 })
    await ga.start()
  })
  after(async () => {
    await ga.stop()
    await publisher.stop()
    await old.stop()
    await nodes.stopAll()
  })

  it('carries what the old introducer announces while connected to it, and withdraws it when the connection is lost', async () => {
    await waitFor('B to hold the server of the old introducer', () => tahoePeers(b).includes(s.keyId), 20_000)
    assert.equal(b.introducer.getPeers(TAHOE_STORAGE_SERVICE)[0].nickname, 'on-the-old-one')
    assert.deepEqual(ga.status().upstream.map(u => [u.connected, u.announcements]), [[true, 1]])
    assert.equal(ga.status().furl, null, 'no Tahoe introducer of its own without listen')
    await old.stop()
    await waitFor('B to drop it', () => tahoePeers(b).length === 0, 20_000)
    assert.equal(ga.status().upstream[0].connected, false)
    old = oldIntroducer(port)
    await old.start()
    await publish(publisher, old.furl, s.storage(1, { nickname: 'on-the-old-one' }))
    await waitFor('B to hold it again once the gateway reconnected', () => tahoePeers(b).includes(s.keyId), 30_000)
  })
})
