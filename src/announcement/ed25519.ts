/**
 * The Ed25519 verification rule of the protocol (protocol.md §5.2): libsodium's
 * `crypto_sign_verify_detached` (1.0.16 and later). RFC 8032 leaves implementations free
 * on points of small order, non-canonical encodings and the cofactor, and they differ:
 * OpenSSL (Node's crypto, behind @libp2p/crypto) accepts a small-order or non-canonical
 * public key and a small-order R, which libsodium refuses; noble's verify is cofactored.
 * So that every implementation takes the same records, the checks OpenSSL lacks are made
 * here first, on bytes only; OpenSSL then does the rest as libsodium does (S < L, and the
 * cofactorless equation with R compared byte for byte). Pure and synchronous. OpenSSL is
 * called through node:crypto with the key as DER (@libp2p/crypto goes through JWK, which
 * costs a base64 round trip per key). Intake checks signatures through signatures.ts,
 * which batches them and runs large batches on worker threads (signature-worker.ts) that
 * call this same function.
 */
import { createPublicKey, verify } from 'node:crypto'

/** DER of an Ed25519 SubjectPublicKeyInfo (RFC 8410) up to the 32 raw key bytes. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

/** The group order L = 2^252 + 27742317777372353535851937790883648493, little endian. */
const L_BYTES = Uint8Array.from(Buffer.from('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010', 'hex'))
/** The field prime p = 2^255 - 19, little endian. */
const P_BYTES = Uint8Array.from(Buffer.from('ed' + 'ff'.repeat(30) + '7f', 'hex'))

/**
 * The y coordinates (little endian, sign bit clear) whose points have small order, as
 * libsodium lists them: 0 (order 4), 1 (the identity), the two of order 8, p - 1 (order 2),
 * and the non-canonical p and p + 1 (0 and 1 again). Compared with the sign bit ignored,
 * they cover all 8 points of small order in every 32-byte encoding.
 */
const SMALL_ORDER_Y = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'
].map(hex => Uint8Array.from(Buffer.from(hex, 'hex')))

/**
 * Whether the 32-byte little-endian number `n`, its top byte masked by `topMask`, is
 * below `bound` (also 32 bytes, little endian): compared from the most significant byte,
 * with no conversion to a bigint.
 */
function below (n: Uint8Array, bound: Uint8Array, topMask: number): boolean {
  for (let i = 31; i >= 0; i--) {
    const byte = i === 31 ? n[i] & topMask : n[i]
    if (byte !== bound[i]) return byte < bound[i]
  }
  return false
}

/** The 32-byte encoding is one of a point of order 1, 2, 4 or 8 (whatever its sign bit). */
export function hasSmallOrder (point: Uint8Array): boolean {
  return point.byteLength === 32 && SMALL_ORDER_Y.some(y => {
    for (let i = 0; i < 31; i++) {
      if (point[i] !== y[i]) return false
    }
    return (point[31] & 0x7f) === y[31]
  })
}

/** The encoded y coordinate (sign bit cleared) is below p. */
export function isCanonicalPoint (point: Uint8Array): boolean {
  return point.byteLength === 32 && below(point, P_BYTES, 0x7f)
}

/** The 32-byte little-endian scalar is below L. */
export function isCanonicalScalar (scalar: Uint8Array): boolean {
  return scalar.byteLength === 32 && below(scalar, L_BYTES, 0xff)
}

/**
 * Why a raw public key cannot be a publisher's (or a grid manager's) key, or undefined
 * when it can: it must be 32 bytes, a canonical encoding, and not of small order. (A y
 * with no point on the curve is not caught here: its signatures never verify.)
 */
export function publicKeyProblem (raw: Uint8Array): string | undefined {
  if (raw.byteLength !== 32) return `public key of ${raw.byteLength} bytes`
  if (!isCanonicalPoint(raw)) return 'public key not canonically encoded (y >= p)'
  if (hasSmallOrder(raw)) return 'public key of small order'
  return undefined
}

/**
 * Verifies an Ed25519 signature over `data` by the raw public key `publicKey`, by the
 * protocol's rule: false for a key publicKeyProblem refuses, a signature that is not 64
 * bytes, an R of small order, S >= L, or a signature that does not verify. Never throws.
 */
export function verifyEd25519Now (publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
  if (publicKeyProblem(publicKey) != null || signature.byteLength !== 64 ||
    hasSmallOrder(signature.subarray(0, 32)) || !isCanonicalScalar(signature.subarray(32))) {
    return false
  }
  try {
    return verify(null, data, createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' }), signature)
  } catch {
    return false
  }
}
