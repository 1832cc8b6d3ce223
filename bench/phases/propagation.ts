/**
 * Propagation rounds: a different publisher each round publishes a new announcement
 * (ours: `peer:added` at every other node; raw: the `message` event), then an update of
 * it (ours: `peer:updated`). Also the bytes sent per node per announcement, net of the
 * idle rate. `updateRounds` times updates alone (the flood phase uses it).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { Grid } from '../grid.js'
import type { Latency } from '../results.js'
import { summarize, type Summary } from '../stats.js'
import type { NodeHandle } from '../worker-client.js'
import { latency, type Round } from './latency.js'

/** How long a round waits for its event at every node; late ones count as missed. */
export const ROUND_TIMEOUT_MS = 20_000
const BETWEEN_PUBLISHES_MS = 200
const BETWEEN_UPDATES_MS = 500

export interface PropagationResult {
  recordBytes: number
  publishCallMs: Summary
  added: Latency
  updated: Latency
  roundBytesPerNodePerAnnouncement: number
}

export async function propagationRounds (grid: Grid, publishers: NodeHandle[], recordSize: number, settleMs: number, idleBytesPerSecPerNode: number): Promise<PropagationResult> {
  const added: Round[] = []
  const updated: Round[] = []
  let recordBytes = 0
  const publishCallMs: number[] = []
  let roundBytes = 0
  let roundMs = 0
  for (const [r, pub] of publishers.entries()) {
    const others = grid.live().filter(w => w !== pub).map(w => w.index)
    const before = await grid.bytesNow()
    const tStart = Date.now()
    for (const [kind, store] of [['a', added], ['u', updated]] as const) {
      const tag = `r${r}${kind}`
      const res = await pub.call('publish', { tag, size: recordSize })
      recordBytes = res.bytes
      publishCallMs.push(res.t1 - res.t0)
      const key = grid.mode === 'raw' ? `msg:${tag}` : `${kind === 'a' ? 'added' : 'updated'}:${tag}`
      store.push({ t0: res.t0, times: await grid.events.waitAll(key, others, ROUND_TIMEOUT_MS), expected: others })
      await sleep(BETWEEN_PUBLISHES_MS)
    }
    await sleep(settleMs)
    roundBytes += await grid.bytesNow() - before
    roundMs += Date.now() - tStart
  }
  const n = grid.nodes.length
  return {
    recordBytes,
    publishCallMs: summarize(publishCallMs),
    added: latency(added),
    updated: latency(updated),
    roundBytesPerNodePerAnnouncement: (roundBytes - idleBytesPerSecPerNode * n * roundMs / 1000) / n / (2 * publishers.length)
  }
}

/** `count` updates of `publisher`'s record (ours), each timed until every other live grid node has it. */
export async function updateRounds (grid: Grid, publisher: NodeHandle, prefix: string, count: number): Promise<Latency> {
  const rounds: Round[] = []
  for (let r = 0; r < count; r++) {
    const others = grid.live().filter(w => w !== publisher).map(w => w.index)
    const tag = `${prefix}${r}`
    const res = await publisher.call('publish', { tag, size: 0 })
    rounds.push({ t0: res.t0, times: await grid.events.waitAll(`updated:${tag}`, others, ROUND_TIMEOUT_MS), expected: others })
    await sleep(BETWEEN_UPDATES_MS)
  }
  return latency(rounds)
}
