/**
 * Raw-mode payloads carry their key (a round tag, or `b:<run>:<index>` for a burst
 * record): 1 length byte, the ASCII key, then random filler up to the size ours measured.
 */
export function encodeKeyed (key: string, size: number): Uint8Array {
  const k = new TextEncoder().encode(key)
  const out = new Uint8Array(Math.max(size, k.byteLength + 1))
  out[0] = k.byteLength
  out.set(k, 1)
  for (let i = k.byteLength + 1; i < out.byteLength; i++) {
    out[i] = Math.floor(Math.random() * 256)
  }
  return out
}

export function decodeKey (data: Uint8Array): string {
  return new TextDecoder().decode(data.subarray(1, 1 + (data[0] ?? 0)))
}

/** The key of record `index` of burst `run`. */
export function burstKey (run: string, index: number): string {
  return `b:${run}:${index}`
}

/** The record index of a burst key of `run`, or undefined when `key` is not one. */
export function parseBurstKey (key: string, run: string): number | undefined {
  const prefix = `b:${run}:`
  if (!key.startsWith(prefix)) {
    return undefined
  }
  const index = Number(key.slice(prefix.length))
  return Number.isInteger(index) && index >= 0 ? index : undefined
}
