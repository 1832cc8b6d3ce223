import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { placeNodes, planTopology } from '../../bench/topology.js'

describe('bench topology', () => {
  it('has every node dial all three introducers and `degree` distinct earlier nodes, the same for a seed', () => {
    const plan = planTopology(30, 3, 4, 1)
    assert.deepEqual(plan, planTopology(30, 3, 4, 1))
    assert.notDeepEqual(plan, planTopology(30, 3, 4, 2))
    assert.deepEqual(plan[0], [])
    plan.forEach((targets, i) => {
      assert.equal(new Set(targets).size, targets.length, `node ${i}: no repeats`)
      assert.ok(targets.every(j => j < i), `node ${i} dials earlier nodes only`)
      if (i >= 3 + 4) {
        assert.equal(targets.length, 7, `node ${i}`)
        assert.ok([0, 1, 2].every(j => targets.includes(j)), `node ${i} dials every introducer`)
      }
    })
  })

  it('dials at most three introducers when there are more', () => {
    const plan = planTopology(40, 6, 2, 3)
    for (const targets of plan.slice(10)) {
      // 3 introducers, then 2 other earlier nodes (which may be introducers too)
      assert.equal(targets.length, 5)
      assert.ok(targets.slice(0, 3).every(j => j < 6))
    }
  })

  it('places one node per process by default, and stripes nodes over processes otherwise', () => {
    assert.deepEqual(placeNodes(5, 1), [0, 1, 2, 3, 4])
    const p = placeNodes(1000, 50)
    assert.equal(Math.max(...p) + 1, 20)
    for (let proc = 0; proc < 20; proc++) {
      assert.equal(p.filter(x => x === proc).length, 50)
    }
    assert.deepEqual(p.slice(0, 3), [0, 1, 2], 'the introducers are in different processes')
    assert.deepEqual(placeNodes(7, 3), [0, 1, 2, 0, 1, 2, 0])
  })
})
