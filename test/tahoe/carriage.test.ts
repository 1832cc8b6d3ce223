/**
 * Tahoe announcements as gossip records (src/tahoe/carriage.ts): the mapping every
 * validator recomputes, the carrier keys, and the validator's refusals.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import {
  NONCE_BYTES, openAnnouncement, signAnnouncement, type AnnouncementContent
} from '../../src/announcement/record.js'
import { checkAdmission, resolveAdmission } from '../../src/announcement/admission.js'
import { Announcement, type TahoeCarriage } from '../../src/pb/announcement.js'
import { verifyTahoeAnnouncement, type SignedTahoeAnnouncement } from '../../src/tahoe/announcement.js'
import {
  carriageOf, carriedContent, deriveCarrier, NotCarriedError, tahoePermutationSeed, truncateUtf8, TAHOE_STORAGE_SERVICE, type Carrier
} from '../../src/tahoe/carriage.js'
import { base32Encode } from '../../src/foolscap/base32.js'
import { forge as forgeRecord } from '../helpers/records.js'
import { TahoeSigner } from '../helpers/tahoe-signer.js'
import type { PrivateKey } from '@libp2p/interface'

const GRID = 'test'
const now = Date.now()

function content (signed: SignedTahoeAnnouncement, carrier: Carrier, over: Partial<AnnouncementContent> = {}): AnnouncementContent {
  const c = carriedContent(verifyTahoeAnnouncement(signed))
  return {
    grid: GRID,
    service: TAHOE_STORAGE_SERVICE,
    seqnum: 1n,
    nonce: randomBytes(NONCE_BYTES),
    issuedAtMs: now,
    ttlMs: 60_000,
    nickname: c.nickname,
    version: c.version,
    permutationSeed: c.permutationSeed,
    multiaddrs: [],
    readonly: false,
    fields: c.fields,
    withdrawn: false,
    tahoe: carriageOf(signed, carrier),
    ...over
  }
}

/** Signs an Announcement as given, with none of signAnnouncement's checks (a forger's record). */
async function forge (key: PrivateKey, a: Partial<Announcement> & { tahoe?: TahoeCarriage }): Promise<Uint8Array> {
  return forgeRecord({ grid: GRID, service: TAHOE_STORAGE_SERVICE, nonce: randomBytes(NONCE_BYTES), issuedAtMs: now, ...a }, key)
}

/** The Announcement a genuine carrying record would hold, as a starting point for forgeries. */
function genuine (signed: SignedTahoeAnnouncement, carrier: Carrier): Partial<Announcement> & { tahoe: TahoeCarriage } {
  const c = carriedContent(verifyTahoeAnnouncement(signed))
  return {
    nickname: c.nickname,
    version: c.version,
    permutationSeed: c.permutationSeed as Uint8Array<ArrayBuffer>,
    fields: new Map(Object.entries(c.fields)),
    tahoe: carriageOf(signed, carrier)
  }
}

const open = async (signed: Uint8Array): ReturnType<typeof openAnnouncement> => openAnnouncement(signed, { grid: GRID, now })
const badTahoe = { name: 'AnnouncementRejection', action: 'reject', code: 'bad-tahoe' }

