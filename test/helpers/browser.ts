/**
 * A headless Chromium for tests, driven by playwright-core (which never downloads a browser).
 *
 * Which Chromium, in this order:
 * 1. `CHROMIUM_PATH`, when set: the only one tried, so a wrong path is an error, not a
 *    silent switch to another browser;
 * 2. the Chromium shipped inside the `@sparticuz/chromium` devDependency (Linux x64): its
 *    brotli-compressed binary, the NSS libraries it links and a font come in the npm
 *    tarball and are unpacked here once per package version (nothing is downloaded), so
 *    `npm install && npm test` needs only Node and npm;
 * 3. Debian's `/usr/bin/chromium`.
 * When none launches, `launchBrowser` throws, saying why each failed: the browser tests
 * fail, they never skip.
 */
import { execFile } from 'node:child_process'
import { access, constants, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { chromium, type Browser } from 'playwright-core'

/** Debian's chromium (`apt-get install chromium`). */
export const SYSTEM_CHROMIUM_PATH = '/usr/bin/chromium'
/** The npm package whose tarball holds a Chromium (headless shell) build. */
export const PACKAGED_CHROMIUM = '@sparticuz/chromium'
/** Unpacking 200 MB of brotli takes a few seconds; bounded well above that for a loaded machine. */
const UNPACK_TIMEOUT_MS = 180_000

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

export interface LaunchOptions {
  /** A Chromium to use and nothing else. @default process.env.CHROMIUM_PATH */
  chromiumPath?: string
  /** Try the Chromium packaged in @sparticuz/chromium. @default true */
  packaged?: boolean
  /** Debian's chromium, tried last. @default SYSTEM_CHROMIUM_PATH */
  systemPath?: string
  /** Bound on one launch. @default 30_000 */
  timeoutMs?: number
}

export interface LaunchedBrowser {
  browser: Browser
  /** Which candidate launched: 'CHROMIUM_PATH', PACKAGED_CHROMIUM or 'system'. */
  source: string
  executablePath: string
}

interface Candidate { source: string, path: string, resolve: () => Promise<{ executablePath: string, env?: Record<string, string> }> }

export async function launchBrowser (options: LaunchOptions = {}): Promise<LaunchedBrowser> {
  const timeoutMs = options.timeoutMs ?? 30_000
  const explicit = options.chromiumPath ?? process.env.CHROMIUM_PATH
  const candidates: Candidate[] = []
  if (explicit != null && explicit !== '') {
    candidates.push({ source: 'CHROMIUM_PATH', path: explicit, resolve: async () => ({ executablePath: await executable(explicit) }) })
  } else {
    if (options.packaged ?? true) candidates.push({ source: PACKAGED_CHROMIUM, path: 'not unpacked', resolve: unpackPackagedChromium })
    const system = options.systemPath ?? SYSTEM_CHROMIUM_PATH
    candidates.push({ source: 'system', path: system, resolve: async () => ({ executablePath: await executable(system) }) })
  }
  const failures: string[] = []
  for (const { source, path, resolve } of candidates) {
    let executablePath = path
    try {
      const found = await resolve()
      executablePath = found.executablePath
      const env = found.env == null ? undefined : { ...process.env, ...found.env }
      const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, timeout: timeoutMs, env })
      return { browser, source, executablePath }
    } catch (err) {
      failures.push(`- ${source} (${executablePath}): ${firstLine(err)}`)
    }
  }
  throw new Error('no Chromium could be launched for the browser tests:\n' + failures.join('\n') + '\n' +
    (explicit != null && explicit !== ''
      ? 'CHROMIUM_PATH is set, so no other Chromium was tried: fix or unset it.'
      : `Run \`npm install\` (it brings ${PACKAGED_CHROMIUM}, Linux x64), set CHROMIUM_PATH to a Chromium binary, ` +
        'or install Debian\'s: `apt-get update && apt-get install -y chromium`.'))
}

async function executable (path: string): Promise<string> {
  await access(path, constants.X_OK)
  return path
}

function firstLine (err: unknown): string {
  const text = err instanceof Error ? err.message : String(err)
  return text.split('\n').find(line => line.trim() !== '') ?? text
}

/**
 * Unpacks the package's binary, NSS libraries, font and SwiftShader into
 * `<tmp>/gossip-introducer-chromium-<version>-<uid>/` unless an earlier run did. Not the
 * package's own `executablePath()`: that unpacks to the shared `/tmp/chromium` and takes
 * any file already there, half-written or of another version. Here a staging directory
 * is renamed into place once complete, so concurrent test processes (or worktrees) never
 * see a partial browser.
 */
async function unpackPackagedChromium (): Promise<{ executablePath: string, env: Record<string, string> }> {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`${PACKAGED_CHROMIUM} ships a Linux x64 build only; this is ${process.platform} ${process.arch}`)
  }
  const moduleUrl = import.meta.resolve(PACKAGED_CHROMIUM)
  const packageDir = join(dirname(fileURLToPath(moduleUrl)), '..')
  const { version } = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')) as { version: string }
  const dir = join(tmpdir(), `gossip-introducer-chromium-${version}-${process.getuid?.() ?? 0}`)
  const layout = {
    executablePath: join(dir, 'chromium'),
    env: { LD_LIBRARY_PATH: [join(dir, 'al2023', 'lib'), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'), FONTCONFIG_FILE: join(dir, 'fonts.conf') }
  }
  try {
    await access(layout.executablePath, constants.X_OK)
    return layout
  } catch {}

  await mkdir(tmpdir(), { recursive: true })
  const staging = await mkdtemp(`${dir}.unpacking-`)
  try {
    // the package's own inflate() unpacks into os.tmpdir(): run it in a child whose TMPDIR is the staging directory
    const bin = join(packageDir, 'bin')
    const files = ['chromium.br', 'al2023.tar.br', 'fonts.tar.br', 'swiftshader.tar.br'].map(f => join(bin, f))
    const script = 'const { inflate } = await import(process.argv[1]); for (const f of process.argv.slice(2)) await inflate(f)'
    await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script, moduleUrl, ...files],
      { env: { ...process.env, TMPDIR: staging }, timeout: UNPACK_TIMEOUT_MS })
    // the package's fonts.conf names Lambda's paths; this one names the unpacked font, and the system's fonts if any
    await writeFile(join(staging, 'fonts.conf'), '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n' +
      '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n' +
      `  <dir>${join(dir, 'fonts', 'fonts')}</dir>\n  <cachedir>${join(dir, 'fonts-cache')}</cachedir>\n</fontconfig>\n`)
    await access(join(staging, 'chromium'), constants.X_OK)
    try {
      await rename(staging, dir)
    } catch (err) {
      // another process finished first: use its copy
      if (!['ENOTEMPTY', 'EEXIST'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err
    }
  } finally {
    await rm(staging, { recursive: true, force: true })
  }
  return layout
}
