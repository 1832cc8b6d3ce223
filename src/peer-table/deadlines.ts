/**
 * The next deadline of each slot of the peer table, in a binary heap (heap-js), so that
 * the earliest is known in O(1) and each expiry costs O(log n): the table was scanned
 * whole on every timer before (issue #10: forgetting 40 000 records cost 22 s of CPU).
 *
 * A key has one current deadline. Changing it pushes a new item and leaves the old one in
 * the heap, skipped when it comes up (lazy deletion); the heap is rebuilt from the current
 * items when stale ones outnumber them, so its size stays within 2n + 1024.
 */
import { Heap } from 'heap-js'

interface Item {
  readonly key: string
  readonly at: number
}

const SLACK = 1024

export class Deadlines {
  private readonly heap = new Heap<Item>((a, b) => a.at - b.at)
  private readonly current = new Map<string, Item>()

  /** Sets (or moves) the deadline of `key`. */
  set (key: string, at: number): void {
    const item = { key, at }
    this.current.set(key, item)
    this.heap.push(item)
    if (this.heap.size() > 2 * this.current.size + SLACK) {
      this.heap.init([...this.current.values()])
    }
  }

  delete (key: string): void {
    this.current.delete(key)
  }

  /** The earliest deadline, if any. Amortised O(1): drops the stale items on top. */
  next (): number | undefined {
    let top = this.heap.peek()
    while (top != null && this.current.get(top.key) !== top) {
      this.heap.pop()
      top = this.heap.peek()
    }
    return top?.at
  }

  /**
   * Takes the earliest key whose deadline is at or before `now` (its deadline is cleared),
   * or undefined when none is due.
   */
  takeDue (now: number): string | undefined {
    const at = this.next()
    if (at == null || at > now) {
      return undefined
    }
    const item = this.heap.pop() as Item
    this.current.delete(item.key)
    return item.key
  }

  /** Number of keys with a deadline. */
  get size (): number {
    return this.current.size
  }
}