describe('Tahoe carriage: the record content of a Tahoe announcement', () => {
  const server = new TahoeSigner()

  it('takes nickname, version, FURL, server id, seqnum and the announced permutation seed', () => {
    const seed = randomBytes(20)
    const c = carriedContent(verifyTahoeAnnouncement(server.storage(7, { 'permutation-seed-base32': base32Encode(seed), nickname: 'n1' })))
    assert.equal(c.service, 'tahoe-storage')
    assert.equal(c.nickname, 'n1')
    assert.equal(c.version, 'tahoe-lafs/1.17.1')
    assert.deepEqual(Buffer.from(c.permutationSeed), seed)
    assert.deepEqual(c.fields, {
      'tahoe-server-id': server.keyId,
      'tahoe-seqnum': '7',
      'anonymous-storage-FURL': 'pb://aaaabbbbccccddddeeeeffffgggghhhh@tcp:127.0.0.1:1/swissnum'
    })
  })

  it("falls back to the server's raw key for the seed, as Tahoe does, and omits a missing seqnum", () => {
    const ann = verifyTahoeAnnouncement(server.storage(undefined, { 'permutation-seed-base32': undefined }))
    assert.deepEqual(Buffer.from(tahoePermutationSeed(ann)), Buffer.from(server.rawPublicKey))
    assert.equal(carriedContent(ann).fields['tahoe-seqnum'], undefined)
  })

  it('refuses to carry other services, unusable seeds and FURLs over 1 KiB', () => {
    for (const extra of [{ 'service-name': 'helper' }, { 'permutation-seed-base32': 'NOT-BASE32' }, { 'anonymous-storage-FURL': 'pb://' + 'x'.repeat(1100) }]) {
      assert.throws(() => carriedContent(verifyTahoeAnnouncement(server.storage(1, extra))), { name: NotCarriedError.NAME }, JSON.stringify(extra).slice(0, 60))
    }
  })

  it('cuts nicknames and versions to 128 UTF-8 bytes at a character boundary', () => {
    const long = 'é'.repeat(100)
    const c = carriedContent(verifyTahoeAnnouncement(server.storage(1, { nickname: long })))
    assert.equal(c.nickname, 'é'.repeat(64))
    assert.equal(truncateUtf8('ab€', 4), 'ab')
  })
})

describe('Tahoe carriage: carrier keys and records', () => {
  const server = new TahoeSigner()

  it('derives the same carrier key for the same node and server, another for another of either', async () => {
    const node = await generateKeyPair('Ed25519')
    const other = await generateKeyPair('Ed25519')
    const a = await deriveCarrier(node, server.keyId)
    assert.ok((await deriveCarrier(node, server.keyId)).key.publicKey.equals(a.key.publicKey))
    assert.ok(!(await deriveCarrier(node, new TahoeSigner().keyId)).key.publicKey.equals(a.key.publicKey))
    assert.ok(!(await deriveCarrier(other, server.keyId)).key.publicKey.equals(a.key.publicKey))
    assert.deepEqual(Buffer.from(a.gatewayPublicKey), Buffer.from(node.publicKey.raw))
  })

  it('a genuine carrying record verifies, with the Tahoe bytes unchanged; so does its withdrawal', async () => {
    const carrier = await deriveCarrier(await generateKeyPair('Ed25519'), server.keyId)
    const signed = server.storage(3)
    const record = await open((await signAnnouncement(content(signed, carrier), carrier.key)).signed)
    assert.deepEqual(Buffer.from(record.announcement.tahoe?.msg ?? []), Buffer.from(signed.msg))
    assert.equal(record.fields['anonymous-storage-FURL'], 'pb://aaaabbbbccccddddeeeeffffgggghhhh@tcp:127.0.0.1:1/swissnum')
    const withdrawal = await signAnnouncement(content(signed, carrier, { seqnum: 2n, withdrawn: true, fields: {} }), carrier.key)
    assert.equal((await open(withdrawal.signed)).announcement.withdrawn, true)
  })

  it('signing refuses what validators would refuse: content not from the announcement, tahoe-storage without one', async () => {
    const carrier = await deriveCarrier(await generateKeyPair('Ed25519'), server.keyId)
    const signed = server.storage(3)
    await assert.rejects(signAnnouncement(content(signed, carrier, { nickname: 'other' }), carrier.key), badTahoe)
    await assert.rejects(signAnnouncement(content(signed, carrier, { tahoe: undefined }), carrier.key), badTahoe)
    await assert.rejects(signAnnouncement(content(signed, carrier, { service: 'upload_storage' }), carrier.key), badTahoe)
  })
})

