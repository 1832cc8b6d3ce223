/**
 * Whether a running node is ready (GET /ready, `introducer status`), and what is wrong
 * when something is. Ready: started (the cache loaded, the services published) and
 * connected to at least one peer, or an introducer with no bootstrap entry (the first
 * node of a grid, or a grid of one), which has no one to wait for.
 */
import { DOWNLOAD_STORAGE, INTRODUCER, UPLOAD_STORAGE } from '../announcement/names.js'
import type { IntroducerNode } from '../node.js'

export interface Readiness {
  ready: boolean
  /** Why it is not ready. */
  reason?: string
  /** Everything worth an operator's look, the reason first; empty when all is well. */
  problems: string[]
}

export interface ReadinessState {
  /** Start has finished. */
  started: boolean
  bootstrapEntries: number
  /** Bootstrap entries not connected for a while (bootstrap-watch.ts). */
  unreachableBootstrap: string[]
  /** Entries held of a service (the daemon's index: O(1)). @default the table's, O(entries) */
  known?: (service: string) => number
}

export function readiness (node: IntroducerNode, state: ReadinessState): Readiness {
  const intro = node.introducer
  const alone = intro.isIntroducer && state.bootstrapEntries === 0
  let reason: string | undefined
  if (!state.started) {
    reason = 'starting'
  } else if (node.libp2p.getConnections().length === 0 && !alone) {
    reason = state.bootstrapEntries === 0
      ? 'connected to no peer, and no bootstrap entry to join through (set bootstrap or bootstrap_file)'
      : `connected to no peer: ${state.unreachableBootstrap.length > 0 ? 'bootstrap entries unreachable' : 'joining through the bootstrap entries'}`
  }
  const problems = reason != null ? [reason] : []
  if (state.started && !alone && intro.getConnectedIntroducers().length === 0) {
    const known = Math.max(0, (state.known?.(INTRODUCER) ?? intro.getPeers(INTRODUCER).length) - (intro.isIntroducer ? 1 : 0))
    problems.push(`connected to no introducer (${known} known)`)
  }
  for (const entry of state.unreachableBootstrap) {
    problems.push(`bootstrap entry unreachable: ${entry}`)
  }
  const store = intro.storeStatus()
  if (!store.healthy && store.lastFailure != null) {
    // not a reason to take the node out of service: it goes on in memory
    problems.push(`data directory failing (${store.lastFailure.operation}: ${store.lastFailure.message}); running in memory`)
  }
  if (state.started) {
    for (const service of [UPLOAD_STORAGE, DOWNLOAD_STORAGE]) {
      if (intro.getSubscriptions().includes(service) && (state.known?.(service) ?? intro.getPeers(service).length) === 0) {
        problems.push(`no storage server known (${service})`)
      }
    }
  }
  return { ready: reason == null, ...(reason != null ? { reason } : {}), problems }
}
