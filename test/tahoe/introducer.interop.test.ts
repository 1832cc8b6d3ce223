/**
 * Our Tahoe introducer against real Tahoe-LAFS 1.17.1 nodes ($TAHOE; skipped without it).
 * Run with `TAHOE=$(../shared/tahoe/setup.sh) npm run test:tahoe`.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { Tub } from '../../src/foolscap/tub.js'
import { RemoteCallError } from '../../src/foolscap/errors.js'
import { Tuple } from '../../src/foolscap/values.js'
import {
  TahoeIntroducerClient, TahoeIntroducerServer, encodeTubIdentity, generateTubIdentity, type VerifiedTahoeAnnouncement
} from '../../src/tahoe/index.js'
import { freePort } from '../helpers/processes.js'
import { roundTrip, SKIP_TAHOE, TahoeGrid, waitForServers, type TahoeNode } from '../helpers/tahoe-grid.js'
import { waitFor } from '../helpers/wait.js'

const swissnum = (): string => randomBytes(20).toString('hex').replace(/[0-9]/g, c => 'abcdefghij'[Number(c)]).replace(/[89]/g, 'k')

describe('Tahoe interop: one of our introducers', { skip: SKIP_TAHOE, timeout: 600_000 }, () => {
  const grid = new TahoeGrid()
  const identity = encodeTubIdentity(generateTubIdentity())
  const name = swissnum()
  let port: number
  let server: TahoeIntroducerServer
  let storage: TahoeNode[]
  let client: TahoeNode
  const rejected: string[] = []
  const published: VerifiedTahoeAnnouncement[] = []
  const make = (): TahoeIntroducerServer => new TahoeIntroducerServer({
    port, tubIdentity: identity, swissnum: name,
    onAnnouncement: a => { published.push(a) },
    onRejected: r => { rejected.push(r) }
  })

  before(async () => {
    port = await freePort()
    server = make()
    await server.start()
  })
  after(async () => {
    await grid.killAll()
    await server.stop()
  })

  it('(1) two Tahoe storage nodes and a client meet through it; put/get round-trips', async (t) => {
    storage = [await grid.storage('storage1', [server.furl]), await grid.storage('storage2', [server.furl])]
    client = await grid.client('client', [server.furl])
    for (const n of [...storage, client]) grid.start(n)
    const seen = await waitForServers(client, 2)
    assert.deepEqual(seen.map(s => s.nickname).sort(), ['storage1', 'storage2'])
    assert.equal(server.announcements('storage').length, 2)
    assert.deepEqual(published.map(a => a.keyId).sort(), seen.map(s => s.nodeid).sort())
    const times = await roundTrip(grid, client)
    t.diagnostic(`through our introducer: put ${times.putMs} ms, get ${times.getMs} ms`)
  })

  it('(3) a tampered or wrongly keyed publish_v2 is refused and reaches no subscriber', async () => {
    const genuine = server.announcements('storage')[0].signed
    const other = server.announcements('storage')[1].signed
    const tub = new Tub({ identity: generateTubIdentity() })
    try {
      const ref = await tub.getReference(server.furl)
      const tampered = Buffer.from(genuine.msg)
      tampered[tampered.indexOf('storage')] ^= 1
      for (const ann of [[tampered, genuine.sig, genuine.key], [genuine.msg, genuine.sig, other.key], [genuine.msg, other.sig, genuine.key]]) {
        await assert.rejects(ref.callRemote('publish_v2', { announcement: new Tuple(ann), canary: null }), { name: RemoteCallError.NAME })
      }
      assert.equal(rejected.filter(r => r.startsWith('bad-signature')).length, 3)
      assert.equal(server.announcements().length, 2)
      assert.equal((await client.servers()).length, 2, 'the client was told of nothing new')
    } finally {
      await tub.stop()
    }
  })

  it('(4) restarted with the same tub key and swissnum, it has the same FURL and Tahoe nodes come back', async (t) => {
    const furl = server.furl
    const before = server.subscriberCount('storage')
    assert.equal(before, 3)
    await server.stop()
    const t0 = Date.now()
    server = make()
    await server.start()
    assert.equal(server.furl, furl)
    await waitFor('Tahoe nodes to resubscribe and republish', () => server.subscriberCount('storage') === 3 && server.announcements('storage').length === 2, 120_000, 250)
    t.diagnostic(`nodes back ${Date.now() - t0} ms after the restart`)
    await waitForServers(client, 2)
    await roundTrip(grid, client)
  })
})

describe('Tahoe interop: two of our introducers bridged as the daemon will bridge them', { skip: SKIP_TAHOE, timeout: 600_000 }, () => {
  const grid = new TahoeGrid()
  let a: TahoeIntroducerServer
  let b: TahoeIntroducerServer

  before(async () => {
    const mk = async (forward: () => TahoeIntroducerServer): Promise<TahoeIntroducerServer> => new TahoeIntroducerServer({
      port: await freePort(), tubIdentity: encodeTubIdentity(generateTubIdentity()), swissnum: swissnum(),
      onAnnouncement: ann => { forward().announce(ann.signed) }
    })
    a = await mk(() => b)
    b = await mk(() => a)
    await a.start()
    await b.start()
  })
  after(async () => {
    await grid.killAll()
    await a.stop()
    await b.stop()
  })

  it('(2) storage on A, a client on B sees it, put/get works; timed from storage start', async (t) => {
    const client = await grid.client('client', [b.furl])
    grid.start(client)
    await waitFor('the client to subscribe at B', () => b.subscriberCount('storage') === 1, 90_000, 100)
    const storage = [await grid.storage('storage1', [a.furl]), await grid.storage('storage2', [a.furl])]
    const t0 = Date.now()
    for (const n of storage) grid.start(n)
    await waitForServers(client, 2)
    t.diagnostic(`storage start to client connected via the bridge: ${Date.now() - t0} ms`)
    assert.equal(a.announcements('storage').length, 2)
    assert.equal(b.announcements('storage').length, 2)
    await roundTrip(grid, client)
  })
})

describe("Tahoe interop: TahoeIntroducerClient on Tahoe's own introducer", { skip: SKIP_TAHOE, timeout: 600_000 }, () => {
  const grid = new TahoeGrid()
  let sub: TahoeIntroducerClient | undefined

  after(async () => {
    await sub?.stop()
    await grid.killAll()
  })

  it("(5) receives the storage servers' announcements, verified; put/get timed for comparison", async (t) => {
    const { furl } = await grid.introducer('introducer')
    const storage = [await grid.storage('storage1', [furl]), await grid.storage('storage2', [furl])]
    const client = await grid.client('client', [furl])
    for (const n of [...storage, client]) grid.start(n)
    const got: VerifiedTahoeAnnouncement[] = []
    sub = new TahoeIntroducerClient({ furl, onAnnouncement: a => { got.push(a) } })
    sub.start()
    const seen = await waitForServers(client, 2)
    await waitFor('two storage announcements', () => got.length >= 2, 90_000, 100)
    assert.deepEqual(got.map(a => a.keyId).sort(), seen.map(s => s.nodeid).sort())
    assert.deepEqual(got.map(a => a.nickname).sort(), ['storage1', 'storage2'])
    assert.ok(got.every(a => a.anonymousStorageFurl?.startsWith('pb://')))
    const times = await roundTrip(grid, client)
    t.diagnostic(`through Tahoe's introducer: put ${times.putMs} ms, get ${times.getMs} ms`)
  })
})
