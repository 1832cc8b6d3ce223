/**
 * Records that arrive by sync, either way: each through intake with the age its sender
 * gave (sync 2.0.0; 1.0.0 gives none), invalid ones counted against the exchange, and
 * news relayed on gossip while it is young (see `relayMaxAgeMs`).
 */
import { AnnouncementRejection } from '../announcement/rejection.js'
import { REFRESH_FRACTION } from './constants.js'
import type { Intake } from './intake.js'
import type { SyncRelays } from './relays.js'
import type { ExchangeTally } from './sync-guard.js'
import type { OfferResult } from '../peer-table.js'
import type { PeerId } from '@libp2p/interface'

/**
 * A record learned by sync that was news to us is relayed on gossip by any node when it
 * is younger than this: it is likely news to others too (a server that just joined
 * through this node). Introducers relay older news as well (see `relayMaxAgeMs`).
 */
export const FRESH_RECORD_MS = 30_000

/**
 * The oldest news a node relays: FRESH_RECORD_MS, or for an introducer up to a third of
 * the record's TTL (a live publisher refreshes by then), so that what a healed partition
 * or a late server brings reaches every node at once. Gossip carries no age, so a relay
 * renews a record by up to this much; a record is only relayed when it is news, so a
 * dead publisher's record outlives its TTL by at most this bound (docs/protocol.md §12.6).
 */
export function relayMaxAgeMs (ttlMs: number, introducer: boolean): number {
  return introducer ? Math.max(FRESH_RECORD_MS, Math.floor(ttlMs * REFRESH_FRACTION)) : FRESH_RECORD_MS
}

export class SyncRecords {
  constructor (
    private readonly intake: Intake,
    private readonly relays: SyncRelays,
    private readonly init: { introducer: boolean, now: () => number }
  ) {}

  /**
   * Takes one record from `peer`; true when it changed the table. A refusal is counted by
   * intake and, when it is the sender's fault, by `tally` (which throws past its limit).
   * `ageMs` undefined: the sender gave none (sync 1.0.0).
   */
  async take (data: Uint8Array, peer: PeerId, ageMs: number | undefined, tally: ExchangeTally): Promise<boolean> {
    let result: OfferResult
    try {
      result = await this.intake.ingest(data, { via: 'sync', from: peer }, { ageMs })
    } catch (err) {
      if (err instanceof AnnouncementRejection) {
        tally.record(err)
      }
      return false
    }
    if (result.outcome !== 'tombstoned') {
      const a = result.peer.record.announcement
      const age = ageMs ?? Math.max(0, this.init.now() - a.issuedAtMs)
      if (age < relayMaxAgeMs(a.ttlMs, this.init.introducer)) {
        this.relays.relay(data, a.service, peer)
      }
    }
    return true
  }
}
