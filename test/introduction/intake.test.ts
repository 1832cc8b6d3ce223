/**
 * Intake, the one path into the table, with an injected clock: what it takes, what it
 * refuses and why, who is blamed (reject) and who is not (ignore), and what it counts.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { resolveAdmission } from '../../src/announcement/admission.js'
import { Intake } from '../../src/introduction/intake.js'
import { signatureChecksMade } from '../../src/announcement/signatures.js'
import type { AnnouncementRejection } from '../../src/announcement/rejection.js'
import { ServiceMetrics } from '../../src/introduction/metrics.js'
import { FollowedServices } from '../../src/introduction/subscriptions.js'
import { PeerTable } from '../../src/peer-table.js'
import { key, signed, T0 } from '../helpers/records.js'
import { connectionHost, type NewcomerBudgetInit } from '../../src/introduction/newcomer-budget.js'
import { multiaddr } from '@multiformats/multiaddr'
import { LocalAddresses } from '../../src/connections/host-key.js'
import type { RecordSource } from '../../src/introduction/intake.js'
import type { Logger, PeerId, PrivateKey } from '@libp2p/interface'

interface Setup {
  intake: Intake
  table: PeerTable
  metrics: ServiceMetrics
  clock: { now: number }
  self: PrivateKey
}

async function setup (overrides: { burst?: number, admission?: string[], services?: string[], newcomers?: NewcomerBudgetInit, log?: Logger } = {}): Promise<Setup> {
  const clock = { now: T0 }
  const self = await key()
  const table = new PeerTable({ now: () => clock.now })
  const followed = new FollowedServices()
  for (const service of overrides.services ?? ['upload_storage']) followed.add(service)
  const metrics = new ServiceMetrics(undefined, { tableSizes: () => table.sizes(), connectedIntroducers: () => 0 })
  const intake = new Intake(table, followed, metrics, {
    grid: 'test',
    self: peerIdFromPrivateKey(self),
    now: () => clock.now,
    publisherRateLimit: { burst: overrides.burst ?? 20, perSecond: 1 },
    admission: overrides.admission != null ? resolveAdmission({ publishers: overrides.admission }) : undefined,
    newcomers: overrides.newcomers,
    log: overrides.log
  })
  return { intake, table, metrics, clock, self }
}

function gossip (from: PeerId): RecordSource {
  return { via: 'gossip', service: 'upload_storage', from }
}

describe('intake', () => {
  it('takes a new record, counts it, and refuses the same bytes again as a duplicate', async () => {
    const { intake, table, metrics } = await setup()
    const k = await key()
    const record = await signed(k)
    const result = await intake.ingest(record.signed, gossip(peerIdFromPrivateKey(k)))
    assert.equal(result.outcome, 'added')
    assert.equal(table.getPeers('upload_storage').length, 1)
    await assert.rejects(intake.ingest(record.signed, gossip(peerIdFromPrivateKey(k))), { code: 'duplicate', action: 'ignore' })
    assert.deepEqual(metrics.snapshot().dropped, { duplicate: 1 })
    assert.equal(metrics.snapshot().accepted, 1)
  })

  it('checks the signature of a record that arrives twice at once (sync from two peers, or sync and gossip) once', async () => {
    const { intake, table } = await setup()
    const k = await key()
    const record = await signed(k)
    const [a, b] = [peerIdFromPrivateKey(await key()), peerIdFromPrivateKey(await key())]
    const before = signatureChecksMade()
    const results = await Promise.allSettled([
      intake.ingest(record.signed, { via: 'sync', from: a }),
      intake.ingest(new Uint8Array(record.signed), { via: 'sync', from: b }),
      intake.ingest(new Uint8Array(record.signed), gossip(a))
    ])
    const after = signatureChecksMade()
    assert.equal(after.here + after.onWorkers - before.here - before.onWorkers, 1)
    assert.deepEqual(results.map(r => r.status === 'fulfilled' ? r.value.outcome : (r.reason as AnnouncementRejection).code), ['added', 'duplicate', 'duplicate'])
    assert.equal(table.getPeers('upload_storage').length, 1)
  })

  it('a copy that waited for one refused goes through the checks itself', async () => {
    const { intake, table } = await setup({ services: ['upload_storage', 'download_storage'] })
    const k = await key()
    const record = await signed(k)
    const from = peerIdFromPrivateKey(await key())
    // the first copy came on the wrong topic (refused whatever its signature); the second, by sync, is fine
    const results = await Promise.allSettled([
      intake.ingest(record.signed, { via: 'gossip', service: 'download_storage', from }),
      intake.ingest(new Uint8Array(record.signed), { via: 'sync', from })
    ])
    assert.equal(results[0].status, 'rejected')
    assert.equal(results[1].status === 'fulfilled' ? results[1].value.outcome : results[1].reason, 'added')
    assert.equal(table.getPeers('upload_storage').length, 1)
  })

  it('refuses an older seqnum as stale before checking its signature', async () => {
    const { intake } = await setup()
    const k = await key()
    await intake.ingest((await signed(k, { seqnum: 5n })).signed, gossip(peerIdFromPrivateKey(k)))
    const older = (await signed(k, { seqnum: 4n })).signed
    const tampered = new Uint8Array(older)
    tampered[tampered.length - 1] ^= 1 // a broken signature: never checked, the record is old anyway
    await assert.rejects(intake.ingest(tampered, gossip(peerIdFromPrivateKey(k))), { code: 'stale', action: 'ignore' })
  })

  it('rejects a forged signature and blames the sender', async () => {
    const { intake, metrics } = await setup()
    const k = await key()
    const bytes = new Uint8Array((await signed(k)).signed)
    bytes[bytes.length - 1] ^= 1
    await assert.rejects(intake.ingest(bytes, gossip(peerIdFromPrivateKey(k))), { code: 'bad-signature', action: 'reject' })
    assert.equal(metrics.snapshot().dropped['bad-signature'], 1)
  })

  it('logs each refused record from the network with its sender and reason, not what the cache brings', async () => {
    const lines: string[] = []
    const log = Object.assign((format: string, ...args: unknown[]) => { lines.push([format, ...args.map(String)].join(' ')) }, {
      enabled: true, error: () => {}, trace: () => {}, newScope: () => log
    }) as unknown as Logger
    const { intake } = await setup({ log })
    const k = await key()
    const from = peerIdFromPrivateKey(k)
    const bytes = new Uint8Array((await signed(k)).signed)
    bytes[bytes.length - 1] ^= 1
    await assert.rejects(intake.ingest(bytes, gossip(from)))
    await assert.rejects(intake.ingest(bytes, { via: 'cache' }))
    assert.equal(lines.length, 1)
    assert.match(lines[0], /bad-signature/)
    assert.ok(lines[0].includes(from.toString()) && lines[0].includes('gossip'), lines[0])
  })

  it('ignores records of services not followed, and our own records', async () => {
    const { intake, self } = await setup()
    const k = await key()
    await assert.rejects(intake.ingest((await signed(k, { service: 'helper' })).signed, { via: 'sync', from: peerIdFromPrivateKey(k) }), { code: 'not-subscribed' })
    await assert.rejects(intake.ingest((await signed(self)).signed, { via: 'sync', from: peerIdFromPrivateKey(k) }), { code: 'duplicate', message: /own record/ })
  })

  it('rate-limits a publisher: rejected when it sends itself, ignored when relayed', async () => {
    const { intake } = await setup({ burst: 2 })
    const k = await key()
    const relay = peerIdFromPrivateKey(await key())
    const publisher = peerIdFromPrivateKey(k)
    for (const seqnum of [1n, 2n]) {
      await intake.ingest((await signed(k, { seqnum })).signed, gossip(publisher))
    }
    await assert.rejects(intake.ingest((await signed(k, { seqnum: 3n })).signed, gossip(relay)), { code: 'rate-limited', action: 'ignore' })
    await assert.rejects(intake.ingest((await signed(k, { seqnum: 4n })).signed, gossip(publisher)), { code: 'rate-limited', action: 'reject' })
  })

  it('refuses a publisher over its rate before checking the signature, and forgeries spend none of its tokens', async () => {
    const { intake, table } = await setup({ burst: 2 })
    const k = await key()
    const publisher = peerIdFromPrivateKey(k)
    const forged = async (seqnum: bigint): Promise<Uint8Array> => {
      const bytes = new Uint8Array((await signed(k, { seqnum })).signed)
      bytes[bytes.length - 1] ^= 1
      return bytes
    }
    // forgeries under its key, while it has tokens: refused for their signature, no token spent
    for (const seqnum of [10n, 11n, 12n]) {
      await assert.rejects(intake.ingest(await forged(seqnum), gossip(publisher)), { code: 'bad-signature' })
    }
    for (const seqnum of [1n, 2n]) {
      await intake.ingest((await signed(k, { seqnum })).signed, gossip(publisher))
    }
    assert.equal(table.getPeers('upload_storage')[0].seqnum, 2n)
    // over its rate: a forgery is now refused as rate-limited, i.e. before its signature was checked
    await assert.rejects(intake.ingest(await forged(20n), gossip(publisher)), { code: 'rate-limited', action: 'reject' })
  })

  it('refuses publishers a policy does not admit: rejected from the publisher, ignored from a relay', async () => {
    const allowed = await key()
    const { intake } = await setup({ admission: [peerIdFromPrivateKey(allowed).toString()] })
    const outsider = await key()
    const relay = peerIdFromPrivateKey(await key())
    await intake.ingest((await signed(allowed)).signed, gossip(relay))
    await assert.rejects(intake.ingest((await signed(outsider)).signed, gossip(relay)), { code: 'not-admitted', action: 'ignore' })
    await assert.rejects(intake.ingest((await signed(outsider, { seqnum: 2n })).signed, gossip(peerIdFromPrivateKey(outsider))), { code: 'not-admitted', action: 'reject' })
  })

  it('does not count what the cache brings, and drops expired records from it', async () => {
    const { intake, metrics } = await setup()
    const k = await key()
    await intake.ingest((await signed(k)).signed, { via: 'cache' })
    // expiry is by this node's clock: the cache says how old the record is now
    const expired = (await signed(await key(), { ttlMs: 60_000 })).signed
    await assert.rejects(intake.ingest(expired, { via: 'cache' }, { ageMs: 120_000 }), { code: 'expired' })
    assert.equal(metrics.snapshot().accepted, 0)
    assert.deepEqual(metrics.snapshot().dropped, {})
  })

  it('counts an internal failure as internal-error', async () => {
    const { intake, table, metrics } = await setup()
    table.offer = () => { throw new TypeError('a bug of ours') }
    const k = await key()
    await assert.rejects(intake.ingest((await signed(k)).signed, gossip(peerIdFromPrivateKey(k))), TypeError)
    assert.equal(metrics.snapshot().dropped['internal-error'], 1)
  })

  it('ignores new entries past the handing peer\'s budget, before their signature is checked', async () => {
    const { intake, table, metrics, clock } = await setup({ newcomers: { perPeer: { burst: 3, perSecond: 1 } } })
    const relay = peerIdFromPrivateKey(await key())
    const keys = await Promise.all([1, 2, 3, 4, 5].map(async () => key()))
    for (const k of keys.slice(0, 3)) {
      await intake.ingest((await signed(k, { issuedAtMs: clock.now })).signed, gossip(relay))
    }
    const fourth = new Uint8Array((await signed(keys[3], { issuedAtMs: clock.now })).signed)
    fourth[fourth.length - 1] ^= 1 // a bad signature: never checked, the budget is spent
    await assert.rejects(intake.ingest(fourth, gossip(relay)), { action: 'ignore', code: 'too-many-new' })
    // a record of a key held is no new entry: not counted
    await intake.ingest((await signed(keys[0], { issuedAtMs: clock.now, seqnum: 2n })).signed, gossip(relay))
    // sync answers count against the peer that gave them, and a publisher handing over its own too
    await assert.rejects(intake.ingest((await signed(keys[4], { issuedAtMs: clock.now })).signed, { via: 'sync', from: relay }), { code: 'too-many-new' })
    await assert.rejects(intake.ingest((await signed(keys[4], { issuedAtMs: clock.now })).signed, gossip(relay)), { code: 'too-many-new' })
    // another peer has its own budget; the cache none
    await intake.ingest((await signed(keys[4], { issuedAtMs: clock.now })).signed, gossip(peerIdFromPrivateKey(keys[4])))
    await intake.ingest((await signed(keys[3], { issuedAtMs: clock.now })).signed, { via: 'cache' })
    // and the budget refills
    clock.now += 1000
    const sixth = await key()
    await intake.ingest((await signed(sixth, { issuedAtMs: clock.now })).signed, gossip(relay))
    assert.equal(table.getPeers('upload_storage').length, 6)
    assert.equal(metrics.snapshot().dropped['too-many-new'], 3)
    assert.equal(metrics.snapshot().dropped['bad-signature'], undefined)
  })

  it('shares a host\'s budget between its peers, and does not count this machine\'s own addresses', async () => {
    const [a, b, c] = await Promise.all([key(), key(), key()]).then(ks => ks.map(k => peerIdFromPrivateKey(k)))
    const addresses = new Map([[a.toString(), '/ip4/192.0.2.1/tcp/5000'], [b.toString(), '/ip4/192.0.2.1/tcp/5001'], [c.toString(), '/ip4/127.0.0.1/tcp/5002']])
    const connections = { getConnections: (peer?: PeerId) => [{ remoteAddr: multiaddr(addresses.get(peer?.toString() ?? '') ?? '/ip4/10.0.0.1/tcp/1') }] }
    const hostOf = connectionHost(connections as never, new LocalAddresses(Date.now, () => ['127.0.0.1']))
    assert.equal(hostOf(a), '192.0.2.1')
    assert.equal(hostOf(c), undefined)
    const { intake, clock } = await setup({ newcomers: { perPeer: { burst: 10, perSecond: 1 }, perHost: { burst: 2, perSecond: 1 }, hostOf } })
    const fresh = async (): Promise<Uint8Array> => (await signed(await key(), { issuedAtMs: clock.now })).signed
    await intake.ingest(await fresh(), gossip(a))
    await intake.ingest(await fresh(), gossip(b))
    await assert.rejects(intake.ingest(await fresh(), gossip(a)), { code: 'too-many-new' })
    await assert.rejects(intake.ingest(await fresh(), gossip(b)), { code: 'too-many-new' })
    for (let i = 0; i < 5; i++) {
      await intake.ingest(await fresh(), gossip(c))
    }
  })
})
