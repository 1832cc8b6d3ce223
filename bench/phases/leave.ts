/**
 * Graceful leave (ours): a node calls node.stop(), which publishes a withdrawal first;
 * t0 before the call; every remaining node stamps `peer:withdrawn` (or `peer:expired`).
 */
import type { Grid } from '../grid.js'
import type { Latency } from '../results.js'
import type { NodeHandle } from '../worker-client.js'
import { latency, type Round } from './latency.js'
import { ROUND_TIMEOUT_MS } from './propagation.js'

export async function gracefulLeaves (grid: Grid, leavers: NodeHandle[], log: (s: string) => void): Promise<Latency> {
  const rounds: Round[] = []
  for (const leaver of leavers) {
    if (!leaver.alive) {
      continue
    }
    log(`ours: node ${leaver.index} leaves`)
    const others = grid.live().filter(w => w !== leaver).map(w => w.index)
    const res = await leaver.leave(ROUND_TIMEOUT_MS)
    rounds.push({ t0: res.t0, times: await grid.events.waitAll(`withdrawn:${leaver.peerId}`, others, ROUND_TIMEOUT_MS), expected: others })
  }
  return latency(rounds)
}
