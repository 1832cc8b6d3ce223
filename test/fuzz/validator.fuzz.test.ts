/**
 * Fuzzes the gossip topic validator over a PeerTable-backed ingest, the same path the
 * introduction service uses (open, subscription and own-record checks, table offer).
 * Invariants: the validator never throws; it answers Accept only for a validly signed
 * record that is new to the table; every message is counted once, by code; and the
 * forgeries of the issue ("A hostile network") are refused for the right reason.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { TopicValidatorResult, type Message, type TopicValidatorFn } from '@libp2p/gossipsub'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { type AnnouncementContent } from '../../src/announcement/record.js'
import { type RejectionCode } from '../../src/announcement/rejection.js'
import { Intake } from '../../src/introduction/intake.js'
import { ServiceMetrics } from '../../src/introduction/metrics.js'
import { FollowedServices } from '../../src/introduction/subscriptions.js'
import { createTopicValidator } from '../../src/gossip/validator.js'
import { serviceTopic } from '../../src/gossip/topic.js'
import { PeerTable } from '../../src/peer-table.js'
import { Announcement, SignedAnnouncement } from '../../src/pb/announcement.js'
import { forge, signed, T0 } from '../helpers/records.js'
import { cases, concat, hex, heapUsed, lenField, MiB, mutate, prngFor, report, seededKey, Tally, type Prng } from './fuzz-kit.js'
import type { PeerId, PrivateKey } from '@libp2p/interface'

const GRID = 'test'
const SERVICES = ['upload_storage', 'download_storage', 'helper'] as const
type Service = typeof SERVICES[number]

const VERDICT: Record<TopicValidatorResult, string> = {
  [TopicValidatorResult.Accept]: 'accept',
  [TopicValidatorResult.Ignore]: 'ignore',
  [TopicValidatorResult.Reject]: 'reject'
}

/**
 * The introduction service's own intake (the real one), over a PeerTable and a fixed
 * clock, behind one topic validator per service as Subscriptions builds them.
 */
class Harness {
  readonly table: PeerTable
  readonly metrics = new ServiceMetrics(undefined, { tableSizes: () => new Map(), connectedIntroducers: () => 0 })
  readonly validators = new Map<string, TopicValidatorFn>()
  now = T0

  constructor (readonly self: PeerId, readonly sender: PeerId) {
    this.table = new PeerTable({ now: () => this.now })
    const followed = new FollowedServices()
    SERVICES.forEach(service => { followed.add(service) })
    // a fixed clock refills no bucket: the limit is set high so that it never decides here
    const intake = new Intake(this.table, followed, this.metrics, {
      grid: GRID, self: this.self, now: () => this.now, publisherRateLimit: { burst: 10_000, perSecond: 10_000 }
    })
    for (const service of SERVICES) {
      this.validators.set(service, createTopicValidator(service, {
        ingest: async (data, topicService, from) => intake.ingest(data, { via: 'gossip', service: topicService, from })
      }))
    }
  }

  /** Outcomes counted by intake, as a tally. */
  get counted (): Tally {
    const stats = this.metrics.snapshot()
    const tally = new Tally()
    const add = (outcome: string, n: number): void => {
      for (let i = 0; i < n; i++) tally.add(outcome)
    }
    add('accepted', stats.accepted)
    for (const [code, n] of Object.entries(stats.dropped)) add(code, n ?? 0)
    return tally
  }

  /** Runs the topic validator of `service` on `data`; a throw fails the test. */
  async validate (service: string, data: Uint8Array): Promise<TopicValidatorResult> {
    const validator = this.validators.get(service)
    assert.ok(validator != null, `no validator for ${service}`)
    const message: Message = { type: 'unsigned', topic: serviceTopic(GRID, service), data }
    try {
      return await validator(this.sender, message)
    } catch (err) {
      assert.fail(`the validator threw ${String(err)} on ${hex(data.subarray(0, 64))}`)
    }
  }
}

async function harness (rng: Prng): Promise<Harness> {
  return new Harness(peerIdFromPrivateKey(await seededKey(rng)), peerIdFromPrivateKey(await seededKey(rng)))
}

interface Publisher {
  key: PrivateKey
  seqnum: bigint
}

/** What the table should hold per (service, publisher): the accepted bytes and seqnum. */
interface Held {
  seqnum: bigint
  bytes: string
}

