/**
 * The daemon's index of what the node holds, kept up to date from the introduction
 * service's events (added, updated, withdrawn, expired, evicted), so that the HTTP API
 * answers in time that does not grow with the table (issue #10): counts in O(1), the
 * connected entries of each service in O(connections), and a page of a service's
 * entries or of the grid's nodes in O(log n + page), from lists kept in peer id order.
 *
 * An entry past its expiry is left out of pages at once; it leaves the index when the
 * service drops it (its expired event, within a fraction of a second).
 */
import type { IntroducerService } from '../introduction/index.js'
import type { ServicePeer } from '../peer-table.js'
import type { Page, PageRequest } from './paging.js'

/** Peer ids in order, with O(log n) lookup of a position. */
class SortedIds {
  readonly ids: string[] = []

  /** The position of the first id greater than `after` (all when undefined). */
  after (after: string | undefined): number {
    if (after == null) return 0
    let lo = 0
    let hi = this.ids.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.ids[mid] <= after) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  add (id: string): void {
    const at = this.after(id)
    if (this.ids[at - 1] !== id) this.ids.splice(at, 0, id)
  }

  delete (id: string): void {
    const at = this.after(id) - 1
    if (this.ids[at] === id) this.ids.splice(at, 1)
  }
}

interface ServiceIndex {
  entries: Map<string, ServicePeer>
  order: SortedIds
}

const EVENTS = ['peer:added', 'peer:updated', 'peer:withdrawn', 'peer:expired', 'peer:evicted'] as const

export class GridIndex {
  /** Publisher → service → entry. */
  private readonly nodes = new Map<string, Map<string, ServicePeer>>()
  private readonly nodeOrder = new SortedIds()
  private readonly services = new Map<string, ServiceIndex>()
  private readonly listener = (evt: CustomEvent<ServicePeer>): void => {
    if (evt.type === 'peer:added' || evt.type === 'peer:updated') this.put(evt.detail)
    else this.remove(evt.detail)
  }

  /** Listens from now on: make it before the node starts, so that it sees the cache loaded. */
  constructor (private readonly service: IntroducerService, private readonly now: () => number = Date.now) {
    for (const event of EVENTS) service.addEventListener(event, this.listener)
  }

  close (): void {
    for (const event of EVENTS) this.service.removeEventListener(event, this.listener)
  }

  /** Nodes known (publishers with at least one entry). */
  get size (): number {
    return this.nodes.size
  }

  count (service: string): number {
    return this.services.get(service)?.entries.size ?? 0
  }

  has (peerId: string): boolean {
    return this.nodes.has(peerId)
  }

  /** The entries of one publisher, by service. */
  entriesOf (peerId: string): ServicePeer[] {
    return [...(this.nodes.get(peerId)?.values() ?? [])].filter(e => e.expiresAt > this.now())
  }

  /** One page of a service's entries, in peer id order. */
  servicePage (service: string, request: PageRequest): Page<ServicePeer> & { total: number } {
    const index = this.services.get(service)
    if (index == null) return { items: [], next: null, total: 0 }
    return { ...this.take(index.order, request, id => index.entries.get(id)), total: index.entries.size }
  }

  /** One page of the grid's nodes, in peer id order, each with its live entries. */
  nodePage (request: PageRequest): Page<[string, ServicePeer[]]> & { total: number } {
    const page = this.take(this.nodeOrder, request, id => {
      const entries = this.entriesOf(id)
      return entries.length > 0 ? [id, entries] as [string, ServicePeer[]] : undefined
    })
    return { ...page, total: this.nodes.size }
  }

  private take<T> (order: SortedIds, request: PageRequest, get: (id: string) => T | undefined): Page<T> {
    const now = this.now()
    const items: T[] = []
    let at = order.after(request.cursor)
    for (; at < order.ids.length && items.length < request.limit; at++) {
      const item = get(order.ids[at])
      if (item != null && !(isEntry(item) && item.expiresAt <= now)) items.push(item)
    }
    return { items, next: at < order.ids.length && items.length > 0 ? order.ids[at - 1] : null }
  }

  private put (peer: ServicePeer): void {
    const id = peer.peerId.toString()
    let services = this.nodes.get(id)
    if (services == null) {
      services = new Map()
      this.nodes.set(id, services)
      this.nodeOrder.add(id)
    }
    services.set(peer.service, peer)
    let index = this.services.get(peer.service)
    if (index == null) {
      index = { entries: new Map(), order: new SortedIds() }
      this.services.set(peer.service, index)
    }
    if (!index.entries.has(id)) index.order.add(id)
    index.entries.set(id, peer)
  }

  private remove (peer: ServicePeer): void {
    const id = peer.peerId.toString()
    const index = this.services.get(peer.service)
    if (index?.entries.delete(id) === true) index.order.delete(id)
    const services = this.nodes.get(id)
    if (services?.delete(peer.service) === true && services.size === 0) {
      this.nodes.delete(id)
      this.nodeOrder.delete(id)
    }
  }
}

function isEntry (item: unknown): item is ServicePeer {
  return typeof (item as ServicePeer).expiresAt === 'number'
}
