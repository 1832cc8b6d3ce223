/**
 * One node's view of one burst: when each of its `m` records first reached this node's
 * table (ours) or message handler (raw). Records are known by index: ours maps the
 * publisher's peer id to it (`ids`), raw parses it from the payload key.
 */
export interface BurstHeld { count: number, missing: number[], allAt: number | null }

export class BurstTracker {
  private readonly arrivals: Float64Array
  private count = 0
  private lastAt = 0

  constructor (readonly run: string, readonly m: number, private readonly ids: ReadonlyMap<string, number>) {
    this.arrivals = new Float64Array(m)
  }

  /** ours: a record of publisher `peerId` arrived (ignored unless it is one of this burst's). */
  arrivedFrom (peerId: string, t: number): void {
    const index = this.ids.get(peerId)
    if (index != null) {
      this.arrived(index, t)
    }
  }

  arrived (index: number, t: number): void {
    if (index >= 0 && index < this.m && this.arrivals[index] === 0) {
      this.arrivals[index] = t
      this.count++
      this.lastAt = Math.max(this.lastAt, t)
    }
  }

  held (): BurstHeld {
    const missing: number[] = []
    this.arrivals.forEach((t, i) => {
      if (t === 0) {
        missing.push(i)
      }
    })
    return { count: this.count, missing, allAt: missing.length === 0 && this.m > 0 ? this.lastAt : null }
  }
}
