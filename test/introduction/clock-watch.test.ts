/** The clock watch: which hand-overs show a far-off clock, and how often one is raised. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ClockWatch, type ClockSkew } from '../../src/introduction/clock-watch.js'
import { CLOCK_SKEW_REPEAT_MS, CLOCK_SKEW_WARNING_MS, MAX_CLOCK_SKEW_WARNED } from '../../src/introduction/constants.js'
import { PeerTable, type ServicePeer } from '../../src/peer-table.js'
import { fakeRecord } from '../helpers/fake-records.js'
import { T0 } from '../helpers/records.js'

/** An entry of a publisher whose clock is `offsetMs` off ours. */
function entry (clock: { now: number }, offsetMs: number): ServicePeer {
  const table = new PeerTable({ now: () => clock.now })
  const result = table.offer(fakeRecord({ issuedAtMs: clock.now + offsetMs }))
  assert.ok(result.outcome === 'added')
  return result.peer
}

function watch (clock: { now: number }): { clocks: ClockWatch, raised: ClockSkew[] } {
  const clocks = new ClockWatch(() => clock.now)
  const raised: ClockSkew[] = []
  clocks.addEventListener('peer:clock-skew', (evt) => { raised.push(evt.detail) })
  return { clocks, raised }
}

describe('clock watch', () => {
  it('raises a publisher more than the warning bound off, once per repeat interval, and counts every record', () => {
    const clock = { now: T0 }
    const { clocks, raised } = watch(clock)
    const ahead = entry(clock, 24 * 3600_000)
    clocks.observe(ahead, ahead.peerId)
    clocks.observe(ahead, ahead.peerId)
    assert.equal(raised.length, 1)
    assert.equal(raised[0].offsetMs, 24 * 3600_000)
    assert.ok(raised[0].peerId.equals(ahead.peerId))
    assert.equal(clocks.count, 2)
    clock.now += CLOCK_SKEW_REPEAT_MS
    clocks.observe(ahead, ahead.peerId)
    assert.equal(raised.length, 2)
  })

  it('ignores clocks within the bound and records relayed by another peer', () => {
    const clock = { now: T0 }
    const { clocks, raised } = watch(clock)
    const close = entry(clock, -CLOCK_SKEW_WARNING_MS)
    const behind = entry(clock, -CLOCK_SKEW_WARNING_MS - 1)
    clocks.observe(close, close.peerId)
    clocks.observe(behind, close.peerId) // relayed: its age is unknown, so its offset is too
    assert.equal(raised.length, 0)
    assert.equal(clocks.count, 0)
    clocks.observe(behind, behind.peerId)
    assert.equal(raised.length, 1)
    assert.equal(raised[0].offsetMs, -CLOCK_SKEW_WARNING_MS - 1)
  })

  it('remembers a bounded number of publishers, forgetting the oldest first', () => {
    const clock = { now: T0 }
    const { clocks, raised } = watch(clock)
    const peers = Array.from({ length: MAX_CLOCK_SKEW_WARNED + 1 }, () => entry(clock, 3600_000))
    for (const p of peers) clocks.observe(p, p.peerId)
    assert.equal(raised.length, MAX_CLOCK_SKEW_WARNED + 1)
    clocks.observe(peers[peers.length - 1], peers[peers.length - 1].peerId) // remembered: not raised again
    assert.equal(raised.length, MAX_CLOCK_SKEW_WARNED + 1)
    clocks.observe(peers[0], peers[0].peerId) // forgotten at the cap: raised again
    assert.equal(raised.length, MAX_CLOCK_SKEW_WARNED + 2)
  })
})
