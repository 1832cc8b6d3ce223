/**
 * Dedupe at read time (src/tahoe/carried-peers.ts): the same Tahoe server carried by
 * several gateways is one entry, the one with the highest Tahoe seqnum.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { NONCE_BYTES, openAnnouncement, signAnnouncement } from '../../src/announcement/record.js'
import { PeerTable, type ServicePeer } from '../../src/peer-table.js'
import { verifyTahoeAnnouncement, type SignedTahoeAnnouncement } from '../../src/tahoe/announcement.js'
import { carriageOf, carriedContent, deriveCarrier, TAHOE_STORAGE_SERVICE } from '../../src/tahoe/carriage.js'
import { dedupeCarried, tahoeAnnouncementOf, tahoeServerIdOf } from '../../src/tahoe/carried-peers.js'
import { TahoeSigner } from '../helpers/tahoe-signer.js'
import type { PrivateKey } from '@libp2p/interface'

const GRID = 'test'

/** Offers to `table` the record gateway `node` makes for `signed`. */
async function carry (table: PeerTable, node: PrivateKey, signed: SignedTahoeAnnouncement, issuedAtMs = Date.now()): Promise<void> {
  const ann = verifyTahoeAnnouncement(signed)
  const c = carriedContent(ann)
  const carrier = await deriveCarrier(node, ann.keyId)
  const record = await signAnnouncement({
    grid: GRID, service: TAHOE_STORAGE_SERVICE, seqnum: BigInt(issuedAtMs), nonce: randomBytes(NONCE_BYTES), issuedAtMs, ttlMs: 60_000,
    nickname: c.nickname, version: c.version, permutationSeed: c.permutationSeed, multiaddrs: [], readonly: false, fields: c.fields,
    withdrawn: false, tahoe: carriageOf(signed, carrier)
  }, carrier.key)
  table.offer(await openAnnouncement(record.signed, { grid: GRID, now: Date.now() }))
}

const ids = (peers: ServicePeer[]): Array<string | undefined> => peers.map(tahoeServerIdOf)

describe('dedupeCarried', () => {
  it('one entry per Tahoe server: the highest Tahoe seqnum, whichever gateway carries it', async () => {
    const table = new PeerTable()
    const [g1, g2, g3] = await Promise.all([1, 2, 3].map(async () => generateKeyPair('Ed25519')))
    const s = new TahoeSigner()
    const t = new TahoeSigner()
    await carry(table, g1, s.storage(4, { nickname: 'old' }))
    await carry(table, g2, s.storage(5, { nickname: 'new' }))
    await carry(table, g3, s.storage(4, { nickname: 'old' }))
    await carry(table, g1, t.storage(1, { nickname: 't' }))
    const all = table.getPeers(TAHOE_STORAGE_SERVICE)
    assert.equal(all.length, 4, 'the table holds one entry per (gateway, server)')
    const shown = dedupeCarried(all)
    assert.equal(shown.length, 2)
    assert.deepEqual(new Set(ids(shown)), new Set([s.keyId, t.keyId]))
    const best = shown.find(p => tahoeServerIdOf(p) === s.keyId) as ServicePeer
    assert.equal(best.nickname, 'new')
    assert.equal(best.fields['tahoe-seqnum'], '5')
    assert.equal(verifyTahoeAnnouncement(tahoeAnnouncementOf(best) as SignedTahoeAnnouncement).seqnum, 5n, 'the carried bytes are the seqnum-5 announcement')
  })

  it('on equal Tahoe seqnums, the entry that expires last; entries that carry nothing pass through', async () => {
    const table = new PeerTable()
    const [g1, g2] = await Promise.all([1, 2].map(async () => generateKeyPair('Ed25519')))
    const s = new TahoeSigner()
    const signed = s.storage(9)
    await carry(table, g1, signed, Date.now() - 10_000)
    await carry(table, g2, signed)
    const all = table.getPeers(TAHOE_STORAGE_SERVICE)
    const shown = dedupeCarried(all)
    assert.equal(shown.length, 1)
    assert.equal(shown[0].expiresAt, Math.max(...all.map(p => p.expiresAt)))
    const native = { ...all[0], record: { ...all[0].record, announcement: { ...all[0].record.announcement, tahoe: undefined } } }
    assert.equal(dedupeCarried([native, native]).length, 2)
    assert.deepEqual(dedupeCarried([]), [])
  })
})
