/**
 * Sync across versions and against a hostile answerer, over real libp2p nodes: a node
 * that only speaks 1.0.0 still syncs with one that speaks 2.0.0, and a peer whose sync
 * answers are forgeries is cut off after a few and then left alone (issue #10: 20 000
 * forged records made the victim check ~200 000 signatures in 26 s, never cutting off).
 */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { HELPER } from '../../src/announcement/names.js'
import { answerSync, SYNC_PROTOCOL } from '../../src/sync/sync-protocol.js'
import { SYNC2_PROTOCOL } from '../../src/sync/sync2-protocol.js'
import { MAX_INVALID_SYNC_RECORDS } from '../../src/introduction/sync-guard.js'
import { NodeSet, TEST_GRID } from '../helpers/nodes.js'
import { forge, key } from '../helpers/records.js'
import { waitFor } from '../helpers/wait.js'

describe('sync versions and hostile answers', () => {
  const set = new NodeSet()
  after(async () => { await set.stopAll() })

  it('a node that serves only 1.0.0 and one that speaks 2.0.0 sync both ways', async () => {
    const old = await set.start({ services: [HELPER] })
    await old.libp2p.unhandle(SYNC2_PROTOCOL) // as a node of the first release
    const current = await set.start({ services: [HELPER] })
    await old.introducer.publish(HELPER, { fields: { who: 'old' } })
    await current.introducer.publish(HELPER, { fields: { who: 'current' } })
    await current.libp2p.dial(old.getMultiaddrs()[0])
    await current.introducer.waitForPeers(HELPER, 2, { signal: AbortSignal.timeout(10_000) })
    await old.introducer.waitForPeers(HELPER, 2, { signal: AbortSignal.timeout(10_000) })
    // the old node serves 1.0.0 alone, so each request it served was a 1.0.0 exchange the
    // current node fell back to (the old node may itself ask in 2.0.0: it still can as a client)
    await waitFor('the old node to serve a 1.0.0 sync', () => old.introducer.stats().syncRequestsServed > 0, 10_000, 50)
    assert.equal(current.introducer.stats().syncFailures, 0)
    assert.equal(old.introducer.stats().syncFailures, 0)
  })

  it('a peer whose sync answers are forgeries is cut off after a few and not asked again', async () => {
    const victim = await set.start({ services: [HELPER] })
    const attacker = await set.start({ services: [HELPER] })
    // the attacker answers 1.0.0 only, with 20 000 records of fresh keys and broken signatures
    await attacker.libp2p.unhandle(SYNC2_PROTOCOL)
    await attacker.libp2p.unhandle(SYNC_PROTOCOL)
    const forged: Uint8Array[] = []
    for (let i = 0; i < 200; i++) {
      const bytes = await forge({ grid: TEST_GRID, service: HELPER, issuedAtMs: Date.now(), publicKey: (await key()).publicKey.raw as Uint8Array<ArrayBuffer> }, await key())
      forged.push(bytes)
    }
    let served = 0
    await attacker.libp2p.handle(SYNC_PROTOCOL, async (stream) => {
      served++
      await answerSync(stream, { grid: TEST_GRID, records: () => Array.from({ length: 20_000 }, (_, i) => forged[i % forged.length]), signal: AbortSignal.timeout(10_000) }).catch(() => {})
    })
    await victim.libp2p.dial(attacker.getMultiaddrs()[0])
    await waitFor('the victim to cut the attacker off', () => victim.libp2p.getConnections(attacker.peerId).length === 0 && served >= 1, 10_000)
    const checked = victim.introducer.stats().dropped['bad-signature'] ?? 0
    assert.ok(checked <= MAX_INVALID_SYNC_RECORDS + 1, `${checked} signatures checked in the first exchange`)
    // it comes back: the victim neither asks nor answers it during the backoff
    await attacker.libp2p.dial(victim.getMultiaddrs()[0])
    await new Promise(resolve => setTimeout(resolve, 4000)) // past the follow-up sync
    assert.equal(served, 1, 'the penalised peer was asked again')
    assert.ok((victim.introducer.stats().dropped['bad-signature'] ?? 0) <= MAX_INVALID_SYNC_RECORDS + 1)
  })
})
