/**
 * A peer whose event loop stalls (here: frozen with SIGSTOP, as a supervisor would, for
 * 9 s) keeps its connections: a ping is given DEFAULT_PING_TIMEOUT_MS (20 s) at least,
 * not libp2p's 5 s. Two in-process nodes ping the frozen daemon every second: one with
 * the default floor keeps its connection, one set to libp2p's 5 s loses it.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import { DEFAULT_PING_TIMEOUT_MS } from '../../src/node.js'
import { NodeSet } from '../helpers/nodes.js'
import { ProcessSet, type NodeProcess } from '../helpers/processes.js'
import type { IntroducerNode } from '../../src/index.js'

const GRID = ['--grid', 'ping-test']
const FROZEN_MS = 9000
/** libp2p's own floor on the adaptive ping timeout. */
const LIBP2P_FLOOR_MS = 5000

describe('a frozen peer and the ping timeout', { timeout: 90_000 }, () => {
  const set = new ProcessSet()
  const nodes = new NodeSet()
  let frozen: NodeProcess
  let patient: IntroducerNode
  let hasty: IntroducerNode

  before(async () => {
    frozen = await set.start('frozen', [...GRID, '--no-http', '--ping-interval-ms', '1000'])
    patient = await nodes.start({ grid: 'ping-test', pingIntervalMs: 1000 })
    hasty = await nodes.start({ grid: 'ping-test', pingIntervalMs: 1000, pingTimeoutMs: LIBP2P_FLOOR_MS })
  })

  after(async () => {
    frozen?.signal('SIGCONT')
    await nodes.stopAll()
    await set.killAll()
  })

  it(`keeps a connection through an ${FROZEN_MS / 1000} s freeze with the default floor; loses it with libp2p's 5 s`, async () => {
    assert.ok(FROZEN_MS < DEFAULT_PING_TIMEOUT_MS && FROZEN_MS > LIBP2P_FLOOR_MS + 1000)
    const peer = peerIdFromString(frozen.peerId)
    const [kept, lost] = await Promise.all([patient, hasty].map(async n => n.libp2p.dial(multiaddr(frozen.multiaddr))))
    // a few pings answered first, so the adaptive timeout has its measure of the link
    await new Promise(resolve => setTimeout(resolve, 3000))
    assert.equal(kept.status, 'open')
    assert.equal(lost.status, 'open')

    frozen.signal('SIGSTOP')
    await new Promise(resolve => setTimeout(resolve, FROZEN_MS))
    assert.notEqual(lost.status, 'open', 'with a 5 s floor the ping to the frozen peer times out and the connection is closed')
    frozen.signal('SIGCONT')
    // the frozen side catches up on what it missed, pings pending on either side are
    // answered, and the pings every second go on
    await new Promise(resolve => setTimeout(resolve, 3000))
    assert.equal(kept.status, 'open', 'with the default floor the connection outlives the freeze')
    assert.ok(patient.libp2p.getConnections(peer).some(c => c.id === kept.id))
  })
})
