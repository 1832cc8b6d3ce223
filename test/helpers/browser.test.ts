/** Which Chromium the browser tests get, and that a missing one is a failure, not a skip. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { launchBrowser, PACKAGED_CHROMIUM } from './browser.js'

const NOWHERE = '/nonexistent/chromium'

describe('launchBrowser', { timeout: 240_000 }, () => {
  it('launches the Chromium packaged in the npm devDependency when CHROMIUM_PATH is not set', async (t) => {
    // with /usr/bin/chromium ruled out, a pass here proves `npm install` alone brings a browser
    const { browser, source, executablePath } = await launchBrowser({ chromiumPath: '', systemPath: NOWHERE })
    try {
      t.diagnostic(`Chromium ${browser.version()} at ${executablePath}`)
      assert.equal(source, PACKAGED_CHROMIUM)
      assert.match(browser.version(), /^\d+\.\d+\.\d+\.\d+$/)
      const page = await browser.newPage()
      await page.setContent('<p id="p"></p><script>document.getElementById("p").textContent = String(6 * 7)</script>')
      assert.equal(await page.textContent('#p'), '42', 'the page ran its script')
    } finally {
      await browser.close()
    }
  })

  it('falls back to the system Chromium when the packaged one is not to be had', async () => {
    // the unpacked packaged binary stands in for /usr/bin/chromium (absent on a bare machine)
    const first = await launchBrowser({ chromiumPath: '', systemPath: NOWHERE })
    await first.browser.close()
    const { browser, source, executablePath } = await launchBrowser({ chromiumPath: '', packaged: false, systemPath: first.executablePath })
    try {
      assert.equal(source, 'system')
      assert.equal(executablePath, first.executablePath)
    } finally {
      await browser.close()
    }
  })

  it('fails, naming each candidate and why, when none launches', async () => {
    await assert.rejects(launchBrowser({ chromiumPath: '', packaged: false, systemPath: NOWHERE }), (err: Error) => {
      assert.match(err.message, /^no Chromium could be launched/)
      assert.match(err.message, new RegExp(`- system \\(${NOWHERE}\\): ENOENT`))
      assert.match(err.message, /apt-get install -y chromium/)
      return true
    })
  })

  it('uses an explicit CHROMIUM_PATH only: a wrong one fails instead of falling back', async () => {
    await assert.rejects(launchBrowser({ chromiumPath: NOWHERE }), (err: Error) => {
      assert.match(err.message, new RegExp(`- CHROMIUM_PATH \\(${NOWHERE}\\): ENOENT`))
      assert.doesNotMatch(err.message, new RegExp(PACKAGED_CHROMIUM.replace('/', '\\/')), 'the packaged Chromium was not tried')
      assert.match(err.message, /CHROMIUM_PATH is set, so no other Chromium was tried/)
      return true
    })
  })
})
