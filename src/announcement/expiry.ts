/**
 * The clock rules of a record. Expiry is judged by the holder's own clock, from when it
 * received the record and the age the record already had then; the publisher's clock
 * (`issuedAtMs`) is only a loose sanity bound. So hosts need not agree on the time
 * (protocol.md §8.1). Pure: the caller passes every time.
 */
import type { Announcement } from '../pb/announcement.js'

/**
 * The loose sanity bound on `issuedAtMs`, the only use of the publisher's clock. Expiry is
 * judged by the receiver's own clock (see {@link expiresAt}), so clocks need not agree;
 * this bound only refuses records dated implausibly far from the receiver's clock: more
 * than this far ahead (`from-future`), or so far back that even this much skew leaves them
 * dead (`expired`). 49 h lets two nodes each 24 h off, in opposite directions, take each
 * other's records, with an hour to spare. It also caps how long a record relayed with a
 * wrong age can live: never past `issuedAtMs + MAX_CLOCK_SKEW_MS + ttlMs`.
 */
export const MAX_CLOCK_SKEW_MS = 49 * 60 * 60 * 1000

/** An offered age as a whole number of ms from 0 to the record's TTL (anything else is 0 or the TTL). */
function clampAge (ageMs: number, ttlMs: number): number {
  return Number.isFinite(ageMs) && ageMs > 0 ? Math.min(Math.floor(ageMs), ttlMs) : 0
}

/**
 * When, by the holder's own clock, the record came into being: the time it was received
 * minus the age it already had then (`ageMs`: 0 on gossip; what the sender held it for,
 * on sync), but never later than `issuedAtMs + MAX_CLOCK_SKEW_MS`. The holder's age of
 * the record at `now` is `now - originAt(...)`.
 */
export function originAt (a: Pick<Announcement, 'issuedAtMs' | 'ttlMs'>, receivedAt: number, ageMs = 0): number {
  return Math.min(receivedAt - clampAge(ageMs, a.ttlMs), a.issuedAtMs + MAX_CLOCK_SKEW_MS)
}

/**
 * When a record stops being valid for a holder that received it at `receivedAt` (its own
 * clock) with age `ageMs`: `receivedAt + ttlMs - ageMs`, capped at
 * `issuedAtMs + MAX_CLOCK_SKEW_MS + ttlMs`. The publisher's clock enters only the cap.
 */
export function expiresAt (a: Pick<Announcement, 'issuedAtMs' | 'ttlMs'>, receivedAt: number, ageMs = 0): number {
  return originAt(a, receivedAt, ageMs) + a.ttlMs
}

/**
 * The publisher's apparent clock offset: `issuedAtMs` minus the origin reckoned by the
 * holder's clock. Positive when the publisher's clock seems ahead. Exact for a record
 * received fresh from its publisher; a record relayed late without its age makes the
 * publisher look behind by the delay.
 */
export function clockOffsetMs (a: Pick<Announcement, 'issuedAtMs' | 'ttlMs'>, receivedAt: number, ageMs = 0): number {
  return a.issuedAtMs - originAt(a, receivedAt, ageMs)
}
