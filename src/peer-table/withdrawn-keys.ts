/**
 * What the peer table keeps of a withdrawal it holds no tombstone for (a key it never
 * held, or a tombstone dropped at a cap): the key and the seqnum only, in a bounded
 * least-recently-used map. An older live copy of the record still in flight is then
 * refused as stale, without a whole record kept per withdrawal: 52 000 withdrawals from
 * fresh keys once left 52 000 tombstones for a week (issue #10).
 */
export class WithdrawnKeys {
  private readonly seqnums = new Map<string, bigint>()

  constructor (private readonly max: number) {}

  /** Remembers that `key` withdrew at `seqnum`; the least recently touched key goes at the bound. */
  remember (key: string, seqnum: bigint): void {
    const known = this.seqnums.get(key)
    this.seqnums.delete(key)
    this.seqnums.set(key, known != null && known > seqnum ? known : seqnum)
    if (this.seqnums.size > this.max) {
      const oldest = this.seqnums.keys().next().value as string
      this.seqnums.delete(oldest)
    }
  }

  /** The seqnum `key` withdrew at, if remembered. */
  get (key: string): bigint | undefined {
    return this.seqnums.get(key)
  }

  forget (key: string): void {
    this.seqnums.delete(key)
  }

  get size (): number {
    return this.seqnums.size
  }
}
