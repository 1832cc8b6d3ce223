/**
 * Sybil keys at the first hop (issue #10): one peer pushes 20 000 fresh keys, one valid
 * `upload_storage` record each, into an introducer process, which a client process is
 * connected to. Before the budgets every node took them all (RSS 123 -> 310 MB, status
 * 4 -> 294 ms, on a main without the table's caps); the caps then bound it at 10 000 per
 * service. With the budget for new entries per handing peer, the introducer takes the
 * burst and then the refill rate, so what it holds, and what reaches the client, is
 * bounded by how long the flood lasts; a real server that joins afterwards still reaches
 * the client.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { UPLOAD_STORAGE } from '../../src/announcement/names.js'
import { NEW_ENTRIES_PER_PEER } from '../../src/introduction/constants.js'
import { figure } from '../helpers/figures.js'
import { ProcessSet, rssMb, type NodeProcess } from '../helpers/processes.js'
import { startPusher } from '../helpers/record-pusher.js'
import { waitFor } from '../helpers/wait.js'
import type { StatusJson } from '../../src/daemon/status.js'

const GRID = 'sybil-keys'
const KEYS = 20_000
const sleep = async (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

/** The status, waiting up to 60 s (the helper's 5 s is too short for a node under this flood). */
async function status (p: NodeProcess): Promise<StatusJson> {
  const response = await fetch(`${p.info?.http}/api/v1/status`, { signal: AbortSignal.timeout(60_000) })
  return response.json() as Promise<StatusJson>
}

async function statusMs (p: NodeProcess): Promise<number> {
  const t0 = Date.now()
  await status(p)
  return Date.now() - t0
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN

async function known (p: NodeProcess): Promise<number> {
  return (await status(p)).services[UPLOAD_STORAGE]?.known ?? 0
}

describe('20 000 fresh keys pushed into one introducer by one peer', { timeout: 420_000 }, () => {
  const set = new ProcessSet()
  let introducer: NodeProcess
  let client: NodeProcess
  let stopPusher = async (): Promise<void> => {}

  before(async () => {
    introducer = await set.start('introducer', ['--grid', GRID, '--introducer', '--nickname', 'i'])
    client = await set.start('client', ['--grid', GRID, '--nickname', 'c', '--bootstrap', introducer.multiaddr])
    await waitFor('the client to connect to the introducer', async () => (await client.api<StatusJson>()).introducers.connected >= 1, 30_000, 200)
  })

  after(async () => {
    await stopPusher()
    await set.killAll()
  })

  it('are taken within the budget only, at the introducer and at the client', async () => {
    const pid = introducer.info?.pid ?? 0
    const quiet: number[] = []
    for (let i = 0; i < 10; i++) quiet.push(await statusMs(introducer))
    const rssBefore = await rssMb(pid)

    const pusher = startPusher({ target: introducer.multiaddr, grid: GRID, service: UPLOAD_STORAGE, count: KEYS, rate: Number(process.env.PUSH_RATE ?? 500), ttlMs: 15 * 60_000 })
    stopPusher = async () => { await pusher.stop() }
    await waitFor('the pusher to sign its records', () => pusher.latest.signed >= KEYS || !pusher.running, 300_000, 500)

    const during: number[] = []
    let rssPeak = rssBefore
    let flooding = true
    const poller = (async () => {
      while (flooding) {
        during.push(await statusMs(introducer).catch(() => 60_000))
        rssPeak = Math.max(rssPeak, await rssMb(pid).catch(() => 0))
        await sleep(250)
      }
    })()
    const t0 = Date.now()
    let floodMs = 0
    let held = -1
    try {
      await waitFor('the pusher to send its records', () => pusher.latest.done || !pusher.running, 180_000, 100)
      floodMs = Date.now() - t0
      // until the introducer's count stands still
      for (let now = await known(introducer); now !== held; now = await known(introducer)) {
        held = now
        await sleep(3000)
      }
    } finally {
      flooding = false
      await poller
    }
    const settledMs = Date.now() - t0
    const atClient = await known(client)
    const { dropped, accepted } = (await status(introducer)).stats
    const received = accepted + Object.values(dropped).reduce((a, b) => a + (b ?? 0), 0)
    const afterFlood: number[] = []
    for (let i = 0; i < 10; i++) afterFlood.push(await statusMs(introducer))
    const rssAfter = await rssMb(pid)

    // a real server joins: it must reach the client through the introducer
    const server = await set.start('server', ['--grid', GRID, '--storage', '--nickname', 's', '--bootstrap', introducer.multiaddr])
    const s0 = Date.now()
    let serverMs: number | undefined
    try {
      await waitFor('the new server to reach the client', async () =>
        (await client.peers(UPLOAD_STORAGE)).includes(server.peerId), 30_000, 250)
      serverMs = Date.now() - s0
    } finally {
      figure(`sybil keys: ${KEYS} fresh keys pushed by one peer (${pusher.latest.sent} sent) in ${floodMs} ms (settled after ${settledMs} ms): the introducer holds ${held}, the client ${atClient}; ` +
        `introducer received ${received}, accepted ${accepted}, dropped ${JSON.stringify(dropped)}; RSS ${rssBefore.toFixed(0)} MB before, ${rssPeak.toFixed(0)} MB peak, ${rssAfter.toFixed(0)} MB after; ` +
        `status median ${median(quiet)} ms quiet, ${median(during)} ms (max ${Math.max(...during)}) during, ${median(afterFlood)} ms after; ` +
        `a new server at the client after ${serverMs ?? 'never (30 s)'} ms`)
    }
    const bound = NEW_ENTRIES_PER_PEER.burst + NEW_ENTRIES_PER_PEER.perSecond * (settledMs / 1000 + 5)
    assert.ok(held <= bound, `the introducer holds ${held} Sybil entries (bound ${bound.toFixed(0)})`)
    assert.ok(atClient <= held + 1, `the client holds ${atClient}, more than the introducer relayed`)
    assert.ok(received >= KEYS * 0.9, `only ${received} of ${KEYS} records reached the introducer`)
    assert.ok((dropped['too-many-new'] ?? 0) > 0)
    // the introducer's log: not one line per Sybil entry, but so many per 10 s and a count of the rest
    const addedLines = introducer.output.filter(l => l.includes(' added upload_storage ')).length
    assert.ok(addedLines <= 20 * (settledMs / 10_000 + 3), `${addedLines} lines of added peers in the introducer's log`)
    assert.ok(introducer.output.some(l => /added \d+ more peers/.test(l)), 'the log says how many more were added')
  })
})
