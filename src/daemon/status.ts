/**
 * The JSON shapes of the HTTP API (/api/v1/...), built from a running node. Everything
 * here is what a person or a script reads: ids as strings, times as ms since the epoch,
 * seqnums as decimal strings (they exceed 2^53), seeds in Tahoe base32.
 */
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import { INTRODUCER } from '../announcement/names.js'
import { VERSION } from '../version.js'
import type { IntroducerNode } from '../node.js'
import type { ServicePeer } from '../peer-table.js'
import type { PermutedPeer } from '../introduction/index.js'
import type { Readiness } from './readiness.js'
import type { TahoeGatewayStatus } from '../tahoe/gateway.js'

export interface PeerJson {
  peerId: string
  nickname: string
  version: string
  multiaddrs: string[]
  fields: Record<string, string>
  seqnum: string
  readonly: boolean
  availableSpace: number | null
  permutationSeed: string
  issuedAt: number
  firstSeen: number
  lastSeen: number
  expiresAt: number
  connected: boolean
  /** When the current connection opened, if connected. */
  connectedSince: number | null
}

export interface NodeInfo {
  nickname: string
  roles: string[]
  startedAt: number
  readiness(): Readiness
  /** The Tahoe gateway's state, when it runs ([tahoe] enabled). */
  tahoe?: () => TahoeGatewayStatus
}

function connectionSince (node: IntroducerNode, peer: ServicePeer): number | null {
  const connections = node.libp2p.getConnections(peer.peerId)
  if (connections.length === 0) {
    return null
  }
  return Math.min(...connections.map(c => c.timeline.open))
}

export function peerJson (node: IntroducerNode, peer: ServicePeer): PeerJson {
  const since = peer.peerId.equals(node.peerId) ? null : connectionSince(node, peer)
  return {
    peerId: peer.peerId.toString(),
    nickname: peer.nickname,
    version: peer.version,
    multiaddrs: peer.multiaddrs.map(String),
    fields: { ...peer.fields },
    seqnum: peer.seqnum.toString(),
    readonly: peer.readonly,
    availableSpace: peer.availableSpace ?? null,
    permutationSeed: uint8ArrayToString(peer.permutationSeed, 'base32'),
    issuedAt: peer.issuedAt,
    firstSeen: peer.firstSeen,
    lastSeen: peer.lastSeen,
    expiresAt: peer.expiresAt,
    connected: peer.peerId.equals(node.peerId) || since != null,
    connectedSince: since
  }
}

export function permutedJson (node: IntroducerNode, peer: PermutedPeer): PeerJson & { permutedId: string } {
  return { ...peerJson(node, peer), permutedId: uint8ArrayToString(peer.permutedId, 'base16') }
}

export interface ServiceJson {
  subscribed: boolean
  published: boolean
  known: number
  connected: number
  peers: PeerJson[]
}

export interface StatusJson {
  node: {
    peerId: string
    nickname: string
    grid: string
    roles: string[]
    version: string
    addresses: string[]
    startedAt: number
    connections: number
  }
  /** As GET /ready says. */
  ready: boolean
  /** What is wrong, if anything (readiness.ts). */
  problems: string[]
  introducers: { known: number, connected: number, peers: PeerJson[] }
  services: Record<string, ServiceJson>
  stats: ReturnType<IntroducerNode['introducer']['stats']>
  /** The Tahoe introducer (docs/tahoe.md); null when [tahoe] is off. */
  tahoe: TahoeGatewayStatus | null
}

export interface PeersJson {
  service: string
  peers: PeerJson[]
}

export interface PermutedJson {
  service: string
  storageIndex: string
  peers: Array<PeerJson & { permutedId: string }>
}

export function statusJson (node: IntroducerNode, info: NodeInfo): StatusJson {
  const intro = node.introducer
  const services: Record<string, ServiceJson> = {}
  const names = new Set([...intro.getSubscriptions(), ...intro.getPublished()])
  for (const service of [...names].sort()) {
    const peers = intro.getPeers(service).map(p => peerJson(node, p))
    services[service] = {
      subscribed: intro.getSubscriptions().includes(service),
      published: intro.getPublished().includes(service),
      known: peers.length,
      connected: peers.filter(p => p.connected).length,
      peers
    }
  }
  const introducers = intro.getPeers(INTRODUCER).filter(p => !p.peerId.equals(node.peerId))
  const connectedIntroducers = new Set(intro.getConnectedIntroducers().map(String))
  const { ready, problems } = info.readiness()
  return {
    node: {
      peerId: node.peerId.toString(),
      nickname: info.nickname,
      grid: intro.grid,
      roles: info.roles,
      version: VERSION,
      addresses: node.getMultiaddrs().map(String),
      startedAt: info.startedAt,
      connections: node.libp2p.getConnections().length
    },
    ready,
    problems,
    introducers: {
      known: introducers.length,
      connected: connectedIntroducers.size,
      peers: introducers.map(p => peerJson(node, p))
    },
    services,
    stats: intro.stats(),
    tahoe: info.tahoe?.() ?? null
  }
}
