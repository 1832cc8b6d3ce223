/**
 * The store as the service uses it: a failing disk (full, read-only, gone) must not stop
 * the node. Every failure is logged, counted and remembered for `storeStatus()`, and
 * raised as a `store:error` event (the daemon logs it at error level); the operation then
 * goes on in memory: a seqnum that could not be saved is used anyway (seqnums never fall
 * below the wall clock in ms, so one is not reused after the disk comes back), a cache
 * that cannot be read is taken as empty, and a cache that cannot be written is written
 * again at the next change.
 */
import { TypedEventEmitter, type Logger } from '@libp2p/interface'
import { describeError } from '../errors.js'
import type { CacheEntry, IntroductionStore } from './store.js'

export type StoreOperation = 'loadSeqnum' | 'saveSeqnum' | 'loadCache' | 'saveCache'

export interface StoreFailure {
  operation: StoreOperation
  message: string
  /** ms since the epoch */
  at: number
}

export interface StoreStatus {
  /** False from a failure until the same operation next succeeds. */
  healthy: boolean
  failures: number
  lastFailure?: StoreFailure
}

export interface GuardedStoreEvents {
  'store:error': CustomEvent<StoreFailure>
}

export class GuardedStore extends TypedEventEmitter<GuardedStoreEvents> implements IntroductionStore {
  private readonly failing = new Set<StoreOperation>()
  private failures = 0
  private lastFailure?: StoreFailure

  constructor (private readonly store: IntroductionStore, private readonly now: () => number, private readonly log: Logger) {
    super()
  }

  status (): StoreStatus {
    return { healthy: this.failing.size === 0, failures: this.failures, lastFailure: this.lastFailure }
  }

  async loadSeqnum (): Promise<bigint> {
    return this.guard('loadSeqnum', async () => this.store.loadSeqnum(), 0n)
  }

  async saveSeqnum (seqnum: bigint): Promise<void> {
    await this.guard('saveSeqnum', async () => this.store.saveSeqnum(seqnum), undefined)
  }

  async loadCache (): Promise<CacheEntry[]> {
    return this.guard('loadCache', async () => this.store.loadCache(), [])
  }

  async saveCache (entries: CacheEntry[]): Promise<void> {
    await this.guard('saveCache', async () => this.store.saveCache(entries), undefined)
  }

  private async guard<T> (operation: StoreOperation, run: () => Promise<T>, fallback: T): Promise<T> {
    try {
      const result = await run()
      this.failing.delete(operation)
      return result
    } catch (err) {
      const failure = { operation, message: describeError(err), at: this.now() }
      this.failing.add(operation)
      this.failures++
      this.lastFailure = failure
      this.log.error('store %s failed, going on in memory: %s', operation, failure.message)
      this.safeDispatchEvent('store:error', { detail: failure })
      return fallback
    }
  }
}
