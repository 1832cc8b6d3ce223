/**
 * Tahoe-LAFS announcements as gossip records (protocol.md §15.4). A gateway daemon
 * carries each Tahoe server it hears from under a key of its own, derived from its node
 * key and the Tahoe server id, in a record of the `tahoe-storage` service:
 *
 * - the record's `tahoe` field holds the Tahoe announcement (msg, sig, key) byte for byte,
 *   and the daemon's binding (its public key, its signature over the record key and the
 *   Tahoe key);
 * - the record's native part (nickname, version, permutation seed, fields) is a pure
 *   function of the Tahoe announcement, `carriedContent`, which every validator
 *   recomputes, so no daemon can put a FURL or seed of its own next to a genuine
 *   announcement.
 *
 * Pure apart from signing and verifying.
 */
import { createHmac } from 'node:crypto'
import { generateKeyPairFromSeed, publicKeyFromRaw } from '@libp2p/crypto/keys'
import { base32Decode } from '../foolscap/base32.js'
import { reject } from '../announcement/rejection.js'
import { verifyTahoeAnnouncement, type SignedTahoeAnnouncement, type VerifiedTahoeAnnouncement } from './announcement.js'
import { TahoeAnnouncementError } from './errors.js'
import type { Announcement, TahoeCarriage } from '../pb/announcement.js'
import type { PrivateKey } from '@libp2p/interface'

/** The service of carrying records: Tahoe's `storage` announcements. */
export const TAHOE_STORAGE_SERVICE = 'tahoe-storage'
/** The Tahoe service name carried (Tahoe 1.17 announces and subscribes to no other). */
export const CARRIED_TAHOE_SERVICE = 'storage'
/** Domain of the daemon's binding signature. */
export const TAHOE_GATEWAY_DOMAIN = '/gossip-introducer/tahoe-gateway/1'
/** Domain of the carrier key derivation (HMAC-SHA256 keyed with the node's private key). */
export const TAHOE_CARRIER_KEY_DOMAIN = '/gossip-introducer/tahoe-carrier-key/1'

/** Field names of a carrying record. */
export const FURL_FIELD = 'anonymous-storage-FURL'
export const NURLS_FIELD = 'anonymous-storage-NURLs'
export const SERVER_ID_FIELD = 'tahoe-server-id'
export const TAHOE_SEQNUM_FIELD = 'tahoe-seqnum'

/** The record limits of src/announcement/record.ts (not imported: record.ts imports this file). */
const MAX_TEXT_BYTES = 128
const MAX_FIELD_VALUE_BYTES = 1024
const MAX_SEED_BYTES = 64

const encoder = new TextEncoder()
const DOMAIN_BYTES = encoder.encode(`${TAHOE_GATEWAY_DOMAIN}\0`)

/** The native part of a carrying record, as `carriedContent` derives it. */
export interface CarriedContent {
  service: string
  nickname: string
  version: string
  permutationSeed: Uint8Array
  fields: Record<string, string>
}

/** Why an announcement cannot be carried (it is still served to local Tahoe clients). */
export class NotCarriedError extends Error {
  static readonly NAME = 'NotCarriedError'
  override readonly name = NotCarriedError.NAME
}

/** `text` cut to at most `max` UTF-8 bytes, at a character boundary. */
export function truncateUtf8 (text: string, max: number): string {
  if (encoder.encode(text).byteLength <= max) return text
  let out = ''
  let bytes = 0
  for (const ch of text) {
    const n = encoder.encode(ch).byteLength
    if (bytes + n > max) break
    out += ch
    bytes += n
  }
  return out
}

/**
 * Tahoe's permutation seed of a server (storage_client.py, from_announcement): the
 * announced `permutation-seed-base32`, else the raw Ed25519 key of its server id.
 */
export function tahoePermutationSeed (ann: VerifiedTahoeAnnouncement): Uint8Array {
  const announced = ann.fields['permutation-seed-base32']
  if (announced === undefined) return base32Decode(ann.keyId.slice(3))
  if (typeof announced !== 'string') throw new NotCarriedError('permutation-seed-base32 is not a string')
  let seed: Uint8Array
  try {
    seed = base32Decode(announced)
  } catch {
    throw new NotCarriedError('permutation-seed-base32 is not base32 (Tahoe clients cannot use this server either)')
  }
  if (seed.byteLength === 0 || seed.byteLength > MAX_SEED_BYTES) throw new NotCarriedError(`a permutation seed of ${seed.byteLength} bytes`)
  return seed
}

/** The record content every holder expects for `ann`; throws NotCarriedError. */
export function carriedContent (ann: VerifiedTahoeAnnouncement): CarriedContent {
  if (ann.serviceName !== CARRIED_TAHOE_SERVICE) throw new NotCarriedError(`only "${CARRIED_TAHOE_SERVICE}" announcements are carried, not ${JSON.stringify(ann.serviceName)}`)
  const fields: Record<string, string> = { [SERVER_ID_FIELD]: ann.keyId }
  if (ann.seqnum !== undefined && ann.seqnum >= 0n) fields[TAHOE_SEQNUM_FIELD] = ann.seqnum.toString()
  const furl = ann.fields[FURL_FIELD]
  if (furl !== undefined) {
    if (typeof furl !== 'string') throw new NotCarriedError(`${FURL_FIELD} is not a string`)
    if (encoder.encode(furl).byteLength > MAX_FIELD_VALUE_BYTES) throw new NotCarriedError(`${FURL_FIELD} over ${MAX_FIELD_VALUE_BYTES} bytes`)
    fields[FURL_FIELD] = furl
  }
  if (ann.anonymousStorageNurls !== undefined) {
    const nurls = JSON.stringify(ann.anonymousStorageNurls)
    // informative only (Tahoe 1.18+ clients read them from the announcement itself)
    if (encoder.encode(nurls).byteLength <= MAX_FIELD_VALUE_BYTES) fields[NURLS_FIELD] = nurls
  }
  return {
    service: TAHOE_STORAGE_SERVICE,
    nickname: truncateUtf8(ann.nickname ?? '', MAX_TEXT_BYTES),
    version: truncateUtf8(ann.myVersion ?? '', MAX_TEXT_BYTES),
    permutationSeed: tahoePermutationSeed(ann),
    fields
  }
}

