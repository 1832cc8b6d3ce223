/**
 * A node holding 20 000 entries (10 000 publishers, each announcing upload_storage and
 * download_storage, loaded from its cache; issue #10): /api/v1/status stays small and
 * fast (counts, not lists), /api/v1/peers and /api/v1/members page through everything,
 * and the welcome page renders a page of rows, pages on without JavaScript and keeps
 * refreshing itself in a browser. Figures are printed (`# figures:` lines).
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { launchBrowser } from '../helpers/browser.js'
import { ProcessSet, type NodeProcess } from '../helpers/processes.js'
import { waitFor } from '../helpers/wait.js'
import { writeBigCache } from './big-table.js'
import type { Browser } from 'playwright-core'
import type { MembersJson } from '../../src/daemon/members.js'
import type { PeersJson, StatusJson } from '../../src/daemon/status.js'

const PUBLISHERS = 10_000
const SERVICES = ['upload_storage', 'download_storage']
const ENTRIES = PUBLISHERS * SERVICES.length
/** Bounds for a loaded 2-core machine; the figures say what it took. */
const STATUS_BOUND_MS = 300
const STATUS_BOUND_BYTES = 10_000

const figure = (text: string): void => { process.stdout.write(`# figures: ${text}\n`) }

async function timed (url: string): Promise<{ ms: number, bytes: number, text: string }> {
  const t0 = performance.now()
  const response = await fetch(url, { signal: AbortSignal.timeout(30_000) })
  const text = await response.text()
  assert.equal(response.status, 200, text.slice(0, 200))
  return { ms: performance.now() - t0, bytes: Buffer.byteLength(text), text }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

describe(`a node holding ${ENTRIES} entries`, { timeout: 300_000 }, () => {
  const set = new ProcessSet()
  let node: NodeProcess
  let browser: Browser | undefined

  before(async () => {
    const dir = await set.dir('big')
    const t0 = Date.now()
    assert.equal(await writeBigCache(dir, { grid: 'big', publishers: PUBLISHERS, services: SERVICES }), ENTRIES)
    const written = Date.now() - t0
    node = await set.start('big', ['--grid', 'big', '--introducer', '--nickname', 'big'], dir, undefined)
    await waitFor(`the node to hold all ${ENTRIES} entries`, async () => {
      const s = await node.api()
      return SERVICES.every(name => s.services[name]?.known === PUBLISHERS)
    }, 120_000, 500)
    figure(`${ENTRIES} records signed in ${written} ms; the node holds them ${Date.now() - t0 - written} ms after`)
  })

  after(async () => {
    await browser?.close()
    await set.killAll()
  })

  it('/api/v1/status: counts only, small and fast', async () => {
    const runs = []
    for (let i = 0; i < 5; i++) runs.push(await timed(`${node.info!.http}/api/v1/status`))
    const status = JSON.parse(runs[0].text) as StatusJson
    assert.equal(status.services.upload_storage.known, PUBLISHERS)
    assert.equal(status.members.known, PUBLISHERS + 1, 'every publisher, and the node itself (introducer)')
    figure(`status at ${ENTRIES} entries: median ${median(runs.map(r => r.ms)).toFixed(0)} ms (${runs.map(r => r.ms.toFixed(0)).join(', ')}), ${runs[0].bytes} bytes`)
    assert.ok(runs[0].bytes < STATUS_BOUND_BYTES, `${runs[0].bytes} bytes`)
    assert.ok(median(runs.map(r => r.ms)) < STATUS_BOUND_MS, `${median(runs.map(r => r.ms))} ms`)
  })

  it('/api/v1/peers pages through a service: every entry once, in peer id order, 100 by default', async () => {
    const first = JSON.parse((await timed(`${node.info!.http}/api/v1/peers?service=upload_storage`)).text) as PeersJson
    assert.equal(first.peers.length, 100)
    assert.equal(first.total, PUBLISHERS)
    const seen: string[] = []
    const times: number[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const r = await timed(`${node.info!.http}/api/v1/peers?service=upload_storage&limit=1000${cursor != null ? `&cursor=${cursor}` : ''}`)
      times.push(r.ms)
      const page = JSON.parse(r.text) as PeersJson
      seen.push(...page.peers.map(p => p.peerId))
      cursor = page.next
      pages++
    } while (cursor != null && pages < 20)
    assert.equal(pages, 10)
    assert.equal(seen.length, PUBLISHERS)
    assert.equal(new Set(seen).size, PUBLISHERS, 'none twice')
    assert.deepEqual(seen, [...seen].sort(), 'in peer id order')
    figure(`peers, 1000 a page: median ${median(times).toFixed(0)} ms a page`)
  })

  it('/api/v1/members pages through every node', async () => {
    const seen = new Set<string>()
    let cursor: string | null = null
    let pages = 0
    let firstMs = 0
    let firstBytes = 0
    do {
      const r = await timed(`${node.info!.http}/api/v1/members?limit=1000${cursor != null ? `&cursor=${cursor}` : ''}`)
      if (pages === 0) { firstMs = r.ms; firstBytes = r.bytes }
      const page = JSON.parse(r.text) as MembersJson
      assert.equal(page.total, PUBLISHERS + 1)
      for (const m of page.members) {
        seen.add(m.peerId)
        if (!m.self) assert.deepEqual(m.services.map(s => s.service), ['download_storage', 'upload_storage'])
      }
      cursor = page.next
      pages++
    } while (cursor != null && pages < 20)
    assert.equal(pages, 11)
    assert.equal(seen.size, PUBLISHERS + 1)
    figure(`members, 1000 a page: first page ${firstMs.toFixed(0)} ms, ${firstBytes} bytes`)
  })

  it('the welcome page renders a page of rows, pages on without JavaScript, and keeps refreshing itself', async () => {
    const page = await timed(`${node.info!.http}/`)
    const live = await timed(`${node.info!.http}/live`)
    figure(`welcome page at ${ENTRIES} entries: ${page.ms.toFixed(0)} ms, ${page.bytes} bytes; live region ${live.ms.toFixed(0)} ms, ${live.bytes} bytes`)
    assert.ok(page.bytes < 1_000_000, `${page.bytes} bytes`)

    const launched = await launchBrowser()
    browser = launched.browser
    const plain = await (await browser.newContext({ javaScriptEnabled: false })).newPage()
    plain.setDefaultTimeout(30_000)
    await plain.goto(`${node.info!.http}/`)
    const ids = async (section: string): Promise<string[]> => plain.$$eval(`${section} tr[data-peer-id]`, trs => trs.map(tr => (tr as HTMLElement).dataset.peerId ?? ''))
    const firstPage = await ids('section[data-service="upload_storage"]')
    assert.equal(firstPage.length, 100)
    assert.match(await plain.textContent('section[data-service="upload_storage"] .pager') ?? '', /^100 of 10\u202f000 shown · next page$/)
    assert.equal((await ids('#members')).length, 100)
    await Promise.all([plain.waitForURL(/cursor-upload_storage=/), plain.click('section[data-service="upload_storage"] .pager a')])
    const secondPage = await ids('section[data-service="upload_storage"]')
    assert.equal(secondPage.length, 100)
    const all = (JSON.parse((await timed(`${node.info!.http}/api/v1/peers?service=upload_storage&limit=200`)).text) as PeersJson).peers.map(p => p.peerId)
    assert.deepEqual([...firstPage, ...secondPage], all, 'the next 100, in order')
    assert.deepEqual((await ids('#members')).length, 100, 'the other lists stay on their first page')

    const js = await browser.newPage()
    js.setDefaultTimeout(60_000)
    await js.goto(`${node.info!.http}/`)
    const stamps: number[] = []
    for (let i = 0; i < 3; i++) {
      await js.waitForFunction((last) => Number(document.body.dataset.updated ?? 0) > last, stamps.at(-1) ?? 0)
      stamps.push(Number(await js.getAttribute('body', 'data-updated')))
    }
    figure(`welcome page refreshes at ${ENTRIES} entries: ${stamps.slice(1).map((s, i) => s - stamps[i]).join(', ')} ms apart`)
    assert.equal(await js.textContent('#error'), '')
    assert.equal((await js.$$('section[data-service="download_storage"] tr[data-peer-id]')).length, 100)
  })
})
