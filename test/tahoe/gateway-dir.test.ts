/**
 * The gateway's files in the data directory (src/tahoe/gateway-dir.ts): made once, mode
 * 0600, the same on every later start; a damaged file is named, never replaced.
 */
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { decodeTubIdentity } from '../../src/foolscap/tub-identity.js'
import { loadOrCreateGatewayIdentity, rememberedPort, rememberPort, SWISSNUM_FILE, TUB_KEY_FILE } from '../../src/tahoe/gateway-dir.js'

describe('gateway files in the data directory', () => {
  const dirs: string[] = []
  const fresh = async (): Promise<string> => { const d = await mkdtemp(join(tmpdir(), 'gw-dir-')); dirs.push(d); return d }
  after(async () => { await Promise.all(dirs.map(async d => rm(d, { recursive: true, force: true }))) })

  it('creates the tub key and swissnum once, mode 0600, and reads the same ones back', async () => {
    const dir = await fresh()
    const first = await loadOrCreateGatewayIdentity(dir)
    assert.equal(first.created, true)
    assert.match(first.swissnum, /^[a-z2-7]{32}$/)
    for (const f of [TUB_KEY_FILE, SWISSNUM_FILE]) assert.equal((await stat(join(dir, f))).mode & 0o777, 0o600, f)
    assert.equal((await stat(join(dir, 'tahoe'))).mode & 0o777, 0o700)
    const again = await loadOrCreateGatewayIdentity(dir)
    assert.equal(again.created, false)
    assert.equal(again.swissnum, first.swissnum)
    assert.equal(decodeTubIdentity(again.tubIdentity).tubId, decodeTubIdentity(first.tubIdentity).tubId)
  })

  it('names a damaged key or swissnum file instead of making a new FURL', async () => {
    const dir = await fresh()
    await loadOrCreateGatewayIdentity(dir)
    const pem = await readFile(join(dir, TUB_KEY_FILE))
    await writeFile(join(dir, SWISSNUM_FILE), 'NOT A SWISSNUM\n')
    await assert.rejects(loadOrCreateGatewayIdentity(dir), /introducer\.swissnum: is not a swissnum/)
    await writeFile(join(dir, TUB_KEY_FILE), 'garbage')
    await assert.rejects(loadOrCreateGatewayIdentity(dir), /node\.pem: is not a Foolscap node\.pem/)
    assert.notDeepEqual(await readFile(join(dir, TUB_KEY_FILE)), pem, 'the damaged file was left as it is')
  })

  it('keeps the port picked at the first start', async () => {
    const dir = await fresh()
    await loadOrCreateGatewayIdentity(dir)
    assert.equal(await rememberedPort(dir), undefined)
    await rememberPort(dir, 34567)
    assert.equal(await rememberedPort(dir), 34567)
    await writeFile(join(dir, 'tahoe', 'port'), '99999\n')
    await assert.rejects(rememberedPort(dir), /is not a port number/)
  })
})
