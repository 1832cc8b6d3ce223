/** Builds signed records for tests, including ones no honest node would make. */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { signAnnouncement, signAnnouncementPayload, type AnnouncementContent, type VerifiedAnnouncement } from '../../src/announcement/record.js'
import { Announcement, SignedAnnouncement } from '../../src/pb/announcement.js'
import type { PrivateKey } from '@libp2p/interface'

export const T0 = 1_700_000_000_000

export function content (overrides: Partial<AnnouncementContent> = {}): AnnouncementContent {
  return {
    grid: 'test',
    service: 'upload_storage',
    seqnum: 1n,
    nonce: new Uint8Array(16).fill(7),
    issuedAtMs: T0,
    ttlMs: 60_000,
    nickname: 'server-a',
    version: 'gossip-introducer/test',
    permutationSeed: new Uint8Array(),
    multiaddrs: [multiaddr('/ip4/127.0.0.1/tcp/4001')],
    readonly: false,
    fields: {},
    withdrawn: false,
    ...overrides
  }
}

export async function key (): Promise<PrivateKey> {
  return generateKeyPair('Ed25519')
}

export async function signed (k: PrivateKey, overrides: Partial<AnnouncementContent> = {}): Promise<VerifiedAnnouncement> {
  return signAnnouncement(content(overrides), k)
}

/** Every field of an Announcement, as given or defaulted (publisher: `signer`'s key); nothing checked. */
export function announcementFields (announcement: Partial<Announcement>, signer: PrivateKey): Announcement {
  return {
    grid: 'test',
    service: 'upload_storage',
    publicKey: signer.publicKey.raw as Uint8Array<ArrayBuffer>,
    seqnum: 1n,
    nonce: new Uint8Array(16),
    issuedAtMs: T0,
    ttlMs: 60_000,
    nickname: '',
    version: '',
    permutationSeed: new Uint8Array(),
    multiaddrs: [],
    readonly: false,
    fields: new Map(),
    withdrawn: false,
    certificate: new Uint8Array(),
    ...announcement
  }
}

/** Encodes an Announcement as given (any field values) and signs DOMAIN||payload with `signer`. */
export async function forge (announcement: Partial<Announcement>, signer: PrivateKey): Promise<Uint8Array> {
  const full = announcementFields(announcement, signer)
  const payload = Announcement.encode(full)
  return SignedAnnouncement.encode({ payload, signature: await signAnnouncementPayload(payload, signer) as Uint8Array<ArrayBuffer> })
}
