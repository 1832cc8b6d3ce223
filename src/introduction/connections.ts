/**
 * Keeps this node connected: bootstrap entries are dialled until they answer (libp2p's
 * bootstrap module dials once only) and re-dialled with exponential backoff while they
 * are down; connections to known introducers are kept at the target count, replacing
 * lost ones from what the peer table knows; a node with no connection at all falls back
 * on any peer it knows (e.g. from its cache). Kept connections are tagged so that libp2p
 * re-dials them when they drop.
 */
import { KEEP_ALIVE } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { describeError } from '../errors.js'
import type { IntroductionComponents } from './index.js'
import type { Logger, PeerId } from '@libp2p/interface'

export const KEEP_ALIVE_TAG = `${KEEP_ALIVE}-gossip-introducer`
/** A dial attempt gives up after this long. */
export const DIAL_TIMEOUT_MS = 5000

export interface DialTarget {
  peerId: PeerId
  multiaddrs: readonly Multiaddr[]
}

interface Backoff {
  failures: number
  nextAttemptAt: number
  inFlight: boolean
}

export interface ConnectionKeeperInit {
  bootstrap: DialTarget[]
  retryMs: number
  retryMaxMs: number
  introducerTarget: number
  now: () => number
  /** Introducers this node knows of (not itself). */
  knownIntroducers(): DialTarget[]
  /** Any other peers it knows of, for when it has no connection at all. */
  knownPeers(): DialTarget[]
  log: Logger
}

/** Parses a bootstrap entry; throws a message naming the entry when it has no /p2p/ id. */
export function parseBootstrapEntry (entry: string): DialTarget {
  const ma = multiaddr(entry.trim())
  const id = ma.getComponents().findLast(c => c.name === 'p2p')?.value
  if (id == null) {
    throw new Error(`bootstrap entry ${JSON.stringify(entry)} does not end in /p2p/<peer id>`)
  }
  return { peerId: peerIdFromString(id), multiaddrs: [ma] }
}

export class ConnectionKeeper {
  private readonly backoff = new Map<string, Backoff>()

  constructor (private readonly components: IntroductionComponents, private readonly init: ConnectionKeeperInit) {}

  isConnected (peerId: PeerId): boolean {
    return this.components.connectionManager.getConnections(peerId).length > 0
  }

  /** One pass; called at start and on every maintenance tick. Never throws. */
  tick (): void {
    for (const target of this.init.bootstrap) {
      if (!this.isConnected(target.peerId)) {
        this.dial(target)
      }
    }
    const introducers = this.init.knownIntroducers()
    let connected = introducers.filter(t => this.isConnected(t.peerId)).length
    for (const target of shuffle(introducers)) {
      if (connected >= this.init.introducerTarget) {
        break
      }
      if (!this.isConnected(target.peerId) && this.dial(target)) {
        connected++
      }
    }
    if (this.components.connectionManager.getConnections().length === 0) {
      for (const target of shuffle(this.init.knownPeers()).slice(0, 3)) {
        this.dial(target)
      }
    }
  }

  /** Starts a dial unless one is under way or backing off; true when one started. */
  dial (target: DialTarget): boolean {
    const key = target.peerId.toString()
    if (target.peerId.equals(this.components.peerId)) {
      return false
    }
    const state = this.backoff.get(key) ?? { failures: 0, nextAttemptAt: 0, inFlight: false }
    const now = this.init.now()
    if (state.inFlight || state.nextAttemptAt > now) {
      return false
    }
    state.inFlight = true
    this.backoff.set(key, state)
    void this.connect(target).then(() => {
      state.failures = 0
      state.nextAttemptAt = 0
    }, (err: unknown) => {
      state.failures++
      const delay = Math.min(this.init.retryMaxMs, this.init.retryMs * 2 ** (state.failures - 1))
      state.nextAttemptAt = this.init.now() + delay
      this.init.log('dial %p failed (%d times), next try in %d ms: %s', target.peerId, state.failures, delay, describeError(err))
    }).finally(() => {
      state.inFlight = false
    })
    return true
  }

  private async connect (target: DialTarget): Promise<void> {
    const { peerStore, connectionManager } = this.components
    await peerStore.merge(target.peerId, {
      multiaddrs: [...target.multiaddrs],
      tags: { [KEEP_ALIVE_TAG]: { value: 1 } }
    })
    await connectionManager.openConnection(target.peerId, { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) })
  }
}

function shuffle<T> (items: T[]): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[out[i], out[j]] = [out[j], out[i]]
  }
  return out
}
