/**
 * Real nodes over loopback TCP, for tests. `startNodes` builds several, `connect` links
 * two, `stopAll` stops whatever a test started (call it in `after`/`finally`).
 */
import { createNode, type IntroducerNode, type NodeOptions } from '../../src/node.js'
import { serviceTopic } from '../../src/gossip/topic.js'
import { waitFor } from './wait.js'

export const TEST_GRID = 'test'

export class NodeSet {
  readonly nodes: IntroducerNode[] = []

  async start (options: NodeOptions = {}): Promise<IntroducerNode> {
    const node = await createNode({ grid: TEST_GRID, listen: ['/ip4/127.0.0.1/tcp/0'], ...options })
    this.nodes.push(node)
    return node
  }

  async stopAll (): Promise<void> {
    await Promise.allSettled(this.nodes.splice(0).map(async n => n.stop()))
  }
}

/** Dials b from a and waits until each sees the other subscribed to `services`' topics. */
export async function connect (a: IntroducerNode, b: IntroducerNode, services: string[] = []): Promise<void> {
  await a.libp2p.dial(b.getMultiaddrs()[0])
  for (const service of services) {
    const topic = serviceTopic(a.introducer.grid, service)
    await waitFor(`${service} subscriptions to be exchanged`, () =>
      a.libp2p.services.pubsub.getSubscribers(topic).some(p => p.equals(b.peerId)) &&
      b.libp2p.services.pubsub.getSubscribers(topic).some(p => p.equals(a.peerId)))
  }
}

/** Waits until `node` has `peer` in its gossipsub mesh for the service's topic. */
export async function waitForMesh (node: IntroducerNode, peer: IntroducerNode, service: string): Promise<void> {
  const topic = serviceTopic(node.introducer.grid, service)
  const pubsub = node.libp2p.services.pubsub as unknown as { getMeshPeers(topic: string): string[] }
  await waitFor(`${service} mesh`, () => pubsub.getMeshPeers(topic).includes(peer.peerId.toString()))
}
