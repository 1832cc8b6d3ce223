/**
 * AutoFollow alone (pure, clock injected): which services an introducer tries and
 * follows on its own, and when it leaves them.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { AutoFollow, type ServiceView } from '../../src/introduction/auto-follow.js'

class View implements ServiceView {
  readonly subs = new Map<string, string[]>()
  readonly live = new Map<string, number>()
  subscribers (service: string): string[] { return this.subs.get(service) ?? [] }
  liveEntries (service: string): number { return this.live.get(service) ?? 0 }
}

const ROOM = 60

describe('auto-follow', () => {
  it('tries at most two services per subscriber and eight in all', () => {
    const auto = new AutoFollow()
    const view = new View()
    for (let i = 0; i < 70; i++) {
      view.subs.set(`junk-${i}`, ['attacker'])
      auto.seen(`junk-${i}`)
    }
    assert.deepEqual(auto.step(0, view, ROOM).join, ['junk-0', 'junk-1'])
    for (let p = 0; p < 10; p++) {
      view.subs.set(`svc-${p}`, [`peer-${p}`])
      auto.seen(`svc-${p}`)
    }
    const { join } = auto.step(1, view, ROOM)
    assert.deepEqual(join, ['svc-0', 'svc-1', 'svc-2', 'svc-3', 'svc-4', 'svc-5'], 'eight candidates at most')
    assert.deepEqual(auto.counts(), { pending: 72, candidates: 8, followed: 0 })
  })

  it('leaves a candidate whose subscribers left, and forgets queued ones with none', () => {
    const auto = new AutoFollow()
    const view = new View()
    for (let i = 0; i < 5; i++) {
      view.subs.set(`junk-${i}`, ['attacker'])
      auto.seen(`junk-${i}`)
    }
    auto.step(0, view, ROOM)
    view.subs.clear()
    view.subs.set('fileshare', ['server'])
    auto.seen('fileshare')
    const { join, leave } = auto.step(100, view, ROOM)
    assert.deepEqual(leave.sort(), ['junk-0', 'junk-1'])
    assert.deepEqual(join, ['fileshare'])
    assert.deepEqual(auto.counts(), { pending: 0, candidates: 1, followed: 0 })
  })

  it('follows a candidate once a record of it arrives, and leaves it after it has been idle for idleMs', () => {
    const auto = new AutoFollow({ candidateWindowMs: 1000, idleMs: 5000 })
    const view = new View()
    view.subs.set('fileshare', ['server'])
    auto.seen('fileshare')
    auto.step(0, view, ROOM)
    assert.ok(auto.accepted('fileshare', ROOM))
    assert.ok(auto.isFollowed('fileshare'))
    view.live.set('fileshare', 1)
    view.subs.clear() // followed services stay whoever subscribes
    assert.deepEqual(auto.step(60_000, view, ROOM).leave, [])
    view.live.delete('fileshare')
    assert.deepEqual(auto.step(61_000, view, ROOM).leave, [], 'idle from now')
    assert.deepEqual(auto.step(65_999, view, ROOM).leave, [])
    assert.deepEqual(auto.step(66_000, view, ROOM).leave, ['fileshare'])
    assert.ok(!auto.isFollowed('fileshare'))
  })

  it('gives a candidate without a record another turn after the others when its window ends', () => {
    const auto = new AutoFollow({ candidateWindowMs: 1000, maxCandidates: 1 })
    const view = new View()
    for (const s of ['a', 'b']) {
      view.subs.set(s, [`peer-${s}`])
      auto.seen(s)
    }
    assert.deepEqual(auto.step(0, view, ROOM), { join: ['a'], leave: [] })
    assert.deepEqual(auto.step(1000, view, ROOM), { join: ['b'], leave: ['a'] })
    assert.deepEqual(auto.step(2000, view, ROOM), { join: ['a'], leave: ['b'] })
    assert.ok(!auto.accepted('b', ROOM), 'no longer a candidate')
  })

  it('stays within the room left beside the pinned services, keeping room for candidates', () => {
    const auto = new AutoFollow({ maxCandidates: 2 })
    const view = new View()
    for (let i = 0; i < 10; i++) {
      view.subs.set(`s${i}`, [`peer-${i}`])
      auto.seen(`s${i}`)
    }
    assert.equal(auto.step(0, view, 3).join.length, 2)
    assert.ok(auto.accepted('s0', 3), 'one followed: room 3 - 2 candidate slots')
    assert.ok(!auto.accepted('s1', 3), 'a second would leave no room for candidates')
    assert.equal(auto.step(1, view, 3).join.length, 1, 'the freed candidate slot is filled')
    assert.equal(auto.size, 3)
  })

  it('queues at most maxPending services, forgetting the oldest', () => {
    const auto = new AutoFollow({ maxPending: 3, maxCandidates: 0 })
    for (const s of ['a', 'b', 'c', 'd']) auto.seen(s)
    assert.equal(auto.counts().pending, 3)
    const view = new View()
    for (const s of ['a', 'b', 'c', 'd']) view.subs.set(s, ['p'])
    const withSlots = new AutoFollow({ maxPending: 3 })
    for (const s of ['a', 'b', 'c', 'd']) withSlots.seen(s)
    assert.deepEqual(withSlots.step(0, view, ROOM).join, ['b', 'c'])
  })

  it('names a candidate first, then an idle followed service, as the one to give way', () => {
    const auto = new AutoFollow()
    const view = new View()
    for (const s of ['x', 'y']) {
      view.subs.set(s, [`peer-${s}`])
      auto.seen(s)
    }
    auto.step(0, view, ROOM)
    auto.accepted('x', ROOM)
    assert.equal(auto.victim(), 'y')
    auto.step(1, view, ROOM) // x has no live entry: idle from now
    assert.equal(auto.victim(), 'x')
    assert.equal(auto.victim(), undefined)
  })
})
