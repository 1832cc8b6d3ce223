/**
 * Tahoe-style signed announcements made in tests, as Tahoe's sign_to_foolscap makes them:
 * msg = UTF-8 JSON of the dict, sig = "v0-" + base32(Ed25519 signature of msg), key =
 * "v0-" + base32(raw public key). (Recorded real ones are in test/fixtures/tahoe/.)
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { NONCE_BYTES, signAnnouncementPayload } from '../../src/announcement/record.js'
import { base32Encode } from '../../src/foolscap/base32.js'
import { Announcement, SignedAnnouncement } from '../../src/pb/announcement.js'
import { verifyTahoeAnnouncement, type SignedTahoeAnnouncement } from '../../src/tahoe/announcement.js'
import { carriageOf, carriedContent, deriveCarrier, TAHOE_STORAGE_SERVICE } from '../../src/tahoe/carriage.js'

export class TahoeSigner {
  readonly keyId: string
  readonly rawPublicKey: Uint8Array
  private readonly key: KeyObject

  constructor (key?: KeyObject) {
    this.key = key ?? generateKeyPairSync('ed25519').privateKey
    const jwk = createPublicKey(this.key).export({ format: 'jwk' })
    this.rawPublicKey = Buffer.from(jwk.x as string, 'base64url')
    this.keyId = 'v0-' + base32Encode(this.rawPublicKey)
  }

  /** A storage announcement; `extra` overrides or adds keys of the dict. */
  storage (seqnum: number | undefined, extra: Record<string, unknown> = {}): SignedTahoeAnnouncement {
    const dict: Record<string, unknown> = {
      version: 0,
      nickname: 'storage-a',
      'app-versions': [],
      'my-version': 'tahoe-lafs/1.17.1',
      'oldest-supported': 'tahoe-lafs/1.0.0',
      'service-name': 'storage',
      ...(seqnum !== undefined ? { seqnum } : {}),
      nonce: 'n' + String(seqnum),
      'anonymous-storage-FURL': 'pb://aaaabbbbccccddddeeeeffffgggghhhh@tcp:127.0.0.1:1/swissnum',
      'permutation-seed-base32': base32Encode(this.rawPublicKey),
      ...extra
    }
    for (const [k, v] of Object.entries(dict)) if (v === undefined) delete dict[k]
    return this.sign(Buffer.from(JSON.stringify(dict)))
  }

  sign (msg: Uint8Array): SignedTahoeAnnouncement {
    const signature = sign(null, msg, this.key)
    return { msg, sig: Buffer.from('v0-' + base32Encode(signature)), key: Buffer.from(this.keyId) }
  }

  static fromSeed (seed: Uint8Array): TahoeSigner {
    // PKCS#8 for a raw Ed25519 seed: a fixed prefix, then the 32 bytes
    const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed])
    return new TahoeSigner(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }))
  }
}

/**
 * A record a dishonest gateway would make: everything as for `genuine` (content, a valid
 * binding, a valid record signature), but carrying the bytes of `carried` instead.
 */
export async function forgeCarryingRecord (grid: string, genuine: SignedTahoeAnnouncement, carried: SignedTahoeAnnouncement): Promise<Uint8Array> {
  const ann = verifyTahoeAnnouncement(genuine)
  const c = carriedContent(ann)
  const carrier = await deriveCarrier(await generateKeyPair('Ed25519'), ann.keyId)
  const payload = Announcement.encode({
    grid,
    service: TAHOE_STORAGE_SERVICE,
    publicKey: carrier.key.publicKey.raw as Uint8Array<ArrayBuffer>,
    seqnum: BigInt(Date.now()),
    nonce: randomBytes(NONCE_BYTES),
    issuedAtMs: Date.now(),
    ttlMs: 60_000,
    nickname: c.nickname,
    version: c.version,
    permutationSeed: c.permutationSeed as Uint8Array<ArrayBuffer>,
    multiaddrs: [],
    readonly: false,
    fields: new Map(Object.entries(c.fields)),
    withdrawn: false,
    certificate: new Uint8Array(),
    tahoe: carriageOf(carried, carrier)
  })
  const signature = await signAnnouncementPayload(payload, carrier.key)
  return SignedAnnouncement.encode({ payload, signature: signature as Uint8Array<ArrayBuffer> })
}
