/**
 * Build, sign, encode and verify announcements (decoding without checks: peek.ts). Pure:
 * no I/O, no clock (the caller passes `now`), no libp2p host.
 *
 * Signing: Ed25519 over `DOMAIN || payload`, where DOMAIN is the UTF-8 of
 * {@link ANNOUNCEMENT_SIGNING_DOMAIN} followed by one zero byte and `payload` is the
 * exact encoded `Announcement` that travels inside `SignedAnnouncement`. The bytes that
 * were signed are the bytes that travel, so the payload needs no canonical encoding (as
 * in Tahoe), and the domain keeps these signatures from being valid for anything else.
 * The envelope around them is not signed, so it must be in its one canonical encoding;
 * the payload must follow the wire-format grammar (wire-format.ts), and signatures the
 * Ed25519 rule of ed25519.ts, so that every implementation takes the same records.
 */
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { concat as uint8ArrayConcat } from 'uint8arrays/concat'
import { equals as uint8ArrayEquals } from 'uint8arrays/equals'
import { Announcement, SignedAnnouncement, type TahoeCarriage } from '../pb/announcement.js'
import { describeError } from '../errors.js'
import { publicKeyProblem } from './ed25519.js'
import { verifyEd25519 } from './signatures.js'
import { foreignPeerInAddress } from './multiaddr-owner.js'
import { isValidServiceName } from './names.js'
import { ANNOUNCEMENT_SCHEMA, checkWireFormat } from './wire-format.js'
import { expiresAt, MAX_CLOCK_SKEW_MS } from './expiry.js'
import { ignore, reject } from './rejection.js'
import { decodeRecord, MAX_SIGNED_ANNOUNCEMENT_BYTES, type PeekedAnnouncement } from './peek.js'
import { checkCarriage } from '../tahoe/carriage.js'
import type { PeerId, PrivateKey } from '@libp2p/interface'

export const ANNOUNCEMENT_SIGNING_DOMAIN = '/gossip-introducer/announcement/1'
const DOMAIN_BYTES = new TextEncoder().encode(`${ANNOUNCEMENT_SIGNING_DOMAIN}\0`)

/** Limits inside one announcement (also enforced when building one). */
export const MAX_MULTIADDRS = 16
export const MAX_FIELDS = 32
export const MAX_NICKNAME_BYTES = 128
export const MAX_FIELD_KEY_BYTES = 64
export const MAX_FIELD_VALUE_BYTES = 1024
export const NONCE_BYTES = 16
export const MAX_NONCE_BYTES = 64
export const MAX_PERMUTATION_SEED_BYTES = 64
export const MAX_VERSION_BYTES = 128
/** Largest grid admission certificate carried in a record. */
export const MAX_CERTIFICATE_BYTES = 1024
/** Seqnums are uint64 on the wire. */
export const MAX_SEQNUM = 2n ** 64n - 1n
export const ED25519_PUBLIC_KEY_BYTES = 32
/** Shortest and longest TTL a record may carry. */
export const MIN_TTL_MS = 3_000
export const MAX_TTL_MS = 7 * 24 * 60 * 60 * 1000
export { clockOffsetMs, expiresAt, MAX_CLOCK_SKEW_MS, originAt } from './expiry.js'
export { MAX_SIGNED_ANNOUNCEMENT_BYTES } from './peek.js'

/** The content of an announcement before signing; the signer fills in the key. */
export interface AnnouncementContent {
  grid: string
  service: string
  seqnum: bigint
  nonce: Uint8Array
  issuedAtMs: number
  ttlMs: number
  nickname: string
  version: string
  permutationSeed: Uint8Array
  multiaddrs: Multiaddr[]
  readonly: boolean
  availableSpace?: number
  fields: Record<string, string>
  withdrawn: boolean
  /** Grid admission certificate (encoded SignedCertificate), if the grid needs one. */
  certificate?: Uint8Array
  /** A Tahoe gateway's carried announcement (tahoe/carriage.ts); only on `tahoe-storage`. */
  tahoe?: TahoeCarriage
}

/** A record whose signature, key and shape were checked. Immutable. */
export interface VerifiedAnnouncement {
  /** The exact encoded SignedAnnouncement as it travels. */
  readonly signed: Uint8Array
  readonly announcement: Readonly<Announcement>
  readonly peerId: PeerId
  readonly multiaddrs: readonly Multiaddr[]
  readonly fields: Readonly<Record<string, string>>
}

