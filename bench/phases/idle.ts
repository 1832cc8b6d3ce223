/**
 * The idle window: every process at once, nothing else going on; CPU over the window as
 * % of one core, RSS and heap at its end, bytes sent per second. A process's figures are
 * shared among the nodes it hosts (divided by their number): with 1 node per process,
 * per node is per process.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { Grid } from '../grid.js'
import type { ProcessResults } from '../protocol.js'
import type { IdleResult } from '../results.js'
import { summarize } from '../stats.js'

export const MB = 1024 * 1024

export async function idleWindow (grid: Grid, idleMs: number): Promise<IdleResult> {
  const procs = grid.processes
  await Promise.all(procs.map(async p => p.call('idleStart', {})))
  await sleep(idleMs)
  const idle = await Promise.all(procs.map(async p => p.call('idleEnd', {})))
  const cpuPct = (r: ProcessResults['idleEnd']): number => 100 * r.cpuMs / r.wallMs
  const byProcess = new Map(procs.map((p, i) => [p, idle[i]]))
  const perNode = grid.nodes.map(node => {
    const r = byProcess.get(node.proc)
    const k = Math.max(1, r?.nodes ?? 1)
    return {
      introducer: node.role === 'introducer',
      cpuPct: r == null ? NaN : cpuPct(r) / k,
      rssMB: r == null ? NaN : r.rss / k / MB,
      heapMB: r == null ? NaN : r.heapUsed / k / MB
    }
  })
  const intro = perNode.filter(x => x.introducer)
  const nodes = perNode.filter(x => !x.introducer)
  return {
    windowMs: idleMs,
    cpuPct: summarize(perNode.map(x => x.cpuPct)),
    cpuPctIntroducers: summarize(intro.map(x => x.cpuPct)),
    cpuPctNodes: summarize(nodes.map(x => x.cpuPct)),
    rssMB: summarize(perNode.map(x => x.rssMB)),
    rssMBIntroducers: summarize(intro.map(x => x.rssMB)),
    rssMBNodes: summarize(nodes.map(x => x.rssMB)),
    heapMB: summarize(perNode.map(x => x.heapMB)),
    bytesPerSecPerNode: idle.reduce((a, r) => a + r.bytesSent / (r.wallMs / 1000), 0) / grid.nodes.length,
    processes: { count: procs.length, cpuPct: summarize(idle.map(cpuPct)), rssMB: summarize(idle.map(r => r.rss / MB)) }
  }
}

/** RSS per live node now (its process's RSS divided by the nodes running in it). */
export async function rssPerNodeMB (grid: Grid): Promise<number[]> {
  const procs = grid.processes.filter(p => p.alive)
  const res = await Promise.all(procs.map(async p => p.call('resources', {})))
  const byProcess = new Map(procs.map((p, i) => [p, res[i]]))
  return grid.live().flatMap(node => {
    const r = byProcess.get(node.proc)
    return r == null ? [] : [r.rss / Math.max(1, r.nodes) / MB]
  })
}
