/**
 * A data directory whose cache holds a large table: `publishers` distinct publishers
 * (each its own Ed25519 key), each announcing every one of `services`, signed now with a
 * long TTL. A node started on the directory loads them all (re-verified, as from the
 * network), so a test gets a real daemon process holding tens of thousands of entries in
 * seconds, without pushing them over the network.
 */
import { mkdir } from 'node:fs/promises'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { FileStore } from '../../src/store/data-dir.js'
import { signed } from '../helpers/records.js'
import type { CacheEntry } from '../../src/introduction/store.js'

export interface BigTableInit {
  grid: string
  publishers: number
  services: string[]
  /** @default 1 hour */
  ttlMs?: number
}

/** Writes DIR/cache.pb; returns the number of records written. */
export async function writeBigCache (dir: string, init: BigTableInit): Promise<number> {
  await mkdir(dir, { recursive: true })
  const now = Date.now()
  const entries: CacheEntry[] = []
  for (let i = 0; i < init.publishers; i++) {
    const key = await generateKeyPair('Ed25519')
    for (const service of init.services) {
      const record = await signed(key, {
        grid: init.grid,
        service,
        seqnum: BigInt(now),
        issuedAtMs: now,
        ttlMs: init.ttlMs ?? 60 * 60 * 1000,
        nickname: `fake-${i}`,
        version: 'gossip-introducer/fake',
        multiaddrs: [multiaddr(`/ip4/127.0.0.1/tcp/${10_000 + (i % 50_000)}`)],
        fields: { n: String(i) }
      })
      entries.push({ record: record.signed, originMs: now, firstSeenMs: now, refreshes: 0 })
    }
  }
  await new FileStore({ dir }).saveCache(entries)
  return entries.length
}
