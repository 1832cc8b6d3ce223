/**
 * The certificate's wire rules (protocol.md §4.4): what `signCertificate` writes is the
 * canonical SignedCertificate and is admitted; an envelope in any other encoding, or a
 * payload breaking the wire-format grammar, is unreadable (not-admitted).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { checkAdmission, describeCertificate, resolveAdmission, signCertificate } from '../../src/announcement/admission.js'
import { signAnnouncement } from '../../src/announcement/record.js'
import { AnnouncementRejection } from '../../src/announcement/rejection.js'
import { Certificate, SignedCertificate } from '../../src/pb/announcement.js'
import { content, key, T0 } from '../helpers/records.js'
import { concat, lenField, tag, varint, WIRE_LEN, WIRE_VARINT } from '../fuzz/fuzz-kit.js'
import type { PrivateKey } from '@libp2p/interface'

const CERTIFICATE_DOMAIN = new TextEncoder().encode('/gossip-introducer/certificate/1\0')

async function admitted (publisher: PrivateKey, manager: PrivateKey, certificate: Uint8Array): Promise<string> {
  const record = await signAnnouncement(content({ certificate }), publisher)
  try {
    await checkAdmission(record, resolveAdmission({ gridManagers: [peerIdFromPrivateKey(manager).toString()] })!, T0)
    return 'admitted'
  } catch (err) {
    assert.ok(err instanceof AnnouncementRejection, String(err))
    return err.message
  }
}

describe('certificate wire rules', () => {
  it('admits what signCertificate writes, which is the canonical encoding', async () => {
    const [publisher, manager] = [await key(), await key()]
    const cert = await signCertificate(manager, { grid: 'test', subject: peerIdFromPrivateKey(publisher).toString(), expiresAtMs: T0 + 1000 })
    assert.deepEqual(SignedCertificate.encode(SignedCertificate.decode(cert)), cert)
    assert.equal(await admitted(publisher, manager, cert), 'admitted')
  })

  it('refuses an envelope that is not canonical: an unknown field, fields swapped, or a padded length', async () => {
    const [publisher, manager] = [await key(), await key()]
    const cert = await signCertificate(manager, { grid: 'test', subject: peerIdFromPrivateKey(publisher).toString(), expiresAtMs: T0 + 1000 })
    const { payload, signature } = SignedCertificate.decode(cert)
    const variants = [
      concat(cert, tag(3, WIRE_VARINT), varint(1)),
      concat(lenField(2, signature), lenField(1, payload)),
      concat(tag(1, WIRE_LEN), new Uint8Array([0x80 | (payload.byteLength & 0x7f), 0x80 | (payload.byteLength >> 7), 0x00]), payload, lenField(2, signature))
    ]
    for (const variant of variants) {
      assert.match(await admitted(publisher, manager, variant), /unreadable certificate: not the canonical encoding/)
      assert.throws(() => describeCertificate(variant), /canonical/)
    }
  })

  it('refuses a payload, signed by the manager, with a field of the wrong wire type', async () => {
    const [publisher, manager] = [await key(), await key()]
    const payload = concat(Certificate.encode({
      grid: 'test', subjectPublicKey: publisher.publicKey.raw as Uint8Array<ArrayBuffer>, services: [], expiresAtMs: T0 + 1000, managerPublicKey: manager.publicKey.raw as Uint8Array<ArrayBuffer>
    }), tag(4, WIRE_LEN), varint(0))
    const signature = await manager.sign(concat(CERTIFICATE_DOMAIN, payload))
    const cert = SignedCertificate.encode({ payload: payload as Uint8Array<ArrayBuffer>, signature: signature as Uint8Array<ArrayBuffer> })
    assert.match(await admitted(publisher, manager, cert), /unreadable certificate: certificate field 4 at byte \d+: wire type 2, declared 0/)
  })
})
