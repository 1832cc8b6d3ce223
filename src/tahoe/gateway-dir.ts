/**
 * What a gateway keeps in the node's data directory, so that its FURL never changes:
 *
 *   tahoe/node.pem               the tub's certificate and key (Foolscap's node.pem), mode 0600
 *   tahoe/introducer.swissnum    the FURL's name part, mode 0600
 *   tahoe/port                   the port picked at first start when the listen port is 0
 *   tahoe-introducer.furl        the FURL, rewritten at every start (for operators and scripts)
 *
 * Each is created once. To take over an existing Tahoe introducer's FURL, put its
 * `private/node.pem` and the last part of its `private/introducer.furl` here before the
 * first start (and listen where its FURL points).
 */
import { randomBytes } from 'node:crypto'
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { DataDirError, describeError } from '../errors.js'
import { base32Encode } from '../foolscap/base32.js'
import { decodeTubIdentity, encodeTubIdentity, generateTubIdentity } from '../foolscap/tub-identity.js'
import { writeFileAtomic } from '../store/data-dir.js'

export const TAHOE_DIR = 'tahoe'
export const TUB_KEY_FILE = join(TAHOE_DIR, 'node.pem')
export const SWISSNUM_FILE = join(TAHOE_DIR, 'introducer.swissnum')
export const PORT_FILE = join(TAHOE_DIR, 'port')
export const FURL_FILE = 'tahoe-introducer.furl'

const SWISSNUM = /^[a-z2-7]{1,100}$/

async function readIfExists (path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new DataDirError(path, `cannot read: ${describeError(err)}`)
  }
}

export interface GatewayIdentity {
  tubIdentity: Uint8Array
  swissnum: string
  /** Whether this call created them (first start). */
  created: boolean
}

/** Loads the tub key and swissnum, creating them on first use. Throws DataDirError. */
export async function loadOrCreateGatewayIdentity (dataDir: string): Promise<GatewayIdentity> {
  await mkdir(join(dataDir, TAHOE_DIR), { recursive: true, mode: 0o700 })
  const pemPath = join(dataDir, TUB_KEY_FILE)
  const swissPath = join(dataDir, SWISSNUM_FILE)
  let pem = await readIfExists(pemPath)
  let created = false
  if (pem !== undefined) {
    try {
      decodeTubIdentity(pem)
    } catch (err) {
      throw new DataDirError(pemPath, `is not a Foolscap node.pem (${describeError(err)}); move it away to make a new FURL`)
    }
  } else {
    pem = Buffer.from(encodeTubIdentity(generateTubIdentity()))
    await writeFileAtomic(pemPath, pem, 0o600)
    created = true
  }
  let swissnum = (await readIfExists(swissPath))?.toString('utf8').trim()
  if (swissnum !== undefined) {
    if (!SWISSNUM.test(swissnum)) throw new DataDirError(swissPath, 'is not a swissnum (1 to 100 characters of lowercase base32)')
  } else {
    // as Foolscap makes them: 160 random bits
    swissnum = base32Encode(randomBytes(20))
    await writeFileAtomic(swissPath, swissnum + '\n', 0o600)
    created = true
  }
  return { tubIdentity: pem, swissnum, created }
}

/** The port kept from the first start, if any. Throws DataDirError for a damaged file. */
export async function rememberedPort (dataDir: string): Promise<number | undefined> {
  const path = join(dataDir, PORT_FILE)
  const text = (await readIfExists(path))?.toString('utf8').trim()
  if (text === undefined) return undefined
  const port = Number(text)
  if (!/^\d{1,5}$/.test(text) || port < 1 || port > 65535) throw new DataDirError(path, `is not a port number: ${JSON.stringify(text.slice(0, 20))}`)
  return port
}

export async function rememberPort (dataDir: string, port: number): Promise<void> {
  await writeFileAtomic(join(dataDir, PORT_FILE), `${port}\n`, 0o600)
}

export async function writeFurlFile (dataDir: string, furl: string): Promise<void> {
  await writeFileAtomic(join(dataDir, FURL_FILE), furl + '\n', 0o600)
}
