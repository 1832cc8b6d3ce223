/**
 * The test vectors of protocol.md §14, recomputed from their stated inputs and compared
 * with the hex in the document (each block follows a `<!-- vector: NAME -->` line), so
 * that the document and the code cannot drift apart. `VECTORS_PRINT=1` prints them.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { signCertificate, checkAdmission, resolveAdmission } from '../../src/announcement/admission.js'
import { openAnnouncement, signAnnouncement, type AnnouncementContent } from '../../src/announcement/record.js'
import { messageId } from '../../src/gossip/message-id.js'
import { SyncPage, SyncRequest } from '../../src/pb/sync.js'
import { Sync2Accept, Sync2Open, Sync2Reconcile, Sync2Records } from '../../src/pb/sync2.js'
import { ItemSet } from '../../src/sync/reconcile/item-set.js'
import { syncItemOf } from '../../src/sync/reconcile/item.js'
import { Reconciler } from '../../src/sync/reconcile/reconciler.js'
import { concat, varint } from '../fuzz/fuzz-kit.js'
import { ED25519_VECTORS } from '../helpers/ed25519-vectors.js'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const fill = (byte: number, n: number): Uint8Array => new Uint8Array(n).fill(byte)
const T = 1_700_000_000_000

const doc = readFileSync('docs/protocol.md', 'utf8')

/** The hex of the block after `<!-- vector: name -->`, whitespace removed. */
function documented (name: string): string {
  const match = new RegExp(`<!-- vector: ${name} -->\\n\`\`\`\\n([\\s\\S]*?)\`\`\``).exec(doc)
  assert.ok(match != null, `protocol.md has a block for vector ${name}`)
  return match[1].replace(/\s+/g, '')
}

/** `hex` in lines of 84 characters, as the document shows it. */
function lines (h: string): string {
  return h.match(/.{1,84}/g)!.join('\n')
}

async function compute (): Promise<Record<string, string>> {
  const publisher = await generateKeyPairFromSeed('Ed25519', fill(0x07, 32))
  const manager = await generateKeyPairFromSeed('Ed25519', fill(0x09, 32))
  const base: AnnouncementContent = {
    grid: 'example',
    service: 'upload_storage',
    seqnum: BigInt(T),
    nonce: fill(0xaa, 16),
    issuedAtMs: T,
    ttlMs: 900_000,
    nickname: 'alice',
    version: 'gossip-introducer/0.1.0',
    permutationSeed: new Uint8Array(),
    multiaddrs: [multiaddr('/ip4/127.0.0.1/tcp/4001')],
    readonly: false,
    availableSpace: 1_000_000_000,
    fields: {},
    withdrawn: false
  }
  const plain = await signAnnouncement(base, publisher)
  const certificate = await signCertificate(manager, {
    grid: 'example', subject: peerIdFromPrivateKey(publisher).toString(), services: ['upload_storage', 'download_storage'], expiresAtMs: 1_800_000_000_000
  })
  const rich = await signAnnouncement({
    ...base,
    service: 'download_storage',
    seqnum: BigInt(T + 1),
    nonce: fill(0xbb, 16),
    permutationSeed: fill(0x05, 32),
    multiaddrs: [multiaddr(`/ip4/127.0.0.1/tcp/4001/p2p/${peerIdFromPrivateKey(publisher).toString()}`)],
    readonly: true,
    availableSpace: 0,
    fields: { region: 'eu', tier: 'gold' },
    certificate
  }, publisher)
  const withdrawal = await signAnnouncement({
    ...base,
    seqnum: BigInt(T + 2),
    nonce: fill(0xcc, 16),
    issuedAtMs: T + 60_000,
    multiaddrs: [],
    withdrawn: true
  }, publisher)
  const frame = (bytes: Uint8Array): Uint8Array => concat(varint(bytes.byteLength), bytes)
  // every record opens, and the certificate admits the rich one, at T
  for (const r of [plain, rich, withdrawal]) {
    await openAnnouncement(r.signed, { grid: 'example', now: T + 60_000 })
  }
  await checkAdmission(rich, resolveAdmission({ gridManagers: [peerIdFromPrivateKey(manager).toString()] })!, T)
  const sync2 = sync2Frames([plain, rich], [withdrawal], withdrawal.signed)
  return {
    ...Object.fromEntries(Object.entries(sync2).map(([name, bytes]) => [name, hex(frame(bytes))])),
    'peer-id-bytes': hex(peerIdFromPrivateKey(publisher).toMultihash().bytes),
    'announcement-payload': hex(signedPayload(plain.signed)),
    'announcement-signature': hex(plain.signed.subarray(plain.signed.byteLength - 64)),
    'announcement-message-id': hex(messageId({ data: plain.signed })),
    certificate: hex(certificate),
    'rich-record': hex(rich.signed),
    'withdrawal-record': hex(withdrawal.signed),
    'sync-request-frame': hex(frame(SyncRequest.encode({ grid: 'example', services: ['upload_storage', 'download_storage', 'introducer'], maxRecordsPerPage: 256 }))),
    'sync-page-frame': hex(frame(SyncPage.encode({ records: [plain.signed as Uint8Array<ArrayBuffer>], done: true })))
  }
}

