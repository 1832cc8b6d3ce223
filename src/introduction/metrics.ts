/**
 * The service's counters. They are kept here (for `stats()`) and, when the node has a
 * libp2p metrics implementation (`components.metrics`, e.g. @libp2p/prometheus-metrics),
 * registered there as well, as kad-dht does, so any exporter picks them up.
 */
import type { RejectionCode } from '../announcement/rejection.js'
import type { IntroductionStats } from './index.js'
import type { CounterGroup, Histogram, Metrics } from '@libp2p/interface'

export type Outcome = 'accepted' | RejectionCode | 'internal-error'
export type SyncEvent = 'served' | 'made' | 'failed'

/** Buckets of the record-age histogram, in seconds. */
const AGE_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300]

export interface GaugeSources {
  /** Live entries per service. */
  tableSizes(): Map<string, number>
  connectedIntroducers(): number
}

export class ServiceMetrics {
  private readonly stats: IntroductionStats = { accepted: 0, dropped: {}, syncRequestsServed: 0, syncRequestsMade: 0, syncFailures: 0, syncBytesSent: 0, syncBytesReceived: 0 }
  private readonly outcomes?: CounterGroup<string>
  private readonly syncs?: CounterGroup<string>
  private readonly age?: Histogram
  private readonly storeFailures?: CounterGroup<string>
  private readonly syncBytesCounter?: CounterGroup<string>

  constructor (metrics: Metrics | undefined, sources: GaugeSources) {
    if (metrics == null) {
      return
    }
    this.outcomes = metrics.registerCounterGroup('introducer_announcements_total', {
      label: 'outcome',
      help: 'Incoming announcements (gossip, sync, cache) by outcome: accepted, or why they were dropped'
    })
    this.syncs = metrics.registerCounterGroup('introducer_sync_total', { label: 'kind', help: 'Sync exchanges served, made and failed' })
    this.syncBytesCounter = metrics.registerCounterGroup('introducer_sync_bytes_total', { label: 'direction', help: 'Bytes of sync 2.0.0 exchanges (reconciliation and records), sent and received' })
    this.storeFailures = metrics.registerCounterGroup('introducer_store_failures_total', { label: 'operation', help: 'Failed reads and writes of the store (data directory)' })
    this.age = metrics.registerHistogram('introducer_record_age_seconds', {
      help: 'Age of a record (receipt minus issue time) when it entered the table',
      buckets: AGE_BUCKETS_S
    })
    metrics.registerMetricGroup('introducer_table_entries', {
      label: 'service',
      help: 'Live entries in the peer table, per service',
      calculate: () => Object.fromEntries(sources.tableSizes())
    })
    metrics.registerMetric('introducer_connected_introducers', {
      help: 'Introducers this node is connected to',
      calculate: () => sources.connectedIntroducers()
    })
  }

  /** Counts what became of one incoming record. */
  outcome (outcome: Outcome): void {
    if (outcome === 'accepted') {
      this.stats.accepted++
    } else {
      this.stats.dropped[outcome] = (this.stats.dropped[outcome] ?? 0) + 1
    }
    this.outcomes?.increment({ [outcome]: true })
  }

  sync (event: SyncEvent): void {
    if (event === 'served') this.stats.syncRequestsServed++
    else if (event === 'made') this.stats.syncRequestsMade++
    else this.stats.syncFailures++
    this.syncs?.increment({ [event]: true })
  }

  syncBytes (sent: number, received: number): void {
    this.stats.syncBytesSent += sent
    this.stats.syncBytesReceived += received
    this.syncBytesCounter?.increment({ sent, received })
  }

  storeFailure (operation: string): void {
    this.storeFailures?.increment({ [operation]: true })
  }

  /** A record from another node entered the table `ageMs` after it was issued. */
  recordAge (ageMs: number): void {
    this.age?.observe(Math.max(0, ageMs) / 1000)
  }

  snapshot (): IntroductionStats {
    return { ...this.stats, dropped: { ...this.stats.dropped } }
  }
}
