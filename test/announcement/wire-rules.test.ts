/**
 * The wire rules of a signed payload (protocol.md §4.2, §5.1): how `fields` are counted
 * and which value a repeated key keeps, the wire-format grammar (a known field of the
 * wrong wire type, loose varints, invalid UTF-8, groups), `/p2p/` components in
 * multiaddrs, and `availableSpace` written when 0.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { MAX_FIELDS, MAX_MULTIADDRS, openAnnouncement, signAnnouncement, signAnnouncementPayload } from '../../src/announcement/record.js'
import { AnnouncementRejection } from '../../src/announcement/rejection.js'
import { Announcement, SignedAnnouncement } from '../../src/pb/announcement.js'
import { announcementFields, content, key, T0 } from '../helpers/records.js'
import { concat, lenField, tag, varint, WIRE_I32, WIRE_LEN, WIRE_SGROUP, WIRE_EGROUP, WIRE_VARINT } from '../fuzz/fuzz-kit.js'
import type { PrivateKey } from '@libp2p/interface'

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)
const entry = (k: string, v: string): Uint8Array => lenField(14, concat(lenField(1, utf8(k)), lenField(2, utf8(v))))

/** A valid payload of `signer` followed by `extra` raw protobuf bytes, signed by `signer`. */
async function signedWith (signer: PrivateKey, extra: Uint8Array, fields: Partial<Announcement> = {}): Promise<Uint8Array> {
  const payload = concat(Announcement.encode(announcementFields(fields, signer)), extra)
  const signature = await signAnnouncementPayload(payload, signer)
  return SignedAnnouncement.encode({ payload: payload as Uint8Array<ArrayBuffer>, signature: signature as Uint8Array<ArrayBuffer> })
}

async function outcome (bytes: Uint8Array): Promise<string> {
  try {
    await openAnnouncement(bytes, { grid: 'test', service: 'upload_storage', now: T0 })
    return 'accepted'
  } catch (err) {
    assert.ok(err instanceof AnnouncementRejection, String(err))
    return `${err.action}: ${err.code}`
  }
}

