/**
 * What the introduction service persists, behind an interface so that the service does
 * no I/O itself. `createNode({ dataDir })` passes the file-backed store (store/data-dir.ts);
 * without a data directory everything stays in memory.
 */

/** One record of the cache, with what the node knew of it. */
export interface CacheEntry {
  /** An encoded SignedAnnouncement. */
  record: Uint8Array
  /** When the node reckons the record came into being, by its own clock: its age is the time since. */
  originMs: number
  /** When the node first held the live entry (absent for a tombstone). */
  firstSeenMs?: number
  /** Times the live entry was refreshed since firstSeenMs. */
  refreshes?: number
  /**
   * The node had a connection with the publisher at an address of the record (or from its
   * host): after a restart it dials those addresses as confirmed (dial-policy.ts).
   */
  reached?: boolean
}

export interface IntroductionStore {
  /** The last seqnum used, 0n when none was. */
  loadSeqnum(): Promise<bigint>
  /** Must be durable when it resolves: the seqnum is used only after. */
  saveSeqnum(seqnum: bigint): Promise<void>
  /** The cache saved earlier, in its order; every record is verified again by the caller. */
  loadCache(): Promise<CacheEntry[]>
  /**
   * Replaces the cache as a whole (atomically, for a file store). Entries come most
   * important first: a store that keeps fewer keeps the first ones.
   */
  saveCache(entries: CacheEntry[]): Promise<void>
}

export class MemoryStore implements IntroductionStore {
  private seqnum = 0n
  private cache: CacheEntry[] = []

  loadSeqnum (): Promise<bigint> {
    return Promise.resolve(this.seqnum)
  }

  saveSeqnum (seqnum: bigint): Promise<void> {
    this.seqnum = seqnum
    return Promise.resolve()
  }

  loadCache (): Promise<CacheEntry[]> {
    return Promise.resolve([...this.cache])
  }

  saveCache (entries: CacheEntry[]): Promise<void> {
    this.cache = [...entries]
    return Promise.resolve()
  }
}
