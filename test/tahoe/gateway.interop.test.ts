/**
 * The Tahoe gateway against real Tahoe-LAFS 1.17.1 ($TAHOE; skipped without it): three
 * `introducer run` processes with [tahoe] on form one gossip grid; every Tahoe node is
 * pointed at ONE daemon. Run with `TAHOE=$(../shared/tahoe/setup.sh) npm run test:tahoe`.
 */
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createNode, type IntroducerNode } from '../../src/node.js'
import { RemoteCallError } from '../../src/foolscap/errors.js'
import { Tub } from '../../src/foolscap/tub.js'
import { generateTubIdentity } from '../../src/foolscap/tub-identity.js'
import { Tuple } from '../../src/foolscap/values.js'
import { serviceTopic } from '../../src/gossip/topic.js'
import { TAHOE_STORAGE_SERVICE } from '../../src/tahoe/carriage.js'
import { FURL_FILE } from '../../src/tahoe/gateway-dir.js'
import { TahoeIntroducerClient, type VerifiedTahoeAnnouncement } from '../../src/tahoe/index.js'
import { freePort, ProcessSet, type NodeProcess } from '../helpers/processes.js'
import { roundTrip, SKIP_TAHOE, storageIndexOf, TahoeGrid, waitForServers, type TahoeNode } from '../helpers/tahoe-grid.js'
import { forgeCarryingRecord } from '../helpers/tahoe-signer.js'
import { waitFor } from '../helpers/wait.js'
import type { PeersJson, PermutedJson } from '../../src/daemon/status.js'

const GRID = 'tahoe-gw'

/** The daemon's JSON log lines of one event (`--log-format json`). */
function logged (p: NodeProcess, event: string): Array<{ time: number, server?: string, detail?: string }> {
  return p.output.flatMap(line => {
    try {
      const j = JSON.parse(line) as { time: number, event?: string, server?: string, detail?: string }
      return j.event === event ? [j] : []
    } catch {
      return []
    }
  })
}

const tahoeServerIds = async (p: NodeProcess): Promise<string[]> =>
  (await p.api<PeersJson>(`/api/v1/peers?service=${TAHOE_STORAGE_SERVICE}`)).peers.map(x => x.fields['tahoe-server-id']).sort()

