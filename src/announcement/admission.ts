/**
 * Grid admission (off by default): who may announce in a grid. A grid's nodes can name
 * publisher keys outright (an allow-list), or grid-manager keys whose certificates admit
 * publishers — Tahoe's Grid Manager idea, applied to every service, not only uploads.
 * Records without a valid admission are rejected at the first hop and never relayed.
 *
 * A certificate is signed with Ed25519 over `CERTIFICATE_DOMAIN || payload`, where the
 * domain is the UTF-8 of "/gossip-introducer/certificate/1" and one zero byte, and the
 * encoded SignedCertificate travels inside the publisher's signed announcement (so it
 * cannot be moved to another record). Pure: no I/O; the clock is passed in.
 */
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey, peerIdFromString } from '@libp2p/peer-id'
import { concat as uint8ArrayConcat } from 'uint8arrays/concat'
import { equals as uint8ArrayEquals } from 'uint8arrays/equals'
import { Certificate, SignedCertificate } from '../pb/announcement.js'
import { describeError, InvalidOptionError } from '../errors.js'
import { verifyEd25519 } from './signatures.js'
import { assertGridId, assertServiceName } from './names.js'
import { CERTIFICATE_SCHEMA, checkWireFormat } from './wire-format.js'
import { reject } from './rejection.js'
import { MAX_CERTIFICATE_BYTES, type VerifiedAnnouncement } from './record.js'
import type { PrivateKey } from '@libp2p/interface'

/** Most services one certificate may name. */
export const MAX_CERTIFICATE_SERVICES = 64
export const CERTIFICATE_SIGNING_DOMAIN = '/gossip-introducer/certificate/1'
const DOMAIN_BYTES = new TextEncoder().encode(`${CERTIFICATE_SIGNING_DOMAIN}\0`)

export interface AdmissionPolicy {
  /** Peer ids that may publish without a certificate. */
  publishers?: string[]
  /** Peer ids (Ed25519) of grid managers whose certificates admit publishers. */
  gridManagers?: string[]
}

/** A policy resolved for fast checks: raw public keys as hex. */
export interface ResolvedAdmission {
  publishers: Set<string>
  managers: Set<string>
}

function hex (bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex')
}

function ed25519Raw (id: string, option: string): Uint8Array {
  let peerId
  try {
    peerId = peerIdFromString(id)
  } catch (err) {
    throw new InvalidOptionError(option, `${JSON.stringify(id)} is not a peer id (${describeError(err)})`)
  }
  if (peerId.type !== 'Ed25519' || peerId.publicKey == null) {
    throw new InvalidOptionError(option, `${id} is not an Ed25519 peer id`)
  }
  return peerId.publicKey.raw
}

/** Validates a policy once; undefined when admission is off (nothing configured). */
export function resolveAdmission (policy: AdmissionPolicy | undefined): ResolvedAdmission | undefined {
  const publishers = policy?.publishers ?? []
  const managers = policy?.gridManagers ?? []
  if (publishers.length === 0 && managers.length === 0) {
    return undefined
  }
  return {
    publishers: new Set(publishers.map(id => hex(ed25519Raw(id, 'admission.publishers')))),
    managers: new Set(managers.map(id => hex(ed25519Raw(id, 'admission.gridManagers'))))
  }
}

function signedData (payload: Uint8Array): Uint8Array {
  return uint8ArrayConcat([DOMAIN_BYTES, payload])
}

export interface CertificateInit {
  grid: string
  /** The publisher's peer id (Ed25519). */
  subject: string
  /** Services admitted; empty or absent: all. */
  services?: string[]
  expiresAtMs: number
}

