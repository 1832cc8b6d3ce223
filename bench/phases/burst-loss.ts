/**
 * Where a burst's missing records were lost, from what the injector's publish reported
 * (the peers each record was sent to) and what every node ever took (its burst
 * tracker): a record sent to nobody was lost at the injector; one sent but taken by none
 * of the injector's direct peers was lost between the injector's outbound streams and
 * the first hop's validators; one some direct peer took but some other node never did
 * was lost relaying. Pure: no I/O.
 */
import type { BurstLoss } from '../results.js'
import { summarize } from '../stats.js'
import type { Role } from '../worker-client.js'

const FIRST_MISSING = 20

export interface LossInput {
  m: number
  /** Per other node (not the injector): the record indices it never took. */
  missing: Map<number, number[]>
  /** Per record: the node indices the injector's publish sent it to. */
  sentTo: number[][]
  /** The injector's connected peers when the burst started. */
  directPeers: Array<{ index: number, role: Role }>
  injectorConnections: { before: number, after: number }
  /** Per direct peer (ours): its validator's counts during the burst. */
  validator: Map<number, { accepted: number, dropped: Record<string, number> }>
}

export function burstLoss (input: LossInput): BurstLoss {
  const { m } = input
  const missingCount = new Uint32Array(m)
  const missingSets = new Map<number, Set<number>>()
  let pairsMissing = 0
  for (const [node, missing] of input.missing) {
    missingSets.set(node, new Set(missing))
    pairsMissing += missing.length
    for (const r of missing) {
      if (r >= 0 && r < m) {
        missingCount[r]++
      }
    }
  }
  const direct = input.directPeers.filter(p => missingSets.has(p.index))
  const heldByDirect = new Uint32Array(m)
  for (const p of direct) {
    const missing = missingSets.get(p.index) ?? new Set()
    for (let r = 0; r < m; r++) {
      if (!missing.has(r)) {
        heldByDirect[r]++
      }
    }
  }
  const sentCount = new Map<number, number>()
  const sentNotHeld = new Map<number, number>()
  input.sentTo.forEach((peers, r) => {
    for (const p of peers) {
      sentCount.set(p, (sentCount.get(p) ?? 0) + 1)
      if (missingSets.get(p)?.has(r) === true) {
        sentNotHeld.set(p, (sentNotHeld.get(p) ?? 0) + 1)
      }
    }
  })

  let recordsMissing = 0
  let missingEverywhere = 0
  let notSent = 0
  let neverAtDirectPeers = 0
  let lostInRelay = 0
  const firstMissing: number[] = []
  for (let r = 0; r < m; r++) {
    if (missingCount[r] === 0) {
      continue
    }
    recordsMissing++
    if (missingCount[r] === input.missing.size) {
      missingEverywhere++
    }
    if (firstMissing.length < FIRST_MISSING) {
      firstMissing.push(r)
    }
    if ((input.sentTo[r]?.length ?? 0) === 0) {
      notSent++
    } else if (heldByDirect[r] === 0) {
      neverAtDirectPeers++
    } else {
      lostInRelay++
    }
  }
  return {
    recordsMissing,
    missingEverywhere,
    pairsMissing,
    notSent,
    neverAtDirectPeers,
    lostInRelay,
    injectorConnections: input.injectorConnections,
    recipientsPerRecord: summarize(input.sentTo.map(p => p.length)),
    directPeers: direct.map(p => ({
      index: p.index,
      role: p.role,
      sent: sentCount.get(p.index) ?? 0,
      sentNotHeld: sentNotHeld.get(p.index) ?? 0,
      held: m - (missingSets.get(p.index)?.size ?? 0),
      accepted: input.validator.get(p.index)?.accepted ?? null,
      dropped: input.validator.get(p.index)?.dropped ?? {}
    })),
    firstMissing
  }
}
