/**
 * Embedding the service in a libp2p node of one's own: with gossipsub's defaults (which
 * sign every message) the grid would drop everything the node gossips, withdrawals
 * included, so the service refuses to start and says what to set.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { gossipsub, StrictNoSign } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import { introducer } from '../../src/introduction/index.js'
import { gossipsubOptions } from '../../src/gossip/settings.js'
import type { GossipsubOpts } from '@libp2p/gossipsub'

async function build (pubsub: Partial<GossipsubOpts>): Promise<Awaited<ReturnType<typeof createLibp2p>>> {
  return createLibp2p({
    start: false,
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), pubsub: gossipsub(pubsub), introducer: introducer({ grid: 'g' }) }
  })
}

describe('embedding the introduction service', () => {
  it('refuses a default gossipsub when the node is built, naming the setting and the helper', async () => {
    await assert.rejects(build({}), (err: Error) => {
      assert.equal(err.name, 'GossipSettingsError')
      assert.match(err.message, /globalSignaturePolicy is StrictSign, not StrictNoSign/)
      assert.match(err.message, /gossipsubOptions\(\{ grid \}\)/)
      return true
    })
  })

  it('refuses unsigned gossip whose message ids differ from the grid\'s', async () => {
    await assert.rejects(build({ globalSignaturePolicy: StrictNoSign }), { name: 'GossipSettingsError', message: /msgIdFn is not the grid's message id/ })
  })

  it('says that gossipsub must come first when it is listed after the service', async () => {
    await assert.rejects(createLibp2p({
      start: false,
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: { identify: identify(), introducer: introducer({ grid: 'g' }), pubsub: gossipsub(gossipsubOptions({ grid: 'g' })) }
    }), { name: 'GossipSettingsError', message: /before `introducer`/ })
  })

  it('starts with gossipsubOptions(), and with the user\'s own options on top', async () => {
    const node = await build({ ...gossipsubOptions({ grid: 'g' }), D: 8 })
    try {
      await node.start()
      assert.equal(node.status, 'started')
    } finally {
      await node.stop()
    }
  })
})