/** Signs a certificate with a grid manager's key; returns the encoded SignedCertificate. */
export async function signCertificate (manager: PrivateKey, init: CertificateInit): Promise<Uint8Array> {
  assertGridId(init.grid)
  for (const service of init.services ?? []) {
    assertServiceName(service)
  }
  if ((init.services?.length ?? 0) > MAX_CERTIFICATE_SERVICES) {
    throw new InvalidOptionError('services', `a certificate names at most ${MAX_CERTIFICATE_SERVICES} services`)
  }
  if (manager.type !== 'Ed25519') {
    throw new InvalidOptionError('manager', 'grid manager keys are Ed25519')
  }
  if (!Number.isSafeInteger(init.expiresAtMs) || init.expiresAtMs <= 0) {
    throw new InvalidOptionError('expiresAtMs', `must be a time in ms since the epoch, not ${init.expiresAtMs}`)
  }
  const payload = Certificate.encode({
    grid: init.grid,
    subjectPublicKey: ed25519Raw(init.subject, 'subject') as Uint8Array<ArrayBuffer>,
    services: init.services ?? [],
    expiresAtMs: init.expiresAtMs,
    managerPublicKey: manager.publicKey.raw as Uint8Array<ArrayBuffer>
  })
  const signature = await manager.sign(signedData(payload))
  const certificate = SignedCertificate.encode({ payload, signature: signature as Uint8Array<ArrayBuffer> })
  if (certificate.byteLength > MAX_CERTIFICATE_BYTES) {
    throw new InvalidOptionError('services', `the certificate would take ${certificate.byteLength} bytes, more than a record carries (${MAX_CERTIFICATE_BYTES}): name fewer services`)
  }
  return certificate
}

/**
 * Decodes an encoded SignedCertificate, or throws saying why it is unreadable: the
 * envelope must be its one canonical encoding (as a SignedAnnouncement's, §4.1), the
 * payload must follow the wire-format rules (§5.1) and name at most 64 services.
 */
export function decodeCertificate (bytes: Uint8Array): { outer: SignedCertificate, certificate: Certificate } {
  const outer = SignedCertificate.decode(bytes)
  if (!uint8ArrayEquals(SignedCertificate.encode(outer), bytes)) {
    throw new Error('not the canonical encoding of a SignedCertificate')
  }
  checkWireFormat(outer.payload, CERTIFICATE_SCHEMA, 'certificate')
  return { outer, certificate: Certificate.decode(outer.payload, { limits: { services: MAX_CERTIFICATE_SERVICES } }) }
}

/** Reads a certificate without checking its signature (for display). */
export function describeCertificate (bytes: Uint8Array): { grid: string, subject: string, manager: string, services: string[], expiresAtMs: number } {
  const c = decodeCertificate(bytes).certificate
  return {
    grid: c.grid,
    subject: peerIdFromPublicKey(publicKeyFromRaw(c.subjectPublicKey)).toString(),
    manager: peerIdFromPublicKey(publicKeyFromRaw(c.managerPublicKey)).toString(),
    services: c.services,
    expiresAtMs: c.expiresAtMs
  }
}

/**
 * Throws reject('not-admitted') unless the record's publisher is allowed, or carries a
 * certificate of one of the managers, for this grid, this publisher and this service,
 * not expired at `now`.
 */
export async function checkAdmission (record: VerifiedAnnouncement, policy: ResolvedAdmission, now: number): Promise<void> {
  const a = record.announcement
  // a Tahoe gateway's carrier key is admitted as the gateway node it is bound to
  // (openAnnouncement verified the binding)
  const subject = a.tahoe?.gatewayPublicKey ?? a.publicKey
  if (policy.publishers.has(hex(subject))) {
    return
  }
  if (a.certificate.byteLength === 0) {
    throw reject('not-admitted', 'no certificate, and not an allowed publisher')
  }
  let outer: SignedCertificate
  let cert: Certificate
  try {
    ({ outer, certificate: cert } = decodeCertificate(a.certificate))
  } catch (err) {
    throw reject('not-admitted', `unreadable certificate: ${describeError(err)}`)
  }
  if (!policy.managers.has(hex(cert.managerPublicKey))) {
    throw reject('not-admitted', 'certificate of an unknown grid manager')
  }
  if (cert.grid !== a.grid) {
    throw reject('not-admitted', `certificate for grid ${JSON.stringify(cert.grid)}`)
  }
  if (!uint8ArrayEquals(cert.subjectPublicKey, subject)) {
    throw reject('not-admitted', 'certificate of another publisher')
  }
  if (cert.services.length > 0 && !cert.services.includes(a.service)) {
    throw reject('not-admitted', `certificate does not cover ${a.service}`)
  }
  if (cert.expiresAtMs <= now) {
    throw reject('not-admitted', 'certificate expired')
  }
  // last: the one costly check
  if (!await verifyEd25519(cert.managerPublicKey, signedData(outer.payload), outer.signature)) {
    throw reject('not-admitted', 'bad certificate signature')
  }
}
