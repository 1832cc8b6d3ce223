/** The data directory on a real file system: key, seqnum, cache. */
import assert from 'node:assert/strict'
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { UPLOAD_STORAGE } from '../../src/announcement/names.js'
import { peekAnnouncement } from '../../src/announcement/peek.js'
import { CachedRecords } from '../../src/pb/cache.js'
import { CACHE_FILE, FileStore, KEY_FILE, loadOrCreateKey, MAX_CACHE_FILE_BYTES, SEQNUM_FILE, writeFileAtomic } from '../../src/store/data-dir.js'
import type { CacheEntry } from '../../src/introduction/store.js'
import { connect, NodeSet } from '../helpers/nodes.js'
import { key, signed, T0 } from '../helpers/records.js'
import { PeerTable } from '../../src/peer-table.js'
import { fakeRecord } from '../helpers/fake-records.js'

describe('data directory', () => {
  const dirs: string[] = []
  const tmp = async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'gi-store-'))
    dirs.push(dir)
    return dir
  }
  const set = new NodeSet()
  after(async () => {
    await set.stopAll()
    await Promise.all(dirs.map(async d => rm(d, { recursive: true, force: true })))
  })

  it('creates the key once, private to its owner, and keeps it', async () => {
    const dir = await tmp()
    const first = await loadOrCreateKey(dir)
    const again = await loadOrCreateKey(dir)
    assert.deepEqual(again.raw, first.raw)
    assert.equal((await stat(join(dir, KEY_FILE))).mode & 0o777, 0o600)
  })

  it('names the file when the key is not a key', async () => {
    const dir = await tmp()
    await writeFile(join(dir, KEY_FILE), 'not a key')
    await assert.rejects(loadOrCreateKey(dir), (err: Error) => err.name === 'DataDirError' && err.message.includes(join(dir, KEY_FILE)))
  })

  it('writes atomically and leaves no temporary files', async () => {
    const dir = await tmp()
    const path = join(dir, 'f')
    await writeFileAtomic(path, 'one')
    await writeFileAtomic(path, 'two')
    assert.equal(await readFile(path, 'utf8'), 'two')
    assert.deepEqual(await readdir(dir), ['f'])
  })

  it('keeps the seqnum, and discards an unreadable one with a reason', async () => {
    const dir = await tmp()
    const discarded: string[] = []
    const store = new FileStore({ dir, onDiscard: (path, reason) => { discarded.push(`${path}: ${reason}`) } })
    assert.equal(await store.loadSeqnum(), 0n)
    await store.saveSeqnum(1_700_000_000_123n)
    assert.equal(await store.loadSeqnum(), 1_700_000_000_123n)
    await writeFile(join(dir, SEQNUM_FILE), 'garbage')
    assert.equal(await store.loadSeqnum(), 0n)
    await writeFile(join(dir, SEQNUM_FILE), '99999999999999999999')
    assert.equal(await store.loadSeqnum(), 0n, 'above 2^64-1')
    assert.equal(discarded.length, 2)
    assert.match(discarded[0], /seqnum/)
  })

  it('keeps the cache, and discards a damaged or oversized one with a reason', async () => {
    const dir = await tmp()
    const discarded: string[] = []
    const store = new FileStore({ dir, onDiscard: (_path, reason) => { discarded.push(reason) } })
    const records = [(await signed(await key())).signed, (await signed(await key())).signed]
    await store.saveCache(records.map(record => ({ record, originMs: T0 })))
    assert.deepEqual((await store.loadCache()).map(e => Uint8Array.from(e.record)), records)
    await writeFile(join(dir, CACHE_FILE), new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]))
    assert.deepEqual(await store.loadCache(), [])
    await writeFile(join(dir, CACHE_FILE), new Uint8Array(MAX_CACHE_FILE_BYTES + 1))
    assert.deepEqual(await store.loadCache(), [])
    assert.equal(discarded.length, 2)
    assert.match(discarded[0], /unreadable/)
    assert.match(discarded[1], /larger than/)
  })

  it('keeps each cached record\'s origin time and standing, in the order given', async () => {
    const store = new FileStore({ dir: await tmp() })
    const entries: CacheEntry[] = [
      { record: (await signed(await key())).signed, originMs: T0 - 1234, firstSeenMs: T0 - 60_000, refreshes: 7 },
      { record: (await signed(await key(), { withdrawn: true })).signed, originMs: T0 }
    ]
    await store.saveCache(entries)
    assert.deepEqual((await store.loadCache()).map(e => ({ ...e, record: Uint8Array.from(e.record) })), entries)
  })

  it('reads a cache of the old format, taking each record\'s issue time as its origin', async () => {
    const dir = await tmp()
    const record = await signed(await key(), { issuedAtMs: T0 - 5000 })
    await writeFile(join(dir, CACHE_FILE), CachedRecords.encode({ records: [record.signed as Uint8Array<ArrayBuffer>], entries: [] }))
    const [entry] = await new FileStore({ dir }).loadCache()
    assert.equal(entry.originMs, T0 - 5000)
    assert.equal(entry.firstSeenMs, undefined)
  })

  it('at its cap, the cache keeps the servers that matter, not the flood that came before them', async () => {
    const clock = { now: T0 }
    const table = new PeerTable({ now: () => clock.now, establishedAfterMs: 10 * 60_000, establishedAfterRefreshes: 2 })
    const established = crypto.getRandomValues(new Uint8Array(32))
    const joined = crypto.getRandomValues(new Uint8Array(32))
    table.offer(fakeRecord({ publicKey: established, seqnum: 1n, issuedAtMs: clock.now }))
    for (let i = 0; i < 200; i++) {
      table.offer(fakeRecord({ issuedAtMs: clock.now }))
    }
    const last: Uint8Array[] = []
    for (let i = 2; i <= 3; i++) {
      clock.now += 5 * 60_000
      const records = [fakeRecord({ publicKey: established, seqnum: BigInt(i), issuedAtMs: clock.now }),
        // a server that joined after the flood, refreshing
        fakeRecord({ publicKey: joined, seqnum: BigInt(i), issuedAtMs: clock.now })]
      records.forEach(r => table.offer(r))
      last.splice(0, 2, ...records.map(r => r.signed))
    }
    const store = new FileStore({ dir: await tmp(), maxCachedRecords: 5 })
    await store.saveCache(table.held().map(h => ({ record: h.record.signed, originMs: h.originMs, firstSeenMs: h.peer?.firstSeen, refreshes: h.refreshes })))
    const kept = await store.loadCache()
    assert.equal(kept.length, 5)
    assert.deepEqual(Uint8Array.from(kept[0].record), last[0], 'the established server first')
    assert.deepEqual(Uint8Array.from(kept[1].record), last[1], 'then the newcomer that refreshes')
    assert.equal(kept[0].refreshes, 2)
  })

  it('a node keeps its identity, and its seqnums only go up even when the counter file is lost or rolled back', async () => {
    const dir = await tmp()
    const node = await set.start({ dataDir: dir, storage: { enabled: true } })
    const id = node.peerId.toString()
    const first = node.introducer.getPeers(UPLOAD_STORAGE)[0].seqnum
    const savedSeqnum = await readFile(join(dir, SEQNUM_FILE), 'utf8')
    assert.equal(BigInt(savedSeqnum.trim()), node.introducer.getPeers('download_storage')[0].seqnum, 'persisted before use')
    await set.stopAll()

    await rm(join(dir, SEQNUM_FILE))
    const lost = await set.start({ dataDir: dir, storage: { enabled: true } })
    assert.equal(lost.peerId.toString(), id)
    const second = lost.introducer.getPeers(UPLOAD_STORAGE)[0].seqnum
    assert.ok(second > first, `after losing the counter: ${second} > ${first}`)
    await set.stopAll()

    // a snapshot restores the old counter file
    await writeFile(join(dir, SEQNUM_FILE), savedSeqnum)
    const restored = await set.start({ dataDir: dir, storage: { enabled: true } })
    const third = restored.introducer.getPeers(UPLOAD_STORAGE)[0].seqnum
    assert.ok(third > second, `after a rollback: ${third} > ${second}`)
    await set.stopAll()
  })

  it('a node restarted alone serves its peers from the cache, and drops a tampered record', async () => {
    const clientDir = await tmp()
    const client = await set.start({ dataDir: clientDir })
    const servers = [await set.start({ nickname: 's1', storage: { enabled: true } }), await set.start({ nickname: 's2', storage: { enabled: true } })]
    for (const s of servers) {
      await connect(client, s)
    }
    await client.introducer.waitForPeers(UPLOAD_STORAGE, 2, { signal: AbortSignal.timeout(10_000) })
    // stop the client first, so that it does not hear the servers withdraw
    await client.stop()
    await set.stopAll()

    const alone = await set.start({ dataDir: clientDir })
    assert.deepEqual(alone.introducer.getPeers(UPLOAD_STORAGE).map(p => p.nickname).sort(), ['s1', 's2'])
    await set.stopAll()

    // change one byte of s1's nickname inside its signed payload
    const cache = CachedRecords.decode(await readFile(join(clientDir, CACHE_FILE)))
    const s1Index = cache.entries.findIndex(e => peekAnnouncement(e.record)?.announcement.nickname === 's1' && peekAnnouncement(e.record)?.service === UPLOAD_STORAGE)
    const tampered = Uint8Array.from(cache.entries[s1Index].record)
    // the encoded field: tag of field 8 (length-delimited), length 2, "s1"
    const at = Buffer.from(tampered).indexOf(Buffer.from([8 << 3 | 2, 2, ...Buffer.from('s1')]))
    assert.ok(at >= 0, 'the nickname field is in the cached record')
    tampered[at + 2] = 'x'.charCodeAt(0)
    cache.entries[s1Index].record = tampered
    await writeFile(join(clientDir, CACHE_FILE), CachedRecords.encode(cache))
    const again = await set.start({ dataDir: clientDir })
    assert.deepEqual(again.introducer.getPeers(UPLOAD_STORAGE).map(p => p.nickname), ['s2'])
    await set.stopAll()
  })
})
