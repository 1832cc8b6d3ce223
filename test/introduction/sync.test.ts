/**
 * The sync part over stubbed components (in-memory stream pairs, a pubsub that can lose
 * messages): outcomes, not call counts. A record that gossip never brought reaches a
 * node through the follow-up sync, a new connection costs one exchange (the dialler's),
 * an anti-entropy exchange that repaired something is followed by more, and a withdrawal
 * lost on gossip is repaired by anti-entropy.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { FOLLOW_UP_SYNC_MS } from '../../src/introduction/constants.js'
import { startService, stopService, StubNode } from '../helpers/stub-components.js'
import { waitFor } from '../helpers/wait.js'
import type { Introduction } from '../../src/introduction/introduction.js'

describe('sync', () => {
  it('a record the peer learned after the first sync reaches us, though gossip lost it', async () => {
    const [a, b, server] = await Promise.all([StubNode.create(), StubNode.create(), StubNode.create()])
    const services: Introduction[] = []
    try {
      const [sa, sb, ss] = await Promise.all([a, b, server].map(async n => startService(n, { services: ['helper'] })))
      services.push(sa, sb, ss)
      // b's gossip never reaches a: a can only learn b's news by sync
      b.pubsub.deliver = (to) => !to.peerId.equals(a.peerId)
      StubNode.link(a, b)
      await waitFor('the first sync', () => sb.stats().syncRequestsServed >= 1, 2000)
      await ss.publish('helper', { fields: { late: 'yes' } })
      StubNode.link(b, server)
      await waitFor('b to hold the server', () => sb.getPeers('helper').length === 1, 2000)
      assert.equal(sa.getPeers('helper').length, 0, 'gossip did not bring it to a')
      const [peer] = await sa.waitForPeers('helper', 1, { signal: AbortSignal.timeout(FOLLOW_UP_SYNC_MS + 3000) })
      assert.equal(peer.fields.late, 'yes')
    } finally {
      await Promise.all(services.map(stopService))
    }
  })

  it('on a new connection only the dialler asks, and one exchange teaches both sides', async () => {
    const [a, b] = await Promise.all([StubNode.create(), StubNode.create()])
    const services: Introduction[] = []
    try {
      const [sa, sb] = await Promise.all([a, b].map(async n => startService(n, { services: ['helper'] })))
      services.push(sa, sb)
      await Promise.all([sa.publish('helper', {}), sb.publish('helper', {})])
      // no gossip: what each learns of the other comes by sync
      a.pubsub.deliver = () => false
      b.pubsub.deliver = () => false
      StubNode.link(a, b) // a dialled b
      // each holds its own record and the other's
      await sa.waitForPeers('helper', 2, { signal: AbortSignal.timeout(2000) })
      await sb.waitForPeers('helper', 2, { signal: AbortSignal.timeout(2000) })
      assert.ok(FOLLOW_UP_SYNC_MS > 500, 'the follow-up syncs have not started')
      assert.deepEqual([sa.stats().syncRequestsMade, sb.stats().syncRequestsMade], [1, 0])
      assert.equal(sb.stats().syncRequestsServed, 1)
    } finally {
      await Promise.all(services.map(stopService))
    }
  })

  it('an anti-entropy exchange that moved records is followed at once by more, with other peers', async () => {
    const nodes = await Promise.all([0, 1, 2, 3].map(async () => StubNode.create()))
    const [a, ...others] = nodes
    const services: Introduction[] = []
    try {
      const sa = await startService(a, { services: ['helper'], antiEntropyIntervalMs: 2000 })
      services.push(sa)
      const so = await Promise.all(others.map(async n => startService(n, { services: ['helper'], antiEntropyIntervalMs: 60_000 })))
      services.push(...so)
      for (const n of others) StubNode.link(a, n)
      // past the on-connection syncs and their follow-ups
      await new Promise(resolve => setTimeout(resolve, FOLLOW_UP_SYNC_MS + 500))
      a.pubsub.deliver = () => false // a's news reaches no one by gossip
      await sa.publish('helper', {})
      const holds = (): number => so.filter(s => s.getPeers('helper').length === 1).length
      await waitFor('the first anti-entropy exchange to bring it', () => holds() >= 1, 5000)
      // the other two follow at once, not one per 2 s interval
      await waitFor('the follow-ups to bring it to the others', () => holds() === 3, 1000)
    } finally {
      await Promise.all(services.map(stopService))
    }
  })

  it('a withdrawal lost on gossip is repaired by anti-entropy', async () => {
    const [a, b] = await Promise.all([StubNode.create(), StubNode.create()])
    const services: Introduction[] = []
    try {
      const sa = await startService(a, { services: ['helper'], antiEntropyIntervalMs: 300 })
      const sb = await startService(b, { services: ['helper'], antiEntropyIntervalMs: 60_000 })
      services.push(sa, sb)
      StubNode.link(a, b)
      await sb.publish('helper', {})
      await sa.waitForPeers('helper', 1, { signal: AbortSignal.timeout(2000) })
      // past the on-connection sync and its follow-up: from then on only anti-entropy syncs
      await new Promise(resolve => setTimeout(resolve, FOLLOW_UP_SYNC_MS + 500))
      b.pubsub.deliver = () => false // the withdrawal is lost
      await sb.unpublish('helper')
      assert.equal(sa.getPeers('helper').length, 1, 'gossip lost the withdrawal')
      await waitFor('anti-entropy to bring the withdrawal', () => sa.getPeers('helper').length === 0, 3000)
      assert.ok(sa.stats().syncRequestsMade >= 1)
    } finally {
      await Promise.all(services.map(stopService))
    }
  })
})
