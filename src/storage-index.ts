/**
 * Storage indexes as users type them: Tahoe prints them in its base32 (RFC 4648
 * alphabet, lower case, no padding: 26 characters for 16 bytes); hex is accepted too.
 */
import { fromString as uint8ArrayFromString } from 'uint8arrays/from-string'
import { InvalidStorageIndexError } from './errors.js'

/** Tahoe's storage indexes are 16 bytes; other lengths are accepted as raw bytes. */
export const STORAGE_INDEX_BYTES = 16
export const MAX_STORAGE_INDEX_BYTES = 64

export function parseStorageIndex (input: Uint8Array | string): Uint8Array {
  if (input instanceof Uint8Array) {
    if (input.byteLength === 0 || input.byteLength > MAX_STORAGE_INDEX_BYTES) {
      throw new InvalidStorageIndexError(`a storage index has 1 to ${MAX_STORAGE_INDEX_BYTES} bytes, not ${input.byteLength}`)
    }
    return input
  }
  const text = input.trim().toLowerCase()
  if (/^[a-z2-7]{26}$/.test(text)) {
    try {
      return uint8ArrayFromString(text, 'base32')
    } catch {
      // 26 characters carry 130 bits: the last two must be zero
      throw new InvalidStorageIndexError(`storage index ${JSON.stringify(input)} is not valid base32: its last character has bits set past 16 bytes`)
    }
  }
  if (/^[0-9a-f]{32}$/.test(text)) {
    return uint8ArrayFromString(text, 'base16')
  }
  throw new InvalidStorageIndexError(
    `storage index ${JSON.stringify(input)} is neither 26 characters of Tahoe base32 (a-z, 2-7) nor 32 hex digits`
  )
}