/** What the daemon signs to bind a carrier key to a Tahoe server id. */
function bindingData (carrierPublicKey: Uint8Array, tahoeKey: Uint8Array): Uint8Array {
  const out = new Uint8Array(DOMAIN_BYTES.byteLength + carrierPublicKey.byteLength + tahoeKey.byteLength)
  out.set(DOMAIN_BYTES, 0)
  out.set(carrierPublicKey, DOMAIN_BYTES.byteLength)
  out.set(tahoeKey, DOMAIN_BYTES.byteLength + carrierPublicKey.byteLength)
  return out
}

/** A carrier key and the node's binding of it to one Tahoe server. */
export interface Carrier {
  readonly key: PrivateKey
  readonly gatewayPublicKey: Uint8Array
  readonly gatewaySignature: Uint8Array
}

/**
 * The key a node carries one Tahoe server under: Ed25519 from HMAC-SHA256(node private
 * key, domain || server id), so the same node gets the same key after a restart, and
 * nobody without the node key can sign for it. Signed by the node key (the binding).
 */
export async function deriveCarrier (nodeKey: PrivateKey, keyId: string): Promise<Carrier> {
  if (nodeKey.type !== 'Ed25519') throw new TypeError('a Tahoe gateway needs an Ed25519 node key')
  const seed = createHmac('sha256', nodeKey.raw).update(`${TAHOE_CARRIER_KEY_DOMAIN}\0${keyId}`).digest()
  const key = await generateKeyPairFromSeed('Ed25519', seed)
  const gatewaySignature = await nodeKey.sign(bindingData(key.publicKey.raw, encoder.encode(keyId)))
  return { key, gatewayPublicKey: nodeKey.publicKey.raw, gatewaySignature }
}

/** The `tahoe` field of a record carrying `signed` under `carrier`. */
export function carriageOf (signed: SignedTahoeAnnouncement, carrier: Carrier): TahoeCarriage {
  return {
    msg: signed.msg as Uint8Array<ArrayBuffer>,
    sig: signed.sig as Uint8Array<ArrayBuffer>,
    key: signed.key as Uint8Array<ArrayBuffer>,
    gatewayPublicKey: carrier.gatewayPublicKey as Uint8Array<ArrayBuffer>,
    gatewaySignature: carrier.gatewaySignature as Uint8Array<ArrayBuffer>
  }
}

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(b)

/**
 * The validator's check of a decoded, signature-checked record (protocol.md §15.4):
 * a `tahoe-storage` record must carry a Tahoe announcement that verifies, whose content
 * is exactly the record's, bound to the record key by a gateway; no other record may
 * carry one. Returns the verified Tahoe announcement (undefined for other records);
 * throws reject('bad-tahoe').
 */
export async function checkCarriage (a: Announcement): Promise<VerifiedTahoeAnnouncement | undefined> {
  const t = a.tahoe
  if (a.service !== TAHOE_STORAGE_SERVICE) {
    if (t !== undefined) throw reject('bad-tahoe', `a ${a.service} record carries a Tahoe announcement`)
    return undefined
  }
  if (t === undefined) throw reject('bad-tahoe', `a ${TAHOE_STORAGE_SERVICE} record without a Tahoe announcement`)
  let ann: VerifiedTahoeAnnouncement
  try {
    ann = verifyTahoeAnnouncement({ msg: t.msg, sig: t.sig, key: t.key })
  } catch (err) {
    throw reject('bad-tahoe', err instanceof TahoeAnnouncementError ? err.message : 'unverifiable')
  }
  let expected: CarriedContent
  try {
    expected = carriedContent(ann)
  } catch (err) {
    throw reject('bad-tahoe', (err as Error).message)
  }
  if (a.multiaddrs.length > 0 || a.readonly || a.availableSpace != null) {
    throw reject('bad-tahoe', 'a carrying record has no multiaddrs, readonly or availableSpace')
  }
  if (!a.withdrawn) {
    if (a.nickname !== expected.nickname || a.version !== expected.version || !same(a.permutationSeed, expected.permutationSeed)) {
      throw reject('bad-tahoe', 'nickname, version or permutation seed differs from the Tahoe announcement')
    }
    const fields = [...a.fields].sort(([x], [y]) => x < y ? -1 : 1)
    const want = Object.entries(expected.fields).sort(([x], [y]) => x < y ? -1 : 1)
    if (JSON.stringify(fields) !== JSON.stringify(want)) throw reject('bad-tahoe', 'fields differ from the Tahoe announcement')
  } else if (a.fields.size > 0) {
    throw reject('bad-tahoe', 'a withdrawal has no fields')
  }
  if (t.gatewayPublicKey.byteLength !== 32) throw reject('bad-tahoe', 'no gateway key')
  let bound = false
  try {
    bound = await publicKeyFromRaw(t.gatewayPublicKey).verify(bindingData(a.publicKey, t.key), t.gatewaySignature)
  } catch {}
  if (!bound) throw reject('bad-tahoe', 'the gateway binding does not verify')
  return ann
}
