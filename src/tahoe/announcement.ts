/**
 * Tahoe's signed announcement `(msg, sig, key)` (allmydata/introducer/common.py):
 * `msg` is UTF-8 JSON of the announcement dict, `sig` is "v0-" + base32(Ed25519 signature of
 * msg), `key` is "v0-" + base32(32-byte Ed25519 public key), which is also the server id.
 * The three byte strings are kept exactly as received, so anyone can re-verify them and no
 * introducer can alter what a server announced.
 */
import { createPublicKey, verify } from 'node:crypto'
import { base32Decode } from '../foolscap/base32.js'
import { fromUtf8 } from '../foolscap/values.js'
import { MAX_ANNOUNCEMENT_MSG_BYTES, MAX_SERVICE_NAME_LENGTH } from './constants.js'
import { TahoeAnnouncementError } from './errors.js'

/** The exact bytes of a signed announcement, as Tahoe sends them in publish_v2/announce_v2. */
export interface SignedTahoeAnnouncement {
  readonly msg: Uint8Array
  readonly sig: Uint8Array
  readonly key: Uint8Array
}

/** A signed announcement that passed verification, with the fields we use. */
export interface VerifiedTahoeAnnouncement {
  readonly signed: SignedTahoeAnnouncement
  /** The server id, "v0-" + base32(public key), as Tahoe shows it. */
  readonly keyId: string
  readonly serviceName: string
  /** The parsed JSON dict. */
  readonly fields: Readonly<Record<string, unknown>>
  /** True when the dict has a "seqnum" key at all (Tahoe's `"seqnum" in ann`). */
  readonly hasSeqnum: boolean
  /** The seqnum when it is an integer (Python's isinstance(x, int), which includes booleans). */
  readonly seqnum: bigint | undefined
  readonly nonce?: string
  readonly nickname?: string
  readonly myVersion?: string
  readonly oldestSupported?: string
  readonly anonymousStorageFurl?: string
  readonly permutationSeedBase32?: string
  /** Tahoe 1.18+ storage servers also announce HTTP storage NURLs (carried, not used here). */
  readonly anonymousStorageNurls?: readonly string[]
}

const ascii = new TextDecoder('latin1')

/** Verifies like Tahoe's unsign_from_foolscap and parses; throws TahoeAnnouncementError. */
export function verifyTahoeAnnouncement (signed: SignedTahoeAnnouncement): VerifiedTahoeAnnouncement {
  const { msg, sig, key } = signed
  if (!(msg instanceof Uint8Array) || !(sig instanceof Uint8Array) || !(key instanceof Uint8Array)) {
    throw new TahoeAnnouncementError('malformed', 'an announcement is three byte strings')
  }
  if (msg.length > MAX_ANNOUNCEMENT_MSG_BYTES) throw new TahoeAnnouncementError('too-large', `message over ${MAX_ANNOUNCEMENT_MSG_BYTES} bytes`)
  if (sig.length === 0 || key.length === 0) throw new TahoeAnnouncementError('unknown-key', 'only signed announcements recognized')
  const sigText = ascii.decode(sig)
  const keyText = ascii.decode(key)
  if (!sigText.startsWith('v0-')) throw new TahoeAnnouncementError('unknown-key', 'only v0- signatures recognized')
  if (!keyText.startsWith('v0-')) throw new TahoeAnnouncementError('unknown-key', 'only v0- keys recognized')
  let raw: Uint8Array
  try {
    raw = base32Decode(keyText.slice(3))
  } catch {
    throw new TahoeAnnouncementError('bad-key', 'the key is not base32')
  }
  if (raw.length !== 32) throw new TahoeAnnouncementError('bad-key', `an Ed25519 key has 32 bytes, not ${raw.length}`)
  let sigBytes: Uint8Array
  try {
    sigBytes = base32Decode(sigText.slice(3))
  } catch {
    throw new TahoeAnnouncementError('bad-signature', 'the signature is not base32')
  }
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') }, format: 'jwk' })
  let ok = false
  try {
    ok = verify(null, msg, publicKey, sigBytes)
  } catch {}
  if (!ok) throw new TahoeAnnouncementError('bad-signature', 'the signature does not verify')
  const parsed = parseJson(msg)
  if (typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) {
    throw new TahoeAnnouncementError('not-a-dict', 'the announcement is not a JSON object')
  }
  const fields = parsed.value as Record<string, unknown>
  const serviceName = fields['service-name']
  if (typeof serviceName !== 'string' || serviceName.length === 0 || serviceName.length > MAX_SERVICE_NAME_LENGTH) {
    throw new TahoeAnnouncementError('no-service-name', 'the announcement has no service-name string')
  }
  const text = (k: string): string | undefined => typeof fields[k] === 'string' ? fields[k] : undefined
  return {
    signed,
    keyId: keyText,
    serviceName,
    fields,
    hasSeqnum: Object.hasOwn(fields, 'seqnum'),
    seqnum: parsed.seqnum,
    nonce: text('nonce'),
    nickname: text('nickname'),
    myVersion: text('my-version'),
    oldestSupported: text('oldest-supported'),
    anonymousStorageFurl: text('anonymous-storage-FURL'),
    permutationSeedBase32: text('permutation-seed-base32'),
    anonymousStorageNurls: Array.isArray(fields['anonymous-storage-NURLs']) && fields['anonymous-storage-NURLs'].every(x => typeof x === 'string')
      ? fields['anonymous-storage-NURLs']
      : undefined
  }
}

/** JSON.parse, keeping the top-level seqnum exactly (Python ints are unbounded). */
function parseJson (msg: Uint8Array): { value: unknown, seqnum: bigint | undefined } {
  const seen = new Map<object, bigint | undefined>()
  let value: unknown
  try {
    value = JSON.parse(fromUtf8(msg), function (this: unknown, k, v: unknown, context?: { source?: string }) {
      if (k === 'seqnum' && this !== null && typeof this === 'object' && !Array.isArray(this)) {
        const src = context?.source
        seen.set(this, typeof v === 'boolean' ? (v ? 1n : 0n) : src !== undefined && /^-?\d+$/.test(src) ? BigInt(src) : undefined)
      }
      return v
    })
  } catch {
    throw new TahoeAnnouncementError('bad-json', 'the signed message is not UTF-8 JSON')
  }
  return { value, seqnum: typeof value === 'object' && value !== null ? seen.get(value) : undefined }
}
