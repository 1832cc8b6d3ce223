/**
 * `addBootstrap` on real nodes over loopback: an entry added at run time is dialled by
 * the service (and again after the connection drops, with backoff); the same entry twice
 * is not new; an entry without a peer id is refused with InvalidParametersError; the
 * node's own entry is ignored.
 */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { NodeSet } from '../helpers/nodes.js'
import { waitFor } from '../helpers/wait.js'

describe('addBootstrap', { timeout: 60_000 }, () => {
  const set = new NodeSet()
  after(async () => { await set.stopAll() })

  it('dials an entry added at run time, and again when the connection drops', async () => {
    const target = await set.start({ introducer: true })
    const node = await set.start({ bootstrapRetryMs: 100, bootstrapRetryMaxMs: 500, maintenanceIntervalMs: 200 })
    const entry = target.getMultiaddrs()[0].toString()
    assert.equal(node.libp2p.getConnections(target.peerId).length, 0)
    assert.deepEqual(node.introducer.addBootstrap([entry]), [entry])
    await waitFor('the node to dial the entry', () => node.libp2p.getConnections(target.peerId).length > 0, 10_000)
    assert.deepEqual(node.introducer.addBootstrap([entry]), [], 'not new the second time')
    assert.deepEqual(node.introducer.addBootstrap([node.getMultiaddrs()[0].toString()]), [], 'its own entry is ignored')

    await Promise.all(node.libp2p.getConnections(target.peerId).map(async c => c.close()))
    await waitFor('the entry to be dialled again', () => node.libp2p.getConnections(target.peerId).length > 0, 10_000)
  })

  it('refuses an entry without a peer id, and adds nothing of that call', async () => {
    const node = await set.start()
    assert.throws(() => node.introducer.addBootstrap(['/ip4/127.0.0.1/tcp/4001']), (err: Error) => err.name === 'InvalidParametersError' && /\/p2p\/<peer id>/.test(err.message))
  })
})
