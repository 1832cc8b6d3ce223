/**
 * RFC 4648 base32, lowercase, unpadded: the encoding of tub ids, swissnums and Tahoe keys.
 * Decoding is strict the way Tahoe's `base32.a2b` precondition is: lowercase alphabet only,
 * a length some byte count encodes to, and zero bits after the last byte.
 */
import { fromString as uint8ArrayFromString } from 'uint8arrays/from-string'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'

export function base32Encode (bytes: Uint8Array): string {
  return uint8ArrayToString(bytes, 'base32')
}

/** Decodes strict base32; throws a SyntaxError on anything Tahoe's a2b would refuse. */
export function base32Decode (text: string): Uint8Array {
  if (!/^[a-z2-7]*$/.test(text)) {
    throw new SyntaxError('not lowercase base32')
  }
  // the underlying decoder refuses impossible lengths and non-zero trailing bits
  return uint8ArrayFromString(text, 'base32')
}

export function isBase32 (text: string): boolean {
  try {
    base32Decode(text)
    return true
  } catch {
    return false
  }
}