describe('Tahoe carriage: the validator refuses forgeries at the first hop', () => {
  const server = new TahoeSigner()
  const impostor = new TahoeSigner()

  it('a tampered message, a wrong key or a wrong signature in the Tahoe announcement', async () => {
    const carrier = await deriveCarrier(await generateKeyPair('Ed25519'), server.keyId)
    const signed = server.storage(5)
    const base = genuine(signed, carrier)
    const tampered = Buffer.from(signed.msg)
    tampered[tampered.indexOf('127.0.0.1')] ^= 1
    const cases: Array<[string, TahoeCarriage]> = [
      ['tampered msg', { ...base.tahoe, msg: tampered }],
      ['wrong key', { ...base.tahoe, key: Buffer.from(impostor.keyId) }],
      ['signature of another message', { ...base.tahoe, sig: server.storage(6).sig as Uint8Array<ArrayBuffer> }],
      ['signed by someone else', { ...base.tahoe, sig: impostor.sign(signed.msg).sig as Uint8Array<ArrayBuffer> }]
    ]
    for (const [name, tahoe] of cases) {
      await assert.rejects(open(await forge(carrier.key, { ...base, tahoe })), badTahoe, name)
    }
    await open(await forge(carrier.key, base)) // the untouched forgery kit makes a valid record
  })

  it('native content that differs from the announcement (a FURL, seed or nickname of its own)', async () => {
    const carrier = await deriveCarrier(await generateKeyPair('Ed25519'), server.keyId)
    const base = genuine(server.storage(5), carrier)
    const furl = new Map(base.fields)
    furl.set('anonymous-storage-FURL', 'pb://zzzzbbbbccccddddeeeeffffgggghhhh@tcp:10.0.0.1:1/evil')
    const extra = new Map(base.fields)
    extra.set('more', 'x')
    for (const [name, over] of [
      ['FURL', { fields: furl }], ['extra field', { fields: extra }], ['seed', { permutationSeed: randomBytes(32) }],
      ['nickname', { nickname: 'evil' }], ['multiaddrs', { multiaddrs: [new Uint8Array([4, 127, 0, 0, 1, 6, 0, 1])] }]
    ] as const) {
      await assert.rejects(open(await forge(carrier.key, { ...base, ...over } as Partial<Announcement>)), badTahoe, name)
    }
  })

  it('a binding not made by the gateway for this record key, or a tahoe-storage record without a Tahoe announcement', async () => {
    const node = await generateKeyPair('Ed25519')
    const carrier = await deriveCarrier(node, server.keyId)
    const base = genuine(server.storage(5), carrier)
    const thief = await generateKeyPair('Ed25519')
    // the genuine binding copied under another key
    await assert.rejects(open(await forge(thief, base)), badTahoe, 'copied binding')
    // a gateway key that never signed it
    const otherGateway = await generateKeyPair('Ed25519')
    await assert.rejects(open(await forge(carrier.key, { ...base, tahoe: { ...base.tahoe, gatewayPublicKey: otherGateway.publicKey.raw as Uint8Array<ArrayBuffer> } })), badTahoe, 'other gateway')
    await assert.rejects(open(await forge(carrier.key, { ...base, tahoe: undefined })), badTahoe, 'no announcement')
    await assert.rejects(open(await forge(carrier.key, { ...base, service: 'upload_storage' })), badTahoe, 'on another service')
  })

  it('grid admission admits a carrying record as the gateway it is bound to', async () => {
    const node = await generateKeyPair('Ed25519')
    const carrier = await deriveCarrier(node, server.keyId)
    const record = await open((await signAnnouncement(content(server.storage(1), carrier), carrier.key)).signed)
    await checkAdmission(record, resolveAdmission({ publishers: [peerIdFromPrivateKey(node).toString()] })!, now)
    await assert.rejects(checkAdmission(record, resolveAdmission({ publishers: [peerIdFromPrivateKey(carrier.key).toString()] })!, now), { code: 'not-admitted' })
  })
})
