/** The printed report: the ours/raw table, the burst runs and the flood table. */
import type { Options } from './options.js'
import type { BurstRun, FloodPhase, GridResult } from './results.js'
import { median } from './stats.js'
import { BURST_TARGET_MS } from './phases/burst.js'

/** Rows as aligned columns: the first column left, the others right, a rule under the header. */
export function renderTable (rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map(r => r[c].length)))
  return rows.map((r, i) => {
    const line = r.map((cell, c) => c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])).join('  ')
    return i === 0 ? `${line}\n${'-'.repeat(line.length)}` : line
  }).join('\n')
}

export function fmt (v: number | null | undefined, digits = 1): string {
  return v == null || Number.isNaN(v) ? 'n/a' : v.toFixed(digits)
}

/** Issue #9's late-joiner target at N=30: connect -> holds all, ms. */
export const LATE_JOIN_TARGET_MS = { median: 300, worst: 500 }

const ratio = (o?: number, r?: number): number | undefined => (o != null && r != null && r !== 0 ? o / r : undefined)

export function mainTable (ours: GridResult | undefined, raw: GridResult | undefined, opts: Options): string {
  const rows: string[][] = [['metric', 'ours', 'raw', 'ours/raw', 'target', 'met']]
  const add = (metric: string, o: number | undefined, r: number | undefined, target = '', met?: boolean, digits = 1): void => {
    rows.push([metric, fmt(o, digits), fmt(r, digits), fmt(ratio(o, r), 2), target, met == null ? '' : met ? 'yes' : 'NO'])
  }
  const lastAdd = ratio(ours?.added.last.median, raw?.added.last.median)
  add(`new announcement -> last of ${opts.n - 1}, ms (median of ${opts.rounds} rounds)`, ours?.added.last.median, raw?.added.last.median, '<= 1.3x raw', lastAdd == null ? undefined : lastAdd <= 1.3)
  add('new announcement -> last, worst round, ms', ours?.added.last.max, raw?.added.last.max)
  add('new announcement, per node median, ms', ours?.added.perNode.median, raw?.added.perNode.median)
  add('new announcement, per node p99, ms', ours?.added.perNode.p99, raw?.added.perNode.p99)
  add('update -> last, ms (median of rounds)', ours?.updated.last.median, raw?.updated.last.median)
  add('update, per node median, ms', ours?.updated.perNode.median, raw?.updated.perNode.median)
  add('update, per node p99, ms', ours?.updated.perNode.p99, raw?.updated.perNode.p99)
  add('missed deliveries (rounds, add+update)', (ours?.added.missed ?? 0) + (ours?.updated.missed ?? 0), raw == null ? undefined : raw.added.missed + raw.updated.missed, '', undefined, 0)
  add('publish call at the publisher, ms (median)', ours?.publishCallMs.median, raw?.publishCallMs.median)
  add('payload bytes per announcement', ours?.recordBytes, raw?.recordBytes, '', undefined, 0)
  add('bytes sent per node per announcement (rounds)', ours?.roundBytesPerNodePerAnnouncement, raw?.roundBytesPerNodePerAnnouncement, '', undefined, 0)
  if (opts.m > 0) {
    add(`burst of ${opts.m}: all nodes hold all, ms`, ours?.burst?.allHoldMs, raw?.burst?.allHoldMs, '', undefined, 0)
    add(`burst of ${opts.m}: per node median, ms`, ours?.burst?.perNodeMs.median, raw?.burst?.perNodeMs.median, '', undefined, 0)
    add('burst: bytes sent per node per announcement', ours?.burst?.bytesPerNodePerAnnouncement, raw?.burst?.bytesPerNodePerAnnouncement, '', undefined, 0)
    add('burst: nodes that missed some', ours?.burst?.missed, raw?.burst?.missed, '', undefined, 0)
    add('burst: fraction of M held at the end (min)', ours?.burst?.delivered.min, raw?.burst?.delivered.min, '', undefined, 3)
    add('burst: time to publish all M at the injector, ms', ours?.burst?.publishMs, raw?.burst?.publishMs, '', undefined, 0)
    add('RSS after burst, MB (median)', ours?.burst?.rssMBAfter.median, raw?.burst?.rssMBAfter.median)
  }
  const joins = ours?.lateJoin ?? []
  if (joins.length > 0) {
    const all = joins.map(l => l.connectToAllMs ?? NaN)
    const mid = median(all)
    const worst = Math.max(...all)
    add(`late joiner: connect -> holds all ${opts.m}+, ms (median)`, mid, undefined, `<= ${LATE_JOIN_TARGET_MS.median}`, !Number.isNaN(mid) && mid <= LATE_JOIN_TARGET_MS.median, 0)
    add('late joiner: worst, ms', worst, undefined, `<= ${LATE_JOIN_TARGET_MS.worst}`, !Number.isNaN(worst) && worst <= LATE_JOIN_TARGET_MS.worst, 0)
    add('late joiner: connect -> first entry, ms (median)', median(joins.map(l => l.connectToFirstMs ?? NaN)), undefined, '', undefined, 0)
    add('late joiner: connect -> dialled, ms (median)', median(joins.map(l => l.dialMs)), undefined, '', undefined, 0)
    add('late joiner: signatures checked (median)', median(joins.map(l => l.checks)), undefined, '', undefined, 0)
  }
  if (ours?.leave != null && ours.leave.lastPerRound.length > 0) {
    add('graceful leave -> gone at last node, ms (median)', ours.leave.last.median, undefined)
    add('graceful leave, per node median, ms', ours.leave.perNode.median, undefined)
    add('graceful leave, missed', ours.leave.missed, undefined, '', undefined, 0)
  }
  const perWhat = opts.nodesPerProcess > 1 ? `node (process / ${opts.nodesPerProcess})` : 'process'
  const rssRatio = ratio(ours?.idle.rssMB.median, raw?.idle.rssMB.median)
  add(`RSS per ${perWhat}, MB (median)`, ours?.idle.rssMB.median, raw?.idle.rssMB.median, '<= 1.15x raw', rssRatio == null ? undefined : rssRatio <= 1.15)
  add('RSS, introducer processes, MB (median)', ours?.idle.rssMBIntroducers.median, raw?.idle.rssMBIntroducers.median)
  add('RSS, max, MB', ours?.idle.rssMB.max, raw?.idle.rssMB.max)
  if (opts.nodesPerProcess > 1) {
    add('RSS per process, MB (median)', ours?.idle.processes.rssMB.median, raw?.idle.processes.rssMB.median)
    add('idle CPU per process, % of a core (median)', ours?.idle.processes.cpuPct.median, raw?.idle.processes.cpuPct.median, '', undefined, 2)
  }
  add('idle CPU, % of a core (median)', ours?.idle.cpuPct.median, raw?.idle.cpuPct.median, '< 1%', ours == null ? undefined : ours.idle.cpuPct.median < 1, 2)
  add('idle CPU, % of a core (max)', ours?.idle.cpuPct.max, raw?.idle.cpuPct.max, '< 1%', ours == null ? undefined : ours.idle.cpuPct.max < 1, 2)
  add('idle CPU, introducers, % (median)', ours?.idle.cpuPctIntroducers.median, raw?.idle.cpuPctIntroducers.median, '', undefined, 2)
  add('idle bytes sent per node per s', ours?.idle.bytesPerSecPerNode, raw?.idle.bytesPerSecPerNode, '', undefined, 0)
  if (ours?.idleAfterBurst != null || raw?.idleAfterBurst != null) {
    add('idle CPU after the burst, % of a core (median)', ours?.idleAfterBurst?.cpuPct.median, raw?.idleAfterBurst?.cpuPct.median, '', undefined, 2)
    add('idle bytes per node per s after the burst', ours?.idleAfterBurst?.bytesPerSecPerNode, raw?.idleAfterBurst?.bytesPerSecPerNode, '', undefined, 0)
  }
  add('connections per node (median)', ours?.connections.median, raw?.connections.median, '', undefined, 0)
  add('mesh peers on the topic (median)', ours?.meshPeers.median, raw?.meshPeers.median, '', undefined, 0)
  add('process start to node ready, ms (median)', ours?.startupMs.median, raw?.startupMs.median, '', undefined, 0)
  return renderTable(rows)
}

