/**
 * Paging of the API's lists (src/daemon/paging.ts): limit and cursor checked with clear
 * messages; walking the pages yields every item once, in key order, also when items
 * come and go between pages.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, pageOf, PageQueryError, parsePageQuery } from '../../src/daemon/paging.js'

const keys = (n: number): string[] => Array.from({ length: n }, (_, i) => `k${String(i).padStart(5, '0')}`)

describe('paging', () => {
  it('parses limit and cursor, refusing what they must not be', () => {
    assert.deepEqual(parsePageQuery({}), { limit: DEFAULT_PAGE_LIMIT })
    assert.deepEqual(parsePageQuery({ limit: '7', cursor: '12D3KooWabc' }), { limit: 7, cursor: '12D3KooWabc' })
    assert.deepEqual(parsePageQuery({ limit: String(MAX_PAGE_LIMIT), cursor: '' }), { limit: MAX_PAGE_LIMIT })
    for (const limit of ['0', '-1', '1.5', 'ten', String(MAX_PAGE_LIMIT + 1), '', ' 5']) {
      assert.throws(() => parsePageQuery({ limit }), (err: Error) => err instanceof PageQueryError && /"limit" must be a whole number from 1 to 1000/.test(err.message), limit)
    }
    for (const cursor of ['a/b', 'x'.repeat(129), '../..', 'a b']) {
      assert.throws(() => parsePageQuery({ cursor }), /"cursor" must be the "next" of an earlier answer/, cursor)
    }
    assert.throws(() => parsePageQuery({ cursor: ['a', 'b'] }), PageQueryError, 'a repeated parameter')
  })

  it('walks every item once, in key order, whatever order they come in', () => {
    const all = keys(2500).sort(() => Math.random() - 0.5)
    const seen: string[] = []
    let cursor: string | undefined
    let pages = 0
    do {
      const page = pageOf(all, k => k, { limit: 1000, cursor })
      seen.push(...page.items)
      cursor = page.next ?? undefined
      pages++
      assert.ok(page.items.length <= 1000)
    } while (cursor != null)
    assert.equal(pages, 3)
    assert.deepEqual(seen, keys(2500))
    assert.deepEqual(pageOf(keys(3), k => k, { limit: 3 }), { items: keys(3), next: null }, 'an exact fit has no next page')
  })

  it('items that come and go between pages: those that stay are seen once, none twice', () => {
    let all = keys(300)
    const first = pageOf(all, k => k, { limit: 100 })
    // between the pages: the first page loses one, the rest loses one and gains one
    all = all.filter(k => k !== 'k00010' && k !== 'k00150').concat(['k00150x'])
    const second = pageOf(all, k => k, { limit: 100, cursor: first.next ?? undefined })
    const third = pageOf(all, k => k, { limit: 100, cursor: second.next ?? undefined })
    const seen = [...first.items, ...second.items, ...third.items]
    assert.equal(new Set(seen).size, seen.length, 'nothing twice')
    for (const k of all) assert.ok(seen.includes(k) || k < (first.next ?? ''), k)
    assert.equal(third.next, null)
  })
})
