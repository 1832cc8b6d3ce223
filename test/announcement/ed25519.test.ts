/**
 * The Ed25519 rule (protocol.md §5.2) on edge cases that implementations treat
 * differently. `rule` is what verifyEd25519 must answer: libsodium 1.0.18's
 * crypto_sign_verify_detached gave these answers for the same bytes. `openssl` is what
 * @libp2p/crypto alone answers in Node (OpenSSL behind node:crypto): where the two
 * differ, verifyEd25519's own checks make the difference, and the test shows that they
 * are needed. Vectors made with @noble/curves from the key of seed 07 × 32 (§14.2).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import { hasSmallOrder, isCanonicalPoint, isCanonicalScalar, publicKeyProblem, verifyEd25519 } from '../../src/announcement/ed25519.js'
import { openAnnouncement } from '../../src/announcement/record.js'
import { AnnouncementRejection } from '../../src/announcement/rejection.js'
import { Announcement, SignedAnnouncement } from '../../src/pb/announcement.js'
import { announcementFields, key, T0 } from '../helpers/records.js'

const KEY = 'ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c'
const ID = '01' + '00'.repeat(31)
const ZERO = '00'.repeat(32)
const VALID = 'df3a64622779a1a91598b539254567af6f35d68f1d275d647f5689d53238bc809e92f66038650b1a4e929f6eb64359ecb139ae91f7f404a3ec9a4a1db5de240b'

/** [what, public key, signature, message (UTF-8), rule, openssl] */
export const ED25519_VECTORS: Array<[string, string, string, string, boolean, boolean]> = [
  ['a valid signature', KEY, VALID, 'vector', true, true],
  ['S + L (S not reduced)', KEY, 'df3a64622779a1a91598b539254567af6f35d68f1d275d647f5689d53238bc808b66ecbd52c81d72242f9711953d3801b239ae91f7f404a3ec9a4a1db5de241b', 'vector', false, false],
  ['A = identity, R = identity, S = 0', ID, ID + ZERO, 'vector', false, true],
  ['A = identity encoded as y = p + 1 (non-canonical)', 'ee' + 'ff'.repeat(30) + '7f', ID + ZERO, 'vector', false, true],
  ['A = identity with the sign bit of x set', '01' + '00'.repeat(30) + '80', ID + ZERO, 'vector', false, true],
  ['A of order 8, R = identity, S = 0', 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', ID + ZERO, 't8-0', false, true],
  ['A = identity, R = identity encoded as y = p + 1', ID, 'ee' + 'ff'.repeat(30) + '7f' + ZERO, 'vector', false, false],
  ['R = identity, S = k·a (made with the private key)', KEY, ID + 'ad8b5c8b0778cebabb46ad61d5e5433207e100afacdc2f069a21143a1a50be0a', 'vector', false, true],
  ['R with a component of order 8 (cofactored verifiers accept)', KEY, '6a84d583f06569edb3f5ed77df65544b27d6948b4f0b2cb76f33dd8413b207198475e0e8a5362729c526acd4acff7bcbc26128fbdee6f44067492778b5e82b04', 'vector', false, false],
  ['A with a component of order 8, 8 ∤ k', '1f4f580e73ac208f06760190e9edc6f5916775dabd9c1cdca393175c2d6d1083', '7db0dc9222f3c183457ddde4c708de8e5ea6bf3d5c4404cca14b32729a05c32a3c0b47434a555264e397cfec8a0be9ff9e83a11f5b715e56ed5bde9f7ad2250a', 'mixed-0', false, false],
  ['A with a component of order 8, 8 | k', '1f4f580e73ac208f06760190e9edc6f5916775dabd9c1cdca393175c2d6d1083', '7db0dc9222f3c183457ddde4c708de8e5ea6bf3d5c4404cca14b32729a05c32aa016c68444428e67acfe083705281772cd2865e36971ea8c2a685aa5d8e3be0a', 'mixed-7', true, true],
  ['A not on the curve (y = 2)', '02' + '00'.repeat(31), VALID, 'vector', false, false],
  ['A encoded as y = p + 3 (non-canonical, not small order)', 'f0' + 'ff'.repeat(30) + '7f', VALID, 'vector', false, false]
]

const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'))

describe('Ed25519 verification rule', () => {
  for (const [what, pk, sig, msg, rule, openssl] of ED25519_VECTORS) {
    it(`${what}: ${rule ? 'valid' : 'invalid'}${rule !== openssl ? ` (OpenSSL alone: ${openssl ? 'valid' : 'invalid'})` : ''}`, async () => {
      const message = new TextEncoder().encode(msg)
      assert.equal(await verifyEd25519(bytes(pk), message, bytes(sig)), rule)
      assert.equal(await publicKeyFromRaw(bytes(pk)).verify(message, bytes(sig)), openssl)
    })
  }

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

  it('refuses a record "signed" for the identity key, which anyone can make for any payload (bad-key)', async () => {
    // R = identity, S = 0 verifies for A = identity whatever the message: OpenSSL takes it
    const payload = Announcement.encode(announcementFields({ publicKey: bytes(ID) as Uint8Array<ArrayBuffer> }, await key()))
    const record = SignedAnnouncement.encode({ payload, signature: bytes(ID + ZERO) as Uint8Array<ArrayBuffer> })
    await assert.rejects(openAnnouncement(record, { grid: 'test', now: T0 }),
      (err: unknown) => err instanceof AnnouncementRejection && err.action === 'reject' && err.code === 'bad-key')
  })
})
