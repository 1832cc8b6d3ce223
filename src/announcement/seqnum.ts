/**
 * The next seqnum of a node: one counter shared by all its services, persisted before
 * use. Never lower than the wall clock in milliseconds, so that a node whose counter
 * file was lost or rolled back by a restored snapshot still publishes seqnums greater
 * than every one it published before (Tahoe #1767), as long as its clock does not go
 * backwards by more than the time since those publications.
 */
export function nextSeqnum (last: bigint, nowMs: number): bigint {
  const clock = BigInt(Math.max(0, Math.floor(nowMs)))
  const next = last + 1n
  return next > clock ? next : clock
}
