/**
 * A tub's identity: a self-signed RSA certificate and its key. The tub id is
 * base32(SHA-1(certificate DER)), as Foolscap computes it (crypto.digest32), so a tub keeps
 * its FURL only as long as it keeps the same certificate. The stored form is Foolscap's
 * `node.pem` (certificate then key, PEM), so an existing Tahoe introducer's `private/node.pem`
 * can be used as is.
 *
 * The certificate is made with node-forge (Node's crypto cannot issue certificates); the
 * key is generated, and everything else is checked, with Node's crypto.
 */
import { X509Certificate, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto'
import forge from 'node-forge'
import { base32Encode } from './base32.js'
import { BadTubIdentityError } from './errors.js'

export interface TubIdentity {
  readonly tubId: string
  readonly certificatePem: string
  readonly privateKeyPem: string
}

/** The tub id of a certificate: lowercase base32 of the SHA-1 of its DER bytes. */
export function tubIdOfCertificate (der: Uint8Array): string {
  return base32Encode(createHash('sha1').update(der).digest())
}

/** Makes a new identity like Foolscap's createCertificate (RSA 2048, SHA-256, CN=newpb_thingy). */
export function generateTubIdentity (): TubIdentity {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  const key = forge.pki.privateKeyFromPem(privateKeyPem)
  const cert = forge.pki.createCertificate()
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e)
  cert.serialNumber = '01' + randomBytes(8).toString('hex')
  const now = Date.now()
  cert.validity.notBefore = new Date(now - 86_400_000)
  // Foolscap accepts expired certificates (crypto.alwaysValidate); a long validity is cosmetic.
  cert.validity.notAfter = new Date(now + 20 * 365 * 86_400_000)
  const name = [{ name: 'commonName', value: 'newpb_thingy' }]
  cert.setSubject(name)
  cert.setIssuer(name)
  cert.sign(key, forge.md.sha256.create())
  const certificatePem = forge.pki.certificateToPem(cert)
  return checkedIdentity(certificatePem, privateKeyPem)
}

/** The `node.pem` form: certificate and key PEM blocks, as Foolscap writes them. */
export function encodeTubIdentity (id: TubIdentity): Uint8Array {
  return new TextEncoder().encode(id.certificatePem.trimEnd() + '\n' + id.privateKeyPem.trimEnd() + '\n')
}

/** Reads a `node.pem` (one CERTIFICATE block and one PRIVATE KEY or RSA PRIVATE KEY block). */
export function decodeTubIdentity (pem: Uint8Array | string): TubIdentity {
  const text = typeof pem === 'string' ? pem : new TextDecoder().decode(pem)
  const blocks = [...text.matchAll(/-----BEGIN ([A-Z ]+)-----[\s\S]*?-----END \1-----/g)]
  const certs = blocks.filter(b => b[1] === 'CERTIFICATE')
  const keys = blocks.filter(b => b[1] === 'PRIVATE KEY' || b[1] === 'RSA PRIVATE KEY')
  if (certs.length !== 1 || keys.length !== 1) {
    throw new BadTubIdentityError('a tub identity needs exactly one CERTIFICATE and one PRIVATE KEY PEM block')
  }
  return checkedIdentity(certs[0][0] + '\n', keys[0][0] + '\n')
}

function checkedIdentity (certificatePem: string, privateKeyPem: string): TubIdentity {
  let cert: X509Certificate
  try {
    cert = new X509Certificate(certificatePem)
  } catch (e) {
    throw new BadTubIdentityError(`unreadable tub certificate: ${(e as Error).message}`)
  }
  let matches: boolean
  try {
    const pub = createPublicKey(createPrivateKey(privateKeyPem))
    matches = pub.export({ type: 'spki', format: 'der' }).equals(cert.publicKey.export({ type: 'spki', format: 'der' }))
  } catch (e) {
    throw new BadTubIdentityError(`unreadable tub key: ${(e as Error).message}`)
  }
  if (!matches) throw new BadTubIdentityError('the tub key does not belong to the tub certificate')
  return { tubId: tubIdOfCertificate(cert.raw), certificatePem, privateKeyPem }
}
