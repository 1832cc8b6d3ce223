/** Bootstrap entries: multiaddrs that name the peer they reach (`.../p2p/<peer id>`). */
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { PeerId } from '@libp2p/interface'

/** A peer to dial and where. */
export interface DialTarget {
  peerId: PeerId
  multiaddrs: readonly Multiaddr[]
}

/** Parses a bootstrap entry; throws a message naming the entry when it has no /p2p/ id. */
export function parseBootstrapEntry (entry: string): DialTarget {
  const ma = multiaddr(entry.trim())
  const id = ma.getComponents().findLast(c => c.name === 'p2p')?.value
  if (id == null) {
    throw new Error(`bootstrap entry ${JSON.stringify(entry)} does not end in /p2p/<peer id>`)
  }
  return { peerId: peerIdFromString(id), multiaddrs: [ma] }
}
