/**
 * Failures of the Tahoe announcement layer, with a stable `name` and a `code` saying which
 * of Tahoe's rules the announcement broke.
 */

export type TahoeAnnouncementErrorCode =
  | 'malformed' // not a (msg, sig, key) triple of byte strings
  | 'too-large'
  | 'unknown-key' // missing signature or key, or not "v0-" (Tahoe's UnknownKeyError)
  | 'bad-key' // the key is not base32 of 32 bytes
  | 'bad-signature' // not base32, or does not verify (Tahoe's BadSignature)
  | 'bad-json' // the signed bytes are not UTF-8 JSON
  | 'not-a-dict'
  | 'no-service-name'

export class TahoeAnnouncementError extends Error {
  static readonly NAME = 'TahoeAnnouncementError'
  override readonly name = TahoeAnnouncementError.NAME
  constructor (readonly code: TahoeAnnouncementErrorCode, message: string) {
    super(`${code}: ${message}`)
  }
}

/** A remote introducer that does not speak the v2 (signed) protocol. */
export class InsufficientVersionError extends Error {
  static readonly NAME = 'InsufficientVersionError'
  override readonly name = InsufficientVersionError.NAME
}
