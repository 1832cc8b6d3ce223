/**
 * publishSigned over real libp2p nodes: a record signed here with another key is held by
 * the node that publishes it, gossiped to the peers it names, and handed by sync to a
 * node that joins later; a record that fails intake is refused with a clear error and
 * changes nothing.
 */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { UPLOAD_STORAGE } from '../../src/announcement/names.js'
import { InvalidAnnouncementError } from '../../src/errors.js'
import { connect, NodeSet, TEST_GRID, waitForMesh } from '../helpers/nodes.js'
import { key, signed } from '../helpers/records.js'
import { waitFor } from '../helpers/wait.js'

describe('publishSigned', () => {
  const set = new NodeSet()
  after(async () => { await set.stopAll() })

  it('holds the record, gossips it to the peers it returns, and sync hands it to a later node', async () => {
    const carrier = await set.start()
    const peer = await set.start()
    await connect(carrier, peer, [UPLOAD_STORAGE])
    await waitForMesh(carrier, peer, UPLOAD_STORAGE)
    const k = await key()
    const id = peerIdFromPrivateKey(k)
    const record = await signed(k, { grid: TEST_GRID, issuedAtMs: Date.now(), ttlMs: 60_000 })
    const { recipients } = await carrier.introducer.publishSigned(record.signed)
    assert.deepEqual(recipients.map(String), [peer.peerId.toString()])
    assert.ok(carrier.introducer.getPeers(UPLOAD_STORAGE).some(p => p.peerId.equals(id)), 'the carrier holds it')
    await waitFor('the peer to take it from gossip', () => peer.introducer.getPeers(UPLOAD_STORAGE).some(p => p.peerId.equals(id)), 10_000, 20)

    const later = await set.start()
    await later.libp2p.dial(carrier.getMultiaddrs()[0])
    await waitFor('a later node to get it by sync', () => later.introducer.getPeers(UPLOAD_STORAGE).some(p => p.peerId.equals(id)), 10_000, 20)
  })

  it('refuses a record that fails intake, naming why, and holds nothing of it', async () => {
    const carrier = await set.start()
    const k = await key()
    const other = await signed(k, { grid: 'another-grid', issuedAtMs: Date.now() })
    await assert.rejects(carrier.introducer.publishSigned(other.signed), (err: Error) =>
      err instanceof InvalidAnnouncementError && /grid/.test(err.message))
    assert.equal(carrier.introducer.getPeers(UPLOAD_STORAGE).length, 0)
  })
})
