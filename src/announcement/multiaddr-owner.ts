/**
 * Whose address an announced multiaddr is (protocol.md §4.2): a record's addresses are
 * its publisher's, so a `/p2p/<id>` component must name the publisher, except one that
 * `/p2p-circuit` follows later in the address (it names a relay). Dialing an address
 * that names another peer would connect to that peer. Pure.
 */
import type { Multiaddr } from '@multiformats/multiaddr'

/** What is wrong with `ma` as an address of `publisher` (a peer id string), if anything. */
export function foreignPeerInAddress (ma: Multiaddr, publisher: string): string | undefined {
  const components = ma.getComponents()
  for (let i = 0; i < components.length; i++) {
    const c = components[i]
    if (c.name !== 'p2p' || c.value === publisher) {
      continue
    }
    if (!components.slice(i + 1).some(later => later.name === 'p2p-circuit')) {
      return `${ma.toString()} names another peer than the publisher ${publisher}`
    }
  }
  return undefined
}
