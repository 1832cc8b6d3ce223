/**
 * The welcome page in a real browser (Chromium through playwright-core: CHROMIUM_PATH, the
 * one packaged in @sparticuz/chromium, or Debian's; see test/helpers/browser.ts) against a
 * grid of node processes: 1 introducer, 2 storage servers (one read-only), 1 client.
 * Without a Chromium that launches these tests fail, they do not skip.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { launchBrowser } from '../helpers/browser.js'
import { ProcessSet, type NodeProcess } from '../helpers/processes.js'
import { waitFor } from '../helpers/wait.js'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import type { PeersJson, PermutedJson } from '../../src/daemon/status.js'

const GRID = ['--grid', 'browser-test', '--dial-retry-max-ms', '2000']
const WAIT_MS = 20_000
/** A nickname that would be markup if the page inserted it as HTML. */
const HOSTILE_NICKNAME = 'server <b id="injected">one</b><script>window.injected = 1</script>'
const SCREENSHOT = '/tmp/gossip-introducer-welcome-page.png'
const STORAGE_INDEX = '0123456789abcdef0123456789abcdef'

interface RowText { nickname: string, id: string, readonly: string, space: string, contact: string, cells: string[] }

/** The rows of a section's table on the page, keyed by data-peer-id. */
async function rows (page: Page, section: string): Promise<Map<string, RowText>> {
  const found = await page.$$eval(`${section} tr[data-peer-id]`, trs => trs.map(tr => {
    const cells = [...tr.querySelectorAll('td')].map(td => td.textContent ?? '')
    const headers = [...(tr.closest('table')?.querySelectorAll('th') ?? [])].map(th => th.textContent ?? '')
    const cell = (name: string): string => cells[headers.indexOf(name)] ?? `(no column ${name})`
    return {
      peerId: (tr as HTMLElement).dataset.peerId ?? '',
      nickname: cell('Nickname'),
      id: cell('Node id'),
      readonly: cell('Read-only'),
      space: cell('Available space'),
      contact: cell('Last contact'),
      cells
    }
  }))
  return new Map(found.map(({ peerId, ...row }) => [peerId, row]))
}

const service = (name: string): string => `section[data-service="${name}"]`

