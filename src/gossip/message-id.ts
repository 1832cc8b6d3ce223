/**
 * Message ids are a hash of the signed bytes, so the same announcement relayed by
 * several nodes (or answered by sync and by gossip) is one message. Gossipsub's default
 * under StrictSign (sender + seqno) would make every relay a new message.
 */
import { createHash } from 'node:crypto'
import type { Message } from '@libp2p/gossipsub'

export function messageId (message: Pick<Message, 'data'>): Uint8Array {
  return createHash('sha256').update(message.data).digest().subarray(0, 20)
}

/** Cheap local id for the seen-cache, so duplicates skip decoding and signature checks. */
export function fastMessageId (message: { data?: Uint8Array }): string {
  return createHash('sha1').update(message.data ?? new Uint8Array()).digest('base64')
}
