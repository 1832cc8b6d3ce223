/**
 * One grid, start to stop: start and connect N nodes, then the phases in order: idle
 * window, propagation rounds, burst (ours --runs times; raw once: it has no repair, so
 * one run shows what it loses) and an idle window after it, and for ours late joiners,
 * the flood and graceful leaves. Every process is stopped at the end, whatever happened.
 */
import { loadavg } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import { Grid } from './grid.js'
import type { Options } from './options.js'
import type { Mode } from './protocol.js'
import type { BurstRun, GridResult } from './results.js'
import { rng, shuffled, summarize } from './stats.js'
import type { ProcessGroup } from './worker-client.js'
import { burstRun } from './phases/burst.js'
import { floodPhase } from './phases/flood.js'
import { idleWindow, rssPerNodeMB } from './phases/idle.js'
import { lateJoiners } from './phases/late-joiner.js'
import { gracefulLeaves } from './phases/leave.js'
import { propagationRounds } from './phases/propagation.js'

/** Payload sizes raw copies from ours (ours runs first). */
export interface Sizes { record: number, burst: number }

/** The ready wait: 30 s, more for grids over 500 nodes. */
const readyTimeoutMs = (n: number): number => Math.max(30_000, 60 * n)

export async function runGrid (mode: Mode, opts: Options, plan: number[][], placement: number[], sizes: Sizes, group: ProcessGroup, log: (s: string) => void): Promise<GridResult> {
  const grid = new Grid(mode, group, opts.n, opts.nodesPerProcess, { antiEntropyMs: opts.antiEntropyMs, pingMs: opts.pingMs })
  const errors: string[] = []
  const random = rng(opts.seed + 17)
  const loadStart = loadavg()
  try {
    const processes = Math.max(...placement) + 1
    log(`${mode}: starting ${opts.n} nodes${processes === opts.n ? ' (one process each)' : ` in ${processes} processes`}`)
    const tStart = Date.now()
    const startMs = await grid.start(opts.introducers, placement)
    const startedMs = Date.now() - tStart
    const rss = summarize((await rssPerNodeMB(grid)))
    log(`${mode}: ${opts.n} nodes started in ${(startedMs / 1000).toFixed(1)} s; RSS per node ${rss.median.toFixed(1)} MB (median)`)
    log(`${mode}: connecting`)
    await grid.connect(plan, log)
    const notReady = await grid.waitReady(readyTimeoutMs(opts.n))
    if (notReady > 0) {
      errors.push(`${notReady} nodes did not see all their peers' subscriptions within ${readyTimeoutMs(opts.n) / 1000} s`)
    }
    const readyMs = Date.now() - tStart
    log(`${mode}: connected and ready ${(readyMs / 1000).toFixed(1)} s after the start`)
    await sleep(opts.warmupMs)
    const statuses = (await grid.tryStatuses(grid.nodes)).filter(s => s != null)
    if (statuses.length < opts.n) {
      errors.push(`${opts.n - statuses.length} nodes did not answer a status request after the warm-up`)
    }

    log(`${mode}: idle window ${opts.idleMs} ms`)
    const idle = await idleWindow(grid, opts.idleMs)

    log(`${mode}: ${opts.rounds} propagation rounds`)
    const injector = grid.nodes[opts.n - 1]
    const publishers = shuffled(grid.nodes.filter(w => w.role === 'node' && w !== injector), random).slice(0, opts.rounds)
    const rounds = await propagationRounds(grid, publishers, sizes.record, opts.settleMs, idle.bytesPerSecPerNode)
    const result: GridResult = {
      mode,
      n: opts.n,
      layout: { processes, nodesPerProcess: opts.nodesPerProcess },
      loadavg: { start: loadStart, end: [] },
      nodes: grid.nodes.map(w => ({ index: w.index, role: w.role, peerId: w.peerId, process: w.proc.index })),
      startupMs: summarize(startMs),
      gridStartMs: { started: startedMs, ready: readyMs },
      connections: summarize(statuses.map(s => s.connected.length)),
      meshPeers: summarize(statuses.map(s => s.meshPeers)),
      idle,
      ...rounds,
      errors
    }
    if (mode === 'ours') {
      sizes.record = rounds.recordBytes
    }

    if (opts.m > 0) {
      const runs: BurstRun[] = []
      const count = mode === 'ours' ? opts.runs : 1
      for (let run = 1; run <= count; run++) {
        log(`${mode}: burst of ${opts.m}${count > 1 ? ` (run ${run}/${count})` : ''}`)
        const { result: burst, summary } = await burstRun(grid, injector, {
          m: opts.m, payloadSize: sizes.burst, timeoutS: opts.burstTimeoutS, settleMs: opts.settleMs, idleBytesPerSecPerNode: idle.bytesPerSecPerNode
        }, run)
        result.burst ??= burst
        runs.push(summary)
        log(`${mode}: burst run ${run}: min fraction held ${summary.minFraction.toFixed(3)}, ${summary.loss.recordsMissing} records missing somewhere`)
      }
      result.burstRuns = runs
      if (mode === 'ours' && result.burst != null) {
        sizes.burst = result.burst.payloadBytes
      }
      // before the late joiners, so that they join a grid that holds the burst and is
      // quiet again, not one still relaying it
      log(`${mode}: idle window ${opts.idleMs} ms after the burst`)
      result.idleAfterBurst = await idleWindow(grid, opts.idleMs)
    }

    if (mode === 'ours') {
      log(`${mode}: load average before the late joiners ${loadavg().map(l => l.toFixed(1)).join('/')}`)
      result.lateJoin = await lateJoiners(grid, opts.lateJoiners, injector, random, errors, log)
      if (opts.floodRounds > 0) {
        const publisher = publishers.slice(opts.leaves).find(w => w.alive) ??
          shuffled(grid.live().filter(w => w.role === 'node' && w !== injector && !publishers.includes(w)), random)[0]
        result.flood = await floodPhase(grid, opts, publisher, random, log)
      }
      result.leave = await gracefulLeaves(grid, publishers.slice(0, opts.leaves), log)
    }
    result.loadavg.end = loadavg()
    return result
  } finally {
    log(`${mode}: stopping`)
    await grid.stop()
  }
}
