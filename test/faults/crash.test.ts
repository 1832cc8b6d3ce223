/**
 * Crash safety. A storage server with the shortest TTL (it refreshes, so writes its
 * seqnum, once a second per service, and rewrites its cache every second) is
 * killed with SIGKILL at random moments, many times, and restarted each time. After each
 * kill: the seqnum file is whole and not lower than before; the cache file is whole (the
 * node loads it on restart) or, if not, the node says it discarded it; and the first
 * record the node publishes after restarting has a seqnum above every one a peer saw
 * before the kill and above the one on disk.
 *
 * The peer is this test's own node. Its publisher rate limit is raised so that the
 * restarts' extra publications (each start publishes at once) can never be what is tested.
 */
import assert from 'node:assert/strict'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { DOWNLOAD_STORAGE, UPLOAD_STORAGE } from '../../src/announcement/names.js'
import { createNode, type IntroducerNode } from '../../src/node.js'
import { CachedRecords } from '../../src/pb/cache.js'
import { ProcessSet, type NodeProcess } from '../helpers/processes.js'
import { waitFor } from '../helpers/wait.js'
import type { ServicePeer } from '../../src/peer-table.js'
import { figure } from '../helpers/figures.js'

const GRID = 'crash-test'
const MAX_ITERATIONS = 40
/** The loop stops starting new iterations after this long... */
const BUDGET_MS = 60_000
/**
 * ...and must have got through at least this many. A restart takes about 1-2 s on an idle
 * machine (30-40 iterations fit), but up to 8 s on a starved one (load average 28 on 2
 * cores was seen): the floor is low so that the test fails for crashes, not for load.
 */
const MIN_ITERATIONS = 5
/** The node is killed this long after it is up, drawn uniformly. */
const MAX_KILL_DELAY_MS = 1500

async function readSeqnum (dir: string): Promise<bigint | undefined> {
  let text: string
  try {
    text = await readFile(join(dir, 'seqnum'), 'utf8')
  } catch {
    return undefined
  }
  assert.match(text, /^\d{1,20}\n$/, `seqnum file torn: ${JSON.stringify(text)}`)
  return BigInt(text.trim())
}

/** Records in cache.pb, or an error message when it does not decode, or undefined when absent. */
async function readCache (dir: string): Promise<number | string | undefined> {
  let bytes: Buffer
  try {
    bytes = await readFile(join(dir, 'cache.pb'))
  } catch {
    return undefined
  }
  try {
    const cache = CachedRecords.decode(bytes)
    return cache.records.length + cache.entries.length
  } catch (err) {
    return (err as Error).message
  }
}

/** Runs `start` with DEBUG=introducer, which makes a node process log what it loaded from its cache. */
async function withDebug<T> (start: () => Promise<T>): Promise<T> {
  const debug = process.env.DEBUG
  process.env.DEBUG = 'introducer'
  try {
    return await start()
  } finally {
    if (debug == null) delete process.env.DEBUG
    else process.env.DEBUG = debug
  }
}

interface Seen { service: string, seqnum: bigint, issuedAt: number }

