/**
 * Fingerprints: prefix sums against a BigInt reference written from the spec
 * (docs/protocol.md §12.5.3), and the documented test vector.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe, it } from 'node:test'
import { fingerprintOfHashes, PrefixSums } from '../../../src/sync/reconcile/fingerprint.js'
import { recordDigest } from '../../../src/sync/reconcile/item.js'
import { hex, Prng } from '../../fuzz/fuzz-kit.js'

/** The spec, literally: sum mod 2^256 of little-endian digests, then SHA-256(sum LE || varint(n))[0..16). */
function reference (digests: Uint8Array[]): string {
  let sum = 0n
  for (const d of digests) {
    sum += BigInt(`0x${Buffer.from(d).reverse().toString('hex') || '0'}`)
  }
  sum %= 2n ** 256n
  const le = Buffer.from(sum.toString(16).padStart(64, '0'), 'hex').reverse()
  const count: number[] = []
  let n = digests.length
  do {
    count.push((n & 0x7f) | (n >= 0x80 ? 0x80 : 0))
    n >>>= 7
  } while (n > 0)
  return createHash('sha256').update(le).update(Uint8Array.from(count)).digest('hex').slice(0, 32)
}

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s)

describe('fingerprints', () => {
  it('the documented test vector', () => {
    const a = recordDigest(ascii('a'))
    const b = recordDigest(ascii('b'))
    const table: Array<[Uint8Array[], string]> = [
      [[], '7f9c9e31ac8256ca2f258583df262dbc'],
      [[a], '62dd58dff151e6637180d20ef95e4ec4'],
      [[a, b], 'fda29817a74d64848edc6d0c1fa8eb26']
    ]
    for (const [digests, documented] of table) {
      const ours = hex(fingerprintOfHashes(digests))
      assert.equal(ours, reference(digests))
      assert.equal(ours, documented, 'docs/protocol.md §12.5.3 quotes this value')
    }
  })

  it('any range of the prefix sums matches the reference, with carries across every limb', () => {
    const rng = new Prng(7)
    // all-ones digests make every addition carry through all 8 limbs
    const digests = Array.from({ length: 60 }, (_, i) => i % 5 === 0 ? new Uint8Array(32).fill(0xff) : rng.bytes(32))
    const sums = new PrefixSums(digests)
    for (let t = 0; t < 300; t++) {
      const begin = rng.int(digests.length + 1)
      const end = begin + rng.int(digests.length + 1 - begin)
      assert.equal(hex(sums.fingerprint(begin, end)), reference(digests.slice(begin, end)), `range ${begin}..${end}`)
    }
  })

  it('does not depend on order, does on the count and on every bit', () => {
    const rng = new Prng(8)
    const digests = Array.from({ length: 20 }, () => rng.bytes(32))
    const f = hex(fingerprintOfHashes(digests))
    assert.equal(hex(fingerprintOfHashes([...digests].reverse())), f)
    const zero = new Uint8Array(32)
    // adding a zero digest leaves the sum alone but not the count
    assert.notEqual(hex(fingerprintOfHashes([...digests, zero])), f)
    const flipped = digests.map(d => d.slice())
    flipped[3][31] ^= 0x80
    assert.notEqual(hex(fingerprintOfHashes(flipped)), f)
  })
})
