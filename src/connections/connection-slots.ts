/**
 * The connection-slots service: binds the gater to the connection manager while the node
 * runs, and whenever a connection opens with more than `maxConnections` open, closes the
 * least useful ones (admission.ts `chooseVictims`), never those of peers kept on purpose
 * (tagged `keep-alive*` in the peer store: introducers and bootstrap peers) within the
 * reserved slots.
 */
import { KEEP_ALIVE } from '@libp2p/interface'
import { describeError } from '../errors.js'
import { chooseVictims, type Refusal, type SlotConnection } from './admission.js'
import { PRUNE_GRACE_MS } from './constants.js'
import type { SlotGater } from './gater.js'
import type { ConnectionSlotsComponents, ConnectionSlotsService, ConnectionSlotsStats } from './index.js'
import type { ResolvedSlots } from './options.js'
import type { Connection, Counter, CounterGroup, Logger, MultiaddrConnection, Startable } from '@libp2p/interface'

const CLOSE_TIMEOUT_MS = 1000

export class ConnectionSlots implements ConnectionSlotsService, Startable {
  readonly [Symbol.toStringTag] = 'gossip-introducer:connection-slots'
  private readonly log: Logger
  private readonly refused: Partial<Record<Refusal, number>> = {}
  private pruned = 0
  private pruning = false
  private pruneAgain = false
  private started = false
  private readonly refusedMetric?: CounterGroup<Refusal>
  private readonly prunedMetric?: Counter

  constructor (private readonly components: ConnectionSlotsComponents, private readonly gater: SlotGater, private readonly options: ResolvedSlots) {
    this.log = components.logger.forComponent('introducer:connections')
    this.refusedMetric = components.metrics?.registerCounterGroup('gossip_introducer_connections_refused_total', { label: 'reason', help: 'inbound connections refused, by limit' })
    this.prunedMetric = components.metrics?.registerCounter('gossip_introducer_connections_pruned_total', { help: 'connections closed to stay within maxConnections' })
  }

  start (): void {
    if (this.started) return
    this.started = true
    this.gater.bind(this.components.connectionManager, this.countRefusal)
    this.components.events.addEventListener('connection:open', this.onOpen)
  }

  stop (): void {
    if (!this.started) return
    this.started = false
    this.components.events.removeEventListener('connection:open', this.onOpen)
    this.gater.unbind()
  }

  stats (): ConnectionSlotsStats {
    return { refused: { ...this.refused }, pruned: this.pruned, pending: this.gater.pendingCount }
  }

  /** Called by the gater for every refusal. */
  private readonly countRefusal = (refusal: Refusal, maConn: MultiaddrConnection): void => {
    this.refused[refusal] = (this.refused[refusal] ?? 0) + 1
    this.refusedMetric?.increment({ [refusal]: true })
    this.log('refused %a: %s', maConn.remoteAddr, refusal)
  }

  private readonly onOpen = (): void => {
    if (this.pruning) {
      this.pruneAgain = true
      return
    }
    this.pruning = true
    void this.prune().catch((err: unknown) => {
      this.log.error('pruning failed: %s', describeError(err))
    }).finally(() => {
      this.pruning = false
      if (this.pruneAgain && this.started) {
        this.pruneAgain = false
        this.onOpen()
      }
    })
  }

  private async prune (): Promise<void> {
    const connections = this.components.connectionManager.getConnections()
    if (!this.started || connections.length <= this.options.maxConnections) {
      return
    }
    const victims = chooseVictims(await this.describe(connections), this.options.maxConnections, Date.now(), PRUNE_GRACE_MS)
    const byId = new Map(connections.map(c => [c.id, c]))
    await Promise.all(victims.map(async v => {
      const connection = byId.get(v.id)!
      this.log('closing %a (%p) of host %s: more than %d connections', connection.remoteAddr, connection.remotePeer, v.host, this.options.maxConnections)
      this.pruned++
      this.prunedMetric?.increment()
      try {
        await connection.close({ signal: AbortSignal.timeout(CLOSE_TIMEOUT_MS) })
      } catch (err) {
        connection.abort(err instanceof Error ? err : new Error(describeError(err)))
      }
    }))
    if (victims.length > 0) {
      this.components.events.safeDispatchEvent('connection:prune', { detail: victims.map(v => byId.get(v.id)!) })
    }
  }

  /** The pruner's view of the open connections: hosts, tags, reserved slots. */
  private async describe (connections: Connection[]): Promise<SlotConnection[]> {
    const tags = new Map<string, { value: number, keep: boolean }>()
    for (const connection of connections) {
      const key = connection.remotePeer.toString()
      if (tags.has(key)) continue
      try {
        const peer = await this.components.peerStore.get(connection.remotePeer)
        const values = [...peer.tags.entries()]
        tags.set(key, {
          value: values.reduce((sum, [, tag]) => sum + tag.value, 0),
          keep: values.some(([name]) => name.startsWith(KEEP_ALIVE))
        })
      } catch {
        // not in the peer store (NotFoundError): no tags
        tags.set(key, { value: 0, keep: false })
      }
    }
    // reserved slots: the oldest connections of kept peers, at most reservedConnections
    const reserved = new Set(connections
      .filter(c => tags.get(c.remotePeer.toString())?.keep === true)
      .sort((a, b) => a.timeline.open - b.timeline.open)
      .slice(0, this.options.reservedConnections)
      .map(c => c.id))
    return connections.map(c => ({
      id: c.id,
      host: this.gater.hostOf(c),
      peer: c.remotePeer.toString(),
      protected: reserved.has(c.id),
      tagValue: tags.get(c.remotePeer.toString())?.value ?? 0,
      streams: c.streams.length,
      openedAt: c.timeline.open
    }))
  }
}