function payloadOf (data: Uint8Array): { payload: string, seqnum: bigint, service: string, key: string, canonical: boolean } | undefined {
  try {
    const outer = SignedAnnouncement.decode(data)
    const a = Announcement.decode(outer.payload)
    // only the canonical encoding of the envelope is acceptable (record.ts)
    const canonical = hex(SignedAnnouncement.encode(outer)) === hex(data)
    return { payload: `${hex(outer.payload)}.${hex(outer.signature)}`, seqnum: a.seqnum, service: a.service, key: hex(a.publicKey), canonical }
  } catch {
    return undefined
  }
}

describe('fuzz: topic validator over a peer table', () => {
  it('accepts only new validly signed records, counts everything once, never throws', async () => {
    const rng = prngFor('validator/mixed')
    const h = await harness(rng)
    const selfKey = await seededKey(rng)
    const self = new Harness(peerIdFromPrivateKey(selfKey), h.sender)
    const publishers: Publisher[] = []
    for (let i = 0; i < 16; i++) {
      publishers.push({ key: await seededKey(rng), seqnum: 0n })
    }
    /** Signed payload+signature of every record an honest publisher made. */
    const issued = new Set<string>()
    /** Everything sent so far, for replays and mutations. */
    const sent: Array<{ service: Service, data: Uint8Array }> = []
    const held = new Map<string, Held>()
    const verdicts = new Tally()
    const problems: string[] = []
    const n = cases(0.5, 200)
    const started = performance.now()
    const heap0 = heapUsed()

    const fresh = async (p: Publisher, overrides: Partial<AnnouncementContent> = {}): Promise<{ service: Service, data: Uint8Array }> => {
      p.seqnum += BigInt(rng.range(1, 3))
      const service = rng.pick(SERVICES)
      const record = await signed(p.key, {
        service,
        seqnum: p.seqnum,
        nonce: rng.bytes(16),
        withdrawn: rng.chance(0.1),
        fields: rng.chance(0.3) ? { n: String(rng.int(1000)) } : {},
        ...overrides
      })
      const outer = SignedAnnouncement.decode(record.signed)
      issued.add(`${hex(outer.payload)}.${hex(outer.signature)}`)
      return { service, data: record.signed }
    }

    for (let i = 0; i < n; i++) {
      let service: Service
      let data: Uint8Array
      let expect: 'accept' | 'not-accept' | 'model'
      const kind = rng.pick(['fresh', 'fresh', 'replay', 'mutation', 'mutation', 'random', 'wrong-topic'] as const)
      switch (kind) {
        case 'fresh': ({ service, data } = await fresh(rng.pick(publishers))); expect = 'accept'; break
        case 'replay': ({ service, data } = sent.length > 0 ? rng.pick(sent) : await fresh(rng.pick(publishers))); expect = 'model'; break
        case 'mutation': {
          // of something sent, or of a valid record never sent (which may then be new)
          const base = sent.length > 0 && rng.chance(0.7) ? rng.pick(sent) : await fresh(rng.pick(publishers))
          service = base.service
          data = base.data
          for (let m = rng.range(1, 3); m > 0; m--) {
            data = mutate(rng, data).bytes
          }
          expect = 'model'
          break
        }
        case 'random': service = rng.pick(SERVICES); data = rng.chance(0.5) ? rng.bytes(rng.int(500)) : concat(lenField(1, rng.bytes(rng.int(300))), lenField(2, rng.bytes(64))); expect = 'not-accept'; break
        default: {
          const base = await fresh(rng.pick(publishers))
          service = SERVICES[(SERVICES.indexOf(base.service) + 1) % SERVICES.length]
          data = base.data
          expect = 'not-accept'
          break
        }
      }
      const verdict = VERDICT[await h.validate(service, data)]
      verdicts.add(`${kind}:${verdict}`)
      if (kind !== 'random' && kind !== 'wrong-topic') {
        sent.push({ service, data })
      }
      // the model: a record is new when its signed payload is an honest one and its
      // seqnum is above what the table holds for (service, key)
      const decoded = payloadOf(data)
      const slot = decoded != null ? `${decoded.service}/${decoded.key}` : ''
      const genuine = decoded != null && decoded.canonical && issued.has(decoded.payload) && decoded.service === service
      const newer = genuine && (held.get(slot)?.seqnum ?? 0n) < decoded.seqnum
      if (expect === 'accept' && verdict !== 'accept') {
        problems.push(`case ${i} (${kind}): a fresh valid record was answered ${verdict}`)
      }
      if (verdict === 'accept' && (expect === 'not-accept' || !genuine || !newer)) {
        problems.push(`case ${i} (${kind}): accepted ${genuine ? 'a record not newer than the held one' : 'a record no honest publisher signed'}: ${hex(data.subarray(0, 64))}`)
      }
      if (expect === 'model' && newer && verdict !== 'accept') {
        problems.push(`case ${i} (${kind}): a new genuine record was answered ${verdict}`)
      }
      if (verdict === 'accept' && decoded != null) {
        held.set(slot, { seqnum: decoded.seqnum, bytes: hex(data) })
      }
      if (verdict === 'accept' && (kind === 'replay' || kind === 'mutation')) {
        verdicts.add('accepted-unsent-or-reencoded')
      }
    }

    // the own-record rule: a validly signed record of this very node is never taken
    const own = await signed(selfKey, { seqnum: 10n })
    assert.equal(await self.validate('upload_storage', own.signed), TopicValidatorResult.Ignore)
    assert.equal(self.counted.get('duplicate'), 1)

    const grown = heapUsed() - heap0
    report('validator/mixed', n, started, h.counted)
    console.log(`fuzz validator/mixed verdicts: ${verdicts.toString()}`)
    assert.deepEqual(problems.slice(0, 10), [], `${problems.length} problems`)
    // one count per message, and the counts agree with the verdicts
    assert.equal(h.counted.total, n)
    const accepted = [...verdicts.counts].filter(([k]) => k.endsWith(':accept')).reduce((s, [, v]) => s + v, 0)
    assert.equal(h.counted.get('accepted'), accepted)
    assert.ok(h.counted.get('accepted') > n / 5, h.counted.toString())
    assert.ok(h.counted.get('malformed') > 0 && h.counted.get('bad-signature') > 0 && h.counted.get('wrong-service') > 0, h.counted.toString())
    assert.equal(h.counted.get('internal-error'), 0)
    // what the table holds is exactly what the model says was accepted last
    for (const record of h.table.records()) {
      const a = record.announcement
      const slot = `${a.service}/${hex(a.publicKey)}`
      assert.equal(hex(record.signed), held.get(slot)?.bytes, `table holds other bytes for ${slot}`)
    }
    assert.ok(grown < 48 * MiB, `heap grew by ${(grown / MiB).toFixed(1)} MiB`)
  })

  it('maps an unexpected failure of ingest to Ignore, without throwing', async () => {
    const validator = createTopicValidator('upload_storage', {
      ingest: async () => { throw new TypeError('a bug of ours') }
    })
    const rng = prngFor('validator/internal-error')
    const sender = peerIdFromPrivateKey(await seededKey(rng))
    const verdict = await validator(sender, { type: 'unsigned', topic: serviceTopic(GRID, 'upload_storage'), data: new Uint8Array(1) })
    assert.equal(verdict, TopicValidatorResult.Ignore)
  })
})

