/** Private grids: admission certificates, allow-lists, and pre-shared network keys. */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { generateKey } from '@libp2p/pnet'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { checkAdmission, describeCertificate, resolveAdmission, signCertificate } from '../../src/announcement/admission.js'
import { UPLOAD_STORAGE } from '../../src/announcement/names.js'
import { AnnouncementRejection } from '../../src/announcement/rejection.js'
import { InvalidOptionError } from '../../src/errors.js'
import { connect, NodeSet, TEST_GRID, waitForMesh } from '../helpers/nodes.js'
import { key, signed, T0 } from '../helpers/records.js'
import { waitFor } from '../helpers/wait.js'
import type { PrivateKey } from '@libp2p/interface'

const id = (k: PrivateKey): string => peerIdFromPrivateKey(k).toString()
const DAY = 24 * 3600 * 1000

describe('grid admission', () => {
  it('accepts allowed publishers and valid certificates; rejects everything else with a reason', async () => {
    const manager = await key()
    const otherManager = await key()
    const server = await key()
    const allowed = await key()
    const policy = resolveAdmission({ publishers: [id(allowed)], gridManagers: [id(manager)] })
    assert.ok(policy != null)
    const cert = async (m: PrivateKey, over: Partial<Parameters<typeof signCertificate>[1]> = {}): Promise<Uint8Array> =>
      signCertificate(m, { grid: 'test', subject: id(server), expiresAtMs: T0 + DAY, ...over })
    const tampered = Uint8Array.from(await cert(manager))
    tampered[tampered.length - 1] ^= 1
    const cases: Array<[string, PrivateKey, Uint8Array | undefined, string | undefined]> = [
      ['an allowed publisher without certificate', allowed, undefined, undefined],
      ['a certified publisher', server, await cert(manager), undefined],
      ['a certificate limited to this service', server, await cert(manager, { services: [UPLOAD_STORAGE] }), undefined],
      ['no certificate', server, undefined, 'no certificate'],
      ['a certificate of an unknown manager', server, await cert(otherManager), 'unknown grid manager'],
      ['a tampered certificate', server, tampered, 'bad certificate signature'],
      ['a certificate for another grid', server, await cert(manager, { grid: 'other' }), 'for grid'],
      ['a certificate of another publisher', await key(), await cert(manager), 'another publisher'],
      ['a certificate for other services', server, await cert(manager, { services: ['helper'] }), 'does not cover'],
      ['an expired certificate', server, await cert(manager, { expiresAtMs: T0 }), 'expired'],
      ['garbage', server, new Uint8Array([1, 2, 3]), 'unreadable']
    ]
    for (const [name, publisher, certificate, reason] of cases) {
      const record = await signed(publisher, { certificate })
      try {
        await checkAdmission(record, policy, T0)
        assert.equal(reason, undefined, `${name}: accepted`)
      } catch (err) {
        assert.ok(err instanceof AnnouncementRejection, `${name}: ${String(err)}`)
        assert.equal(err.code, 'not-admitted', name)
        assert.equal(err.action, 'reject', name)
        assert.ok(reason != null && err.message.includes(reason), `${name}: ${err.message}`)
      }
    }
    assert.deepEqual(describeCertificate(await cert(manager, { services: ['helper'] })), {
      grid: 'test', subject: id(server), manager: id(manager), services: ['helper'], expiresAtMs: T0 + DAY
    })
  })

  it('is off unless configured, and names a bad peer id', () => {
    assert.equal(resolveAdmission(undefined), undefined)
    assert.equal(resolveAdmission({ publishers: [], gridManagers: [] }), undefined)
    assert.throws(() => resolveAdmission({ gridManagers: ['not-a-peer-id'] }), (err: Error) =>
      err.name === InvalidOptionError.NAME && err.message.includes('admission.gridManagers') && err.message.includes('not-a-peer-id'))
  })

  describe('over real nodes', () => {
    const set = new NodeSet()
    after(async () => { await set.stopAll() })

    it('an outsider\'s record is rejected at the first hop and never relayed; an admitted one flows', async () => {
      const manager = await key()
      const admission = { gridManagers: [id(manager)] }
      const memberKey = await key()
      const certificate = await signCertificate(manager, { grid: TEST_GRID, subject: id(memberKey), expiresAtMs: Date.now() + DAY })
      const outsider = await set.start({ storage: { enabled: true } })
      const relay = await set.start({ admission })
      const far = await set.start({ admission })
      await connect(relay, far, [UPLOAD_STORAGE])
      await connect(outsider, relay, [UPLOAD_STORAGE])
      await waitForMesh(relay, far, UPLOAD_STORAGE)
      await outsider.introducer.publish(UPLOAD_STORAGE, { fields: { again: '1' } })
      await waitFor('the relay to reject the outsider', () => (relay.introducer.stats().dropped['not-admitted'] ?? 0) >= 1)
      const member = await set.start({ privateKey: memberKey, certificate, admission, storage: { enabled: true } })
      await connect(member, relay, [UPLOAD_STORAGE])
      await waitFor('the member at the far node', () => far.introducer.getPeers(UPLOAD_STORAGE).some(p => p.peerId.equals(member.peerId))).catch((err: Error) => {
        throw new Error(`${err.message}; relay holds ${relay.introducer.getPeers(UPLOAD_STORAGE).length}, relay ${JSON.stringify(relay.introducer.stats())}, far ${JSON.stringify(far.introducer.stats())}`)
      })
      assert.deepEqual(far.introducer.getPeers(UPLOAD_STORAGE).map(p => p.peerId.toString()), [member.peerId.toString()])
      assert.equal(far.introducer.stats().dropped['not-admitted'] ?? 0, 0, 'nothing of the outsider reached the far node')
      assert.ok(!relay.introducer.getPeers(UPLOAD_STORAGE).some(p => p.peerId.equals(outsider.peerId)))
      await set.stopAll()
    })

    it('a pre-shared network key keeps other nodes from connecting at all', async () => {
      const psk = new Uint8Array(95)
      generateKey(psk)
      const otherPsk = new Uint8Array(95)
      generateKey(otherPsk)
      const a = await set.start({ networkKey: psk, storage: { enabled: true } })
      const b = await set.start({ networkKey: psk })
      const stranger = await set.start({ networkKey: otherPsk })
      const open = await set.start()
      await connect(b, a)
      await b.introducer.waitForPeers(UPLOAD_STORAGE, 1, { signal: AbortSignal.timeout(10_000) })
      await assert.rejects(stranger.libp2p.dial(a.getMultiaddrs()[0], { signal: AbortSignal.timeout(3000) }))
      await assert.rejects(open.libp2p.dial(a.getMultiaddrs()[0], { signal: AbortSignal.timeout(3000) }))
      assert.equal(stranger.introducer.getPeers(UPLOAD_STORAGE).length, 0)
      await set.stopAll()
    })
  })
})
