import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { clockOffsetMs, expiresAt, MAX_CLOCK_SKEW_MS, MAX_SIGNED_ANNOUNCEMENT_BYTES, openAnnouncement, signAnnouncement } from '../../src/announcement/record.js'
import { AnnouncementRejection } from '../../src/announcement/rejection.js'
import { Announcement, SignedAnnouncement } from '../../src/pb/announcement.js'
import { content, forge, key, signed, T0 } from '../helpers/records.js'

const open = async (bytes: Uint8Array, service?: string, now = T0): Promise<unknown> =>
  openAnnouncement(bytes, { grid: 'test', service, now })

async function rejection (promise: Promise<unknown>): Promise<AnnouncementRejection> {
  try {
    await promise
  } catch (err) {
    assert.ok(err instanceof AnnouncementRejection, `expected an AnnouncementRejection, got ${String(err)}`)
    return err
  }
  assert.fail('expected the record to be refused')
}

describe('announcement record', () => {
  it('round-trips every field through sign and open', async () => {
    const k = await key()
    const record = await signed(k, {
      fields: { region: 'eu', tier: 'gold' },
      availableSpace: 123456789,
      readonly: true,
      permutationSeed: new Uint8Array(32).fill(9),
      multiaddrs: [multiaddr('/ip4/127.0.0.1/tcp/1'), multiaddr('/ip6/::1/tcp/2')]
    })
    const opened = await openAnnouncement(record.signed, { grid: 'test', service: 'upload_storage', now: T0 }) 
    assert.equal(opened.peerId.toString(), peerIdFromPublicKey(k.publicKey).toString())
    assert.equal(opened.announcement.seqnum, 1n)
    assert.equal(opened.announcement.availableSpace, 123456789)
    assert.equal(opened.announcement.readonly, true)
    assert.deepEqual(opened.fields, { region: 'eu', tier: 'gold' })
    assert.deepEqual(opened.multiaddrs.map(String), ['/ip4/127.0.0.1/tcp/1', '/ip6/::1/tcp/2'])
    assert.deepEqual(opened.announcement.permutationSeed, new Uint8Array(32).fill(9))
  })

  it('carries the exact signed bytes: what arrives is what was signed', async () => {
    const record = await signed(await key())
    const outer = SignedAnnouncement.decode(record.signed)
    assert.deepEqual(Announcement.decode(outer.payload).nickname, 'server-a')
    const opened = await openAnnouncement(record.signed, { grid: 'test', now: T0 })
    assert.deepEqual(opened.signed, record.signed)
  })

  const cases: Array<{ name: string, action: 'reject' | 'ignore', code: string, make: () => Promise<Uint8Array>, service?: string, now?: number }> = [
    {
      name: 'a payload changed after signing',
      action: 'reject',
      code: 'bad-signature',
      make: async () => {
        const record = await signed(await key())
        const outer = SignedAnnouncement.decode(record.signed)
        const payload = Announcement.decode(outer.payload)
        payload.nickname = 'server-b'
        return SignedAnnouncement.encode({ payload: Announcement.encode(payload), signature: outer.signature })
      }
    },
    {
      name: 'a record claiming another identity, signed by the forger',
      action: 'reject',
      code: 'bad-signature',
      make: async () => forge({ publicKey: (await key()).publicKey.raw as Uint8Array<ArrayBuffer> }, await key())
    },
    { name: 'a signature of the wrong length', action: 'reject', code: 'bad-signature', make: async () => {
      const outer = SignedAnnouncement.decode((await signed(await key())).signed)
      return SignedAnnouncement.encode({ payload: outer.payload, signature: outer.signature.subarray(0, 10) })
    } },
    { name: 'no signature', action: 'reject', code: 'bad-signature', make: async () => {
      const outer = SignedAnnouncement.decode((await signed(await key())).signed)
      return SignedAnnouncement.encode({ payload: outer.payload, signature: new Uint8Array() })
    } },
    { name: 'a missing public key', action: 'reject', code: 'bad-key', make: async () => forge({ publicKey: new Uint8Array() }, await key()) },
    { name: 'a missing seqnum', action: 'reject', code: 'missing-seqnum', make: async () => forge({ seqnum: 0n }, await key()) },
    { name: 'another grid', action: 'reject', code: 'wrong-grid', make: async () => (await signed(await key(), { grid: 'other' })).signed },
    { name: 'another service than the topic', action: 'reject', code: 'wrong-service', service: 'download_storage', make: async () => (await signed(await key())).signed },
    { name: 'an invalid service name', action: 'reject', code: 'bad-service-name', make: async () => forge({ service: 'Upload Storage' }, await key()) },
    { name: 'a TTL of zero', action: 'reject', code: 'bad-ttl', make: async () => forge({ ttlMs: 0 }, await key()) },
    { name: 'garbage multiaddr bytes', action: 'reject', code: 'bad-multiaddr', make: async () => forge({ multiaddrs: [new Uint8Array([0xff, 0xff, 0xff])] }, await key()) },
    { name: 'too many fields', action: 'reject', code: 'over-limits', make: async () => forge({ fields: new Map(Array.from({ length: 40 }, (_, i) => [`k${i}`, 'v'])) }, await key()) },
    { name: 'an oversized nickname', action: 'reject', code: 'over-limits', make: async () => forge({ nickname: 'x'.repeat(200) }, await key()) },
    { name: 'random bytes', action: 'reject', code: 'malformed', make: async () => new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0x0f]) },
    { name: 'bytes over the size limit', action: 'reject', code: 'too-large', make: async () => new Uint8Array(MAX_SIGNED_ANNOUNCEMENT_BYTES + 1) },
    { name: 'an issue time far in the future', action: 'ignore', code: 'from-future', make: async () => (await signed(await key(), { issuedAtMs: T0 + MAX_CLOCK_SKEW_MS + 1 })).signed },
    { name: 'a record dated further back than its TTL and the skew bound', action: 'ignore', code: 'expired', now: T0 + MAX_CLOCK_SKEW_MS + 60_000, make: async () => (await signed(await key())).signed }
  ]

  for (const c of cases) {
    it(`refuses ${c.name} (${c.action}: ${c.code})`, async () => {
      const err = await rejection(open(await c.make(), c.service, c.now))
      assert.equal(err.action, c.action)
      assert.equal(err.code, c.code)
    })
  }

  it('refuses to sign content over the limits', async () => {
    const err = await rejection(signAnnouncement(content({ fields: { big: 'x'.repeat(2000) } }), await key()))
    assert.equal(err.code, 'over-limits')
    const tooBig = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, 'x'.repeat(1000)]))
    assert.equal((await rejection(signAnnouncement(content({ fields: tooBig }), await key()))).code, 'too-large')
  })

  it('expires by the receiver\'s clock: receipt + TTL - age, capped at issuedAt + skew bound + TTL', () => {
    assert.equal(expiresAt({ issuedAtMs: T0, ttlMs: 1000 }, T0 + 500), T0 + 1500, 'gossip: age 0')
    assert.equal(expiresAt({ issuedAtMs: T0, ttlMs: 1000 }, T0 + 500, 300), T0 + 1200, 'sync: the holder\'s age')
    assert.equal(expiresAt({ issuedAtMs: T0, ttlMs: 1000 }, T0, 5000), T0, 'an age past the TTL is the TTL')
    assert.equal(expiresAt({ issuedAtMs: T0, ttlMs: 1000 }, T0, -5000), T0 + 1000, 'a negative age is 0')
    assert.equal(expiresAt({ issuedAtMs: T0, ttlMs: 1000 }, T0 + 10 * MAX_CLOCK_SKEW_MS), T0 + MAX_CLOCK_SKEW_MS + 1000, 'the cap')
    // a record dated in the future (clock skew) lives TTL from when it arrived
    assert.equal(expiresAt({ issuedAtMs: T0 + 10_000, ttlMs: 1000 }, T0), T0 + 1000)
    assert.equal(clockOffsetMs({ issuedAtMs: T0 + 10_000, ttlMs: 1000 }, T0), 10_000)
    assert.equal(clockOffsetMs({ issuedAtMs: T0, ttlMs: 60_000 }, T0 + 5000, 5000), 0, 'age accounted for')
  })

  // a receiver whose clock is off by `offset` from the publisher's: issue #10 measured a
  // node at -10 min seeing nobody and one at +1 h invisible and blind
  for (const offset of [-10 * 60_000, 60 * 60_000, -24 * 3_600_000, 24 * 3_600_000, -48 * 3_600_000, 48 * 3_600_000]) {
    it(`takes a fresh record when the receiver's clock is ${offset / 60_000} min off, and keeps it one TTL`, async () => {
      const record = await signed(await key(), { issuedAtMs: T0, ttlMs: 15 * 60_000 })
      const now = T0 + offset
      const opened = await openAnnouncement(record.signed, { grid: 'test', service: 'upload_storage', now })
      assert.equal(expiresAt(opened.announcement, now), now + 15 * 60_000)
      assert.equal(clockOffsetMs(opened.announcement, now), -offset)
    })
  }

  it('refuses, by the skew bound alone, a record from further in the future or past than two clocks 24 h off', async () => {
    const record = await signed(await key(), { issuedAtMs: T0, ttlMs: 60_000 })
    const ahead = await rejection(open(record.signed, undefined, T0 - MAX_CLOCK_SKEW_MS - 1))
    assert.equal(ahead.code, 'from-future')
    assert.ok(MAX_CLOCK_SKEW_MS > 48 * 3_600_000)
    const behind = await rejection(open(record.signed, undefined, T0 + MAX_CLOCK_SKEW_MS + 60_000))
    assert.equal(behind.code, 'expired')
    // an age that uses up the TTL
    const aged = await rejection(openAnnouncement(record.signed, { grid: 'test', now: T0, ageMs: 60_000 }))
    assert.equal(aged.code, 'expired')
  })
})
