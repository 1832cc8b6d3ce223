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
import type { ContactJson, Contacts } from './contacts.js'
import type { GridIndex } from './grid-index.js'

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
  /** When this node last reached the peer, and the round trip (contacts.ts); null when never. */
  contact: ContactJson | null
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

export function peerJson (node: IntroducerNode, peer: ServicePeer, contacts?: Contacts): PeerJson {
  const self = peer.peerId.equals(node.peerId)
  const since = self ? null : connectionSince(node, peer)
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
    connected: self || since != null,
    connectedSince: since,
    contact: self ? null : contacts?.of(peer.peerId) ?? null
  }
}

export function permutedJson (node: IntroducerNode, peer: PermutedPeer, contacts?: Contacts): PeerJson & { permutedId: string } {
  return { ...peerJson(node, peer, contacts), permutedId: uint8ArrayToString(peer.permutedId, 'base16') }
}

/** Counts only: /api/v1/status stays small whatever the table holds (lists: /api/v1/peers, /members). */
export interface ServiceJson {
  subscribed: boolean
  published: boolean
  known: number
  connected: number
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
  introducers: { known: number, connected: number }
  services: Record<string, ServiceJson>
  /** Nodes known (grouped by publisher), and those that left recently. */
  members: { known: number, departed: number }
  stats: ReturnType<IntroducerNode['introducer']['stats']>
  /** The Tahoe introducer (docs/tahoe.md); null when [tahoe] is off. */
  tahoe: TahoeGatewayStatus | null
}

export interface PeersJson {
  service: string
  /** Entries of the service (all pages). */
  total: number
  peers: PeerJson[]
  /** Cursor of the next page (paging.ts); null on the last. */
  next: string | null
}

export interface PermutedJson {
  service: string
  storageIndex: string
  /** Entries of the service; `peers` holds the first `limit` of them. */
  total: number
  peers: Array<PeerJson & { permutedId: string }>
}

/**
 * O(services + connections + departures), whatever the table holds: counts from the
 * index, connected entries from the connections' peers.
 */
export function statusJson (node: IntroducerNode, info: NodeInfo, index: GridIndex): StatusJson {
  const intro = node.introducer
  const subscribed = new Set(intro.getSubscriptions())
  const published = new Set(intro.getPublished())
  const connected = new Map<string, number>()
  const peers = new Set([node.peerId.toString(), ...node.libp2p.getConnections().map(c => c.remotePeer.toString())])
  for (const id of peers) {
    for (const entry of index.entriesOf(id)) connected.set(entry.service, (connected.get(entry.service) ?? 0) + 1)
  }
  const services: Record<string, ServiceJson> = {}
  for (const service of [...new Set([...subscribed, ...published])].sort()) {
    services[service] = {
      subscribed: subscribed.has(service),
      published: published.has(service),
      known: index.count(service),
      connected: connected.get(service) ?? 0
    }
  }
  const self = intro.isIntroducer && index.entriesOf(node.peerId.toString()).some(e => e.service === INTRODUCER) ? 1 : 0
  const departed = new Set(intro.getDepartures().map(d => d.peerId.toString()).filter(id => !index.has(id))).size
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
    introducers: { known: index.count(INTRODUCER) - self, connected: intro.getConnectedIntroducers().length },
    services,
    members: { known: index.size, departed },
    stats: intro.stats(),
    tahoe: info.tahoe?.() ?? null
  }
}