describe('fuzz: forgeries through the validator path, counted by reason', () => {
  it('refuses a record signed by one key that claims another identity (reject: bad-signature)', async () => {
    const rng = prngFor('forgery/identity')
    const h = await harness(rng)
    const victim = await seededKey(rng)
    const forger = await seededKey(rng)
    const data = await forge({ publicKey: victim.publicKey.raw as Uint8Array<ArrayBuffer>, seqnum: 1000n }, forger)
    assert.equal(await h.validate('upload_storage', data), TopicValidatorResult.Reject)
    // the victim's own payload with the forger's signature over it
    const genuine = SignedAnnouncement.decode((await signed(victim)).signed)
    const resigned = await forge(Announcement.decode(genuine.payload), forger)
    const swapped = SignedAnnouncement.encode({ payload: genuine.payload, signature: SignedAnnouncement.decode(resigned).signature })
    assert.equal(await h.validate('upload_storage', swapped), TopicValidatorResult.Reject)
    assert.equal(h.counted.get('bad-signature'), 2)
    assert.equal(h.table.records().length, 0)
  })

  it('ignores a replay with an old seqnum (ignore: stale) and a re-delivery (ignore: duplicate)', async () => {
    const rng = prngFor('forgery/replay')
    const h = await harness(rng)
    const k = await seededKey(rng)
    const old = await signed(k, { seqnum: 3n })
    const current = await signed(k, { seqnum: 5n })
    assert.equal(await h.validate('upload_storage', old.signed), TopicValidatorResult.Accept)
    assert.equal(await h.validate('upload_storage', current.signed), TopicValidatorResult.Accept)
    assert.equal(await h.validate('upload_storage', old.signed), TopicValidatorResult.Ignore)
    assert.equal(await h.validate('upload_storage', current.signed), TopicValidatorResult.Ignore)
    // the same seqnum with other content is no newer either
    assert.equal(await h.validate('upload_storage', (await signed(k, { seqnum: 5n, nickname: 'other' })).signed), TopicValidatorResult.Ignore)
    assert.equal(h.counted.get('accepted'), 2)
    assert.equal(h.counted.get('stale'), 2)
    assert.equal(h.counted.get('duplicate'), 1)
    assert.equal(h.table.get('upload_storage', peerIdFromPrivateKey(k))?.seqnum, 5n)
  })

  it('rejects a record moved to another service\'s topic (reject: wrong-service)', async () => {
    const rng = prngFor('forgery/topic')
    const h = await harness(rng)
    const record = await signed(await seededKey(rng), { service: 'upload_storage' })
    assert.equal(await h.validate('download_storage', record.signed), TopicValidatorResult.Reject)
    assert.equal(await h.validate('helper', record.signed), TopicValidatorResult.Reject)
    assert.equal(h.counted.get('wrong-service'), 2)
    // on its own topic it is fine
    assert.equal(await h.validate('upload_storage', record.signed), TopicValidatorResult.Accept)
  })

  it('rejects a record for another grid (reject: wrong-grid)', async () => {
    const rng = prngFor('forgery/grid')
    const h = await harness(rng)
    const record = await signed(await seededKey(rng), { grid: 'other-grid' })
    assert.equal(await h.validate('upload_storage', record.signed), TopicValidatorResult.Reject)
    assert.equal(h.counted.get('wrong-grid'), 1)
    assert.equal(h.table.records().length, 0)
  })

  it('refuses randomized forgeries, each for its reason, with counts that add up', async () => {
    const rng = prngFor('forgery/random')
    const h = await harness(rng)
    const n = cases(0.1, 50)
    const started = performance.now()
    const expected = new Tally()
    const problems: string[] = []
    const honest: Array<{ key: PrivateKey, seqnum: bigint }> = []
    for (let i = 0; i < 8; i++) {
      const k = await seededKey(rng)
      const seqnum = 1000n
      // the honest record is held first, so that older seqnums are stale
      const r = await signed(k, { seqnum })
      assert.equal(await h.validate('upload_storage', r.signed), TopicValidatorResult.Accept)
      honest.push({ key: k, seqnum })
    }
    const kinds: Array<[string, RejectionCode, TopicValidatorResult, (v: { key: PrivateKey, seqnum: bigint }) => Promise<{ service: string, data: Uint8Array }>]> = [
      ['identity', 'bad-signature', TopicValidatorResult.Reject, async v => ({
        service: 'upload_storage',
        data: await forge({ publicKey: v.key.publicKey.raw as Uint8Array<ArrayBuffer>, seqnum: v.seqnum + BigInt(rng.range(1, 100)) }, await seededKey(rng))
      })],
      ['replay', 'stale', TopicValidatorResult.Ignore, async v => ({
        service: 'upload_storage',
        data: (await signed(v.key, { seqnum: BigInt(rng.range(1, Number(v.seqnum))), nonce: rng.bytes(16) })).signed
      })],
      ['topic', 'wrong-service', TopicValidatorResult.Reject, async v => ({
        service: rng.pick(['download_storage', 'helper']),
        data: (await signed(v.key, { seqnum: v.seqnum + 1n, nonce: rng.bytes(16) })).signed
      })],
      ['grid', 'wrong-grid', TopicValidatorResult.Reject, async v => ({
        service: 'upload_storage',
        data: (await signed(v.key, { grid: rng.pick(['other', 'test2', 'tes', 'default']), seqnum: v.seqnum + 1n })).signed
      })]
    ]
    for (let i = 0; i < n; i++) {
      const [name, code, want, make] = rng.pick(kinds)
      const { service, data } = await make(rng.pick(honest))
      const verdict = await h.validate(service, data)
      expected.add(code)
      if (verdict !== want) {
        problems.push(`${name}: answered ${VERDICT[verdict]}, expected ${VERDICT[want]}`)
      }
    }
    report('forgery/random', n, started, h.counted)
    assert.deepEqual(problems.slice(0, 10), [], `${problems.length} problems`)
    for (const [code, count] of expected.counts) {
      assert.equal(h.counted.get(code), count, `count of ${code}`)
    }
    assert.equal(h.counted.get('accepted'), honest.length)
    assert.equal(h.counted.total, n + honest.length)
    // nothing a forger sent changed what is held
    for (const v of honest) {
      assert.equal(h.table.get('upload_storage', peerIdFromPrivateKey(v.key))?.seqnum, v.seqnum)
    }
  })
})
