/**
 * Prometheus metrics at /metrics (prom-client). One registry per node process:
 * @libp2p/prometheus-metrics registers libp2p's own metrics, Node's process metrics and,
 * through `components.metrics`, the introduction service's counters (announcements by
 * outcome, sync exchanges, table entries per service, connected introducers, record age;
 * src/introduction/metrics.ts), so the daemon needs no bridge of its own.
 */
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { Registry } from 'prom-client'
import type { FastifyInstance } from 'fastify'

/** One registry per node process; pass `libp2p` to createNode as its metrics. */
export function createRegistry (statfsLocation: string): { registry: Registry, libp2p: ReturnType<typeof prometheusMetrics> } {
  const registry = new Registry()
  return { registry, libp2p: prometheusMetrics({ registry, collectDefaultMetrics: true, statfsLocation }) }
}

export function metricsPlugin (app: FastifyInstance, registry: Registry): void {
  app.get('/metrics', async (_request, reply) => {
    return reply.type(registry.contentType).send(await registry.metrics())
  })
}
