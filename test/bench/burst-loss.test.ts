import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { burstLoss, type LossInput } from '../../bench/phases/burst-loss.js'
import { BurstTracker } from '../../bench/worker/burst-tracker.js'

// nodes 1 and 2 are the injector's direct peers, 3 and 4 are not
const base: Omit<LossInput, 'missing' | 'sentTo'> = {
  m: 4,
  directPeers: [{ index: 1, role: 'node' }, { index: 2, role: 'introducer' }],
  injectorConnections: { before: 2, after: 1 },
  validator: new Map([[1, { accepted: 3, dropped: { duplicate: 1 } }]])
}

describe('burst loss', () => {
  it('reports nothing lost when every node holds every record', () => {
    const loss = burstLoss({ ...base, missing: new Map([[1, []], [2, []], [3, []], [4, []]]), sentTo: [[1, 2], [1, 2], [1], [2]] })
    assert.deepEqual([loss.recordsMissing, loss.pairsMissing, loss.notSent, loss.neverAtDirectPeers, loss.lostInRelay], [0, 0, 0, 0, 0])
    assert.deepEqual(loss.directPeers.map(p => [p.index, p.sent, p.sentNotHeld, p.held]), [[1, 3, 0, 4], [2, 3, 0, 4]])
    assert.equal(loss.recipientsPerRecord.min, 1)
    assert.deepEqual(loss.injectorConnections, { before: 2, after: 1 })
  })

  it('tells a record never sent, one lost before the first hop, and one lost relaying apart', () => {
    const loss = burstLoss({
      ...base,
      // record 0: sent to nobody, held by nobody; record 1: sent to 1, held by no direct peer
      // (node 3 has it: it came another way); record 2: held by 1, missing at 4; record 3: everywhere
      missing: new Map([[1, [0, 1]], [2, [0, 1]], [3, [0]], [4, [0, 1, 2]]]),
      sentTo: [[], [1], [1, 2], [2]]
    })
    assert.equal(loss.recordsMissing, 3)
    assert.equal(loss.missingEverywhere, 1)
    assert.equal(loss.pairsMissing, 8)
    assert.deepEqual([loss.notSent, loss.neverAtDirectPeers, loss.lostInRelay], [1, 1, 1])
    assert.deepEqual(loss.firstMissing, [0, 1, 2])
    const [one, two] = loss.directPeers
    assert.deepEqual([one.sent, one.sentNotHeld, one.held, one.accepted, one.dropped], [2, 1, 2, 3, { duplicate: 1 }])
    assert.deepEqual([two.sent, two.sentNotHeld, two.held, two.accepted], [2, 0, 2, null])
  })

  it('leaves out direct peers that are not measured (e.g. gone)', () => {
    const loss = burstLoss({ ...base, missing: new Map([[2, [3]], [3, []]]), sentTo: [[1, 2], [1, 2], [1, 2], [1, 2]] })
    assert.deepEqual(loss.directPeers.map(p => p.index), [2])
    assert.equal(loss.lostInRelay, 0)
    assert.equal(loss.neverAtDirectPeers, 1, 'record 3: the only measured direct peer never took it')
  })
})

describe('burst tracker', () => {
  it('keeps the first arrival of each record and says what is missing', () => {
    const t = new BurstTracker('1', 3, new Map([['peerA', 0], ['peerB', 2]]))
    t.arrivedFrom('peerA', 100)
    t.arrivedFrom('stranger', 110)
    t.arrived(0, 120)
    t.arrived(7, 130)
    assert.deepEqual(t.held(), { count: 1, missing: [1, 2], allAt: null })
    t.arrived(1, 140)
    t.arrivedFrom('peerB', 150)
    assert.deepEqual(t.held(), { count: 3, missing: [], allAt: 150 })
  })
})
