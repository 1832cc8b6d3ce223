/**
 * A headless browser for tests: Debian's chromium driven by playwright-core (which never
 * downloads a browser of its own). CI installs chromium (.ci/run); where it is missing,
 * `launchBrowser` fails with a message saying how to install it: never a silent skip.
 */
import { access, constants } from 'node:fs/promises'
import { chromium, type Browser } from 'playwright-core'

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** No sandbox (CI runs as root), and nothing that reaches the network on its own. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync'
]

export async function launchBrowser (timeoutMs = 30_000): Promise<Browser> {
  try {
    await access(CHROMIUM_PATH, constants.X_OK)
  } catch {
    throw new Error(`chromium is not installed at ${CHROMIUM_PATH}: the browser tests need it. ` +
      'Install it with `apt-get update && apt-get install -y chromium` (.ci/run does this), ' +
      'or set CHROMIUM_PATH to a Chromium binary.')
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: timeoutMs })
}
