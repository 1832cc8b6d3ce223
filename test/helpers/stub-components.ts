/**
 * Stubbed libp2p components for unit tests of the introduction service's parts (as
 * js-libp2p's protocol-ping and kad-dht tests do): a pubsub that hands published bytes
 * to the linked peers' real topic validators (and can lose them), a registrar and a
 * connection manager whose streams are in-memory stream pairs to the linked peer's
 * handler, and a peer:identify event to start syncs. No sockets, no gossipsub.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { StrictNoSign, TopicValidatorResult, type TopicValidatorFn } from '@libp2p/gossipsub'
import { TypedEventEmitter, type Connection, type PeerId, type PrivateKey, type Stream, type StreamHandler } from '@libp2p/interface'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { streamPair } from '@libp2p/utils'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { messageId } from '../../src/gossip/message-id.js'
import { Introduction } from '../../src/introduction/introduction.js'
import type { IntroductionComponents, IntroductionInit } from '../../src/introduction/index.js'

type SubscriptionChange = CustomEvent<{ peerId: PeerId, subscriptions: Array<{ topic: string, subscribe: boolean }> }>

/** A stand-in for gossipsub: one hop, to linked peers that subscribe to the topic. */
export class StubPubsub extends TypedEventEmitter<{ 'subscription-change': SubscriptionChange }> {
  readonly globalSignaturePolicy = StrictNoSign
  readonly opts = { msgIdFn: messageId }
  readonly topicValidators = new Map<string, TopicValidatorFn>()
  readonly topics = new Set<string>()
  readonly links: StubNode[] = []
  /** Every publish, in order. */
  readonly published: Array<{ topic: string, data: Uint8Array }> = []
  /** Return false to lose a message on its way to `to`. */
  deliver: (to: StubNode, topic: string, data: Uint8Array) => boolean = () => true
  /** Verdicts of linked peers' validators on what this node published. */
  readonly verdicts: TopicValidatorResult[] = []

  constructor (private readonly owner: StubNode) {
    super()
  }

  subscribe (topic: string): void {
    this.topics.add(topic)
    for (const peer of this.links) {
      peer.pubsub.safeDispatchEvent('subscription-change', { detail: { peerId: this.owner.peerId, subscriptions: [{ topic, subscribe: true }] } })
    }
  }

  unsubscribe (topic: string): void {
    this.topics.delete(topic)
  }

  getPeers (): PeerId[] {
    return this.links.map(l => l.peerId)
  }

  getSubscribers (topic: string): PeerId[] {
    return this.links.filter(l => l.pubsub.topics.has(topic)).map(l => l.peerId)
  }

  async publish (topic: string, data: Uint8Array): Promise<{ recipients: PeerId[] }> {
    this.published.push({ topic, data })
    const recipients = this.links.filter(l => l.pubsub.topics.has(topic))
    await Promise.all(recipients.map(async peer => {
      const validator = peer.pubsub.topicValidators.get(topic)
      if (validator != null && this.deliver(peer, topic, data)) {
        this.verdicts.push(await validator(this.owner.peerId, { type: 'unsigned', topic, data }))
      }
    }))
    return { recipients: recipients.map(r => r.peerId) }
  }
}

export class StubNode {
  readonly pubsub: StubPubsub
  readonly events = new TypedEventEmitter<Record<string, CustomEvent>>()
  readonly handlers = new Map<string, StreamHandler>()
  private constructor (readonly privateKey: PrivateKey, readonly peerId: PeerId) {
    this.pubsub = new StubPubsub(this)
  }

  static async create (): Promise<StubNode> {
    const key = await generateKeyPair('Ed25519')
    return new StubNode(key, peerIdFromPrivateKey(key))
  }

  /** Links two nodes both ways, as a connection would, and tells each the other was identified. */
  static link (a: StubNode, b: StubNode, identify = true): void {
    a.pubsub.links.push(b)
    b.pubsub.links.push(a)
    if (identify) {
      // a dialled b
      for (const [self, other, direction] of [[a, b, 'outbound'], [b, a, 'inbound']] as const) {
        self.events.safeDispatchEvent('peer:identify', { detail: { peerId: other.peerId, protocols: [...other.handlers.keys()], connection: self.connectionTo(other, direction) } })
      }
    }
  }

  private connectionTo (peer: StubNode, direction: 'inbound' | 'outbound' = 'outbound'): Connection {
    return {
      remotePeer: peer.peerId,
      remoteAddr: multiaddr(`/ip4/127.0.0.1/tcp/4001/p2p/${peer.peerId.toString()}`),
      direction,
      newStream: async (protocols: string | string[]): Promise<Stream> => {
        // negotiation: the first of ours the peer handles
        const protocol = [protocols].flat().find(p => peer.handlers.has(p))
        const handler = protocol != null ? peer.handlers.get(protocol) : undefined
        if (protocol == null || handler == null) {
          throw new Error(`${peer.peerId.toString()} handles none of ${[protocols].flat().join(', ')}`)
        }
        const [outbound, inbound] = await streamPair({ protocol })
        // streamPair leaves `protocol` empty, which the sync part reads as 1.0.0
        outbound.protocol = protocol
        inbound.protocol = protocol
        void Promise.resolve(handler(inbound, peer.connectionTo(this, 'inbound'))).catch(() => {})
        return outbound
      }
    } as unknown as Connection
  }

  components (): IntroductionComponents {
    return {
      peerId: this.peerId,
      privateKey: this.privateKey,
      pubsub: this.pubsub as never,
      logger: defaultLogger(),
      events: this.events as never,
      registrar: {
        handle: async (protocol: string, handler: StreamHandler) => { this.handlers.set(protocol, handler) },
        unhandle: async (protocol: string) => { this.handlers.delete(protocol) }
      } as never,
      connectionManager: {
        getConnections: (peer?: PeerId) => this.pubsub.links.filter(l => peer == null || l.peerId.equals(peer)).map(l => this.connectionTo(l)),
        openConnection: async (target: PeerId | Multiaddr[]) => {
          // a peer id, or addresses ending in /p2p/<id> (the ConnectionKeeper dials those)
          const peer = Array.isArray(target) ? target[0]?.getComponents().find(c => c.name === 'p2p')?.value : target.toString()
          const linked = this.pubsub.links.find(l => l.peerId.toString() === peer)
          if (linked == null) throw new Error(`not linked to ${peer}`)
          return this.connectionTo(linked)
        }
      } as never,
      addressManager: { getAddresses: () => [multiaddr(`/ip4/127.0.0.1/tcp/4001/p2p/${this.peerId.toString()}`)] } as never,
      peerStore: { merge: async () => {} } as never
    }
  }
}

/** The whole introduction service over stubbed components, started. */
export async function startService (node: StubNode, init: IntroductionInit = {}): Promise<Introduction> {
  const service = new Introduction(node.components(), { grid: 'test', ...init })
  await service.start()
  await service.afterStart()
  return service
}

export async function stopService (service: Introduction): Promise<void> {
  await service.beforeStop()
  await service.stop()
}
