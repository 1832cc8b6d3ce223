import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseOptions } from '../../bench/options.js'
import { LATE_JOIN_TARGET_MS, mainTable } from '../../bench/report.js'
import type { GridResult } from '../../bench/results.js'

const stats = { median: 1, max: 1, p99: 1, min: 1 }
const delivery = { last: stats, perNode: stats, missed: 0 }

/** A grid result with the late joins given and every other figure 1 (rendered, not asserted). */
function withLateJoins (allMs: number[]): GridResult {
  return {
    added: delivery,
    updated: delivery,
    publishCallMs: stats,
    idle: { rssMB: stats, rssMBIntroducers: stats, cpuPct: stats, cpuPctIntroducers: stats, bytesPerSecPerNode: 1, processes: { rssMB: stats, cpuPct: stats } },
    connections: stats,
    meshPeers: stats,
    startupMs: stats,
    lateJoin: allMs.map(ms => ({ dialMs: 5, connectToFirstMs: 50, connectToAllMs: ms, held: 1003, target: 1003, checks: 1006, connections: 1 }))
  } as unknown as GridResult
}

function row (table: string, metric: string): string[] {
  const line = table.split('\n').find(l => l.startsWith(metric))
  assert.ok(line != null, `no row ${metric} in\n${table}`)
  // metric, ours, raw, ours/raw, target, met: the figure, the target and whether it is met
  const cells = line.split(/\s{2,}/)
  return [cells[1], cells[4], cells[5]]
}

describe('bench report', () => {
  it("judges the late joiner by issue #9's target: median and worst", () => {
    const opts = parseOptions(['--grids=ours'], {})
    const met = mainTable(withLateJoins([250, 280, 290]), undefined, opts)
    assert.deepEqual(row(met, 'late joiner: connect -> holds all'), ['280', `<= ${LATE_JOIN_TARGET_MS.median}`, 'yes'])
    assert.deepEqual(row(met, 'late joiner: worst'), ['290', `<= ${LATE_JOIN_TARGET_MS.worst}`, 'yes'])
    const missed = mainTable(withLateJoins([250, 340, 600]), undefined, opts)
    assert.deepEqual(row(missed, 'late joiner: connect -> holds all'), ['340', `<= ${LATE_JOIN_TARGET_MS.median}`, 'NO'])
    assert.deepEqual(row(missed, 'late joiner: worst'), ['600', `<= ${LATE_JOIN_TARGET_MS.worst}`, 'NO'])
  })
})