describe('wire rules of a signed payload', () => {
  it(`counts fields by distinct keys: ${MAX_FIELDS} keys in ${MAX_FIELDS + 1} entries are taken, and the last value of a key wins`, async () => {
    const k = await key()
    const distinct = Array.from({ length: MAX_FIELDS }, (_, i) => entry(`k${i}`, `v${i}`))
    // the repeat after all 32 distinct keys (the decoder used to stop there), and early
    for (const bytes of [concat(...distinct, entry('k0', 'last')), concat(entry('k0', 'first'), entry('k0', 'last'), ...distinct.slice(1))]) {
      const opened = await openAnnouncement(await signedWith(k, bytes), { grid: 'test', now: T0 })
      assert.equal(Object.keys(opened.fields).length, MAX_FIELDS)
      assert.equal(opened.fields.k0, 'last')
    }
    assert.equal(await outcome(await signedWith(k, concat(...distinct, entry('k32', 'v')))), 'reject: over-limits')
    assert.equal(await outcome(await signedWith(k, concat(...Array.from({ length: MAX_MULTIADDRS + 1 }, () => lenField(11, multiaddr('/ip4/127.0.0.1/tcp/1').bytes))))), 'reject: over-limits')
  })

  const wrong: Array<[string, Uint8Array]> = [
    ['a varint nonce (field 5 is bytes)', concat(tag(5, WIRE_VARINT), varint(1))],
    ['readonly as a fixed32 (field 12 is a varint)', concat(tag(12, WIRE_I32), new Uint8Array([1, 0, 0, 0]))],
    // protons read 60000 as the ttl; a strict decoder reads a length of 60000, past the end
    ['ttlMs with the wire type of bytes (field 7 is a varint)', concat(tag(7, WIRE_LEN), varint(60_000))],
    ['a map entry key as a varint', lenField(14, concat(tag(1, WIRE_VARINT), varint(5), lenField(2, utf8('v'))))],
    ['readonly as a 10-byte varint of 2^32 (protons read false, others true)', concat(tag(12, WIRE_VARINT), varint(2n ** 32n))],
    ['ttlMs above 2^32 - 1', concat(tag(7, WIRE_VARINT), varint(2n ** 32n + 60_000n))],
    ['a 7-byte varint tag', concat(new Uint8Array([0xe0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]), varint(60_000))],
    ['a length varint longer than 5 bytes', concat(tag(8, WIRE_LEN), new Uint8Array([0x81, 0x80, 0x80, 0x80, 0x80, 0x00]), utf8('x'))],
    ['an unknown varint of 11 bytes', concat(tag(99, WIRE_VARINT), new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]))],
    ['field number 0', concat(tag(0, WIRE_VARINT), varint(1))],
    ['an unknown group, closed', concat(tag(99, WIRE_SGROUP), tag(99, WIRE_EGROUP))],
    ['a nickname that is not UTF-8', lenField(8, new Uint8Array([0x61, 0xff, 0xfe]))],
    ['a map value that is not UTF-8 (a lone surrogate)', lenField(14, concat(lenField(1, utf8('k')), lenField(2, new Uint8Array([0xed, 0xa0, 0x80]))))],
    ['issuedAtMs above 2^53 - 1', concat(tag(6, WIRE_VARINT), varint(2n ** 53n))]
  ]
  for (const [name, extra] of wrong) {
    it(`refuses, signed by the publisher itself, ${name} (reject: malformed)`, async () => {
      assert.equal(await outcome(await signedWith(await key(), extra)), 'reject: malformed')
    })
  }

  it('takes what the grammar allows: unknown fields of every wire type, over-long varints, repeated scalars (the last wins)', async () => {
    const k = await key()
    const extra = concat(
      tag(99, WIRE_VARINT), varint(2n ** 64n - 1n),
      tag(100, 1), new Uint8Array(8),
      lenField(101, new Uint8Array([0xff, 0xff])), // unknown bytes need not be UTF-8
      tag(102, WIRE_I32), new Uint8Array(4),
      tag(7, WIRE_VARINT), new Uint8Array([0xc0, 0xa9, 0x87, 0x80, 0x00]), // ttlMs 120000, over-long
      tag(12, WIRE_VARINT), varint(0) // readonly written as its default
    )
    const opened = await openAnnouncement(await signedWith(k, extra), { grid: 'test', now: T0 })
    assert.equal(opened.announcement.ttlMs, 120_000)
    assert.equal(opened.announcement.readonly, false)
  })

  it('takes multiaddrs with /p2p/ of the publisher, or of a relay before /p2p-circuit; refuses one naming another peer', async () => {
    const k = await key()
    const self = peerIdFromPrivateKey(k).toString()
    const other = peerIdFromPrivateKey(await key()).toString()
    const ok = [`/ip4/127.0.0.1/tcp/1/p2p/${self}`, `/ip4/127.0.0.1/tcp/2/p2p/${other}/p2p-circuit/p2p/${self}`, `/ip4/127.0.0.1/tcp/3/p2p/${other}/p2p-circuit`, '/ip4/127.0.0.1/tcp/4']
    const opened = await openAnnouncement((await signAnnouncement(content({ multiaddrs: ok.map(a => multiaddr(a)) }), k)).signed, { grid: 'test', now: T0 })
    assert.deepEqual(opened.multiaddrs.map(String), ok)
    for (const bad of [`/ip4/127.0.0.1/tcp/1/p2p/${other}`, `/ip4/127.0.0.1/tcp/1/p2p/${other}/p2p/${self}`, `/ip4/127.0.0.1/tcp/2/p2p/${self}/p2p-circuit/p2p/${other}`]) {
      const record = await signedWith(k, new Uint8Array(), { multiaddrs: [multiaddr(bad).bytes] })
      assert.equal(await outcome(record), 'reject: bad-multiaddr', bad)
      await assert.rejects(signAnnouncement(content({ multiaddrs: [multiaddr(bad)] }), k), (err: unknown) => err instanceof AnnouncementRejection && err.code === 'bad-multiaddr')
    }
  })

  it('writes availableSpace whenever it is given, 0 included, and leaves it out when unknown', async () => {
    const k = await key()
    const payloadOf = async (availableSpace?: number): Promise<Uint8Array> =>
      SignedAnnouncement.decode((await signAnnouncement(content({ availableSpace }), k)).signed).payload
    const zero = await payloadOf(0)
    const unknown = await payloadOf(undefined)
    // field 13, varint: tag 0x68, then 0x00
    assert.equal(zero.byteLength, unknown.byteLength + 2)
    assert.deepEqual([...zero.subarray(zero.byteLength - 2)], [0x68, 0x00])
    assert.equal(Announcement.decode(zero).availableSpace, 0)
    assert.equal(Announcement.decode(unknown).availableSpace, undefined)
  })
})
