/**
 * The burst: one node (the injector) publishes M announcements, ours from M fresh keys
 * (made before timing; signing is timed), raw M payloads of the same size. Every other
 * node pushes an event when it holds M more entries, and tracks which of the M records it
 * took (worker/burst-tracker.ts), so that a run also says where missing records were
 * lost (burst-loss.ts). `--runs=K` repeats it: issue #9's target is every node holding
 * all M within BURST_TARGET_MS of the injector's last publish, in every run.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { Grid } from '../grid.js'
import type { BurstResult, BurstRun } from '../results.js'
import { summarize } from '../stats.js'
import type { NodeHandle } from '../worker-client.js'
import { burstLoss } from './burst-loss.js'
import { droppedSince, sumDropped } from './dropped.js'
import { rssPerNodeMB } from './idle.js'

/** Issue #9: all nodes hold all M within 30 s of the injector's last publish. */
export const BURST_TARGET_MS = 30_000
const PREPARE_TIMEOUT_MS = 120_000

export interface BurstSettings { m: number, payloadSize: number, timeoutS: number, settleMs: number, idleBytesPerSecPerNode: number }

/** One run of the burst; `run` numbers it (1, 2, ...). */
export async function burstRun (grid: Grid, injector: NodeHandle, s: BurstSettings, run: number): Promise<{ result: BurstResult, summary: BurstRun }> {
  const { m } = s
  const runId = String(run)
  const prep = await injector.call('prepareBurst', { m, size: s.payloadSize, run: runId }, PREPARE_TIMEOUT_MS)
  await Promise.all(grid.processes.filter(p => p.alive).map(async p => p.call('trackBurst', { run: runId, m, ids: prep.ids })))
  const others = grid.live().filter(w => w !== injector)
  const key = `burst:${runId}`
  const before = new Map(await Promise.all(others.map(async w => {
    const st = await w.call('status', {})
    await w.call('expect', { key, target: st.held + m })
    return [w.index, st] as const
  })))
  const byPeerId = new Map(grid.nodes.map(w => [w.peerId, w]))
  const injectorBefore = await injector.call('status', {})
  const direct = injectorBefore.connected.flatMap(id => {
    const node = byPeerId.get(id)
    return node == null ? [] : [node]
  })

  const bytesBefore = await grid.bytesNow()
  const tStart = Date.now()
  const timeoutMs = s.timeoutS * 1000
  const res = await injector.call('burst', {}, timeoutMs)
  const times = await grid.events.waitAll(key, others.map(w => w.index), Math.max(1000, tStart + timeoutMs - Date.now()))
  await sleep(s.settleMs)
  const bytes = await grid.bytesNow() - bytesBefore
  const ms = Date.now() - tStart

  const ds = [...times.values()].map(t => t - res.t0)
  const slowest = [...times.entries()].sort((a, b) => b[1] - a[1])[0]
  const live = grid.live()
  const after = new Map((await grid.statuses(live)).map((st, i) => [live[i].index, st]))
  const injectorConnections = { before: injectorBefore.connected.length, after: after.get(injector.index)?.connected.length ?? 0 }
  const delivered = others.flatMap(w => {
    const b = before.get(w.index)
    const a = after.get(w.index)
    return b == null || a == null ? [] : [(a.held - b.held) / m]
  })
  const held = new Map(await Promise.all(others.filter(w => w.alive).map(async w => [w.index, await w.call('burstHeld', {})] as const)))
  const allAt = [...held.values()].map(h => h.allAt)
  const afterLastPublishMs = allAt.length > 0 && allAt.every(t => t != null) ? Math.max(...allAt) - res.t1 : null

  const validator = new Map(direct.flatMap(w => {
    const b = before.get(w.index)?.stats
    const a = after.get(w.index)?.stats
    return a == null || b == null
      ? []
      : [[w.index, { accepted: a.accepted - b.accepted, dropped: droppedSince(sumDropped([b.dropped]), sumDropped([a.dropped])) }] as const]
  }))
  const loss = burstLoss({
    m,
    missing: new Map([...held].map(([i, h]) => [i, h.missing])),
    sentTo: res.sentTo.map(peers => peers.flatMap(p => {
      const node = byPeerId.get(res.peers[p])
      return node == null ? [] : [node.index]
    })),
    directPeers: direct.map(w => ({ index: w.index, role: w.role })),
    injectorConnections,
    validator
  })

  const result: BurstResult = {
    m,
    publishMs: res.t1 - res.t0,
    allHoldMs: ds.length > 0 ? Math.max(...ds) : NaN,
    perNodeMs: summarize(ds),
    missed: others.length - ds.length,
    delivered: summarize(delivered),
    dropped: sumDropped([...after.values()].map(st => st.stats?.dropped)),
    slowest: slowest == null ? undefined : { index: slowest[0], role: grid.nodes[slowest[0]].role, ms: slowest[1] - res.t0 },
    bytesPerNodePerAnnouncement: (bytes - s.idleBytesPerSecPerNode * grid.nodes.length * ms / 1000) / grid.nodes.length / m,
    payloadBytes: res.bytes,
    rssMBAfter: summarize(await rssPerNodeMB(grid)),
    afterLastPublishMs,
    loss
  }
  const counts = [...held.values()].map(h => h.count / m)
  const summary: BurstRun = {
    run,
    minFraction: counts.length > 0 ? Math.min(...counts) : NaN,
    nodesMissing: [...held.values()].filter(h => h.missing.length > 0).length,
    publishMs: result.publishMs,
    afterLastPublishMs,
    met: afterLastPublishMs != null && afterLastPublishMs <= BURST_TARGET_MS,
    loss
  }
  return { result, summary }
}
