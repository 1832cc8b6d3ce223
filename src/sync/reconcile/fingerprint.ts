/**
 * Range fingerprints of sync 2.0.0 (docs/protocol.md §12.5.3):
 *
 *   fingerprint(range) = SHA-256( S || varint(n) )[0..16)
 *
 * where S is the sum, modulo 2^256, of the range's item digests (SHA-256 of each exact
 * signed record, which commits to its service, key and seqnum) read as 32-byte
 * little-endian integers, encoded the same way, and n the number of items (LEB128).
 *
 * Why a sum and not XOR: XOR is linear over GF(2), so anyone able to choose ~256 item
 * hashes (a publisher grinding nonces) can build two different sets with one fingerprint
 * by Gaussian elimination; a modular sum needs a generalised-birthday search instead
 * (Meyer, "Range-Based Set Reconciliation", 2022; Negentropy uses the same sum). The count
 * keeps sets of different sizes apart, and the final hash keeps the sum's structure from
 * the wire. A sum also has an inverse, so prefix sums give any range's S in O(1).
 */
import { hash } from 'node:crypto'

/** Bytes of a fingerprint on the wire. */
export const FINGERPRINT_BYTES = 16

const LIMBS = 8

/**
 * Prefix sums of item hashes: entry i is the sum of hashes 0..i-1, as 8 little-endian
 * 32-bit limbs, so that a range's sum is one 256-bit subtraction.
 */
export class PrefixSums {
  private readonly sums: Uint32Array

  constructor (hashes: readonly Uint8Array[]) {
    const sums = new Uint32Array((hashes.length + 1) * LIMBS)
    for (let i = 0; i < hashes.length; i++) {
      const h = hashes[i]
      let carry = 0
      for (let l = 0; l < LIMBS; l++) {
        const o = l * 4
        const limb = (h[o] | (h[o + 1] << 8) | (h[o + 2] << 16) | (h[o + 3] << 24)) >>> 0
        const v = sums[i * LIMBS + l] + limb + carry
        sums[(i + 1) * LIMBS + l] = v >>> 0
        carry = v > 0xffffffff ? 1 : 0
      }
    }
    this.sums = sums
  }

  /** The sum of hashes begin..end-1, 32 bytes little-endian. */
  sum (begin: number, end: number): Uint8Array {
    const out = new Uint8Array(LIMBS * 4)
    const view = new DataView(out.buffer)
    let borrow = 0
    for (let l = 0; l < LIMBS; l++) {
      let v = this.sums[end * LIMBS + l] - this.sums[begin * LIMBS + l] - borrow
      borrow = v < 0 ? 1 : 0
      if (v < 0) {
        v += 0x1_0000_0000
      }
      view.setUint32(l * 4, v, true)
    }
    return out
  }

  /** The fingerprint of items begin..end-1. */
  fingerprint (begin: number, end: number): Uint8Array {
    return fingerprintOf(this.sum(begin, end), end - begin)
  }
}

/** SHA-256(sum || varint(count)), first 16 bytes. */
export function fingerprintOf (sum: Uint8Array, count: number): Uint8Array {
  const countBytes = leb128(count)
  const input = new Uint8Array(sum.byteLength + countBytes.byteLength)
  input.set(sum)
  input.set(countBytes, sum.byteLength)
  return new Uint8Array(hash('sha256', input, 'buffer').subarray(0, FINGERPRINT_BYTES))
}

/** The fingerprint of a list of item hashes, computed directly (for tests and vectors). */
export function fingerprintOfHashes (hashes: readonly Uint8Array[]): Uint8Array {
  return new PrefixSums(hashes).fingerprint(0, hashes.length)
}

function leb128 (n: number): Uint8Array {
  const out: number[] = []
  do {
    let b = n % 0x80
    n = Math.floor(n / 0x80)
    if (n > 0) {
      b |= 0x80
    }
    out.push(b)
  } while (n > 0)
  return Uint8Array.from(out)
}
