/**
 * The worker-thread side of signatures.ts: checks one packed chunk of signatures by the
 * protocol's rule (ed25519.ts) and answers 1 or 0 for each, in order. Loaded by piscina.
 */
import { verifyEd25519Now } from './ed25519.js'
import { unpackChecks, type PackedChecks } from './signature-pack.js'

export default function checkChunk (packed: PackedChecks): Uint8Array {
  const checks = unpackChecks(packed)
  const answers = new Uint8Array(checks.length)
  checks.forEach(([publicKey, data, signature], i) => {
    answers[i] = verifyEd25519Now(publicKey, data, signature) ? 1 : 0
  })
  return answers
}
