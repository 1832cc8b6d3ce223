/**
 * Withdrawals from keys never held (issue #10): a pusher process sends 52 000 of them
 * (7-day TTL, each under a fresh key) to an introducer process. Before the fixes they
 * were all kept as tombstones nobody saw (no metric) and handed to every late joiner,
 * whose sync then failed ("exceeds 50000 records") and missed new servers. Now they cost
 * no lasting state (the table keeps at most 1 024 such keys), the table's counts are
 * exported at /metrics, and late joiners get the live servers, including one that
 * joined after the flood, from small sync answers.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { UPLOAD_STORAGE } from '../../src/announcement/names.js'
import { DEFAULT_MAX_TOMBSTONES_PER_SERVICE, DEFAULT_MAX_WITHDRAWN_KEYS } from '../../src/peer-table.js'
import { figure } from '../helpers/figures.js'
import { metricSample, ProcessSet, rssMb, type NodeProcess } from '../helpers/processes.js'
import { startPusher } from '../helpers/record-pusher.js'
import { waitFor } from '../helpers/wait.js'
import type { StatusJson } from '../../src/daemon/status.js'

const GRID = 'withdrawals'
const WITHDRAWALS = 52_000
const LATE_JOINERS = 3
const JOIN_BOUND_MS = 20_000
/** Records a late joiner may receive in all: the live entries and at most the tombstone cap. */
const MAX_RECEIVED = DEFAULT_MAX_TOMBSTONES_PER_SERVICE + 100

describe('52 000 withdrawals from keys never held', { timeout: 480_000 }, () => {
  const set = new ProcessSet()
  let introducer: NodeProcess
  let server: NodeProcess
  let stopPusher = async (): Promise<void> => {}

  before(async () => {
    introducer = await set.start('introducer', ['--grid', GRID, '--introducer', '--nickname', 'i'])
    server = await set.start('server-1', ['--grid', GRID, '--storage', '--nickname', 's1', '--bootstrap', introducer.multiaddr])
    await waitFor('the introducer to hold the server', async () => (await introducer.peers(UPLOAD_STORAGE)).includes(server.peerId), 30_000, 200)
  })

  after(async () => {
    await stopPusher()
    await set.killAll()
  })

  it('cost no lasting state, are counted, and late joiners still get every live server', async () => {
    const pid = introducer.info?.pid ?? 0
    const rssBefore = await rssMb(pid)
    const pusher = startPusher({ target: introducer.multiaddr, grid: GRID, service: UPLOAD_STORAGE, count: WITHDRAWALS, rate: 1000, ttlMs: 7 * 24 * 3600_000, withdrawn: true })
    stopPusher = async () => { await pusher.stop() }
    await waitFor('the pusher to send its withdrawals', () => pusher.latest.done || !pusher.running, 300_000, 500)
    assert.equal(pusher.latest.sent, WITHDRAWALS)
    const received = async (): Promise<number> => {
      const { stats } = await introducer.api<StatusJson>()
      return stats.accepted + Object.values(stats.dropped).reduce((a, b) => a + (b ?? 0), 0)
    }
    await waitFor('the introducer to have them all', async () => await received() >= WITHDRAWALS, 60_000, 500)
    const text = await introducer.metrics()
    const withdrawnKeys = metricSample(text, 'introducer_withdrawn_keys')
    const tombstones = metricSample(text, 'introducer_table_tombstones', `{service="${UPLOAD_STORAGE}"}`)
    const live = metricSample(text, 'introducer_table_entries', `{service="${UPLOAD_STORAGE}"}`)
    const { dropped, accepted } = (await introducer.api<StatusJson>()).stats
    const rssAfter = await rssMb(pid)
    figure(`withdrawals: ${WITHDRAWALS} from fresh keys (7-day TTL) at the introducer: accepted ${accepted}, dropped ${JSON.stringify(dropped)}; ` +
      `it keeps ${withdrawnKeys} withdrawn keys, ${tombstones} tombstones, ${live} live ${UPLOAD_STORAGE} entries; RSS ${rssBefore.toFixed(0)} -> ${rssAfter.toFixed(0)} MB`)
    assert.ok(withdrawnKeys <= DEFAULT_MAX_WITHDRAWN_KEYS, `${withdrawnKeys} withdrawn keys`)
    assert.ok(tombstones <= DEFAULT_MAX_TOMBSTONES_PER_SERVICE, `${tombstones} tombstones`)
    assert.equal(live, 1, 'the one real server')

    const second = await set.start('server-2', ['--grid', GRID, '--storage', '--nickname', 's2', '--bootstrap', introducer.multiaddr])
    const want = [server.peerId, second.peerId].sort()
    const joins: string[] = []
    for (let i = 0; i < LATE_JOINERS; i++) {
      const t0 = Date.now()
      const joiner = await set.start(`late-${i}`, ['--grid', GRID, '--nickname', `late-${i}`, '--bootstrap', introducer.multiaddr])
      await waitFor(`late joiner ${i} to hold both servers`, async () =>
        JSON.stringify(await joiner.peers(UPLOAD_STORAGE)) === JSON.stringify(want), JOIN_BOUND_MS, 100)
      const { stats } = await joiner.api<StatusJson>()
      const got = stats.accepted + Object.values(stats.dropped).reduce((a, b) => a + (b ?? 0), 0)
      joins.push(`${Date.now() - t0} ms, ${got} records received`)
      assert.ok(got <= MAX_RECEIVED, `late joiner ${i} received ${got} records`)
      assert.equal(stats.syncFailures, 0)
      await joiner.kill('SIGTERM')
    }
    figure(`withdrawals: ${LATE_JOINERS} late joiners after them, each held both live servers (one joined after the flood): ${joins.join('; ')}`)
  })
})
