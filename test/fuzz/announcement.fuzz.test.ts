/**
 * Fuzzes the announcement decoder and signature check (openAnnouncement): random bytes,
 * truncations, mutations of valid records, lying length prefixes, repeated fields, wrong
 * wire types and oversize input. Invariants:
 * - nothing but an AnnouncementRejection ever escapes;
 * - a mutated record that still opens has the very payload and signature of the record
 *   it came from (only bytes outside what is signed changed);
 * - the heap does not grow with the number of cases.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import type { PrivateKey } from '@libp2p/interface'
import { MAX_FIELDS, MAX_MULTIADDRS, MAX_SIGNED_ANNOUNCEMENT_BYTES, openAnnouncement, signAnnouncementPayload, type VerifiedAnnouncement } from '../../src/announcement/record.js'
import { AnnouncementRejection } from '../../src/announcement/rejection.js'
import { Announcement, SignedAnnouncement } from '../../src/pb/announcement.js'
import { announcementFields, forge, signed, T0 } from '../helpers/records.js'
import {
  cases, concat, seededKey, equalBytes, hex, heapUsed, lenField, lyingLenField, MiB, mutate, prngFor, repeat, report, tag, Tally, varint,
  WIRE_EGROUP, WIRE_I32, WIRE_I64, WIRE_LEN, WIRE_SGROUP, WIRE_VARINT, type Prng
} from './fuzz-kit.js'

const GRID = 'test'

interface Original {
  signed: Uint8Array
  payload: Uint8Array
  signature: Uint8Array
  service: string
}

type Outcome = { accepted: VerifiedAnnouncement } | { code: string, action: string }

/** Failures collected across a target, reported together with the seed. */
class Failures {
  readonly list: string[] = []

  add (what: string, input: Uint8Array): void {
    if (this.list.length < 5) {
      this.list.push(`${what}; input ${hex(input.subarray(0, 96))}${input.byteLength > 96 ? `… (${input.byteLength} bytes)` : ''}`)
    } else {
      this.list.push(what)
    }
  }

  assertNone (): void {
    assert.deepEqual(this.list.slice(0, 5), [], `${this.list.length} invariant violations`)
  }
}

async function open (bytes: Uint8Array, failures: Failures, service?: string): Promise<Outcome> {
  try {
    return { accepted: await openAnnouncement(bytes, { grid: GRID, service, now: T0 }) }
  } catch (err) {
    if (err instanceof AnnouncementRejection) {
      return { code: err.code, action: err.action }
    }
    failures.add(`escaped ${String(err)}`, bytes)
    return { code: 'ESCAPED', action: 'none' }
  }
}

async function originals (): Promise<Original[]> {
  const rng = prngFor('announcement/originals')
  const key = async (): Promise<PrivateKey> => seededKey(rng)
  const records = await Promise.all([
    signed(await key()),
    signed(await key(), { service: 'download_storage', seqnum: 99n, nickname: '' }),
    signed(await key(), {
      fields: { region: 'eu', tier: 'gold', 'a.b': 'x'.repeat(100) },
      availableSpace: 2 ** 40,
      readonly: true,
      permutationSeed: new Uint8Array(32).fill(9),
      multiaddrs: [multiaddr('/ip4/127.0.0.1/tcp/1'), multiaddr('/ip6/::1/tcp/2/ws'), multiaddr('/dns4/example.com/tcp/443/wss')]
    }),
    signed(await key(), { withdrawn: true, seqnum: 2n ** 63n, multiaddrs: [] }),
    signed(await key(), {
      service: 'helper',
      multiaddrs: Array.from({ length: MAX_MULTIADDRS }, (_, i) => multiaddr(`/ip4/10.0.0.${i}/tcp/${1000 + i}`)),
      fields: Object.fromEntries(Array.from({ length: MAX_FIELDS }, (_, i) => [`k${i}`, `v${i}`]))
    })
  ])
  return records.map(r => {
    const outer = SignedAnnouncement.decode(r.signed)
    return { signed: r.signed, payload: outer.payload, signature: outer.signature, service: r.announcement.service }
  })
}

