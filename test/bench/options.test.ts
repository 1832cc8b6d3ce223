import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { BenchOptionError, parseOptions } from '../../bench/options.js'

describe('bench options', () => {
  it('has the documented defaults', () => {
    const o = parseOptions([], {})
    assert.deepEqual([o.n, o.m, o.rounds, o.introducers, o.degree, o.idleMs, o.lateJoiners, o.leaves], [30, 1000, 5, 3, 4, 10_000, 3, 3])
    assert.deepEqual([o.runs, o.nodesPerProcess, o.floodRounds, o.floodRate, o.burstTimeoutS, o.callTimeoutS], [1, 1, 5, 2000, 120, 30])
    assert.deepEqual(o.grids, ['ours', 'raw'])
    assert.equal(o.out, 'bench/results/latest.json')
    assert.equal(o.json, false)
  })

  it('takes argv before the environment', () => {
    const o = parseOptions(['--n=40', '--nodes-per-process=10', '--json', '--grids=ours'], { BENCH_N: '50', BENCH_IDLE_MS: '2000', BENCH_RUNS: '5' })
    assert.deepEqual([o.n, o.nodesPerProcess, o.idleMs, o.runs, o.json], [40, 10, 2000, 5, true])
    assert.deepEqual(o.grids, ['ours'])
  })

  it('clamps leaves to rounds, as the leavers are round publishers', () => {
    assert.equal(parseOptions(['--rounds=2', '--leaves=5'], {}).leaves, 2)
  })

  it('names the option that is wrong', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--n=7'], /--n .*from 8 to 5000, not 7/],
      [['--m=1.5'], /--m .*whole number/],
      [['--runs='], /--runs/],
      [['--nodes-per-process=0'], /--nodes-per-process/],
      [['--call-timeout-s=1'], /--call-timeout-s .*from 5 to 1800, not 1/],
      [['--grids=ours,mine'], /--grids .*not ours,mine/],
      [['--json=yes'], /--json/],
      [['--frobnicate=1'], /unknown option --frobnicate/],
      [['n=3'], /unknown argument n=3/],
      [['--n=8', '--rounds=5'], /--n must be at least .*\(9\)/],
      [['--n=1000'], /1000 processes, over 300: raise --nodes-per-process/]
    ]
    for (const [argv, message] of cases) {
      assert.throws(() => parseOptions(argv, {}), (err: Error) => err instanceof BenchOptionError && message.test(err.message), argv.join(' '))
    }
    assert.throws(() => parseOptions([], { BENCH_SETTLE_MS: 'soon' }), /--settle-ms .*not soon/)
  })

  it('allows 1000 nodes in 20 processes', () => {
    const o = parseOptions(['--n=1000', '--nodes-per-process=50'], {})
    assert.equal(Math.ceil(o.n / o.nodesPerProcess), 20)
  })
})
