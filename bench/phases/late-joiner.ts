/**
 * Late joiners (ours): a fresh node in its own process (its start is not timed) dials one
 * random non-introducer node; timed from the dial call until its table holds as many
 * upload_storage entries as that node does. It gets them through the sync protocol.
 */
import type { Grid } from '../grid.js'
import type { GridResult } from '../results.js'
import { shuffled } from '../stats.js'
import type { NodeHandle } from '../worker-client.js'

const JOIN_TIMEOUT_MS = 30_000

export async function lateJoiners (grid: Grid, count: number, exclude: NodeHandle, random: () => number, errors: string[], log: (s: string) => void): Promise<NonNullable<GridResult['lateJoin']>> {
  const out: NonNullable<GridResult['lateJoin']> = []
  for (let j = 0; j < count; j++) {
    const target = shuffled(grid.live().filter(w => w.role === 'node' && w !== exclude), random)[0]
    const st = await target.call('status', {})
    log(`ours: late joiner ${j + 1}/${count} -> node ${target.index} (${st.held} entries)`)
    let joiner: NodeHandle | undefined
    try {
      joiner = await grid.startExtra('joiner')
      const res = await joiner.call('join', { addr: target.addrs[0], target: st.held, timeoutMs: JOIN_TIMEOUT_MS }, JOIN_TIMEOUT_MS + 15_000)
      out.push({ dialMs: res.tDialed - res.tStart, connectToFirstMs: res.tFirst == null ? null : res.tFirst - res.tStart, connectToAllMs: res.tDone == null ? null : res.tDone - res.tStart, held: res.held, target: st.held, checks: res.checks, connections: res.connections })
      log(`ours: late joiner ${j + 1}: ${res.tDone == null ? 'not all' : `all in ${res.tDone - res.tStart} ms`}, ${res.checks} signatures checked for ${res.held} entries, ${res.connections} connections`)
    } catch (err) {
      errors.push(`late joiner ${j}: ${String(err)}`)
    } finally {
      if (joiner != null) {
        await grid.stopExtra(joiner)
      }
    }
  }
  return out
}
