/**
 * Wrong clocks (issue #10): daemon processes whose wall clocks are a day ahead and a day
 * behind (libfaketime; their monotonic clocks are left alone) join a grid whose
 * introducer and client keep the true time. Before expiry went by the holder's clock, a
 * node an hour off was invisible and saw nobody (`expired` / `from-future`). Now every
 * node holds every server, 48 h apart included; a killed server leaves everyone's table
 * within its TTL by their own clocks; a stopped one is withdrawn; and the introducer,
 * which gets each server's records from the server itself, warns of both clocks and
 * counts them at /metrics.
 */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import { UPLOAD_STORAGE } from '../../src/announcement/names.js'
import { figure } from '../helpers/figures.js'
import { metricSample, ProcessSet, type NodeProcess } from '../helpers/processes.js'
import { waitFor } from '../helpers/wait.js'

const GRID = 'clocks'
const TTL_MS = 6000
/** How long after a kill every holder must have dropped the server: its TTL and a margin for load. */
const EXPIRY_BOUND_MS = TTL_MS + 10_000
const DAY_MIN = 24 * 60

const LIBFAKETIME = [
  '/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1',
  '/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1',
  '/usr/lib/faketime/libfaketimeMT.so.1'
].find(existsSync)

const unavailable = LIBFAKETIME == null ? 'libfaketime is not installed (Debian package faketime; .ci/run installs it)' : undefined
if (unavailable != null) {
  process.stdout.write(`# clock tests skipped: ${unavailable}\n`)
}

/** The environment that sets a process's wall clock `offset` (e.g. '+24h') off the true time. */
function clockOff (offset: string): NodeJS.ProcessEnv {
  return { LD_PRELOAD: LIBFAKETIME ?? '', FAKETIME: offset, FAKETIME_DONT_FAKE_MONOTONIC: '1', FAKETIME_NO_CACHE: '1' }
}

describe('nodes whose clocks are a day off', { timeout: 180_000, skip: unavailable ?? false }, () => {
  const set = new ProcessSet()
  let introducer: NodeProcess
  let client: NodeProcess
  let ahead: NodeProcess
  let behind: NodeProcess
  let onTime: NodeProcess

  before(async () => {
    introducer = await set.start('introducer', ['--grid', GRID, '--introducer', '--nickname', 'i'])
    const join = ['--grid', GRID, '--bootstrap', introducer.multiaddr]
    const server = [...join, '--storage', '--ttl-ms', String(TTL_MS)]
    ahead = await set.start('ahead', [...server, '--nickname', 'ahead'], undefined, clockOff('+24h'))
    behind = await set.start('behind', [...server, '--nickname', 'behind'], undefined, clockOff('-24h'))
    onTime = await set.start('on-time', [...server, '--nickname', 'on-time'])
    client = await set.start('client', [...join, '--nickname', 'c'], undefined, clockOff('-24h'))
  })

  after(async () => {
    await set.killAll()
  })

  it('the processes really run a day off', async () => {
    // an HTTP answer's Date header is the answering process's clock
    const clockOf = async (p: NodeProcess): Promise<number> =>
      Date.parse((await fetch(`${p.info?.http}/health`, { signal: AbortSignal.timeout(10_000) })).headers.get('date') ?? '')
    const t = Date.now()
    const aheadBy = await clockOf(ahead) - t
    const behindBy = t - await clockOf(behind)
    assert.ok(Math.abs(aheadBy - DAY_MIN * 60_000) < 60_000, `ahead by ${aheadBy} ms`)
    assert.ok(Math.abs(behindBy - DAY_MIN * 60_000) < 60_000, `behind by ${behindBy} ms`)
  })

  it('every node holds every server, publishes, and is held', async () => {
    const want = [ahead.peerId, behind.peerId, onTime.peerId].sort()
    const t0 = Date.now()
    for (const p of [introducer, client]) {
      await waitFor(`${p.name} to hold all three servers`, async () => JSON.stringify(await p.peers(UPLOAD_STORAGE)) === JSON.stringify(want), 30_000, 100)
    }
    // the servers hold each other: 48 h apart, ahead and behind included
    for (const p of [ahead, behind, onTime]) {
      const others = want.filter(id => id !== p.peerId)
      await waitFor(`${p.name} to hold the other servers`, async () => {
        const held = await p.peers(UPLOAD_STORAGE)
        return others.every(id => held.includes(id))
      }, 30_000, 100)
    }
    figure(`clocks: servers at +24 h, -24 h and on time and a client at -24 h: every node held every server ${Date.now() - t0} ms after the last start`)
    // records refreshed for several TTLs stay held: nothing expires early by a wrong clock
    await new Promise(resolve => setTimeout(resolve, 3 * TTL_MS))
    assert.deepEqual(await client.peers(UPLOAD_STORAGE), want)
    assert.deepEqual(await introducer.peers(UPLOAD_STORAGE), want)
  })

  it('the introducer warns of both far-off clocks and counts them', async () => {
    const warned = (name: string, direction: string): boolean =>
      introducer.output.some(line => line.includes(`looks ${DAY_MIN} min ${direction} ours`) && line.includes(name))
    await waitFor('the introducer to warn of both clocks', () => warned(ahead.peerId, 'ahead of') && warned(behind.peerId, 'behind'), 10_000, 100)
    assert.ok(!introducer.output.some(line => line.includes(onTime.peerId) && line.includes('looks')), 'no warning for the on-time server')
    const skews = metricSample(await introducer.metrics(), 'introducer_peer_clock_skew_total')
    assert.ok(skews >= 2, `introducer_peer_clock_skew_total ${skews}`)
  })

  it('a killed server a day ahead leaves every table within its TTL; a stopped one a day behind is withdrawn', async () => {
    await ahead.kill('SIGKILL')
    const killedAt = Date.now()
    for (const p of [introducer, client, behind, onTime]) {
      await waitFor(`${p.name} to drop the killed server`, async () => !(await p.peers(UPLOAD_STORAGE)).includes(ahead.peerId), EXPIRY_BOUND_MS - (Date.now() - killedAt), 100)
    }
    const expiredMs = Date.now() - killedAt
    assert.equal(await behind.kill('SIGTERM'), 0)
    const stoppedAt = Date.now()
    for (const p of [introducer, client, onTime]) {
      await waitFor(`${p.name} to drop the stopped server`, async () => !(await p.peers(UPLOAD_STORAGE)).includes(behind.peerId), TTL_MS / 2, 100)
    }
    figure(`clocks: the server at +24 h killed: gone everywhere after ${expiredMs} ms (TTL ${TTL_MS} ms); the one at -24 h stopped: withdrawn everywhere after ${Date.now() - stoppedAt} ms`)
    assert.deepEqual(await client.peers(UPLOAD_STORAGE), [onTime.peerId])
  })
})