export interface OpenOptions {
  /** The grid this node is in: records of other grids are rejected. */
  grid: string
  /** When set (the topic's service), a record for another service is rejected. */
  service?: string
  /** Current time in ms since the epoch. */
  now: number
  /** How long the record had been held when it arrived (sync carries it). @default 0 */
  ageMs?: number
}

function byteLength (s: string): number {
  return Buffer.byteLength(s, 'utf8')
}

function checkShape (a: Announcement, multiaddrs: Multiaddr[] | undefined, publisher: () => string): Multiaddr[] {
  if (!isValidServiceName(a.service)) {
    throw reject('bad-service-name', JSON.stringify(a.service))
  }
  if (a.publicKey.byteLength !== ED25519_PUBLIC_KEY_BYTES) {
    throw reject('bad-key', `public key of ${a.publicKey.byteLength} bytes`)
  }
  if (a.seqnum < 1n) {
    throw reject('missing-seqnum')
  }
  if (a.ttlMs < MIN_TTL_MS || a.ttlMs > MAX_TTL_MS) {
    throw reject('bad-ttl', `${a.ttlMs} ms`)
  }
  if (a.multiaddrs.length > MAX_MULTIADDRS || a.fields.size > MAX_FIELDS ||
    byteLength(a.nickname) > MAX_NICKNAME_BYTES || a.nonce.byteLength > MAX_NONCE_BYTES ||
    a.permutationSeed.byteLength > MAX_PERMUTATION_SEED_BYTES || byteLength(a.version) > MAX_VERSION_BYTES ||
    a.certificate.byteLength > MAX_CERTIFICATE_BYTES) {
    throw reject('over-limits')
  }
  for (const [k, v] of a.fields) {
    if (byteLength(k) > MAX_FIELD_KEY_BYTES || byteLength(v) > MAX_FIELD_VALUE_BYTES) {
      throw reject('over-limits', 'field')
    }
  }
  if (a.availableSpace != null && (!Number.isSafeInteger(a.availableSpace) || a.availableSpace < 0)) {
    throw reject('over-limits', `availableSpace ${a.availableSpace} is not a whole number of bytes from 0 to 2^53-1`)
  }
  if (a.seqnum > MAX_SEQNUM) {
    throw reject('over-limits', 'seqnum above 2^64-1')
  }
  let parsed = multiaddrs
  if (parsed == null) {
    try {
      parsed = a.multiaddrs.map(bytes => multiaddr(bytes))
    } catch (err) {
      throw reject('bad-multiaddr', describeError(err))
    }
  }
  for (const ma of parsed) {
    if (ma.getComponents().some(c => c.name === 'p2p')) {
      const problem = foreignPeerInAddress(ma, publisher())
      if (problem != null) {
        throw reject('bad-multiaddr', problem)
      }
    }
  }
  return parsed
}

function signedData (payload: Uint8Array): Uint8Array {
  return uint8ArrayConcat([DOMAIN_BYTES, payload])
}

/**
 * The signature the protocol puts on announcement bytes: Ed25519 over the domain, a zero
 * byte and `payload`. signAnnouncement uses it; so do tools that must sign bytes no
 * honest node would make (tests, the benchmark's attacker).
 */
export async function signAnnouncementPayload (payload: Uint8Array, privateKey: PrivateKey): Promise<Uint8Array> {
  return privateKey.sign(signedData(payload))
}

/**
 * Signs content with the node's Ed25519 key. Throws an AnnouncementRejection (reject)
 * when the content is over a limit, so nothing invalid is ever published.
 */
