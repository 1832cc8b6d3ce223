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
import type { Browser, Page } from 'playwright-core'
import type { PeersJson } from '../../src/daemon/status.js'

const GRID = ['--grid', 'browser-test', '--dial-retry-max-ms', '2000']
const WAIT_MS = 20_000
/** A nickname that would be markup if the page inserted it as HTML. */
const HOSTILE_NICKNAME = 'server <b id="injected">one</b>'
const SCREENSHOT = '/tmp/gossip-introducer-welcome-page.png'

interface RowText { nickname: string, id: string, connection: string, readonly: string, cells: string[] }

/** The rows of a service's table on the page, keyed by data-peer-id. */
async function rows (page: Page, service: string): Promise<Map<string, RowText>> {
  const found = await page.$$eval(`section[data-service="${service}"] tr[data-peer-id]`, trs => trs.map(tr => {
    const cells = [...tr.querySelectorAll('td')].map(td => td.textContent ?? '')
    const headers = [...(tr.closest('table')?.querySelectorAll('th') ?? [])].map(th => th.textContent ?? '')
    const cell = (name: string): string => cells[headers.indexOf(name)] ?? `(no column ${name})`
    return { peerId: (tr as HTMLElement).dataset.peerId ?? '', nickname: cell('Nickname'), id: cell('Node id'), connection: cell('Connection'), readonly: cell('Read-only'), cells }
  }))
  return new Map(found.map(({ peerId, ...row }) => [peerId, row]))
}

describe('the welcome page in a browser', { timeout: 120_000 }, () => {
  const set = new ProcessSet()
  let browser: Browser | undefined
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
  })

  after(async () => {
    await browser?.close()
    await set.killAll()
  })

  it('loads, and shows the node, its introducers and both servers with nickname, id, read-only flag and connection', async () => {
    const response = await page.goto(`${client.info!.http}/`)
    assert.equal(response?.status(), 200)
    assert.match(response?.headers()['content-type'] ?? '', /^text\/html/)
    assert.equal(await page.title(), 'gossip-introducer')
    // the page fills itself from the JSON API
    await page.waitForSelector('section[data-service="download_storage"] tr[data-peer-id]')
    assert.equal(await page.textContent('#nickname'), 'br-client')
    assert.ok((await page.textContent('#node'))?.includes(client.peerId), 'the node\'s own id is shown')

    const status = await client.api('/api/v1/status')
    assert.equal(await page.textContent('#introducer-summary'), `Connected to ${status.introducers.connected} of ${status.introducers.known} known introducers`)
    assert.equal(status.introducers.known, 1)
    assert.equal(await page.$('section[data-service="introducer"]'), null, 'introducers have their own table, not a service section')
    const introducerRows = await page.$$eval('#introducers tr[data-peer-id]', trs => trs.map(tr => (tr as HTMLElement).dataset.peerId))
    assert.deepEqual(introducerRows, [introducer.peerId])

    const upload = await rows(page, 'upload_storage')
    const download = await rows(page, 'download_storage')
    assert.deepEqual([...upload.keys()], [writable.peerId], 'only the writable server takes uploads')
    assert.deepEqual([...download.keys()].sort(), [writable.peerId, readonly.peerId].sort())
    const connected = new Map((await client.api<PeersJson>('/api/v1/peers?service=download_storage')).peers.map(p => [p.peerId, p.connected]))
    for (const [server, nickname, ro] of [[writable, HOSTILE_NICKNAME, 'no'], [readonly, 'server-ro', 'yes']] as const) {
      const row = download.get(server.peerId)!
      assert.equal(row.nickname, nickname, 'nickname shown as text')
      assert.equal(row.id, server.peerId)
      assert.equal(row.readonly, ro)
      assert.match(row.connection, connected.get(server.peerId) === true ? /^connected/ : /^not connected$/)
    }
    assert.equal(upload.get(writable.peerId)?.readonly, 'no')
    assert.equal(download.get(readonly.peerId)?.cells.at(-1), 'not announced', 'a server that announces no space')
    assert.deepEqual(await page.$$eval('#introducers th', ths => ths.map(th => th.textContent)), ['Nickname', 'Node id', 'Connection', 'Last announcement', 'Version'],
      'no storage columns for introducers')
    assert.ok(upload.get(writable.peerId)?.cells.includes('2.5 GB'), `available space shown: ${upload.get(writable.peerId)?.cells.join(' | ')}`)
    assert.match(await page.textContent('section[data-service="download_storage"] .summary') ?? '', /^Connected to [0-2] of 2 known servers$/)
    assert.equal(await page.$('#injected'), null, 'a nickname is never inserted as HTML')
    assert.equal(await page.textContent('#error'), '')

    await page.screenshot({ path: SCREENSHOT, fullPage: true })
  })

  it('updates by itself: a server that stops (and withdraws) leaves the page without a reload', async () => {
    await page.evaluate(() => { (window as unknown as { marker: number }).marker = 42 })
    const updatedBefore = Number(await page.getAttribute('body', 'data-updated'))
    assert.equal(await readonly.kill('SIGTERM'), 0)
    await page.waitForFunction((id) => document.querySelector(`section[data-service="download_storage"] tr[data-peer-id="${id}"]`) == null, readonly.peerId, { timeout: WAIT_MS })
    assert.equal(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 42, 'same document: no reload')
    assert.ok(Number(await page.getAttribute('body', 'data-updated')) > updatedBefore)
    assert.deepEqual([...(await rows(page, 'download_storage')).keys()], [writable.peerId])
    assert.match(await page.textContent('section[data-service="download_storage"] .summary') ?? '', /^Connected to [01] of 1 known servers$/)
  })

  it('says so when the node it shows is gone', async () => {
    await client.kill('SIGTERM')
    await page.waitForFunction(() => (document.getElementById('error')?.textContent ?? '') !== '', undefined, { timeout: WAIT_MS })
    assert.match(await page.textContent('#error') ?? '', /^Cannot reach the node/)
    assert.deepEqual(pageErrors.filter(e => !/Failed to load resource|ERR_CONNECTION_REFUSED/.test(e)), [], 'no script errors')
  })
})
