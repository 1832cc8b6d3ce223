/**
 * Paging of the HTTP API's lists (issue #10): a list is ordered by a key (a peer id),
 * `limit` items at a time, from after `cursor`; the answer's `next` is the cursor of the
 * following page, null on the last. The key order is stable while entries come and go,
 * so a client walking the pages sees every entry that stays, once.
 */

/** Items per page when `limit` is not given. */
export const DEFAULT_PAGE_LIMIT = 100
/** Most items one page holds. */
export const MAX_PAGE_LIMIT = 1000
/** A cursor is a peer id: letters and digits (base58btc or base32), bounded. */
const CURSOR = /^[A-Za-z0-9]{1,128}$/

export interface PageRequest {
  limit: number
  /** Items whose key is greater than this; from the first when absent. */
  cursor?: string
}

export interface Page<T> {
  items: T[]
  /** The cursor of the next page; null when this is the last. */
  next: string | null
}

/** A query parameter that is not what it must be; the message says what it must be. */
export class PageQueryError extends Error {
  static readonly NAME = 'PageQueryError'
  override readonly name = PageQueryError.NAME
}

/** `limit` and `cursor` of a query string; throws PageQueryError naming a bad one. */
export function parsePageQuery (query: { limit?: unknown, cursor?: unknown }, defaultLimit = DEFAULT_PAGE_LIMIT): PageRequest {
  let limit = defaultLimit
  if (query.limit !== undefined) {
    const text = typeof query.limit === 'string' || typeof query.limit === 'number' ? String(query.limit) : ''
    limit = Number(text)
    if (!/^\d{1,7}$/.test(text) || limit < 1 || limit > MAX_PAGE_LIMIT) {
      throw new PageQueryError(`query parameter "limit" must be a whole number from 1 to ${MAX_PAGE_LIMIT}, not ${JSON.stringify(query.limit)}`)
    }
  }
  if (query.cursor === undefined || query.cursor === '') {
    return { limit }
  }
  if (typeof query.cursor !== 'string' || !CURSOR.test(query.cursor)) {
    throw new PageQueryError('query parameter "cursor" must be the "next" of an earlier answer')
  }
  return { limit, cursor: query.cursor }
}

/** One page of `items`, in the order of `keyOf` (unique keys). O(n log n) for n items after the cursor. */
export function pageOf<T> (items: Iterable<T>, keyOf: (item: T) => string, request: PageRequest): Page<T> {
  const after: Array<[string, T]> = []
  for (const item of items) {
    const key = keyOf(item)
    if (request.cursor == null || key > request.cursor) {
      after.push([key, item])
    }
  }
  after.sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)
  const taken = after.slice(0, request.limit)
  return {
    items: taken.map(([, item]) => item),
    next: after.length > request.limit ? taken[taken.length - 1][0] : null
  }
}
