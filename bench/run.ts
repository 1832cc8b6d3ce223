/**
 * `npm run bench`: N nodes in worker processes on loopback (one per process by default,
 * --nodes-per-process to share), once with createNode() ("ours") and once as bare
 * libp2p + gossipsub ("raw"), in the same planned topology. Measures propagation of a new
 * announcement and of an update, a burst of M announcements (where its losses happen;
 * --runs repeats it), a late joiner's catch-up (sync), graceful leave, RSS, idle CPU and
 * bytes sent, and prints ours/raw ratios. Ours also gets a flood phase. Options: see
 * bench/options.ts; method: docs/benchmarks.md.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { availableParallelism, cpus, totalmem } from 'node:os'
import { dirname, resolve } from 'node:path'
import { assertSupportedRuntime } from '../src/version.js'
import { BenchOptionError, parseOptions } from './options.js'
import type { Mode } from './protocol.js'
import { burstRunsTable, floodTable, mainTable } from './report.js'
import type { GridResult } from './results.js'
import { runGrid, type Sizes } from './run-grid.js'
import { placeNodes, planTopology } from './topology.js'
import { ProcessGroup } from './worker-client.js'

/** The commit measured, and whether src/ had uncommitted changes (others edit it while we run). */
function gitInfo (): { commit: string, srcDirty: boolean } | undefined {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', timeout: 5000 }).trim()
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { encoding: 'utf8', timeout: 5000 }).trim()
    return { commit, srcDirty: dirty.length > 0 }
  } catch {
    return undefined
  }
}

async function main (group: ProcessGroup): Promise<void> {
  assertSupportedRuntime()
  const opts = parseOptions(process.argv.slice(2), process.env)
  group.callTimeoutMs = opts.callTimeoutS * 1000
  const log = (s: string): void => { console.error(`[${new Date().toISOString().slice(11, 19)}] ${s}`) }
  const watchdog = setTimeout(() => {
    console.error(`bench: over --max-minutes=${opts.maxMinutes}, giving up`)
    group.killAll()
    process.exit(2)
  }, opts.maxMinutes * 60_000)
  watchdog.unref()

  const plan = planTopology(opts.n, opts.introducers, opts.degree, opts.seed)
  const placement = placeNodes(opts.n, opts.nodesPerProcess)
  const sizes: Sizes = { record: 300, burst: 300 }
  const results: Partial<Record<Mode, GridResult>> = {}
  const started = Date.now()
  // ours first: raw then sends payloads of the sizes ours measured
  for (const mode of (['ours', 'raw'] as const).filter(g => opts.grids.includes(g))) {
    results[mode] = await runGrid(mode, opts, plan, placement, sizes, group, log)
  }
  const report = {
    date: new Date().toISOString(),
    git: gitInfo(),
    machine: { cpus: availableParallelism(), cpuModel: cpus()[0]?.model, totalMemGiB: totalmem() / 1024 ** 3, node: process.versions.node },
    options: opts,
    durationS: (Date.now() - started) / 1000,
    results
  }
  const out = resolve(opts.out)
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(out, JSON.stringify(report, null, 2) + '\n')
  const layout = opts.nodesPerProcess > 1 ? `N=${opts.n} nodes in ${Math.max(...placement) + 1} processes` : `N=${opts.n} processes`
  console.log(`\ngossip-introducer bench: ${layout} (${opts.introducers} introducers), M=${opts.m}, ` +
    `${opts.rounds} rounds, degree ${opts.degree}, ${availableParallelism()} cpus, ${report.durationS.toFixed(0)} s, ` +
    `commit ${report.git?.commit ?? '?'}${report.git?.srcDirty === true ? ' + uncommitted src changes' : ''}\n`)
  console.log(mainTable(results.ours, results.raw, opts))
  for (const r of Object.values(results)) {
    if (r.burstRuns != null && r.burstRuns.length > 0) {
      console.log(`\n${burstRunsTable(r.mode, r.burstRuns, opts.m)}`)
    }
  }
  if (results.ours?.flood != null) {
    console.log(`\nflood phase: an attacker (nice ${opts.floodNice}) connected to ${results.ours.flood.targets} nodes (the introducers first) sends at up to ${opts.floodRate}/s; ` +
      `honest updates from one node, ${opts.floodRounds} timed before and ${opts.floodRounds} during each flood\n`)
    console.log(floodTable(results.ours.flood))
  }
  for (const r of Object.values(results)) {
    console.log(`load average (1/5/15 min) during ${r.mode}: start ${r.loadavg.start.map(v => v.toFixed(1)).join('/')}, end ${r.loadavg.end.map(v => v.toFixed(1)).join('/')}`)
  }
  for (const r of Object.values(results)) {
    for (const e of r.errors) {
      console.log(`! ${r.mode}: ${e}`)
    }
  }
  console.log(`\nJSON: ${out}`)
  if (opts.json) {
    console.log(JSON.stringify(report, null, 2))
  }
}

const group = new ProcessGroup()
process.on('exit', () => { group.killAll() })
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    console.error(`\nbench: ${signal}, killing workers`)
    group.killAll()
    process.exit(130)
  })
}
main(group).then(() => {
  group.killAll()
  process.exit(0)
}, (err: unknown) => {
  if (err instanceof BenchOptionError) {
    console.error(`bench: ${err.message}`)
  } else {
    console.error('bench failed:', err)
  }
  group.killAll()
  process.exit(1)
})
