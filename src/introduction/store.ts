/**
 * What the introduction service persists, behind an interface so that the service does
 * no I/O itself. `createNode({ dataDir })` passes the file-backed store (store/data-dir.ts);
 * without a data directory everything stays in memory.
 */
export interface IntroductionStore {
  /** The last seqnum used, 0n when none was. */
  loadSeqnum(): Promise<bigint>
  /** Must be durable when it resolves: the seqnum is used only after. */
  saveSeqnum(seqnum: bigint): Promise<void>
  /** Encoded SignedAnnouncements saved earlier; they are verified again by the caller. */
  loadCache(): Promise<Uint8Array[]>
  /** Replaces the cache as a whole (atomically, for a file store). */
  saveCache(records: Uint8Array[]): Promise<void>
}

export class MemoryStore implements IntroductionStore {
  private seqnum = 0n
  private cache: Uint8Array[] = []

  loadSeqnum (): Promise<bigint> {
    return Promise.resolve(this.seqnum)
  }

  saveSeqnum (seqnum: bigint): Promise<void> {
    this.seqnum = seqnum
    return Promise.resolve()
  }

  loadCache (): Promise<Uint8Array[]> {
    return Promise.resolve([...this.cache])
  }

  saveCache (records: Uint8Array[]): Promise<void> {
    this.cache = [...records]
    return Promise.resolve()
  }
}
