/**
 * The grid as this node knows it, node by node (like `serf members`): every publisher
 * of every service the node follows or publishes, grouped by peer id, with all the
 * services it announces, its addresses, version and when it was last heard from; and
 * the nodes that left recently (every entry withdrawn, expired or evicted), and when.
 * Pages come from the GridIndex (grid-index.ts), in peer id order.
 */
import type { IntroducerNode } from '../node.js'
import type { Departure, DepartureReason } from '../introduction/index.js'
import type { ServicePeer } from '../peer-table.js'
import type { GridIndex } from './grid-index.js'
import type { PageRequest } from './paging.js'

export interface MemberServiceJson {
  service: string
  multiaddrs: string[]
  fields: Record<string, string>
  readonly: boolean
  availableSpace: number | null
  seqnum: string
  lastSeen: number
  expiresAt: number
}

export interface MemberJson {
  peerId: string
  /** From its most recent record. */
  nickname: string
  version: string
  /** Every address of its services, once each. */
  multiaddrs: string[]
  services: MemberServiceJson[]
  /** When this node last received a record of it (any service). */
  lastSeen: number
  /** When its last entry expires unless refreshed. */
  expiresAt: number
  connected: boolean
  /** This node itself. */
  self: boolean
}

export interface DepartedJson {
  peerId: string
  nickname: string
  version: string
  multiaddrs: string[]
  /** Each service it left, why and when, the latest first. */
  services: Array<{ service: string, reason: DepartureReason, at: number }>
  /** When its last entry left. */
  at: number
  lastSeen: number
}

export interface MembersJson {
  /** Nodes known (all pages). */
  total: number
  members: MemberJson[]
  /** Cursor of the next page; null on the last. */
  next: string | null
  /** Nodes that left recently and hold no entry now, the latest first (bounded: departures.ts). */
  departed: DepartedJson[]
}

function memberJson (node: IntroducerNode, id: string, entries: ServicePeer[]): MemberJson {
  const latest = entries.reduce((a, b) => b.lastSeen > a.lastSeen ? b : a)
  const self = latest.peerId.equals(node.peerId)
  return {
    peerId: id,
    nickname: latest.nickname,
    version: latest.version,
    multiaddrs: [...new Set(entries.flatMap(e => e.multiaddrs.map(String)))],
    services: entries.map(e => ({
      service: e.service,
      multiaddrs: e.multiaddrs.map(String),
      fields: { ...e.fields },
      readonly: e.readonly,
      availableSpace: e.availableSpace ?? null,
      seqnum: e.seqnum.toString(),
      lastSeen: e.lastSeen,
      expiresAt: e.expiresAt
    })).sort((a, b) => a.service < b.service ? -1 : 1),
    lastSeen: latest.lastSeen,
    expiresAt: Math.max(...entries.map(e => e.expiresAt)),
    connected: self || node.libp2p.getConnections(latest.peerId).length > 0,
    self
  }
}

/** Departures of nodes that hold no entry now, grouped by node, the latest first. */
export function departedJson (departures: Departure[], members: Pick<GridIndex, 'has'>): DepartedJson[] {
  const out = new Map<string, DepartedJson>()
  for (const d of departures) {
    const id = d.peerId.toString()
    if (members.has(id)) continue
    let node = out.get(id)
    if (node == null) {
      // departures come the most recent first: the first one of a node names it
      node = { peerId: id, nickname: d.nickname, version: d.version, multiaddrs: d.multiaddrs.map(String), services: [], at: d.at, lastSeen: d.lastSeen }
      out.set(id, node)
    }
    node.services.push({ service: d.service, reason: d.reason, at: d.at })
  }
  return [...out.values()]
}

export function membersJson (node: IntroducerNode, index: GridIndex, page: PageRequest): MembersJson {
  const { items, next, total } = index.nodePage(page)
  return {
    total,
    members: items.map(([id, entries]) => memberJson(node, id, entries)),
    next,
    departed: departedJson(node.introducer.getDepartures(), index)
  }
}
