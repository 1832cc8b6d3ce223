/**
 * The service's counters. They are kept here (for `stats()`) and, when the node has a
 * libp2p metrics implementation (`components.metrics`, e.g. @libp2p/prometheus-metrics),
 * registered there as well, as kad-dht does, so any exporter picks them up.
 */
import type { RejectionCode } from '../announcement/rejection.js'
import type { DialCounts } from './dial-policy.js'
import type { IntroductionStats } from './index.js'
import type { ServiceCounts, TableCounts } from '../peer-table.js'
import type { CounterGroup, Histogram, Metrics } from '@libp2p/interface'

export type Outcome = 'accepted' | RejectionCode | 'internal-error'
export type SyncEvent = 'served' | 'made' | 'failed'

/** Buckets of the record-age histogram, in seconds. */
const AGE_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300]

export interface GaugeSources {
  /** Live entries per service. */
  tableSizes(): Map<string, number>
  connectedIntroducers(): number
  /** Entries, tombstones, evictions and refusals per service; withdrawn keys. */
  tableCounts?: () => TableCounts
  /** Dials of introducers and known peers, by kind. */
  dials?: () => DialCounts
  /** Services an introducer joined on its own: waiting, being tried, followed. */
  autoFollow?: () => { pending: number, candidates: number, followed: number }
  /** Records handed over by publishers whose clocks looked far off. */
  clockSkews?: () => number
}

/** The per-service table counts exported, each as its own metric group. */
const TABLE_METRICS: Array<[string, keyof ServiceCounts, string]> = [
  ['introducer_table_established', 'established', 'Live entries that are established (never pushed out by a newcomer), per service'],
  ['introducer_table_tombstones', 'tombstones', 'Withdrawn or expired entries kept so that older copies cannot return, per service'],
  ['introducer_table_evicted_total', 'evicted', 'Live entries pushed out by a newcomer at a cap, per service'],
  ['introducer_table_refused_total', 'refused', 'Records not taken at a cap because no entry could give way, per service'],
  ['introducer_table_tombstones_dropped_total', 'tombstonesDropped', 'Tombstones dropped at a cap (their key and seqnum kept in the withdrawn-keys memory), per service']
]

function perService (counts: TableCounts, field: keyof ServiceCounts): Record<string, number> {
  return Object.fromEntries([...counts.services].map(([service, c]) => [service, c[field]]))
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
    const { tableCounts, dials, autoFollow, clockSkews } = sources
    if (clockSkews != null) {
      metrics.registerCounter('introducer_peer_clock_skew_total', {
        help: 'Records handed over on gossip by their publisher whose clock looked more than 5 minutes off ours',
        calculate: clockSkews
      })
    }
    if (tableCounts != null) {
      for (const [name, field, help] of TABLE_METRICS) {
        metrics.registerMetricGroup(name, { label: 'service', help, calculate: () => perService(tableCounts(), field) })
      }
      metrics.registerMetric('introducer_withdrawn_keys', {
        help: 'Withdrawn keys remembered (key and seqnum only) without a tombstone',
        calculate: () => tableCounts().withdrawnKeys
      })
    }
    if (dials != null) {
      metrics.registerCounterGroup('introducer_dials_total', {
        label: 'kind',
        help: 'Dials of bootstrap peers, introducers and known peers: confirmed, new (within the budget), failed; over-budget: passes that put a new one off',
        calculate: () => ({ ...dials() })
      })
    }
    if (autoFollow != null) {
      metrics.registerMetricGroup('introducer_auto_followed_services', {
        label: 'state',
        help: 'Services an introducer joined on its own: pending (waiting to be tried), candidates (tried), followed (a record arrived)',
        calculate: () => ({ ...autoFollow() })
      })
    }
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
