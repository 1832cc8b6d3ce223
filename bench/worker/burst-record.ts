/**
 * One burst record: an upload_storage announcement of `key`'s own, as the grid's injector
 * (ours-node.ts) and bench/join.ts's holder sign them: seqnum 1, a fresh nonce, the
 * default TTL, one placeholder address.
 */
import { randomBytes } from 'node:crypto'
import { multiaddr } from '@multiformats/multiaddr'
import { DEFAULT_ANNOUNCEMENT_TTL_MS, UPLOAD_STORAGE } from '../../src/index.js'
import { NONCE_BYTES, signAnnouncement } from '../../src/announcement/record.js'
import { BENCH_GRID } from '../protocol.js'
import type { PrivateKey } from '@libp2p/interface'

const ADDR = multiaddr('/ip4/127.0.0.1/tcp/1')

export async function signBurstRecord (key: PrivateKey): Promise<Uint8Array> {
  const record = await signAnnouncement({
    grid: BENCH_GRID,
    service: UPLOAD_STORAGE,
    seqnum: 1n,
    nonce: randomBytes(NONCE_BYTES),
    issuedAtMs: Date.now(),
    ttlMs: DEFAULT_ANNOUNCEMENT_TTL_MS,
    nickname: '',
    version: 'gossip-introducer/bench',
    permutationSeed: new Uint8Array(),
    multiaddrs: [ADDR],
    readonly: false,
    fields: {},
    withdrawn: false
  }, key)
  return record.signed
}
