/**
 * A chunk of signature checks as two transferable buffers, so that handing it to a
 * worker thread copies each byte once and clones no objects: the lengths of each check's
 * public key, data and signature, and their bytes one after another.
 */
export type SignatureCheck = readonly [publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array]

export interface PackedChecks {
  lengths: Uint32Array<ArrayBuffer>
  bytes: Uint8Array<ArrayBuffer>
}

export function packChecks (checks: readonly SignatureCheck[]): PackedChecks {
  const lengths = new Uint32Array(3 * checks.length)
  let total = 0
  checks.forEach((check, i) => {
    for (let j = 0; j < 3; j++) {
      lengths[3 * i + j] = check[j].byteLength
      total += check[j].byteLength
    }
  })
  const bytes = new Uint8Array(total)
  let at = 0
  for (const check of checks) {
    for (const part of check) {
      bytes.set(part, at)
      at += part.byteLength
    }
  }
  return { lengths, bytes }
}

/** The checks packChecks packed, as views into `bytes` (no copies). Throws on lengths that do not add up. */
export function unpackChecks ({ lengths, bytes }: PackedChecks): SignatureCheck[] {
  if (lengths.length % 3 !== 0) {
    throw new RangeError(`${lengths.length} lengths, not three per check`)
  }
  const checks: SignatureCheck[] = []
  let at = 0
  const take = (n: number): Uint8Array => {
    if (at + n > bytes.byteLength) {
      throw new RangeError(`lengths add up to more than the ${bytes.byteLength} bytes`)
    }
    at += n
    return bytes.subarray(at - n, at)
  }
  for (let i = 0; i < lengths.length; i += 3) {
    checks.push([take(lengths[i]), take(lengths[i + 1]), take(lengths[i + 2])])
  }
  return checks
}
