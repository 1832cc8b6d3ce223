import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import { Tub } from '../../src/foolscap/tub.js'
import { Tuple } from '../../src/foolscap/values.js'
import {
  TahoeAnnouncementError, TahoeIntroducerClient, TahoeIntroducerServer, encodeTubIdentity, generateTubIdentity,
  type SignedTahoeAnnouncement, type VerifiedTahoeAnnouncement
} from '../../src/tahoe/index.js'
import { waitFor } from '../helpers/wait.js'

// Signed by Tahoe 1.17.1 (test/fixtures/tahoe/announcements.json): seqnums 3, 3', 2, 4, 4, "6".
const F = JSON.parse(readFileSync('test/fixtures/tahoe/announcements.json', 'utf8')) as { sequence: string[][], cases: Array<{ name: string, msg: string, sig: string, key: string }> }
const signed = ([m, s, k]: string[]): SignedTahoeAnnouncement => ({ msg: Buffer.from(m, 'hex'), sig: Buffer.from(s), key: Buffer.from(k) })
const SEQ = F.sequence.map(signed)
const other = F.cases.find(c => c.name === 'other-good') as { msg: string, sig: string, key: string }
const OTHER = { msg: Buffer.from(other.msg, 'hex'), sig: Buffer.from(other.sig), key: Buffer.from(other.key) }

describe('TahoeIntroducerServer and TahoeIntroducerClient in one process', () => {
  const published: VerifiedTahoeAnnouncement[] = []
  const received: VerifiedTahoeAnnouncement[] = []
  const identity = encodeTubIdentity(generateTubIdentity())
  const server = new TahoeIntroducerServer({ port: 0, tubIdentity: identity, swissnum: 'abcdefgh', onAnnouncement: a => { published.push(a) } })
  let client: TahoeIntroducerClient

  before(async () => {
    await server.start()
    client = new TahoeIntroducerClient({ furl: server.furl, onAnnouncement: a => { received.push(a) } })
  })
  after(async () => {
    await client.stop()
    await server.stop()
  })

  it('hands an announcement given to announce() to a later subscriber, once', async () => {
    assert.equal(server.announce(SEQ[0]), 'new')
    assert.equal(server.announce(SEQ[0]), 'duplicate')
    client.start()
    await waitFor('the held announcement', () => received.length === 1, 10_000)
    assert.equal(received[0].seqnum, 3n)
    assert.deepEqual(Buffer.from(received[0].signed.msg), Buffer.from(SEQ[0].msg), 'the signed bytes arrive unchanged')
    assert.equal(server.subscriberCount('storage'), 1)
  })

  it('sends a newer seqnum to current subscribers, and refuses an older one or a forgery', async () => {
    assert.equal(server.announce(SEQ[2]), 'old-seqnum')
    assert.equal(server.announce(SEQ[3]), 'updated')
    await waitFor('the update', () => received.length === 2, 10_000)
    assert.equal(received[1].seqnum, 4n)
    const forged = { ...SEQ[3], msg: Buffer.from(Buffer.from(SEQ[3].msg).toString().replace('"seqnum": 4', '"seqnum": 9')) }
    assert.throws(() => server.announce(forged), (e: TahoeAnnouncementError) => e.code === 'bad-signature')
    assert.throws(() => server.announce({ ...SEQ[3], key: OTHER.key }), { name: TahoeAnnouncementError.NAME })
    assert.equal(server.announcements('storage')[0].seqnum, 4n)
  })

  it('gives publish_v2 announcements to onAnnouncement and refuses bad ones with an error answer', async () => {
    const tub = new Tub({ identity: generateTubIdentity() })
    try {
      const ref = await tub.getReference(server.furl)
      await ref.callRemote('publish_v2', { announcement: new Tuple([OTHER.msg, OTHER.sig, OTHER.key]), canary: null })
      await assert.rejects(ref.callRemote('publish_v2', { announcement: new Tuple([OTHER.msg, OTHER.sig, SEQ[0].key]), canary: null }))
      await assert.rejects(ref.callRemote('publish_v2', { announcement: 'not a tuple', canary: null }))
      assert.equal(published.length, 1)
      assert.equal(published[0].keyId, OTHER.key.toString())
      await waitFor('the client to hear of it', () => received.length === 3, 10_000)
    } finally {
      await tub.stop()
    }
  })

  it('forgets a server for new subscribers only', async () => {
    assert.equal(server.forget(OTHER.key.toString()), 1)
    const late: VerifiedTahoeAnnouncement[] = []
    const c2 = new TahoeIntroducerClient({ furl: server.furl, onAnnouncement: a => { late.push(a) } })
    c2.start()
    try {
      await waitFor('the late subscriber', () => server.subscriberCount('storage') === 2, 10_000)
      await waitFor('its announcements', () => late.length === 1, 10_000)
      assert.equal(late[0].keyId, SEQ[0].key.toString())
      assert.equal(client.announcements().length, 2, 'the first client still holds both (as Tahoe clients do)')
    } finally {
      await c2.stop()
    }
  })

  it('keeps its FURL across a restart with the same identity and swissnum', async () => {
    const again = new TahoeIntroducerServer({ port: 0, tubIdentity: identity, swissnum: 'abcdefgh' })
    await again.start()
    try {
      assert.equal(again.tubId, server.tubId)
      assert.equal(again.furl.replace(/:\d+\//, ':P/'), server.furl.replace(/:\d+\//, ':P/'))
    } finally {
      await again.stop()
    }
  })
})
