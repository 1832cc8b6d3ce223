/**
 * Watches the node's bootstrap entries for the operator's log: an entry not connected for
 * BOOTSTRAP_WARN_AFTER_MS is logged at warn level (once, until it connects again: then at
 * info). The node itself dials the entries, again and again with backoff: those it
 * started with, and those a reload (SIGHUP) adds, which `reload` hands to it
 * (`introducer.addBootstrap`).
 */
import { parseBootstrapEntry, type DialTarget } from '../introduction/bootstrap-entry.js'
import type { IntroducerNode } from '../node.js'
import type { Logger } from './log.js'

/** An entry not connected this long is reported. */
export const BOOTSTRAP_WARN_AFTER_MS = 10_000
export const BOOTSTRAP_CHECK_INTERVAL_MS = 1000

interface Watched {
  entry: string
  target: DialTarget
  unconnectedSince?: number
  warned: boolean
}

export class BootstrapWatch {
  private readonly watched = new Map<string, Watched>()
  private timer?: ReturnType<typeof setInterval>

  constructor (private readonly node: IntroducerNode, private readonly log: Logger, entries: string[]) {
    this.add(entries)
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

  /** Entries of the list as read again: the new ones go to the node, which dials them. Returns them. */
  reload (entries: string[]): string[] {
    const added = this.add(entries)
    this.node.introducer.addBootstrap(added)
    return added
  }

  private add (entries: string[]): string[] {
    const added: string[] = []
    for (const entry of entries) {
      const target = parseBootstrapEntry(entry)
      if (this.watched.has(entry) || target.peerId.equals(this.node.peerId)) continue
      this.watched.set(entry, { entry, target, warned: false })
      added.push(entry)
    }
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
        this.log.warn(`bootstrap entry unreachable: ${w.entry} (not connected for ${Math.round((now - w.unconnectedSince) / 1000)} s; dialled again with backoff)`,
          { event: 'bootstrap-unreachable', entry: w.entry })
      }
    }
  }
}