/**
 * §14.9: one sync 2.0.0 exchange, by the real reconcilers. The initiator holds
 * `initiator`, the responder `responder`, both reconcile upload_storage and
 * download_storage; the frames are the Open, the responder's Accept, the initiator's
 * answer, and the responder's Records frame carrying `record` (1 s old).
 */
function sync2Frames (initiator: VerifiedAnnouncementLike[], responder: VerifiedAnnouncementLike[], record: Uint8Array): Record<string, Uint8Array> {
  const services = new Set(['upload_storage', 'download_storage'])
  const items = (records: VerifiedAnnouncementLike[]): ItemSet => ItemSet.of(records.map(r => syncItemOf({ ...r.announcement, signed: r.signed })))
  const a = new Reconciler(items(initiator), { services })
  const b = new Reconciler(items(responder), { services })
  const open = { grid: 'example', services: [...services], ranges: a.initiate(), offered: [], takesOffers: true }
  const accept = { notShared: [], ranges: b.receive(open.ranges).reply ?? [], offered: [], wanted: [] }
  const answer = a.receive(accept.ranges)
  assert.equal(answer.done, true, 'the initiator\'s DIFF ends reconciliation')
  const reconcile = { ranges: answer.reply ?? [], wanted: [] }
  assert.equal(b.receive(reconcile.ranges).done, true)
  assert.equal(b.result().theyNeed.length, 1, 'the responder sends its one newer record')
  return {
    'sync2-open-frame': Sync2Open.encode(open),
    'sync2-accept-frame': Sync2Accept.encode(accept),
    'sync2-reconcile-frame': Sync2Reconcile.encode(reconcile),
    'sync2-records-frame': Sync2Records.encode({ records: [{ record: record as Uint8Array<ArrayBuffer>, ageMs: 1000 }], done: true })
  }
}

type VerifiedAnnouncementLike = Awaited<ReturnType<typeof signAnnouncement>>

/** The payload field of an encoded SignedAnnouncement (field 1, first in its canonical form). */
function signedPayload (signed: Uint8Array): Uint8Array {
  let length = 0
  let i = 1
  for (let shift = 0; ; shift += 7) {
    const byte = signed[i++]
    length |= (byte & 0x7f) << shift
    if (byte < 0x80) break
  }
  return signed.subarray(i, i + length)
}

describe('protocol.md test vectors', () => {
  it('every vector block in §14 is what the code computes from its inputs', async () => {
    const computed = await compute()
    if (process.env.VECTORS_PRINT != null) {
      for (const [name, value] of Object.entries(computed)) {
        process.stdout.write(`<!-- vector: ${name} -->\n\`\`\`\n${lines(value)}\n\`\`\`\n(${value.length / 2} bytes)\n\n`)
      }
    }
    for (const [name, value] of Object.entries(computed)) {
      assert.equal(documented(name), value, `vector ${name}`)
    }
  })

  it('the peer id of the vector key is the one the document names', async () => {
    const publisher = await generateKeyPairFromSeed('Ed25519', fill(0x07, 32))
    const id = peerIdFromPrivateKey(publisher).toString()
    assert.equal(id, '12D3KooWRawPbxPtP1eZaJpumGnyWX2DcUyd3RQnydr3eAto4Az7')
    assert.ok(doc.includes(id))
  })

  it('every Ed25519 edge case of ed25519.test.ts is in the document with its outcome', () => {
    for (const [what, pk, sig, msg, rule, openssl] of ED25519_VECTORS) {
      // | case | public key | signature | message | rule | OpenSSL |
      const row = doc.split('\n').map(line => line.split('|').map(cell => cell.trim()))
        .find(cells => cells[2] === `\`${pk}\`` && cells[3] === `\`${sig}\`` && cells[4] === `\`${msg}\``)
      assert.ok(row != null, `a row for ${what}`)
      assert.deepEqual(row.slice(5, 7), [rule ? 'valid' : 'invalid', openssl ? 'valid' : 'invalid'], what)
    }
  })
})
