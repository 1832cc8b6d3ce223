/**
 * Junk topics (issue #10): a peer subscribes to 70 service topics nobody uses and leaves.
 * Before the fix the introducer (a daemon process) followed 64 services, 59 of them junk,
 * forever, so a real new service (`fileshare`) was never followed and its publisher and
 * client, both joined through the introducer only, never met. Now a topic is only tried
 * (a few at once, two per subscriber) and followed once a valid record of it arrives.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { INTRODUCER } from '../../src/announcement/names.js'
import { MAX_CANDIDATES_PER_PEER } from '../../src/introduction/constants.js'
import { serviceTopic } from '../../src/gossip/topic.js'
import { createNode, type IntroducerNode } from '../../src/node.js'
import { figure } from '../helpers/figures.js'
import { GossipPeer } from '../helpers/gossip-peer.js'
import { ProcessSet, type NodeProcess } from '../helpers/processes.js'
import { waitFor } from '../helpers/wait.js'
import type { StatusJson } from '../../src/daemon/status.js'

const GRID = 'junk-topics'
const JUNK = 70
/** The new service must be followed, and its record reach the client, within this. */
const FOLLOW_BOUND_MS = 20_000

const sleep = async (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

async function junkFollowed (p: NodeProcess): Promise<number> {
  const status = await p.api<StatusJson>()
  return Object.entries(status.services).filter(([name, s]) => name.startsWith('junk-') && s.subscribed).length
}

describe('an attacker that subscribes to junk topics', { timeout: 180_000 }, () => {
  const set = new ProcessSet()
  let introducer: NodeProcess
  const nodes: IntroducerNode[] = []
  let attacker: GossipPeer | undefined

  before(async () => {
    introducer = await set.start('introducer', ['--grid', GRID, '--introducer', '--nickname', 'i'])
  })

  after(async () => {
    await attacker?.stop()
    await Promise.allSettled(nodes.map(async n => n.stop()))
    await set.killAll()
  })

  it('does not keep a real new service from being followed', async () => {
    attacker = await GossipPeer.start({ grid: GRID })
    await attacker.join(introducer.multiaddr, serviceTopic(GRID, INTRODUCER))
    for (let i = 0; i < JUNK; i++) {
      attacker.pubsub.subscribe(serviceTopic(GRID, `junk-${i}`))
    }
    await sleep(5000)
    const during = await junkFollowed(introducer)
    await attacker.stop()
    attacker = undefined
    await sleep(5000)
    const afterLeaving = await junkFollowed(introducer)
    figure(`junk topics: ${JUNK} subscribed by one peer: the introducer joined ${during} of them; ${afterLeaving} 5 s after the peer left`)

    const t0 = Date.now()
    const publisher = await createNode({ grid: GRID, nickname: 'fileshare-server', services: ['fileshare'], bootstrap: [introducer.multiaddr] })
    nodes.push(publisher)
    await publisher.introducer.publish('fileshare', { fields: { kind: 'fileshare' } })
    const client = await createNode({ grid: GRID, nickname: 'fileshare-client', services: ['fileshare'], bootstrap: [introducer.multiaddr] })
    nodes.push(client)
    let followedMs: number | undefined
    try {
      await waitFor('the introducer to follow fileshare and the client to hold its server', async () => {
        const status = await introducer.api<StatusJson>()
        if (status.services.fileshare?.subscribed === true && status.services.fileshare.known > 0) followedMs ??= Date.now() - t0
        return client.introducer.getPeers('fileshare').some(p => p.peerId.equals(publisher.peerId))
      }, FOLLOW_BOUND_MS, 100)
    } finally {
      figure(`junk topics: fileshare followed by the introducer ${followedMs ?? 'never'} ms after its server started; ` +
        `its record at the client after ${Date.now() - t0} ms (bound ${FOLLOW_BOUND_MS} ms)`)
    }
    assert.ok(during <= MAX_CANDIDATES_PER_PEER, `${during} junk services joined on behalf of one peer`)
    assert.equal(afterLeaving, 0, 'junk services are left once nobody subscribes to them')
  })
})