export async function signAnnouncement (content: AnnouncementContent, privateKey: PrivateKey): Promise<VerifiedAnnouncement> {
  if (privateKey.type !== 'Ed25519') {
    throw reject('bad-key', `announcements are signed with Ed25519 keys, not ${privateKey.type}`)
  }
  const announcement: Announcement = {
    grid: content.grid,
    service: content.service,
    publicKey: privateKey.publicKey.raw as Uint8Array<ArrayBuffer>,
    seqnum: content.seqnum,
    nonce: content.nonce as Uint8Array<ArrayBuffer>,
    issuedAtMs: content.issuedAtMs,
    ttlMs: content.ttlMs,
    nickname: content.nickname,
    version: content.version,
    permutationSeed: content.permutationSeed as Uint8Array<ArrayBuffer>,
    multiaddrs: content.multiaddrs.map(ma => ma.bytes),
    readonly: content.readonly,
    availableSpace: content.availableSpace,
    fields: new Map(Object.entries(content.fields)),
    withdrawn: content.withdrawn,
    certificate: (content.certificate ?? new Uint8Array()) as Uint8Array<ArrayBuffer>,
    tahoe: content.tahoe
  }
  const multiaddrs = checkShape(announcement, content.multiaddrs, () => peerIdFromPublicKey(privateKey.publicKey).toString())
  await checkCarriage(announcement)
  const payload = Announcement.encode(announcement)
  const signature = await signAnnouncementPayload(payload, privateKey)
  const signed = SignedAnnouncement.encode({ payload: payload, signature: signature as Uint8Array<ArrayBuffer> })
  if (signed.byteLength > MAX_SIGNED_ANNOUNCEMENT_BYTES) {
    throw reject('too-large', `${signed.byteLength} bytes, limit ${MAX_SIGNED_ANNOUNCEMENT_BYTES}`)
  }
  return {
    signed,
    announcement,
    peerId: peerIdFromPublicKey(privateKey.publicKey),
    multiaddrs,
    fields: Object.freeze({ ...content.fields })
  }
}

/**
 * Decodes and verifies a SignedAnnouncement received from anyone. Throws an
 * AnnouncementRejection saying why it is not acceptable; never anything else.
 */
export async function openAnnouncement (signed: Uint8Array, options: OpenOptions, peeked?: PeekedAnnouncement): Promise<VerifiedAnnouncement> {
  if (signed.byteLength > MAX_SIGNED_ANNOUNCEMENT_BYTES) {
    throw reject('too-large', `${signed.byteLength} bytes, limit ${MAX_SIGNED_ANNOUNCEMENT_BYTES}`)
  }
  let outer: SignedAnnouncement
  let announcement: Announcement
  if (peeked?.signed === signed) {
    // decoded already, by peekAnnouncement
    ({ outer, announcement } = peeked)
  } else {
    try {
      ({ outer, announcement } = decodeRecord(signed))
    } catch (err) {
      throw reject('malformed', describeError(err))
    }
  }
  if (!uint8ArrayEquals(SignedAnnouncement.encode(outer), signed)) {
    // the envelope is not signed: only its one canonical encoding is accepted, so a relay
    // cannot pad or re-encode a record into a "new" message (message ids hash these bytes)
    throw reject('malformed', 'not the canonical encoding of a SignedAnnouncement')
  }
  try {
    // the payload is kept as signed, so it must read the same in every implementation
    checkWireFormat(outer.payload, ANNOUNCEMENT_SCHEMA)
  } catch (err) {
    throw reject('malformed', describeError(err))
  }
  if (announcement.grid !== options.grid) {
    throw reject('wrong-grid', JSON.stringify(announcement.grid))
  }
  let peerId: PeerId | undefined = peeked?.signed === signed ? peeked.publisher() : undefined
  const publisher = (): PeerId => {
    peerId ??= peerIdFromPublicKey(publicKeyFromRaw(announcement.publicKey))
    return peerId
  }
  const multiaddrs = checkShape(announcement, undefined, () => publisher().toString())
  if (options.service != null && announcement.service !== options.service) {
    throw reject('wrong-service', `${announcement.service} on the ${options.service} topic`)
  }
  const keyProblem = publicKeyProblem(announcement.publicKey)
  if (keyProblem != null) {
    throw reject('bad-key', keyProblem)
  }
  if (!await verifyEd25519(announcement.publicKey, signedData(outer.payload), outer.signature)) {
    throw reject('bad-signature')
  }
  // ignore, not reject: the relay may be honest and our own clock the one that is wrong
  if (announcement.issuedAtMs > options.now + MAX_CLOCK_SKEW_MS) {
    throw ignore('from-future', `issued ${announcement.issuedAtMs - options.now} ms ahead, more than ${MAX_CLOCK_SKEW_MS} ms`)
  }
  if (expiresAt(announcement, options.now, options.ageMs) <= options.now) {
    throw ignore('expired')
  }
  // a Tahoe gateway's record: the Tahoe server's own signature, checked at every hop
  await checkCarriage(announcement)
  return {
    signed,
    announcement,
    peerId: publisher(),
    multiaddrs,
    fields: Object.freeze(Object.fromEntries(announcement.fields))
  }
}
