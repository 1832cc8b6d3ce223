/**
 * The flood phase (ours; issue #5's "honest latency within 2x of the quiet case"): one
 * honest node's updates are timed at every node, first quietly, then while an attacker
 * process connected to the introducers and random nodes floods the measured topic,
 * first with forged records, then with valid records over the rate limit. Meanwhile the
 * attacker's score at each target is polled.
 */
import { setPriority } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import { GRAYLIST_THRESHOLD } from '../../src/gossip/scoring.js'
import type { Grid } from '../grid.js'
import type { Options } from '../options.js'
import { FLOOD_KINDS, type FloodKind, type NodeResults } from '../protocol.js'
import type { FloodCase, FloodPhase } from '../results.js'
import { shuffled } from '../stats.js'
import type { NodeHandle } from '../worker-client.js'
import { droppedSince, sumDropped } from './dropped.js'
import { updateRounds } from './propagation.js'

const POLL_MS = 100
/** After the timed updates the flood goes on until every target graylisted the attacker, or this long. */
const GRACE_MS = 10_000
const MESH_WAIT_MS = 10_000
const MAX_POOL = 200_000

type FloodOptions = Pick<Options, 'floodRounds' | 'floodRate' | 'floodTargets' | 'floodNice' | 'settleMs'>

export async function floodPhase (grid: Grid, opts: FloodOptions, publisher: NodeHandle, random: () => number, log: (s: string) => void): Promise<FloodPhase> {
  // a first update that is not timed: the publisher may not have published yet
  await publisher.call('publish', { tag: 'flood-warmup', size: 0 })
  await sleep(opts.settleMs)
  log(`ours: flood phase: ${opts.floodRounds} quiet updates from node ${publisher.index}`)
  const quiet = await updateRounds(grid, publisher, 'fq', opts.floodRounds)
  const phase: FloodPhase = { rate: opts.floodRate, targets: 0, honestNodes: grid.live().length - 1, quiet, floods: [] }
  for (const kind of FLOOD_KINDS) {
    const intros = grid.live().filter(w => w.role === 'introducer')
    const nodes = shuffled(grid.live().filter(w => w.role === 'node' && w !== publisher), random)
    const targets = [...intros, ...nodes].slice(0, opts.floodTargets)
    phase.targets = targets.length
    const attacker = await grid.startExtra('attacker')
    try {
      phase.floods.push(await floodCase(grid, opts, kind, attacker, targets, publisher, log))
    } finally {
      await grid.stopExtra(attacker)
    }
    await sleep(opts.settleMs)
  }
  return phase
}

async function floodCase (grid: Grid, opts: FloodOptions, kind: FloodKind, attacker: NodeHandle, targets: NodeHandle[], publisher: NodeHandle, log: (s: string) => void): Promise<FloodCase> {
  const pid = attacker.proc.child.pid
  if (pid != null && opts.floodNice > 0) {
    setPriority(pid, opts.floodNice)
  }
  // enough records for the honest rounds (about a second each), at the flood rate
  const maxMs = (opts.floodRounds * 2 + 10) * 1000
  const count = Math.min(MAX_POOL, Math.ceil(opts.floodRate * maxMs / 1000))
  log(`ours: flood ${kind}: attacker ${attacker.peerId.slice(-6)} signs ${count} records, connects to ${targets.length} nodes`)
  await attacker.call('prepareFlood', { kind, count }, 300_000)
  const dialed = await attacker.call('dial', { addrs: targets.map(t => t.addrs[0]), timeoutMs: 10_000 }, 20_000)
  if (dialed.failed.length > 0) {
    log(`ours: flood ${kind}: ${dialed.failed.length} dials failed, e.g. ${dialed.failed[0]}`)
  }
  // bounded wait until the targets see the attacker on the topic (else nothing reaches them)
  const meshDeadline = Date.now() + MESH_WAIT_MS
  while (Date.now() < meshDeadline) {
    const st = await attacker.call('status', {})
    if (st.topicPeers >= st.connected.length && st.connected.length > 0) break
    await sleep(POLL_MS)
  }
  const droppedBefore = await droppedBy(grid.live())
  const tFlood = Date.now()
  await attacker.call('floodStart', { ratePerSec: opts.floodRate, maxMs })
  const scoresNow = async (): Promise<Array<NodeResults['score']>> => Promise.all(targets.map(async t => t.call('score', { peerId: attacker.peerId })))
  // the targets' view of the attacker, polled while the honest rounds run
  let graylistedAllMs: number | null = null
  let polling = true
  const poll = (async () => {
    while (polling && graylistedAllMs == null) {
      const scores = await scoresNow()
      if (scores.every(s => s.score < GRAYLIST_THRESHOLD || !s.connected)) {
        graylistedAllMs = Date.now() - tFlood
      }
      await sleep(POLL_MS)
    }
  })()
  const honest = await updateRounds(grid, publisher, `f${kind[0]}`, opts.floodRounds)
  // what the attacker queued may reach a busy target late; scores are cached for 1 s
  const graceEnd = Date.now() + GRACE_MS
  while (graylistedAllMs == null && Date.now() < graceEnd) {
    await sleep(POLL_MS)
  }
  polling = false
  await poll
  const scores = await scoresNow()
  const sent = await attacker.call('floodStop', {}, 30_000)
  const droppedAfter = await droppedBy(grid.live())
  const during = (w: NodeHandle): Record<string, number> => droppedSince(droppedBefore.get(w) ?? {}, droppedAfter.get(w) ?? {})
  log(`ours: flood ${kind}: ${sent.sent} sent in ${sent.ms} ms; graylisted at all targets after ${graylistedAllMs ?? 'never'} ms`)
  return {
    kind,
    sent: sent.sent,
    failed: sent.failed,
    sendMs: sent.ms,
    graylistedAllMs,
    graylistedTargets: scores.filter(s => s.score < GRAYLIST_THRESHOLD).length,
    scores: scores.map(s => Math.round(s.score)),
    connectedTargets: scores.filter(s => s.connected).length,
    targetDropped: targets.map(during),
    honest,
    dropped: sumDropped([...droppedAfter.keys()].map(during))
  }
}

/** Records each node's validator dropped so far, by reason. */
async function droppedBy (nodes: NodeHandle[]): Promise<Map<NodeHandle, Record<string, number>>> {
  const statuses = await Promise.all(nodes.map(async w => w.call('status', {})))
  return new Map(nodes.map((w, i) => [w, sumDropped([statuses[i].stats?.dropped])]))
}
