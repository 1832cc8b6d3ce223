/**
 * Records built without a signature, for tests and benchmarks of the peer table alone
 * (which never checks signatures: openAnnouncement does, before it). Cheap enough for tens
 * of thousands of fresh keys, as a Sybil would use.
 */
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { VerifiedAnnouncement } from '../../src/announcement/record.js'

const ADDRESS = multiaddr('/ip4/127.0.0.1/tcp/4001')
let counter = 0

/** Bytes unique in this process (a counter, then noise): the system's random source is slow for 10^5 calls. */
function uniqueBytes (length: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(length)
  new DataView(bytes.buffer).setFloat64(0, ++counter)
  for (let i = 8; i < length; i++) {
    bytes[i] = Math.floor(Math.random() * 256)
  }
  return bytes
}

export interface FakeRecordInit {
  service?: string
  /** A fresh random key when absent. */
  publicKey?: Uint8Array
  seqnum?: bigint
  issuedAtMs: number
  ttlMs?: number
  withdrawn?: boolean
}

export function fakeRecord (init: FakeRecordInit): VerifiedAnnouncement {
  const publicKey = (init.publicKey ?? uniqueBytes(32)) as Uint8Array<ArrayBuffer>
  return {
    // unique bytes: the table tells duplicates by them
    signed: uniqueBytes(120),
    announcement: {
      grid: 'test',
      service: init.service ?? 'upload_storage',
      publicKey,
      seqnum: init.seqnum ?? 1n,
      nonce: new Uint8Array(16),
      issuedAtMs: init.issuedAtMs,
      ttlMs: init.ttlMs ?? 15 * 60 * 1000,
      nickname: 'fake',
      version: 'test',
      permutationSeed: new Uint8Array(),
      multiaddrs: [ADDRESS.bytes],
      readonly: false,
      fields: new Map(),
      withdrawn: init.withdrawn ?? false,
      certificate: new Uint8Array()
    },
    peerId: peerIdFromPublicKey(publicKeyFromRaw(publicKey)),
    multiaddrs: [ADDRESS],
    fields: {}
  }
}
