import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { nextSeqnum } from '../../src/announcement/seqnum.js'

describe('nextSeqnum', () => {
  const cases: Array<[string, bigint, number, bigint]> = [
    ['first use takes the wall clock', 0n, 1_700_000_000_000, 1_700_000_000_000n],
    ['a counter ahead of the clock counts on', 1_800_000_000_000n, 1_700_000_000_000, 1_800_000_000_001n],
    ['a lost counter file (read as 0) falls back on the wall clock', 0n, 1_700_000_000_500, 1_700_000_000_500n],
    ['two publications in one millisecond still increase', 1_700_000_000_000n, 1_700_000_000_000, 1_700_000_000_001n],
    ['a clock before the epoch is treated as zero', 5n, -10, 6n]
  ]
  for (const [name, last, now, expected] of cases) {
    it(name, () => {
      assert.equal(nextSeqnum(last, now), expected)
      assert.ok(nextSeqnum(last, now) > last)
    })
  }
})
