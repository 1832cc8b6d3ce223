/**
 * Change streams over the peer table: `changes(service)` yields every added, updated,
 * withdrawn or expired entry of one service, buffered per consumer (at most
 * MAX_PENDING_CHANGES, past which the consumer gets ChangeQueueOverflowError rather than
 * a silent gap), until its signal aborts or the service stops; `waitForPeers` is built on it.
 */
import { AbortError, NotStartedError, type AbortOptions, type Startable } from '@libp2p/interface'
import { ChangeQueueOverflowError } from '../errors.js'
import { MAX_PENDING_CHANGES } from './constants.js'
import type { PeerChange, PeerChangeType } from './index.js'
import type { PeerTable, PeerTableEventName, ServicePeer } from '../peer-table.js'

export const TABLE_EVENTS: ReadonlyArray<[PeerTableEventName, PeerChangeType]> = [
  ['peer:added', 'added'], ['peer:updated', 'updated'], ['peer:withdrawn', 'withdrawn'], ['peer:expired', 'expired'], ['peer:evicted', 'evicted']
]

export class Changes implements Startable {
  private stopped = new AbortController()

  /** `read`: the entries of a service as getPeers shows them (waitForPeers counts those). */
  constructor (private readonly table: PeerTable, private readonly read: (service: string) => ServicePeer[] = service => table.getPeers(service)) {}

  start (): void {
    this.stopped = new AbortController()
  }

  stop (): void {
    this.stopped.abort()
  }

  async * changes (service: string, options: AbortOptions = {}): AsyncGenerator<PeerChange> {
    const queue: PeerChange[] = []
    let overflow = false
    let wake: (() => void) | undefined
    const signals = [this.stopped.signal, ...(options.signal != null ? [options.signal] : [])]
    const listeners = TABLE_EVENTS.map(([event, type]) => {
      const listener = (evt: CustomEvent<ServicePeer>): void => {
        if (evt.detail.service !== service) {
          return
        }
        queue.push({ type, peer: evt.detail })
        overflow ||= queue.length > MAX_PENDING_CHANGES
        wake?.()
      }
      this.table.addEventListener(event, listener)
      return [event, listener] as const
    })
    const onAbort = (): void => { wake?.() }
    signals.forEach(s => { s.addEventListener('abort', onAbort) })
    try {
      while (!signals.some(s => s.aborted)) {
        if (overflow) {
          throw new ChangeQueueOverflowError(`more than ${MAX_PENDING_CHANGES} changes of ${service} were not consumed`)
        }
        const next = queue.shift()
        if (next != null) {
          yield next
          continue
        }
        await new Promise<void>(resolve => { wake = resolve })
        wake = undefined
      }
    } finally {
      for (const [event, listener] of listeners) {
        this.table.removeEventListener(event, listener)
      }
      signals.forEach(s => { s.removeEventListener('abort', onAbort) })
    }
  }

  async waitForPeers (service: string, n: number, options: AbortOptions = {}): Promise<ServicePeer[]> {
    const current = this.read(service)
    if (current.length >= n) {
      return current
    }
    for await (const _change of this.changes(service, options)) {
      const peers = this.read(service)
      if (peers.length >= n) {
        return peers
      }
    }
    throw options.signal?.aborted === true ? new AbortError(`waiting for ${n} ${service} peers was aborted`) : new NotStartedError('the node stopped')
  }
}
