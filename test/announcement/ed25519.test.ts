/**
 * The Ed25519 rule (protocol.md §5.2) on edge cases that implementations treat
 * differently. `rule` is what verifyEd25519 must answer: libsodium 1.0.18's
 * crypto_sign_verify_detached gave these answers for the same bytes. `openssl` is what
 * @libp2p/crypto alone answers in Node (OpenSSL behind node:crypto): where the two
 * differ, verifyEd25519's own checks make the difference, and the test shows that they
 * are needed. The vectors are in helpers/ed25519-vectors.ts (and protocol.md §14.8).
 * verifyEd25519 (signatures.ts) must give the same answers alone (checked on this
 * thread) and in a batch (checked on worker threads and this one).
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import { hasSmallOrder, isCanonicalPoint, isCanonicalScalar, publicKeyProblem, verifyEd25519Now } from '../../src/announcement/ed25519.js'
import { openAnnouncement } from '../../src/announcement/record.js'
import { packChecks, unpackChecks } from '../../src/announcement/signature-pack.js'
import { BUSY_BATCHES, BUSY_WINDOW_MS, CHUNK_CHECKS, INLINE_CHECKS, signatureChecksMade, verifyEd25519 } from '../../src/announcement/signatures.js'
import { AnnouncementRejection } from '../../src/announcement/rejection.js'
import { Announcement, SignedAnnouncement } from '../../src/pb/announcement.js'
import { announcementFields, key, T0 } from '../helpers/records.js'
import { ED25519_VECTORS, ID, KEY, ZERO } from '../helpers/ed25519-vectors.js'

const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'))

describe('Ed25519 verification rule', () => {
  for (const [what, pk, sig, msg, rule, openssl] of ED25519_VECTORS) {
    it(`${what}: ${rule ? 'valid' : 'invalid'}${rule !== openssl ? ` (OpenSSL alone: ${openssl ? 'valid' : 'invalid'})` : ''}`, async () => {
      const message = new TextEncoder().encode(msg)
      assert.equal(verifyEd25519Now(bytes(pk), message, bytes(sig)), rule)
      assert.equal(await verifyEd25519(bytes(pk), message, bytes(sig)), rule)
      assert.equal(await publicKeyFromRaw(bytes(pk)).verify(message, bytes(sig)), openssl)
    })
  }

  it('gives the same answers for a batch, checked on worker threads and this one, in order', async () => {
    const copies = Math.ceil((2 * CHUNK_CHECKS + 1) / ED25519_VECTORS.length)
    const batch = Array.from({ length: copies }, () => ED25519_VECTORS).flat()
    assert.ok(batch.length > INLINE_CHECKS)
    const before = signatureChecksMade()
    const answers = await Promise.all(batch.map(async ([, pk, sig, msg]) => verifyEd25519(bytes(pk), new TextEncoder().encode(msg), bytes(sig))))
    assert.deepEqual(answers, batch.map(([, , , , rule]) => rule))
    const after = signatureChecksMade()
    assert.equal(after.onWorkers - before.onWorkers + after.here - before.here, batch.length)
    assert.ok(after.onWorkers - before.onWorkers >= CHUNK_CHECKS, `at least a chunk on the workers (${after.onWorkers - before.onWorkers})`)
  })

  it('checks one at a time at once while quiet; under a stream of single checks gathers them, sharing them with the workers', async () => {
    const [, pk, sig, msg, rule] = ED25519_VECTORS[0]
    const one = async (): Promise<boolean> => verifyEd25519(bytes(pk), new TextEncoder().encode(msg), bytes(sig))
    // quiet: a single check is made before the next turn of the event loop
    await new Promise(resolve => setTimeout(resolve, 2 * BUSY_WINDOW_MS))
    let answered = false
    void one().then(() => { answered = true })
    await new Promise(resolve => setImmediate(resolve))
    assert.ok(answered, 'answered within the same turn')
    // a stream, many more than BUSY_BATCHES: 8 checks a turn, each asked for by its own
    // callback (as messages read from the network are), so microtasks run between them
    const before = signatureChecksMade()
    const answers: Array<Promise<boolean>> = []
    for (let round = 0; round < (4 * BUSY_BATCHES) / 8; round++) {
      await new Promise<void>(resolve => {
        let left = 8
        for (let k = 0; k < 8; k++) setImmediate(() => { answers.push(one()); if (--left === 0) resolve() })
      })
    }
    assert.ok((await Promise.all(answers)).every(a => a === rule))
    const after = signatureChecksMade()
    assert.equal(after.here + after.onWorkers - before.here - before.onWorkers, 4 * BUSY_BATCHES)
    assert.ok(after.onWorkers > before.onWorkers, 'some were checked on a worker thread')
  })

  it('packs checks for a worker and unpacks them unchanged, refusing lengths that do not add up', () => {
    const checks = [[bytes(KEY), new Uint8Array(0), bytes(ID + ZERO)], [new Uint8Array(31), Uint8Array.of(1, 2, 3), new Uint8Array(64)]] as const
    assert.deepEqual(unpackChecks(packChecks(checks)), checks)
    const packed = packChecks(checks)
    assert.throws(() => unpackChecks({ lengths: packed.lengths.subarray(1), bytes: packed.bytes }), /three per check/)
    assert.throws(() => unpackChecks({ lengths: packed.lengths, bytes: packed.bytes.subarray(1) }), /add up to more than/)
  })

  it('classifies keys: canonical, small order, and what publicKeyProblem says', () => {
    assert.equal(publicKeyProblem(bytes(KEY)), undefined)
    assert.match(publicKeyProblem(bytes(ID)) ?? '', /small order/)
    assert.match(publicKeyProblem(bytes('f0' + 'ff'.repeat(30) + '7f')) ?? '', /canonical/)
    assert.match(publicKeyProblem(new Uint8Array(31)) ?? '', /31 bytes/)
    assert.equal(isCanonicalPoint(bytes('ec' + 'ff'.repeat(30) + '7f')), true) // p - 1
    assert.equal(isCanonicalPoint(bytes('ed' + 'ff'.repeat(30) + '7f')), false) // p
    assert.equal(isCanonicalPoint(bytes('ed' + 'ff'.repeat(30) + 'ff')), false) // p, sign bit set
    // all 8 points of small order, with either sign bit, are recognised
    for (const y of [ZERO, ID, '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', 'ec' + 'ff'.repeat(30) + '7f']) {
      const point = bytes(y)
      assert.ok(hasSmallOrder(point), y)
      point[31] |= 0x80
      assert.ok(hasSmallOrder(point), `${y} with the sign bit`)
    }
    assert.equal(hasSmallOrder(bytes(KEY)), false)
    const L = bytes('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010')
    assert.equal(isCanonicalScalar(L), false)
    L[0]--
    assert.equal(isCanonicalScalar(L), true)
  })

  it('compares scalars with L and points with p as bigints would, near the bounds and at random', () => {
    const L = 2n ** 252n + 27742317777372353535851937790883648493n
    const P = 2n ** 255n - 19n
    const toBytes = (n: bigint): Uint8Array => Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn))
    const value = (b: Uint8Array): bigint => b.reduceRight((n, byte) => (n << 8n) | BigInt(byte), 0n)
    const samples: Uint8Array[] = []
    for (const near of [L, P, 2n ** 255n, 2n ** 256n - 1n]) {
      for (let d = -3n; d <= 3n; d++) {
        if (near + d >= 0n && near + d < 2n ** 256n) samples.push(toBytes(near + d))
      }
    }
    for (let i = 0; i < 2000; i++) {
      const b = randomBytes(32)
      // random values mostly exceed L; also draw below and around it
      if (i % 3 === 0) b[31] &= 0x1f
      if (i % 3 === 1) b.set(toBytes(L).subarray(i % 31 + 1), i % 31 + 1)
      samples.push(Uint8Array.from(b))
    }
    for (const b of samples) {
      const hex = Buffer.from(b).toString('hex')
      assert.equal(isCanonicalScalar(b), value(b) < L, `scalar ${hex}`)
      assert.equal(isCanonicalPoint(b), (value(b) & (2n ** 255n - 1n)) < P, `point ${hex}`)
    }
  })

  it('refuses a record "signed" for the identity key, which anyone can make for any payload (bad-key)', async () => {
    // R = identity, S = 0 verifies for A = identity whatever the message: OpenSSL takes it
    const payload = Announcement.encode(announcementFields({ publicKey: bytes(ID) as Uint8Array<ArrayBuffer> }, await key()))
    const record = SignedAnnouncement.encode({ payload, signature: bytes(ID + ZERO) as Uint8Array<ArrayBuffer> })
    await assert.rejects(openAnnouncement(record, { grid: 'test', now: T0 }),
      (err: unknown) => err instanceof AnnouncementRejection && err.action === 'reject' && err.code === 'bad-key')
  })
})
