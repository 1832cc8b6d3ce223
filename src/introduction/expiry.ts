/**
 * Expiry: runs the table's `expire()` when its earliest deadline passes. One timer,
 * re-armed from the table's `nextExpiry()` (O(1): a heap of deadlines) after each table
 * change and each run. Deadlines are rounded up to EXPIRY_GRANULARITY_MS so that
 * records expiring close together are dropped in one run. Readers never see an expired
 * entry in the meantime: the table filters by time itself.
 */
import type { PeerTable } from '../peer-table.js'
import type { Startable } from '@libp2p/interface'

export const EXPIRY_GRANULARITY_MS = 250

export class Expiry implements Startable {
  private timer?: ReturnType<typeof setTimeout>
  private armedAt = Infinity
  private started = false

  constructor (private readonly table: PeerTable, private readonly now: () => number) {}

  start (): void {
    if (this.started) {
      return
    }
    this.started = true
    this.table.addEventListener('change', this.onChange)
    this.arm(this.table.nextExpiry())
  }

  stop (): void {
    this.started = false
    this.table.removeEventListener('change', this.onChange)
    clearTimeout(this.timer)
    this.timer = undefined
    this.armedAt = Infinity
  }

  private readonly onChange = (): void => {
    this.arm(this.table.nextExpiry())
  }

  private arm (deadline: number | undefined): void {
    if (deadline == null || !this.started) {
      return
    }
    const at = Math.ceil(deadline / EXPIRY_GRANULARITY_MS) * EXPIRY_GRANULARITY_MS
    if (at >= this.armedAt) {
      return
    }
    clearTimeout(this.timer)
    this.armedAt = at
    this.timer = setTimeout(this.run, Math.max(0, at - this.now()) + 1)
  }

  private readonly run = (): void => {
    this.timer = undefined
    this.armedAt = Infinity
    this.table.expire()
    this.arm(this.table.nextExpiry())
  }
}
