/**
 * The cache of signed records in the store: loaded once at start (every record through
 * intake, as if it arrived from the network, so a tampered or expired one is dropped),
 * written after table changes at most once per DEFAULT_CACHE_WRITE_DELAY_MS, and once
 * more before stop. A throttle rather than @libp2p/utils' `debounce`: under a steady
 * stream of changes a trailing debounce would never write.
 */
import { DEFAULT_CACHE_WRITE_DELAY_MS } from './constants.js'
import type { Intake } from './intake.js'
import type { IntroductionStore } from './store.js'
import type { PeerTable, ServicePeer } from '../peer-table.js'
import type { Logger, Startable } from '@libp2p/interface'

/** What the cache keeps of the peers this node reached (the ConnectionKeeper's memory). */
export interface Reachability {
  /** Whether this node had a connection with the publisher at an address of its record. */
  reached(peer: ServicePeer): boolean
  /** Restored from the cache: the record's addresses count as confirmed. */
  confirm(peer: ServicePeer): void
}

export class Cache implements Startable {
  private timer?: ReturnType<typeof setTimeout>
  private started = false
  private writing: Promise<void> = Promise.resolve()

  constructor (
    private readonly table: PeerTable,
    private readonly intake: Intake,
    private readonly store: IntroductionStore,
    private readonly now: () => number,
    private readonly log: Logger,
    private readonly reach?: Reachability
  ) {}

  start (): void {
    this.started = true
    this.table.addEventListener('change', this.schedule)
  }

  /**
   * Takes the stored records in, each with the age it has reached by now (so a restart
   * does not renew a record) and the standing its entry had; our own are not restored
   * (we publish fresh ones).
   */
  async load (): Promise<void> {
    let loaded = 0
    let dropped = 0
    for (const entry of await this.store.loadCache()) {
      try {
        const result = await this.intake.ingest(entry.record, { via: 'cache' }, {
          ageMs: Math.max(0, this.now() - entry.originMs),
          firstSeen: entry.firstSeenMs,
          refreshes: entry.refreshes
        })
        if (entry.reached === true && result.outcome !== 'tombstoned') {
          this.reach?.confirm(result.peer)
        }
        loaded++
      } catch {
        dropped++
      }
    }
    if (loaded + dropped > 0) {
      this.log('cache: %d records loaded, %d expired, unsubscribed or invalid dropped', loaded, dropped)
    }
  }

  /** Writes what the table holds now (after any write under way). */
  async flush (): Promise<void> {
    clearTimeout(this.timer)
    this.timer = undefined
    // the store reports its own failures (GuardedStore)
    this.writing = this.writing.then(async () => {
      // most important first (live, established, refreshed), for a store that keeps fewer
      await this.store.saveCache(this.table.held().map(h => ({
        record: h.record.signed,
        originMs: h.originMs,
        firstSeenMs: h.peer?.firstSeen,
        refreshes: h.refreshes,
        reached: h.peer != null && this.reach?.reached(h.peer) === true
      })))
    })
    await this.writing
  }

  stop (): void {
    this.started = false
    this.table.removeEventListener('change', this.schedule)
    clearTimeout(this.timer)
    this.timer = undefined
  }

  private readonly schedule = (): void => {
    if (this.timer != null || !this.started) {
      return
    }
    this.timer = setTimeout(() => {
      this.timer = undefined
      void this.flush()
    }, DEFAULT_CACHE_WRITE_DELAY_MS)
  }
}
