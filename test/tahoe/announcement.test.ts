import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { verifyTahoeAnnouncement, type SignedTahoeAnnouncement } from '../../src/tahoe/announcement.js'
import { AnnouncementTable } from '../../src/tahoe/announcement-table.js'
import { TahoeAnnouncementError } from '../../src/tahoe/errors.js'

// Recorded with Tahoe 1.17.1: sign_to_foolscap() for a fixed key, variants of the triple,
// and what unsign_from_foolscap() said about each.
interface Case { name: string, msg: string, sig: string, key: string, tahoe: { ok: boolean, key?: string, isDict?: boolean, seqnumRepr?: string | null, error?: string } }
const F = JSON.parse(readFileSync('test/fixtures/tahoe/announcements.json', 'utf8')) as { key: string, cases: Case[], sequence: string[][] }
const triple = (msg: string, sig: string, key: string): SignedTahoeAnnouncement => ({
  msg: Buffer.from(msg, 'hex'), sig: Buffer.from(sig, 'latin1'), key: Buffer.from(key, 'latin1')
})

// Where we knowingly refuse what Tahoe accepts (docs/tahoe.md): JSON that is not an object
// with a service-name string (Tahoe fails later, on ann["service-name"]), and NaN.
const STRICTER = new Set(['signed-json-list', 'signed-nan'])

describe('Tahoe announcement verification', () => {
  for (const c of F.cases) {
    it(`${c.name}: ${c.tahoe.ok ? 'accepted' : `refused (${c.tahoe.error})`} as Tahoe does`, () => {
      const t = triple(c.msg, c.sig, c.key)
      if (!c.tahoe.ok || STRICTER.has(c.name)) {
        assert.throws(() => verifyTahoeAnnouncement(t), { name: TahoeAnnouncementError.NAME })
        return
      }
      const v = verifyTahoeAnnouncement(t)
      assert.equal(v.keyId, c.tahoe.key)
      if (c.tahoe.seqnumRepr === 'True') assert.equal(v.seqnum, 1n)
      else if (c.tahoe.seqnumRepr !== undefined && /^-?\d+$/.test(c.tahoe.seqnumRepr ?? '')) assert.equal(v.seqnum, BigInt(c.tahoe.seqnumRepr as string))
      else assert.equal(v.seqnum, undefined)
    })
  }

  it('parses the fields of a storage announcement and keeps the exact bytes', () => {
    const c = F.cases.find(x => x.name === 'good') as Case
    const t = triple(c.msg, c.sig, c.key)
    const v = verifyTahoeAnnouncement(t)
    assert.equal(v.signed, t)
    assert.equal(v.serviceName, 'storage')
    assert.equal(v.nickname, 'storage\u00e91')
    assert.equal(v.myVersion, 'tahoe-lafs/1.17.1')
    assert.equal(v.seqnum, 3n)
    assert.match(v.anonymousStorageFurl ?? '', /^pb:\/\//)
    assert.equal(v.permutationSeedBase32, F.key.slice(3))
    assert.equal(typeof v.nonce, 'string')
  })

  it('names the rule an announcement broke', () => {
    const code = (name: string): string => {
      const c = F.cases.find(x => x.name === name) as Case
      try {
        verifyTahoeAnnouncement(triple(c.msg, c.sig, c.key))
      } catch (e) {
        return (e as TahoeAnnouncementError).code
      }
      return 'accepted'
    }
    assert.equal(code('tampered-msg'), 'bad-signature')
    assert.equal(code('wrong-key'), 'bad-signature')
    assert.equal(code('no-key-prefix'), 'unknown-key')
    assert.equal(code('short-key'), 'bad-key')
    assert.equal(code('signed-not-json'), 'bad-json')
    assert.equal(code('signed-not-utf8'), 'bad-json')
    assert.equal(code('signed-json-list'), 'not-a-dict')
  })
})

describe("Tahoe's replacement rule", () => {
  const seq = F.sequence.map(([m, s, k]) => verifyTahoeAnnouncement(triple(m, s, k)))

  it('keeps one announcement per (service, key): equal is a duplicate, only a greater seqnum replaces', () => {
    const table = new AnnouncementTable(10)
    // sequence: seqnum 3, 3 with another nickname, 2, 4, 4 again, 5 with seqnum "6" (a string)
    assert.equal(table.offer(seq[0]), 'new')
    assert.equal(table.offer(seq[0]), 'duplicate')
    assert.equal(table.offer(seq[1]), 'old-seqnum')
    assert.equal(table.offer(seq[2]), 'old-seqnum')
    assert.equal(table.offer(seq[3]), 'updated')
    assert.equal(table.offer(seq[4]), 'duplicate')
    assert.equal(table.offer(seq[5]), 'no-seqnum')
    assert.equal(table.list('storage').length, 1)
    assert.equal(table.list('storage')[0].seqnum, 4n)
    assert.equal(table.list('helper').length, 0)
  })

  it('forgets a key, and is bounded', () => {
    const table = new AnnouncementTable(1)
    assert.equal(table.offer(seq[0]), 'new')
    const other = F.cases.find(x => x.name === 'other-good') as Case
    assert.equal(table.offer(verifyTahoeAnnouncement(triple(other.msg, other.sig, other.key))), 'table-full')
    assert.equal(table.forget(seq[0].keyId), 1)
    assert.equal(table.size, 0)
  })
})