describe('Tahoe interop: three daemons, each a Tahoe introducer, one grid', { skip: SKIP_TAHOE, timeout: 600_000 }, () => {
  const procs = new ProcessSet()
  const grid = new TahoeGrid()
  let a: NodeProcess, b: NodeProcess, c: NodeProcess
  const furl: Record<string, string> = {}
  let client: TahoeNode
  let storage: TahoeNode[] = []
  let watcher: TahoeIntroducerClient | undefined
  let outsider: IntroducerNode | undefined
  const heard: VerifiedTahoeAnnouncement[] = []

  /** Tahoe's own order (the client's share queries) against C's getPermutedPeers. */
  async function checkPermutation (cap: string, at: NodeProcess, servers: number): Promise<string[]> {
    const si = await storageIndexOf(cap)
    const tahoe = await client.lastDownloadOrder()
    const ours = (await at.api<PermutedJson>(`/api/v1/permuted?service=${TAHOE_STORAGE_SERVICE}&storage-index=${si}`)).peers.map(p => p.fields['tahoe-server-id'])
    assert.equal(ours.length, servers)
    assert.ok(tahoe.length >= 2, `the download asked ${tahoe.length} servers`)
    assert.deepEqual(ours.slice(0, tahoe.length), tahoe, `storage index ${si}: our permuted order is Tahoe's`)
    return tahoe
  }

  before(async () => {
    const [pa, pb, pc] = [await freePort(), await freePort(), await freePort()]
    const args = (port: number, bootstrap?: string): string[] => [
      '--grid', GRID, '--introducer', '--tahoe', '--tahoe-listen', `127.0.0.1:${port}`, '--log-format', 'json', ...(bootstrap !== undefined ? ['--bootstrap', bootstrap] : [])
    ]
    a = await procs.start('a', args(pa))
    ;[b, c] = await Promise.all([procs.start('b', args(pb, a.multiaddr)), procs.start('c', args(pc, a.multiaddr))])
    await waitFor('the daemons to find each other', async () => {
      for (const p of [a, b, c]) if ((await p.api()).introducers.connected < 2) return false
      return true
    }, 60_000, 250)
    for (const p of [a, b, c]) {
      furl[p.name] = (await readFile(join(p.dir, FURL_FILE), 'utf8')).trim()
      assert.equal((await p.api()).tahoe?.furl, furl[p.name], 'the FURL file and `introducer status` agree')
      assert.match(furl[p.name], /^pb:\/\/[a-z2-7]{32}@tcp:127\.0\.0\.1:\d+\/[a-z2-7]{32}$/)
    }
  })
  after(async () => {
    await watcher?.stop()
    await outsider?.stop()
    await grid.killAll()
    await procs.killAll()
  })

  it('(1) storage servers at A and at B, a client at C: both connected, put/get round-trips, Tahoe\'s permuted order', async (t) => {
    client = await grid.client('client', [furl.c])
    grid.start(client)
    await waitFor('the client to subscribe at C', async () => ((await c.api()).tahoe?.subscribers.length ?? 0) >= 1, 90_000, 250)
    storage = [await grid.storage('storage1', [furl.a]), await grid.storage('storage2', [furl.b])]
    const t0 = Date.now()
    for (const n of storage) grid.start(n)
    const seen = await waitForServers(client, 2)
    t.diagnostic(`storage start to the client at C connected to both (through A and B): ${Date.now() - t0} ms`)
    assert.deepEqual(seen.map(s => s.nickname).sort(), ['storage1', 'storage2'])
    const ids = seen.map(s => s.nodeid).sort()
    for (const [origin, nick] of [[a, 'storage1'], [b, 'storage2']] as const) {
      const id = seen.find(s => s.nickname === nick)?.nodeid
      const published = logged(origin, 'tahoe-published').find(e => e.server === id)
      const announced = logged(c, 'tahoe-announced').find(e => e.server === id)
      assert.ok(logged(origin, 'tahoe-carried').some(e => e.server === id), `${nick} carried by ${origin.name}`)
      assert.ok(published !== undefined && announced !== undefined, `${nick}: published to ${origin.name}, announced at C`)
      t.diagnostic(`${nick}: publish_v2 received at ${origin.name} to announce_v2 sent at C: ${announced.time - published.time} ms`)
    }
    // native nodes see them too
    assert.deepEqual(await tahoeServerIds(c), ids)
    const peers = (await c.api<PeersJson>(`/api/v1/peers?service=${TAHOE_STORAGE_SERVICE}`)).peers
    assert.ok(peers.every(p => p.fields['anonymous-storage-FURL']?.startsWith('pb://') && p.version.startsWith('tahoe-lafs/')))
    const status = await c.api()
    assert.equal(status.tahoe?.servers.length, 2)
    assert.equal(status.tahoe?.carried, 0, 'C carries nothing itself: no Tahoe server published to it')
    assert.equal((await a.api()).tahoe?.carried, 1)
    const times = await roundTrip(grid, client)
    t.diagnostic(`through the grid (client at C, servers at A and B): put ${times.putMs} ms, get ${times.getMs} ms`)
    await checkPermutation(times.cap, c, 2)
  })

  it('(2) a tampered publish_v2 is refused and reaches no client; a forged gossip record is rejected by the daemons', async () => {
    watcher = new TahoeIntroducerClient({ furl: furl.c, onAnnouncement: x => { heard.push(x) } })
    watcher.start()
    await waitFor('our own subscriber at C to hear both servers', () => heard.length === 2, 30_000)
    const [genuine, other] = heard.map(h => h.signed)
    const tampered = Buffer.from(genuine.msg)
    tampered[tampered.indexOf('storage')] ^= 1
    const tub = new Tub({ identity: generateTubIdentity() })
    try {
      const ref = await tub.getReference(furl.b)
      for (const ann of [[tampered, genuine.sig, genuine.key], [genuine.msg, genuine.sig, other.key], [genuine.msg, other.sig, genuine.key]]) {
        await assert.rejects(ref.callRemote('publish_v2', { announcement: new Tuple(ann), canary: null }), { name: RemoteCallError.NAME })
      }
    } finally {
      await tub.stop()
    }
    await waitFor('B to log the three refusals', () => logged(b, 'tahoe-rejected').filter(e => e.detail?.includes('bad-signature') === true).length === 3, 10_000)

    // a libp2p node of the grid gossips a well-signed record that carries the tampered bytes
    outsider = await createNode({ grid: GRID, bootstrap: [a.multiaddr], services: [TAHOE_STORAGE_SERVICE] })
    const topic = serviceTopic(GRID, TAHOE_STORAGE_SERVICE)
    await waitFor('the outsider to see A on the topic', () => outsider?.libp2p.services.pubsub.getSubscribers(topic).some(p => p.toString() === a.peerId), 30_000, 100)
    await outsider.libp2p.services.pubsub.publish(topic, await forgeCarryingRecord(GRID, genuine, { ...genuine, msg: tampered }))
    await waitFor('A to reject it', async () => ((await a.api()).stats.dropped['bad-tahoe'] ?? 0) >= 1, 20_000, 200)
    for (const p of [a, b, c]) assert.equal((await tahoeServerIds(p)).length, 2, `${p.name} holds the two genuine servers only`)
    assert.equal(outsider.introducer.getPeers(TAHOE_STORAGE_SERVICE).length, 2, 'the outsider, by sync, got the genuine records only')
    await new Promise(resolve => setTimeout(resolve, 1000))
    assert.equal(heard.length, 2, 'our subscriber at C was told of nothing new')
    assert.equal((await client.servers()).length, 2, 'nor was the Tahoe client')
    await outsider.stop()
    outsider = undefined
  })

  it('(3) B restarted from its data directory keeps its FURL; storage2 reconnects by itself', async (t) => {
    assert.equal(await b.kill('SIGTERM'), 0)
    await waitFor('the grid to drop storage2 (B withdrew it)', async () => (await tahoeServerIds(c)).length === 1, 30_000, 200)
    const t0 = Date.now()
    await b.start()
    assert.equal((await readFile(join(b.dir, FURL_FILE), 'utf8')).trim(), furl.b)
    assert.equal((await b.api()).tahoe?.furl, furl.b)
    await waitFor('storage2 to republish to B', async () => (await b.api()).tahoe?.carried === 1, 120_000, 250)
    t.diagnostic(`storage2 carried again ${Date.now() - t0} ms after B was started again`)
    await waitFor('C to hold both again', async () => (await tahoeServerIds(c)).length === 2, 30_000, 200)
    await waitForServers(client, 2)
    await roundTrip(grid, client)
  })

  it('(4) A and B SIGKILLed: a new storage server at C is seen by the client at C, put/get works', async (t) => {
    await Promise.all([a.kill('SIGKILL'), b.kill('SIGKILL')])
    const s3 = await grid.storage('storage3', [furl.c])
    const t0 = Date.now()
    grid.start(s3)
    const seen = await waitForServers(client, 3)
    t.diagnostic(`storage3 start to the client at C connected, with A and B dead: ${Date.now() - t0} ms`)
    assert.ok(seen.some(s => s.nickname === 'storage3'))
    assert.equal((await c.api()).tahoe?.carried, 1)
    const times = await roundTrip(grid, client)
    t.diagnostic(`with only C left: put ${times.putMs} ms, get ${times.getMs} ms`)
    const orders = [await checkPermutation(times.cap, c, 3)]
    // two more files: three orders of three servers all right by chance would be 1 in 216
    for (let i = 0; i < 2; i++) orders.push(await checkPermutation((await roundTrip(grid, client)).cap, c, 3))
    t.diagnostic(`Tahoe's orders for three files: ${orders.map(o => o.map(id => seen.find(s => s.nodeid === id)?.nickname).join(' ')).join(' | ')}`)
  })
})

