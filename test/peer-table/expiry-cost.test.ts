/**
 * Forgetting costs O(log n) per record and reading one service does not scan the others
 * (issue #10 item 3: the whole table was scanned on every expiry timer, so forgetting 40 000
 * records cost 22 s of CPU). bench/table.ts measures the totals.
 */
import assert from 'node:assert/strict'
import { performance } from 'node:perf_hooks'
import { describe, it } from 'node:test'
import { PeerTable } from '../../src/peer-table.js'
import { fakeRecord } from '../helpers/fake-records.js'
import { T0 } from '../helpers/records.js'

const CYCLES = 1500

/** Time of CYCLES expiry timers (nextExpiry, expire, and a read of a small service) on a table of n. */
function cyclesMs (n: number): number {
  const clock = { now: T0 }
  const table = new PeerTable({ now: () => clock.now, maxPeersPerService: n, maxPeers: n + 1 })
  table.offer(fakeRecord({ service: 'helper', issuedAtMs: T0, ttlMs: 7 * 24 * 3_600_000 }))
  for (let i = 0; i < n; i++) {
    clock.now = T0 + i
    table.offer(fakeRecord({ issuedAtMs: clock.now }))
  }
  const start = performance.now()
  for (let i = 0; i < CYCLES; i++) {
    clock.now = table.nextExpiry() as number
    assert.equal(table.expire().length, 1)
    assert.equal(table.getPeers('helper').length, 1)
  }
  return performance.now() - start
}

describe('peer table costs', () => {
  it('an expiry timer costs about the same on a table ten times larger', () => {
    cyclesMs(2000) // warm up
    const small = Math.min(cyclesMs(2000), cyclesMs(2000))
    const large = Math.min(cyclesMs(20_000), cyclesMs(20_000))
    // a scan per timer makes this 10x; a heap about 1.3x. Generous for a loaded machine.
    assert.ok(large < 4 * small + 20, `${CYCLES} timers: ${large.toFixed(1)} ms on 20 000 entries, ${small.toFixed(1)} ms on 2 000`)
  })
})
