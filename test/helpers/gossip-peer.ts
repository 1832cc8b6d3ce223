/**
 * A bare gossip peer for attack tests: libp2p with TCP, Noise, Yamux, identify and
 * gossipsub set up as the grid's nodes are (so its messages are accepted), and nothing
 * else: no introduction service, so it never dials introducers, syncs or validates what
 * it sends. `localAddress` binds its dials to another loopback address (e.g. 127.0.0.2),
 * so that the target sees another host than the test's other nodes.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { gossipsub, type GossipSub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { tcp, type TCPSocketOptions } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p, type Libp2p } from 'libp2p'
import { gossipsubOptions } from '../../src/gossip/settings.js'
import { waitFor } from './wait.js'
import type { PrivateKey } from '@libp2p/interface'

export interface GossipPeerInit {
  grid: string
  localAddress?: string
  privateKey?: PrivateKey
}

export class GossipPeer {
  private constructor (readonly libp2p: Libp2p<{ pubsub: GossipSub }>) {}

  static async start (init: GossipPeerInit): Promise<GossipPeer> {
    const libp2p = await createLibp2p({
      privateKey: init.privateKey,
      // localAddress is passed through to net.connect (TCPSocketOptions types only a subset)
      transports: [tcp(init.localAddress != null ? { dialOpts: { localAddress: init.localAddress } as TCPSocketOptions } : {})],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      // no pings: an attacker keeps its connection however long its target stalls. With
      // libp2p's (5 s floor) a target busy for 15 s under the whole suite lost the
      // pusher's connection, and the rest of the flood never reached it (sybil-keys)
      connectionMonitor: { enabled: false },
      services: {
        identify: identify(),
        pubsub: gossipsub({ ...gossipsubOptions({ grid: init.grid }), emitSelf: false })
      }
    })
    return new GossipPeer(libp2p)
  }

  get pubsub (): GossipSub {
    return this.libp2p.services.pubsub
  }

  /** Dials `target` and waits until it subscribes to `topic` as this peer sees it. */
  async join (target: string, topic?: string, timeoutMs = 20_000): Promise<void> {
    const ma = multiaddr(target)
    await this.libp2p.dial(ma)
    const id = ma.getComponents().find(c => c.name === 'p2p')?.value
    if (topic != null) {
      await waitFor(`${id ?? target} to subscribe to ${topic}`, () =>
        this.pubsub.getSubscribers(topic).some(p => p.toString() === id), timeoutMs, 50)
    }
  }

  /** Publishes and never throws (a flood goes on whatever gossipsub says). */
  async publish (topic: string, data: Uint8Array): Promise<boolean> {
    try {
      await this.pubsub.publish(topic, data)
      return true
    } catch {
      return false
    }
  }

  async stop (): Promise<void> {
    await this.libp2p.stop()
  }
}