describe("Tahoe interop: a daemon brings in the servers of Tahoe's own introducer (migration)", { skip: SKIP_TAHOE, timeout: 600_000 }, () => {
  const procs = new ProcessSet()
  const grid = new TahoeGrid()
  let sub: TahoeIntroducerClient | undefined

  after(async () => {
    await sub?.stop()
    await grid.killAll()
    await procs.killAll()
  })

  it('a server known only to the old introducer reaches a Tahoe client at the daemon, with its own signed bytes', async (t) => {
    const old = await grid.introducer('old-introducer')
    const s0 = await grid.storage('storage0', [old.furl])
    grid.start(s0)
    const self = (await waitForServers(s0, 1))[0]
    const d = await procs.start('d', ['--grid', GRID, '--tahoe', '--tahoe-listen', `127.0.0.1:${await freePort()}`, '--tahoe-introducers', old.furl, '--log-format', 'json'])
    const dFurl = (await readFile(join(d.dir, FURL_FILE), 'utf8')).trim()
    const client = await grid.client('client', [dFurl])
    const t0 = Date.now()
    grid.start(client)
    const seen = await waitForServers(client, 1)
    t.diagnostic(`client start to connected to the old introducer's server through the daemon: ${Date.now() - t0} ms`)
    assert.equal(seen[0].nodeid, self.nodeid)
    const heard: VerifiedTahoeAnnouncement[] = []
    sub = new TahoeIntroducerClient({ furl: dFurl, onAnnouncement: x => { heard.push(x) } })
    sub.start()
    await waitFor('our subscriber at the daemon to hear it', () => heard.length === 1, 30_000)
    assert.equal(heard[0].keyId, self.nodeid)
    assert.equal(heard[0].nickname, 'storage0')
    const status = (await d.api()).tahoe
    assert.deepEqual(status?.upstream.map(u => [u.furl, u.connected]), [[old.furl, true]])
    assert.equal(status?.carried, 1)
    assert.deepEqual(await tahoeServerIds(d), [self.nodeid])
  })
})
