/**
 * A token bucket per (service, publisher), for records that would change the table. Pure: time
 * comes from the caller. The number of buckets is bounded: past `maxKeys`, the bucket
 * idle longest is dropped (a dropped publisher starts again with a full bucket).
 */
export interface RateLimit {
  /** Records a publisher may send at once. */
  burst: number
  /** Records per second it may send in the long run. */
  perSecond: number
}

/**
 * A publisher refreshes each service every third of its TTL: once a second at the
 * shortest TTL (MIN_TTL_MS, 3 s), once every 5 minutes at the default. So one record a
 * second per service, with bursts of 20 for changes, never limits an honest publisher.
 */
export const DEFAULT_PUBLISHER_RATE_LIMIT: RateLimit = { burst: 20, perSecond: 1 }
export const MAX_RATE_LIMIT_KEYS = 100_000

interface Bucket { tokens: number, at: number }

export class PublisherRateLimiter {
  private readonly buckets = new Map<string, Bucket>()

  constructor (private readonly limit: RateLimit = DEFAULT_PUBLISHER_RATE_LIMIT, private readonly maxKeys = MAX_RATE_LIMIT_KEYS) {}

  /** Whether `take(key, now)` would succeed; takes nothing and remembers nothing. */
  available (key: string, now: number): boolean {
    const held = this.buckets.get(key)
    return held == null || Math.min(this.limit.burst, held.tokens + Math.max(0, now - held.at) * this.limit.perSecond / 1000) >= 1
  }

  /** Takes a token for `key` at time `now` (ms); false when the publisher is over its rate. */
  take (key: string, now: number): boolean {
    const held = this.buckets.get(key)
    const bucket = held ?? { tokens: this.limit.burst, at: now }
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + Math.max(0, now - bucket.at) * this.limit.perSecond / 1000)
    bucket.at = now
    // re-insert so that Map order is least recently used first
    this.buckets.delete(key)
    this.buckets.set(key, bucket)
    if (this.buckets.size > this.maxKeys) {
      this.buckets.delete(this.buckets.keys().next().value as string)
    }
    if (bucket.tokens < 1) {
      return false
    }
    bucket.tokens -= 1
    return true
  }
}