describe('a node killed with SIGKILL while it writes its seqnum and cache', { timeout: 150_000 }, () => {
  const set = new ProcessSet()
  let peer: IntroducerNode
  let server: NodeProcess
  const seen: Seen[] = []

  before(async () => {
    peer = await createNode({
      grid: GRID,
      nickname: 'peer',
      storage: { enabled: true },
      publisherRateLimit: { burst: 1000, perSecond: 1000 }
    })
    const dir = await set.dir('server')
    server = await withDebug(async () => set.start('server', ['--grid', GRID, '--storage', '--ttl-ms', '3000', '--nickname', 'server', '--no-http',
      '--dial-retry-max-ms', '1000', '--bootstrap', peer.getMultiaddrs()[0].toString()], dir))
    const onRecord = (evt: CustomEvent<ServicePeer>): void => {
      if (evt.detail.peerId.toString() === server.info?.peerId) {
        seen.push({ service: evt.detail.service, seqnum: evt.detail.seqnum, issuedAt: evt.detail.issuedAt })
      }
    }
    peer.introducer.addEventListener('peer:added', onRecord)
    peer.introducer.addEventListener('peer:updated', onRecord)
  })

  after(async () => {
    await set.killAll()
    await peer?.stop()
  })

  it('restarts every time with a whole cache (or says why not) and never reuses a seqnum', async () => {
    const t0 = Date.now()
    let iterations = 0
    let cacheLoads = 0
    let cacheDiscards = 0
    let writesInterrupted = 0
    const interruptedFiles = new Set<string>()
    let restartMs = 0
    let restartedAt = t0
    let onDiskAfterKill = 0n
    let killDelays = 0
    const dir = server.dir
    while (iterations < MAX_ITERATIONS && Date.now() - t0 < BUDGET_MS) {
      // up: the peer gets a record the node signed since it (re)started, above all before
      const startedAt = restartedAt
      const first = await waitFor(`the peer to get a record signed after restart ${iterations}`, () =>
        seen.find(s => s.issuedAt >= startedAt), 20_000, 10)
      assert.ok(first.seqnum > onDiskAfterKill, `restart ${iterations}: seqnum ${first.seqnum} not above ${onDiskAfterKill} on disk at the kill`)
      const previous = seen.filter(s => s.issuedAt < startedAt)
      const before = previous.reduce((m, s) => s.seqnum > m ? s.seqnum : m, 0n)
      assert.ok(first.seqnum > before, `restart ${iterations}: seqnum ${first.seqnum} not above ${before} seen before the kill`)

      const delay = Math.floor(Math.random() * MAX_KILL_DELAY_MS)
      killDelays += delay
      await new Promise(resolve => setTimeout(resolve, delay))
      const onDiskBefore = await readSeqnum(dir)
      const killedPid = server.info?.pid
      await server.kill('SIGKILL')
      iterations++
      const onDisk = await readSeqnum(dir)
      assert.ok(onDisk != null && onDiskBefore != null && onDisk >= onDiskBefore, `seqnum on disk went from ${onDiskBefore} to ${onDisk}`)
      const interrupted = (await readdir(dir)).filter(f => f.includes(`.tmp-${killedPid}-`))
      if (interrupted.length > 0) {
        writesInterrupted++
        interruptedFiles.add(interrupted.map(f => f.replace(/\.tmp-.*/, '')).join('+'))
      }
      onDiskAfterKill = onDisk
      const cache = await readCache(dir)

      const lines = server.output.length
      restartedAt = Date.now()
      await withDebug(async () => server.start())
      restartMs += Date.now() - restartedAt
      const output = server.output.slice(lines)
      const discarded = output.filter(l => /discarded/.test(l))
      if (typeof cache === 'string') {
        // a torn cache (atomic writes should make this impossible) must be discarded with a reason
        assert.ok(discarded.length > 0, `cache.pb did not decode (${cache}) and the node did not say it discarded it:\n${output.join('\n')}`)
        cacheDiscards++
      } else {
        assert.deepEqual(discarded, [], `a whole cache was discarded: ${discarded.join('\n')}`)
        if (cache != null && cache > 0) {
          // its own records are not restored (it publishes fresh ones): loaded + dropped = all
          await waitFor(`restart ${iterations} to report its cache`, () => server.output.slice(lines).some(l => /cache: \d+ records loaded/.test(l)), 5000, 20)
          const line = server.output.slice(lines).find(l => /cache: \d+ records loaded/.test(l)) ?? ''
          const [, loaded, dropped] = /cache: (\d+) records loaded, (\d+)/.exec(line) ?? []
          assert.equal(Number(loaded) + Number(dropped), cache, line)
          if (Number(loaded) > 0) cacheLoads++
        }
      }
    }
    // a restart removes what the writes it interrupted left
    const leftovers = (await readdir(dir)).filter(f => f.includes('.tmp-') && !f.includes(`.tmp-${server.info?.pid}-`))
    assert.deepEqual(leftovers, [], 'temporary files of killed processes are left in the data directory')
    for (const service of [UPLOAD_STORAGE, DOWNLOAD_STORAGE]) {
      const seqnums = seen.filter(s => s.service === service).map(s => s.seqnum)
      for (let i = 1; i < seqnums.length; i++) {
        assert.ok(seqnums[i] > seqnums[i - 1], `${service}: the peer took seqnum ${seqnums[i]} after ${seqnums[i - 1]}`)
      }
    }
    const elapsed = Date.now() - t0
    figure(`crash: ${iterations} SIGKILLs in ${elapsed} ms (kill ${Math.round(killDelays / iterations)} ms after start on average, restart ${Math.round(restartMs / iterations)} ms on average); ` +
      `${seen.length} records seen by the peer, seqnum strictly increasing; ${writesInterrupted} kills interrupted a write${interruptedFiles.size > 0 ? ` (${[...interruptedFiles].join(', ')})` : ''}, leaving a temporary file that the restart removed; ` +
      `cache restored with the peer's record ${cacheLoads} times, discarded ${cacheDiscards} times`)
    assert.ok(iterations >= MIN_ITERATIONS, `only ${iterations} iterations in ${elapsed} ms`)
    assert.ok(cacheLoads > 0, `no restart loaded the peer's record from the cache in ${iterations} iterations`)
  })
})
