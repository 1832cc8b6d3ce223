/**
 * Prometheus metrics at /metrics (prom-client): announcements accepted and dropped by
 * reason, table sizes per service, sync exchanges, the age of records when they arrive
 * (propagation delay plus clock skew). libp2p's own metrics and Node's process metrics
 * come from @libp2p/prometheus-metrics registering into the same registry.
 */
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { IntroducerNode } from '../node.js'
import type { FastifyInstance } from 'fastify'

/** One registry per node process: libp2p's metrics (pass `libp2p` to createNode) and ours. */
export function createRegistry (statfsLocation: string): { registry: Registry, libp2p: ReturnType<typeof prometheusMetrics> } {
  const registry = new Registry()
  return { registry, libp2p: prometheusMetrics({ registry, collectDefaultMetrics: true, statfsLocation }) }
}

export function registerIntroducerMetrics (node: IntroducerNode, registry: Registry): void {
  const intro = node.introducer
  new Gauge({
    name: 'introducer_table_entries',
    help: 'Live entries in the peer table, per service',
    labelNames: ['service'],
    registers: [registry],
    collect () {
      this.reset()
      for (const service of new Set([...intro.getSubscriptions(), ...intro.getPublished()])) {
        this.set({ service }, intro.getPeers(service).length)
      }
    }
  })
  new Counter({
    name: 'introducer_announcements_total',
    help: 'Incoming announcements (gossip and sync) by outcome: accepted, or the reason they were dropped',
    labelNames: ['outcome'],
    registers: [registry],
    collect () {
      const stats = intro.stats()
      this.reset()
      this.inc({ outcome: 'accepted' }, stats.accepted)
      for (const [reason, count] of Object.entries(stats.dropped)) {
        this.inc({ outcome: reason }, count ?? 0)
      }
    }
  })
  new Counter({
    name: 'introducer_sync_total',
    help: 'Sync exchanges: requests served, made, and failed',
    labelNames: ['kind'],
    registers: [registry],
    collect () {
      const stats = intro.stats()
      this.reset()
      this.inc({ kind: 'served' }, stats.syncRequestsServed)
      this.inc({ kind: 'made' }, stats.syncRequestsMade)
      this.inc({ kind: 'failed' }, stats.syncFailures)
    }
  })
  new Gauge({
    name: 'introducer_connected_introducers',
    help: 'Introducers this node is connected to',
    registers: [registry],
    collect () { this.set(intro.getConnectedIntroducers().length) }
  })
  const age = new Histogram({
    name: 'introducer_record_age_seconds',
    help: 'Age of a record (receipt time minus issue time) when it entered the table',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry]
  })
  for (const event of ['peer:added', 'peer:updated'] as const) {
    intro.addEventListener(event, (evt) => {
      if (!evt.detail.peerId.equals(node.peerId)) {
        age.observe(Math.max(0, evt.detail.lastSeen - evt.detail.issuedAt) / 1000)
      }
    })
  }
}

export function metricsPlugin (app: FastifyInstance, node: IntroducerNode, registry: Registry): void {
  registerIntroducerMetrics(node, registry)
  app.get('/metrics', async (_request, reply) => {
    return reply.type(registry.contentType).send(await registry.metrics())
  })
}