/** A payload with valid content around `middle` (raw protobuf fields), signed by a fresh key. */
async function signedPayload (middle: Uint8Array, rng: Prng): Promise<Uint8Array> {
  const k = await seededKey(rng)
  const head = Announcement.encode(announcementFields({ grid: GRID, seqnum: BigInt(rng.range(1, 1000)) }, k))
  const payload = concat(head, middle)
  const signature = await signAnnouncementPayload(payload, k)
  return concat(lenField(1, payload), lenField(2, signature))
}

describe('fuzz: announcement decoder and signature check', () => {
  it('random bytes never escape as anything but a rejection, and are never accepted', async () => {
    const rng = prngFor('announcement/random')
    const failures = new Failures()
    const tally = new Tally()
    const n = cases(0.3, 100)
    const started = performance.now()
    const heap0 = heapUsed()
    for (let i = 0; i < n; i++) {
      let bytes: Uint8Array
      switch (rng.int(4)) {
        case 0: bytes = rng.bytes(rng.int(300)); break
        case 1: bytes = rng.bytes(rng.range(300, MAX_SIGNED_ANNOUNCEMENT_BYTES)); break
        // a well-framed outer message around random content: reaches the inner decoder
        case 2: bytes = concat(lenField(1, rng.bytes(rng.int(400))), lenField(2, rng.bytes(rng.pick([0, 63, 64, 65])))); break
        default: bytes = rng.bytes(rng.range(MAX_SIGNED_ANNOUNCEMENT_BYTES + 1, 3 * MAX_SIGNED_ANNOUNCEMENT_BYTES)); break
      }
      const outcome = await open(bytes, failures)
      if ('accepted' in outcome) {
        failures.add('random bytes accepted', bytes)
        tally.add('ACCEPTED')
      } else {
        tally.add(outcome.code)
        if (bytes.byteLength > MAX_SIGNED_ANNOUNCEMENT_BYTES && outcome.code !== 'too-large') {
          failures.add(`oversize input refused as ${outcome.code}, not too-large`, bytes)
        }
      }
    }
    const grown = heapUsed() - heap0
    report('announcement/random-bytes', n, started, tally)
    failures.assertNone()
    assert.equal(tally.total, n)
    assert.ok(tally.get('malformed') > 0 && tally.get('too-large') > 0, tally.toString())
    assert.ok(grown < 32 * MiB, `heap grew by ${(grown / MiB).toFixed(1)} MiB`)
  })

  it('every truncation of a valid record is refused', async () => {
    const failures = new Failures()
    const tally = new Tally()
    const started = performance.now()
    let n = 0
    for (const original of await originals()) {
      for (let len = 0; len < original.signed.byteLength; len++) {
        const bytes = original.signed.subarray(0, len)
        const outcome = await open(bytes, failures, original.service)
        n++
        if ('accepted' in outcome) {
          failures.add(`truncation to ${len} of ${original.signed.byteLength} accepted`, bytes)
          tally.add('ACCEPTED')
        } else {
          tally.add(outcome.code)
        }
      }
    }
    report('announcement/truncations', n, started, tally)
    failures.assertNone()
    assert.ok(n > 1000, `${n} truncations`)
    // a cut inside the signature leaves a decodable record with a bad signature
    assert.ok(tally.get('bad-signature') > 0 && tally.get('malformed') > 0, tally.toString())
  })

  it('a mutated record opens only when its payload and signature are unchanged', async () => {
    const rng = prngFor('announcement/mutations')
    const failures = new Failures()
    const tally = new Tally()
    const all = await originals()
    // the originals open, so a refusal below is caused by the mutation
    for (const o of all) {
      assert.ok('accepted' in await open(o.signed, failures, o.service))
    }
    const n = cases(1.0, 200)
    const started = performance.now()
    const heap0 = heapUsed()
    for (let i = 0; i < n; i++) {
      const original = rng.pick(all)
      // stack one to three mutations
      let bytes = original.signed
      let kinds = ''
      for (let m = rng.range(1, 3); m > 0; m--) {
        const mutation = mutate(rng, bytes)
        bytes = mutation.bytes
        kinds += `${mutation.kind} `
      }
      const outcome = await open(bytes, failures, original.service)
      if ('accepted' in outcome) {
        const outer = SignedAnnouncement.decode(bytes)
        if (!equalBytes(outer.payload, original.payload) || !equalBytes(outer.signature, original.signature)) {
          failures.add(`mutation (${kinds}) accepted with another payload or signature`, bytes)
        }
        if (!equalBytes(outcome.accepted.signed, bytes)) {
          failures.add('accepted record does not carry the bytes it was opened from', bytes)
        }
        tally.add(equalBytes(bytes, original.signed) ? 'accepted-unchanged' : 'accepted-same-payload')
      } else {
        tally.add(outcome.code)
      }
    }
    const grown = heapUsed() - heap0
    report('announcement/mutations', n, started, tally)
    failures.assertNone()
    // the mutations reach every layer: decoder, shape checks and the signature
    assert.ok(tally.get('malformed') > 0, tally.toString())
    assert.ok(tally.get('bad-signature') > n / 20, tally.toString())
    assert.ok(grown < 32 * MiB, `heap grew by ${(grown / MiB).toFixed(1)} MiB`)
  })

  it('length prefixes claiming gigabytes or more are refused', async () => {
    const rng = prngFor('announcement/huge-lengths')
    const failures = new Failures()
    const tally = new Tally()
    const started = performance.now()
    const claims = [2n ** 31n - 1n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 32n + 5n, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n, 2n ** 70n]
    const valid = (await originals())[2]
    const inner = Announcement.decode(valid.payload)
    const sig = rng.bytes(64)
    const framed = (payload: Uint8Array): Uint8Array => concat(lenField(1, payload), lenField(2, sig))
    const makers: Array<[string, (claim: bigint) => Uint8Array]> = [
      ['outer payload', c => concat(lyingLenField(1, c, valid.payload.subarray(0, 20)))],
      ['outer signature', c => concat(lenField(1, valid.payload), lyingLenField(2, c, sig))],
      ['inner grid', c => framed(lyingLenField(1, c, new TextEncoder().encode(GRID)))],
      ['inner nickname after valid fields', c => framed(concat(valid.payload, lyingLenField(8, c, new Uint8Array(10))))],
      ['inner multiaddr', c => framed(concat(valid.payload, lyingLenField(11, c, inner.multiaddrs[0])))],
      ['inner map entry', c => framed(concat(valid.payload, lyingLenField(14, c, lenField(1, new Uint8Array([0x61]))))) ],
      ['map key inside an entry', c => framed(concat(valid.payload, lenField(14, lyingLenField(1, c, new Uint8Array([0x61])))))],
      ['unknown field', c => framed(concat(valid.payload, lyingLenField(99, c, new Uint8Array(3))))]
    ]
    let n = 0
    for (const [where, make] of makers) {
      for (const claim of claims) {
        const bytes = make(claim)
        const outcome = await open(bytes, failures, valid.service)
        n++
        if ('accepted' in outcome) {
          failures.add(`length ${claim} in ${where} accepted`, bytes)
        } else if (claim < 2n ** 32n && outcome.code !== 'malformed') {
          // the protobuf reader takes a length varint modulo 2^32 (as protobufjs does):
          // 2^32 reads as 0 and the rest decodes as other fields, which the signature or
          // the shape checks then refuse; a claim below 2^32 must fail in the decoder
          failures.add(`length ${claim} in ${where} refused as ${outcome.code}, not malformed`, bytes)
        }
        tally.add('accepted' in outcome ? 'ACCEPTED' : outcome.code)
      }
    }
    // random positions: overwrite a length-sized run of a valid record with a huge varint
    const m = cases(0.05, 50)
    for (let i = 0; i < m; i++) {
      const at = rng.int(valid.signed.byteLength + 1)
      const bytes = concat(valid.signed.subarray(0, at), varint(rng.pick(claims)), valid.signed.subarray(at + rng.range(0, 3)))
      const outcome = await open(bytes, failures, valid.service)
      n++
      if ('accepted' in outcome) {
        // e.g. a 2^70 varint before the record reads as tag 0 plus a skipped varint
        const outer = SignedAnnouncement.decode(bytes)
        if (!equalBytes(outer.payload, valid.payload) || !equalBytes(outer.signature, valid.signature)) {
          failures.add('record with a huge varint spliced in accepted with another payload or signature', bytes)
        }
        tally.add('accepted-same-payload')
      } else {
        tally.add(outcome.code)
      }
    }
    report('announcement/huge-lengths', n, started, tally)
    failures.assertNone()
  })

  it('thousands of repeated fields within the size limit are bounded by the count limits', async () => {
    // fields 16 (certificate) and 17 (tahoe) are bytes and a message: this case once drew them
    const FIRST_UNKNOWN_FIELD = 18
    const rng = prngFor('announcement/repeated')
    const failures = new Failures()
    const tally = new Tally()
    const started = performance.now()
    const n = cases(0.02, 40)
    const heap0 = heapUsed()
    const emptyMultiaddr = lenField(11, new Uint8Array())
    const fieldEntry = (k: string): Uint8Array => lenField(14, concat(lenField(1, new TextEncoder().encode(k)), lenField(2, new Uint8Array([0x76]))))
    let sameKeyAccepted = 0
    for (let i = 0; i < n; i++) {
      const kind = i % 5
      let body: Uint8Array
      let expect: string
      switch (kind) {
        case 0: {
          // repeated multiaddrs, far more than MAX_MULTIADDRS: counted after decoding
          body = repeat(emptyMultiaddr, rng.range(MAX_MULTIADDRS + 1, 3500))
          expect = 'over-limits'
          break
        }
        case 1: {
          // distinct field keys, far more than MAX_FIELDS
          const count = rng.range(MAX_FIELDS + 1, 600)
          body = concat(...Array.from({ length: count }, (_, j) => fieldEntry(`k${j}`)))
          expect = 'over-limits'
          break
        }
        case 2: {
          // one key repeated hundreds of times: a map keeps the last, so it stays one field
          body = repeat(fieldEntry('k'), rng.range(500, 950))
          expect = 'accepted'
          break
        }
        case 3: {
          // a scalar repeated thousands of times: the last one wins
          body = repeat(concat(tag(7, WIRE_VARINT), varint(60_000)), rng.range(1000, 2500))
          expect = 'accepted'
          break
        }
        default: {
          // unknown fields repeated thousands of times (numbers above every field of
          // Announcement, announcement.proto: a known one with the wrong wire type is malformed)
          body = repeat(concat(tag(rng.range(FIRST_UNKNOWN_FIELD, 2000), WIRE_VARINT), varint(rng.int(1000))), rng.range(1000, 2000))
          expect = 'accepted'
          break
        }
      }
      const bytes = await signedPayload(body, rng)
      if (bytes.byteLength > MAX_SIGNED_ANNOUNCEMENT_BYTES) {
        expect = 'too-large'
      }
      const outcome = await open(bytes, failures, 'upload_storage')
      tally.add('accepted' in outcome ? `accepted(${kind})` : `${outcome.code}(${kind})`)
      // what a signer chose to repeat within the size limit is its valid record
      if ('accepted' in outcome ? expect !== 'accepted' : outcome.code !== expect) {
        failures.add(`repeated-field case ${kind}: expected ${expect}, got ${'accepted' in outcome ? 'accepted' : outcome.code}`, bytes)
      }
      if (kind === 2 && 'accepted' in outcome) {
        sameKeyAccepted++
        assert.equal(Object.keys(outcome.accepted.fields).length, 1)
      }
    }
    const grown = heapUsed() - heap0
    report('announcement/repeated-fields', n, started, tally)
    failures.assertNone()
    assert.ok(sameKeyAccepted > 0, tally.toString())
    assert.ok(grown < 32 * MiB, `heap grew by ${(grown / MiB).toFixed(1)} MiB`)
  })

  it('groups nested thousands deep are refused without overflowing anything', async () => {
    const rng = prngFor('announcement/nested-groups')
    const failures = new Failures()
    const tally = new Tally()
    const started = performance.now()
    const valid = (await originals())[0]
    const n = cases(0.005, 12)
    for (let i = 0; i < n; i++) {
      const depth = rng.range(100, 4000)
      // unknown field 3 (outer) or 99 (payload) opened as a group `depth` times, then
      // closed again or left open
      const closed = rng.chance(0.5)
      const inPayload = rng.chance(0.5)
      const field = inPayload ? 99 : 3
      const open_ = repeat(tag(field, WIRE_SGROUP), depth)
      const close = closed ? repeat(tag(field, WIRE_EGROUP), depth) : new Uint8Array()
      const bytes = inPayload
        ? concat(lenField(1, concat(valid.payload, open_, close)), lenField(2, valid.signature))
        : concat(valid.signed, open_, close)
      if (bytes.byteLength > MAX_SIGNED_ANNOUNCEMENT_BYTES) {
        continue
      }
      const outcome = await open(bytes, failures, valid.service)
      tally.add('accepted' in outcome ? `accepted(${inPayload ? 'payload' : 'outer'})` : outcome.code)
      if ('accepted' in outcome) {
        // closed groups after the signature are skipped as an unknown field: the signed
        // record is untouched; inside the payload they change what was signed
        const outer = SignedAnnouncement.decode(bytes)
        if (inPayload || !equalBytes(outer.payload, valid.payload) || !equalBytes(outer.signature, valid.signature)) {
          failures.add(`a record with groups nested ${depth} deep in the ${inPayload ? 'payload' : 'outer message'} was accepted`, bytes)
        }
      }
    }
    report('announcement/nested-groups', n, started, tally)
    failures.assertNone()
    assert.ok(tally.get('malformed') > 0, tally.toString())
  })

  /** Announcement fields 1-15 by number: the wire type announcement.proto gives each. */
  const DECLARED_WIRE_TYPE: Record<number, number> = {
    1: WIRE_LEN, 2: WIRE_LEN, 3: WIRE_LEN, 4: WIRE_VARINT, 5: WIRE_LEN, 6: WIRE_VARINT, 7: WIRE_VARINT, 8: WIRE_LEN,
    9: WIRE_LEN, 10: WIRE_LEN, 11: WIRE_LEN, 12: WIRE_VARINT, 13: WIRE_VARINT, 14: WIRE_LEN, 15: WIRE_VARINT
  }

  it('fields of the wrong wire type are refused as malformed, signed by the publisher or not', async () => {
    const rng = prngFor('announcement/wire-types')
    const failures = new Failures()
    const tally = new Tally()
    const started = performance.now()
    const valid = (await originals())[2]
    const ownKey = await seededKey(rng)
    const own = SignedAnnouncement.decode((await signed(ownKey)).signed)
    const bodyFor = (wireType: number): Uint8Array => {
      switch (wireType) {
        case WIRE_VARINT: return varint(rng.chance(0.5) ? rng.int(300) : 2n ** 63n)
        case WIRE_I64: return rng.bytes(8)
        case WIRE_LEN: return concat(varint(rng.int(20)), rng.bytes(rng.int(20)))
        case WIRE_I32: return rng.bytes(4)
        case WIRE_SGROUP: case WIRE_EGROUP: return rng.bytes(rng.int(4))
        default: return rng.bytes(rng.int(6))
      }
    }
    let n = 0
    const rounds = Math.max(1, Math.round(cases(0.1, 100) / (8 * 17)))
    for (let round = 0; round < rounds; round++) {
      for (let wireType = 0; wireType < 8; wireType++) {
        // outer fields 1 and 2 with the wrong type
        for (const field of [1, 2]) {
          const other = field === 1 ? lenField(2, valid.signature) : lenField(1, valid.payload)
          const bytes = concat(tag(field, wireType), bodyFor(wireType), other)
          const outcome = await open(bytes, failures, valid.service)
          n++
          tally.add('accepted' in outcome ? 'ACCEPTED' : outcome.code)
          if ('accepted' in outcome) {
            failures.add(`outer field ${field} with wire type ${wireType} accepted`, bytes)
          }
        }
        // each Announcement field with the wrong type, appended to a valid payload (so it
        // overrides or breaks it) and the original signature
        for (let field = 1; field <= 15; field++) {
          if (rng.chance(0.5) && wireType === WIRE_LEN) {
            continue
          }
          const extra = concat(tag(field, wireType), bodyFor(wireType))
          const payload = concat(valid.payload, extra)
          const bytes = concat(lenField(1, payload), lenField(2, valid.signature))
          const outcome = await open(bytes, failures, valid.service)
          n++
          tally.add('accepted' in outcome ? 'ACCEPTED' : outcome.code)
          if ('accepted' in outcome) {
            failures.add(`payload field ${field} with wire type ${wireType} accepted under the original signature`, bytes)
          }
          // the same field signed by the publisher itself: the decoder alone decides
          const ownPayload = concat(own.payload, extra)
          const resigned = concat(lenField(1, ownPayload), lenField(2, await signAnnouncementPayload(ownPayload, ownKey)))
          const decided = await open(resigned, failures, 'upload_storage')
          n++
          tally.add(`signed:${'accepted' in decided ? 'accepted' : decided.code}`)
          if (wireType !== DECLARED_WIRE_TYPE[field]) {
            // protons would read a known field whatever its wire type; the wire-format check
            // refuses it, so a strict implementation never penalises what ours forwards
            tally.add(`signed:wrong-type:${'accepted' in decided ? 'accepted' : decided.code}`)
            if ('accepted' in decided || decided.code !== 'malformed' || decided.action !== 'reject') {
              failures.add(`payload field ${field} with wire type ${wireType}, signed by the publisher, not refused as malformed`, resigned)
            }
          }
        }
      }
    }
    report('announcement/wire-types', n, started, tally)
    failures.assertNone()
    assert.ok(tally.get('malformed') > 0, tally.toString())
    assert.ok(tally.get('signed:wrong-type:malformed') > 100, tally.toString())
    assert.equal(tally.get('signed:wrong-type:accepted'), 0, tally.toString())
  })

  it('oversize messages are refused as too-large before decoding', async () => {
    const rng = prngFor('announcement/oversize')
    const failures = new Failures()
    const started = performance.now()
    const valid = (await originals())[0]
    const n = cases(0.01, 20)
    for (let i = 0; i < n; i++) {
      const size = rng.range(MAX_SIGNED_ANNOUNCEMENT_BYTES + 1, 1024 * 1024)
      // a valid record padded with an unknown field up to the size: the content is fine
      const bytes = concat(valid.signed, lenField(99, new Uint8Array(size - valid.signed.byteLength)))
      const outcome = await open(bytes, failures, valid.service)
      if ('accepted' in outcome || outcome.code !== 'too-large' || outcome.action !== 'reject') {
        failures.add(`a ${bytes.byteLength}-byte record was not refused as too-large`, bytes)
      }
    }
    // exactly at the limit is decoded, and then refused as malformed: padding makes an
    // encoding that is not the canonical one (its tag takes 2 bytes and its length 2)
    const padded = concat(valid.signed, lenField(99, new Uint8Array(MAX_SIGNED_ANNOUNCEMENT_BYTES - valid.signed.byteLength - 4)))
    assert.equal(padded.byteLength, MAX_SIGNED_ANNOUNCEMENT_BYTES)
    const atLimit = await open(padded, failures, valid.service)
    assert.ok(!('accepted' in atLimit) && atLimit.code === 'malformed', 'decoded, then refused as non-canonical')
    report('announcement/oversize', n + 1, started)
    failures.assertNone()
  })

  it('a record re-signed by a forger for another identity is refused, however it is dressed', async () => {
    const rng = prngFor('announcement/forged')
    const failures = new Failures()
    const tally = new Tally()
    const started = performance.now()
    const victim = await seededKey(rng)
    const n = cases(0.01, 20)
    for (let i = 0; i < n; i++) {
      const forger = await seededKey(rng)
      let bytes = await forge({ publicKey: victim.publicKey.raw as Uint8Array<ArrayBuffer>, seqnum: BigInt(rng.range(1, 1e6)) }, forger)
      if (rng.chance(0.5)) {
        bytes = mutate(rng, bytes).bytes
      }
      const outcome = await open(bytes, failures, 'upload_storage')
      tally.add('accepted' in outcome ? 'ACCEPTED' : outcome.code)
      if ('accepted' in outcome) {
        failures.add('forged record accepted', bytes)
      }
    }
    report('announcement/forged', n, started, tally)
    failures.assertNone()
    assert.ok(tally.get('bad-signature') > 0, tally.toString())
  })
})
