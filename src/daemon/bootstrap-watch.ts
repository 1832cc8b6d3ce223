/**
 * Watches the node's bootstrap entries for the operator's log: an entry not connected for
 * BOOTSTRAP_WARN_AFTER_MS is logged at warn level (once, until it connects again: then at
 * info). The node itself dials the entries it started with, again and again with backoff;
 * entries added later by a reload (SIGHUP) are dialled here, the same way.
 */
import { parseBootstrapEntry, type DialTarget } from '../introduction/bootstrap-entry.js'
import { KEEP_ALIVE_TAG } from '../introduction/connections.js'
import { describeError } from '../errors.js'
import type { IntroducerNode } from '../node.js'
import type { Logger } from './log.js'

/** An entry not connected this long is reported. */
export const BOOTSTRAP_WARN_AFTER_MS = 10_000
export const BOOTSTRAP_CHECK_INTERVAL_MS = 1000
const FIRST_RETRY_MS = 1000
const DIAL_TIMEOUT_MS = 5000

interface Watched {
  entry: string
  target: DialTarget
  /** Dialled here (added after start), with its backoff. */
  dialled: boolean
  failures: number
  nextDialAt: number
  inFlight: boolean
  lastError?: string
  unconnectedSince?: number
  warned: boolean
}

export class BootstrapWatch {
  private readonly watched = new Map<string, Watched>()
  private timer?: ReturnType<typeof setInterval>

  constructor (private readonly node: IntroducerNode, private readonly log: Logger, private readonly retryMaxMs: number, entries: string[]) {
    this.add(entries, false)
  }

  start (): void {
    this.timer = setInterval(() => { this.check() }, BOOTSTRAP_CHECK_INTERVAL_MS)
    this.timer.unref()
  }

  stop (): void {
    clearInterval(this.timer)
  }

  /** Entries reported unreachable now. */
  unreachable (): string[] {
    return [...this.watched.values()].filter(w => w.warned).map(w => w.entry)
  }

  get size (): number {
    return this.watched.size
  }

  /** Entries of the list as read again: the new ones are dialled from now on. Returns them. */
  reload (entries: string[]): string[] {
    return this.add(entries, true)
  }

  private add (entries: string[], dial: boolean): string[] {
    const added: string[] = []
    for (const entry of entries) {
      const target = parseBootstrapEntry(entry)
      if (this.watched.has(entry) || target.peerId.equals(this.node.peerId)) continue
      this.watched.set(entry, { entry, target, dialled: dial, failures: 0, nextDialAt: 0, inFlight: false, warned: false })
      added.push(entry)
    }
    if (dial) this.check()
    return added
  }

  private check (): void {
    const now = Date.now()
    for (const w of this.watched.values()) {
      if (this.node.libp2p.getConnections(w.target.peerId).length > 0) {
        if (w.warned) this.log.info(`bootstrap entry connected again: ${w.entry}`, { event: 'bootstrap-reachable', entry: w.entry })
        w.unconnectedSince = undefined
        w.warned = false
        continue
      }
      w.unconnectedSince ??= now
      if (!w.warned && now - w.unconnectedSince >= BOOTSTRAP_WARN_AFTER_MS) {
        w.warned = true
        this.log.warn(`bootstrap entry unreachable: ${w.entry} (not connected for ${Math.round((now - w.unconnectedSince) / 1000)} s${w.lastError != null ? `: ${w.lastError}` : ''}; dialled again with backoff)`,
          { event: 'bootstrap-unreachable', entry: w.entry, error: w.lastError })
      }
      if (w.dialled && !w.inFlight && now >= w.nextDialAt) {
        this.dial(w)
      }
    }
  }

  private dial (w: Watched): void {
    w.inFlight = true
    void (async () => {
      await this.node.libp2p.peerStore.merge(w.target.peerId, { multiaddrs: [...w.target.multiaddrs], tags: { [KEEP_ALIVE_TAG]: { value: 1 } } })
      await this.node.libp2p.dial(w.target.peerId, { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) })
    })().then(() => {
      w.failures = 0
      w.lastError = undefined
    }, (err: unknown) => {
      w.failures++
      w.lastError = describeError(err)
      w.nextDialAt = Date.now() + Math.min(this.retryMaxMs, FIRST_RETRY_MS * 2 ** (w.failures - 1))
    }).finally(() => { w.inFlight = false })
  }
}
