/** Timestamps pushed by the nodes: key -> node index -> Date.now() at that node's process. */
import { setTimeout as sleep } from 'node:timers/promises'

const POLL_MS = 5

export class EventLog {
  private readonly events = new Map<string, Map<number, number>>()

  /** Keeps the first time a node reported `key`. */
  record (node: number, key: string, t: number): void {
    let m = this.events.get(key)
    if (m == null) {
      m = new Map()
      this.events.set(key, m)
    }
    if (!m.has(node)) {
      m.set(node, t)
    }
  }

  /** Waits (bounded) until every node in `nodes` reported `key`; returns what arrived. */
  async waitAll (key: string, nodes: number[], timeoutMs: number): Promise<Map<number, number>> {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      const m = this.events.get(key)
      if (m != null && nodes.every(i => m.has(i))) {
        break
      }
      await sleep(POLL_MS)
    }
    const m = this.events.get(key) ?? new Map<number, number>()
    return new Map(nodes.filter(i => m.has(i)).map(i => [i, m.get(i) ?? NaN]))
  }
}