/** One row per burst run: how much each node held, how fast, and where records were lost. */
export function burstRunsTable (mode: string, runs: BurstRun[], m: number): string {
  const rows: string[][] = [[`${mode}: burst run`, 'min fraction held', 'nodes missing some', 'records missing', 'not sent', 'never at direct peers', 'lost relaying', 'injector peers before/after', 'publish all, ms', 'last publish -> all hold all, ms', 'target', 'met']]
  for (const r of runs) {
    rows.push([
      String(r.run), fmt(r.minFraction, 3), String(r.nodesMissing), `${r.loss.recordsMissing}/${m}`,
      String(r.loss.notSent), String(r.loss.neverAtDirectPeers), String(r.loss.lostInRelay),
      `${r.loss.injectorConnections.before}/${r.loss.injectorConnections.after}`,
      String(r.publishMs), r.afterLastPublishMs == null ? 'never' : String(r.afterLastPublishMs),
      `<= ${BURST_TARGET_MS / 1000} s`, r.met ? 'yes' : 'NO'
    ])
  }
  const met = runs.filter(r => r.met).length
  return `${renderTable(rows)}\n${mode}: all nodes held all ${m} within ${BURST_TARGET_MS / 1000} s of the last publish in ${met} of ${runs.length} runs`
}

export function floodTable (flood: FloodPhase): string {
  const rows: string[][] = [['flood', 'sent', 'sent/s', 'rejected at targets', 'graylisted at all, ms', 'targets graylisted', 'per node median quiet/flood ms', 'ratio', `last of ${flood.honestNodes} quiet/flood ms`, 'ratio', 'missed', 'target', 'met']]
  for (const f of flood.floods) {
    const perNode = f.honest.perNode.median / flood.quiet.perNode.median
    const last = f.honest.last.median / flood.quiet.last.median
    rows.push([
      f.kind, String(f.sent), fmt(f.sent / (f.sendMs / 1000), 0),
      String(f.targetDropped.reduce((a, d) => a + (d['bad-signature'] ?? 0) + (d['rate-limited'] ?? 0), 0)),
      f.graylistedAllMs == null ? 'never' : String(f.graylistedAllMs),
      `${f.graylistedTargets}/${flood.targets}`,
      `${fmt(flood.quiet.perNode.median, 0)}/${fmt(f.honest.perNode.median, 0)}`, fmt(perNode, 2),
      `${fmt(flood.quiet.last.median, 0)}/${fmt(f.honest.last.median, 0)}`, fmt(last, 2),
      String(f.honest.missed), '<= 2x', perNode <= 2 && last <= 2 && f.honest.missed === 0 ? 'yes' : 'NO'
    ])
  }
  return renderTable(rows)
}