describe('the welcome page in a browser', { timeout: 180_000 }, () => {
  const set = new ProcessSet()
  let browser: Browser | undefined
  let noScript: BrowserContext
  let page: Page
  let introducer: NodeProcess
  let writable: NodeProcess
  let readonly: NodeProcess
  let client: NodeProcess
  const pageErrors: string[] = []

  before(async () => {
    // fail first, and clearly, when no Chromium launches
    const launched = await launchBrowser()
    browser = launched.browser
    process.stdout.write(`# browser: Chromium ${browser.version()} from ${launched.source} (${launched.executablePath})\n`)
    introducer = await set.start('br-intro', [...GRID, '--introducer', '--nickname', 'br-intro'])
    const boot = ['--bootstrap', introducer.multiaddr]
    ;[writable, readonly, client] = await Promise.all([
      set.start('br-server', [...GRID, '--storage', '--available-space', '2500000000', '--nickname', HOSTILE_NICKNAME, ...boot]),
      set.start('br-readonly', [...GRID, '--storage', '--readonly', '--nickname', 'server-ro', ...boot]),
      set.start('br-client', [...GRID, '--nickname', 'br-client', ...boot])
    ])
    await waitFor('the client to know both servers', async () =>
      (await client.peers('download_storage')).length === 2 && (await client.peers('upload_storage')).length === 1, WAIT_MS)
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    page.setDefaultTimeout(WAIT_MS)
    page.on('pageerror', (err) => { pageErrors.push(err.message) })
    page.on('console', (msg) => { if (msg.type() === 'error') pageErrors.push(msg.text()) })
    noScript = await browser.newContext({ javaScriptEnabled: false })
  })

  after(async () => {
    await browser?.close()
    await set.killAll()
  })

  it('renders without JavaScript: node, introducers, both servers with addresses, expiry and last contact', async () => {
    const plain = await noScript.newPage()
    const response = await plain.goto(`${client.info!.http}/`)
    assert.equal(response?.status(), 200)
    assert.equal(await plain.title(), 'gossip-introducer')
    assert.equal(await plain.textContent('#nickname'), 'br-client')
    assert.ok((await plain.textContent('#node'))?.includes(client.peerId), 'the node\'s own id is shown')
    const download = await rows(plain, service('download_storage'))
    assert.deepEqual([...download.keys()].sort(), [writable.peerId, readonly.peerId].sort(), 'rendered on the server')
    const row = await plain.$eval(`${service('download_storage')} tr[data-peer-id="${writable.peerId}"]`, tr => tr.textContent ?? '')
    assert.match(row, /\/ip4\/127\.0\.0\.1\/tcp\/\d+/, 'addresses')
    assert.match(row, /in 1[45] min/, 'when the entry expires')
    assert.equal(await plain.$('#injected'), null, 'a nickname is never markup')
    assert.equal(download.get(writable.peerId)?.nickname, HOSTILE_NICKNAME)
    assert.equal(await plain.isVisible(`button[data-probe="${writable.peerId}"]`), false, 'no check button that could not work')
    assert.match(await plain.textContent('noscript') ?? '', /does not refresh itself/)
    await plain.close()
  })

  it('with JavaScript: the same, then live; servers with read-only flag, space and last contact; no misleading "connected to 0"', async () => {
    const response = await page.goto(`${client.info!.http}/`)
    assert.match(response?.headers()['content-type'] ?? '', /^text\/html/)
    assert.match(response?.headers()['content-security-policy'] ?? '', /form-action 'self'/)
    const status = await client.api('/api/v1/status')
    assert.equal(await page.textContent('#introducer-summary'), `Connected to ${status.introducers.connected} of ${status.introducers.known} known introducers`)
    assert.equal(await page.$('section[data-service="introducer"]'), null, 'introducers have their own table, not a service section')
    assert.deepEqual([...(await rows(page, '#introducers')).keys()], [introducer.peerId])

    const upload = await rows(page, service('upload_storage'))
    const download = await rows(page, service('download_storage'))
    assert.deepEqual([...upload.keys()], [writable.peerId], 'only the writable server takes uploads')
    for (const [server, nickname, ro] of [[writable, HOSTILE_NICKNAME, 'no'], [readonly, 'server-ro', 'yes']] as const) {
      const row = download.get(server.peerId)!
      assert.equal(row.nickname, nickname, 'nickname shown as text')
      assert.equal(row.id, server.peerId)
      assert.equal(row.readonly, ro)
      assert.match(row.contact, /^(not reached yet|connected now|reached \d+ s ago)/)
    }
    assert.equal(download.get(readonly.peerId)?.space, 'not announced', 'a server that announces no space')
    assert.equal(upload.get(writable.peerId)?.space, '2.5 GB')
    assert.deepEqual(await page.$$eval('#introducers th', ths => ths.map(th => th.textContent)),
      ['Nickname', 'Node id', 'Addresses', 'Last announcement', 'Expires', 'Version', 'Last contact'], 'no storage columns for introducers')
    const summary = await page.textContent(`${service('download_storage')} .summary`) ?? ''
    assert.match(summary, /^2 known servers, [0-2] connected now\. A client connects to a server only while it uses it/)
    assert.doesNotMatch(summary, /Connected to 0 of/)
    assert.equal(await page.$('#injected'), null)
    assert.equal(await page.evaluate(() => (window as unknown as { injected?: number }).injected), undefined, 'no script from a nickname ran')
    assert.equal(await page.textContent('#error'), '')

    // the grid, node by node
    const members = await rows(page, '#members')
    assert.deepEqual([...members.keys()].sort(), [introducer.peerId, writable.peerId, readonly.peerId].sort())
    assert.match(members.get(writable.peerId)?.cells.join(' | ') ?? '', /download_storage.*upload_storage/)
    assert.match(await page.textContent('#departed') ?? '', /No node left in the last 24 h/)
    await page.screenshot({ path: SCREENSHOT, fullPage: true })
  })

  it('the check button reaches a server now and shows the round trip; the page keeps it', async () => {
    await page.click(`${service('upload_storage')} button[data-probe="${writable.peerId}"]`)
    const text = await page.waitForFunction((id) => {
      const out = document.querySelector(`section[data-service="upload_storage"] tr[data-peer-id="${id}"] .probe-result`)
      return out != null && !/checking/.test(out.textContent ?? '') ? out.textContent : false
    }, writable.peerId)
    assert.match(String(await text.jsonValue()), /^ reached: (dial [\d.]+ ms, )?round trip [\d.]+ ms$/)
    // the next refreshes render it from the node's memory
    await page.waitForFunction((id) => /^(connected now|reached \d+ s ago)/.test(document.querySelector(`section[data-service="upload_storage"] tr[data-peer-id="${id}"] td.contact`)?.textContent ?? ''), writable.peerId)
  })

  it('the storage-index box shows the permuted order (from /api/v1/permuted), with and without JavaScript', async () => {
    const expected = (await client.api<PermutedJson>(`/api/v1/permuted?service=download_storage&storage-index=${STORAGE_INDEX}`)).peers.map(p => p.peerId)
    assert.equal(expected.length, 2)
    await page.selectOption('#permuted-form select[name="si-service"]', 'download_storage')
    await page.fill('#permuted-form input[name="si"]', STORAGE_INDEX)
    const marker = await page.evaluate(() => { (window as unknown as { marker: number }).marker = 7; return 7 })
    await page.click('#permuted-form button[type="submit"]')
    await page.waitForSelector('#permuted tr[data-peer-id]')
    assert.deepEqual(await page.$$eval('#permuted tr[data-peer-id]', trs => trs.map(tr => (tr as HTMLElement).dataset.peerId)), expected)
    assert.equal(await page.evaluate(() => (window as unknown as { marker?: number }).marker), marker, 'answered without a reload')
    await page.fill('#permuted-form input[name="si"]', 'not-an-index')
    await page.click('#permuted-form button[type="submit"]')
    await page.waitForFunction(() => /neither 26 characters/.test(document.getElementById('permuted')?.textContent ?? ''))

    const plain = await noScript.newPage()
    await plain.goto(`${client.info!.http}/`)
    await plain.selectOption('#permuted-form select[name="si-service"]', 'download_storage')
    await plain.fill('#permuted-form input[name="si"]', STORAGE_INDEX)
    await Promise.all([plain.waitForURL(/si=/), plain.click('#permuted-form button[type="submit"]')])
    assert.deepEqual(await plain.$$eval('#permuted tr[data-peer-id]', trs => trs.map(tr => (tr as HTMLElement).dataset.peerId)), expected, 'the same order, rendered on the server')
    await plain.close()
  })

  it('an introducer\'s page: no helper known is stated plainly, not as an error', async () => {
    const intro = await browser!.newPage()
    await intro.goto(`${introducer.info!.http}/`)
    const helper = await intro.$eval(`${service('helper')} .summary`, p => ({ text: p.textContent, classes: p.className, color: getComputedStyle(p).color }))
    assert.match(helper.text ?? '', /^None announced\. Helpers are optional/)
    assert.equal(helper.classes, 'summary empty')
    assert.equal(helper.color, 'rgb(119, 119, 119)', 'muted grey, not the error red')
    assert.equal(await intro.$(`${service('helper')} table`), null)
    assert.equal(await intro.$('#live .bad'), null, 'nothing shown as an error')
    assert.equal(await intro.textContent('#introducer-summary'), 'No other introducer known: this node is the grid\'s only one so far.')
    await intro.close()
  })

  it('updates by itself: a server that stops (and withdraws) leaves its tables and shows as departed, without a reload', async () => {
    await page.evaluate(() => { (window as unknown as { marker: number }).marker = 42 })
    const updatedBefore = Number(await page.getAttribute('body', 'data-updated'))
    assert.equal(await readonly.kill('SIGTERM'), 0)
    await page.waitForFunction((id) => document.querySelector(`section[data-service="download_storage"] tr[data-peer-id="${id}"]`) == null, readonly.peerId, { timeout: WAIT_MS })
    assert.equal(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 42, 'same document: no reload')
    assert.ok(Number(await page.getAttribute('body', 'data-updated')) > updatedBefore)
    assert.deepEqual([...(await rows(page, service('download_storage'))).keys()], [writable.peerId])
    assert.match(await page.textContent(`${service('download_storage')} .summary`) ?? '', /^1 known server, [01] connected now\./)
    const departed = await rows(page, '#departed')
    assert.deepEqual([...departed.keys()], [readonly.peerId])
    assert.match(departed.get(readonly.peerId)?.cells.join(' | ') ?? '', /download_storage withdrawn \(stopped\) \| \d+ s ago/)
    assert.equal((await client.api<PeersJson>('/api/v1/peers?service=download_storage')).total, 1)
  })

  it('says so when the node it shows is gone', async () => {
    await client.kill('SIGTERM')
    await page.waitForFunction(() => (document.getElementById('error')?.textContent ?? '') !== '', undefined, { timeout: WAIT_MS })
    assert.match(await page.textContent('#error') ?? '', /^Cannot reach the node/)
    assert.deepEqual(pageErrors.filter(e => !/Failed to load resource|ERR_CONNECTION_REFUSED/.test(e)), [], 'no script errors')
  })
})
