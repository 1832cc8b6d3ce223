/**
 * Load. This test's own node signs records for hundreds of distinct publishers (each with
 * its own Ed25519 key) and gossips them, steadily, for a while, to an introducer running
 * as a process. Meanwhile the introducer must answer every status query within a bound,
 * and its resident memory must stay bounded. Each publisher sends a record every 2 s,
 * within the default per-publisher rate limit, so that every record is real work (verified
 * and taken into the table), not an early drop.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { DOWNLOAD_STORAGE, UPLOAD_STORAGE } from '../../src/announcement/names.js'
import { signAnnouncement } from '../../src/announcement/record.js'
import { serviceTopic } from '../../src/gossip/topic.js'
import { createNode, type IntroducerNode } from '../../src/node.js'
import { ProcessSet, rssMb, type NodeProcess } from '../helpers/processes.js'
import { waitFor } from '../helpers/wait.js'
import type { PrivateKey } from '@libp2p/interface'
import { figure } from '../helpers/figures.js'

const GRID = 'load-test'
const PUBLISHERS = 400
/** Each publisher sends a record this often (the default rate limit is 1 a second). */
const PUBLISHER_INTERVAL_MS = 2000
const LOAD_MS = 20_000
/** Records are sent in batches this often. */
const TICK_MS = 100
const STATUS_EVERY_MS = 250
/**
 * A status query must be answered within this: a bound on "keeps answering", not a speed
 * target (the test process itself saturates a core signing records; figures go in docs).
 */
const STATUS_BOUND_MS = 5000
/** Resident memory may grow by at most this much from before the load to its end. */
const RSS_GROWTH_BOUND_MB = 100
/** ...and, over the second half of the load, by at most this much (it levels off). */
const RSS_LATE_GROWTH_BOUND_MB = 50

const sleep = async (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

describe('an introducer under sustained announcement traffic from hundreds of publishers', { timeout: 120_000 }, () => {
  const set = new ProcessSet()
  let target: NodeProcess
  let sender: IntroducerNode
  const keys: PrivateKey[] = []

  before(async () => {
    target = await set.start('introducer', ['--grid', GRID, '--introducer', '--nickname', 'target'])
    sender = await createNode({ grid: GRID, nickname: 'sender', bootstrap: [target.multiaddr] })
    for (let i = 0; i < PUBLISHERS; i++) {
      keys.push(await generateKeyPair('Ed25519'))
    }
    // the sender must see the target in both topics before gossiping to it
    for (const service of [UPLOAD_STORAGE, DOWNLOAD_STORAGE]) {
      await waitFor(`the target to join ${service}`, () =>
        sender.libp2p.services.pubsub.getSubscribers(serviceTopic(GRID, service)).some(p => p.toString() === target.peerId), 20_000, 50)
    }
  })

  after(async () => {
    await sender?.stop()
    await set.killAll()
  })

  it('answers status queries in time, keeps every publisher, and its memory levels off', async () => {
    const pid = target.info?.pid ?? 0
    const rss: Array<{ at: number, mb: number }> = []
    const rssBefore = await rssMb(pid)
    const latencies: number[] = []
    const failures: string[] = []
    let sent = 0
    let sendErrors = 0
    let stop = false

    const statusPoller = (async () => {
      while (!stop) {
        const t = Date.now()
        try {
          const response = await fetch(`${target.info?.http}/api/v1/status`, { signal: AbortSignal.timeout(STATUS_BOUND_MS) })
          await response.json()
          latencies.push(Date.now() - t)
        } catch (err) {
          failures.push(`${new Date(t).toISOString()}: ${(err as Error).message}`)
        }
        rss.push({ at: Date.now(), mb: await rssMb(pid) })
        await sleep(Math.max(0, STATUS_EVERY_MS - (Date.now() - t)))
      }
    })()

    const t0 = Date.now()
    const seqnum = BigInt(t0)
    let round = 0
    const perTick = Math.ceil(PUBLISHERS * TICK_MS / PUBLISHER_INTERVAL_MS)
    let next = 0
    const sendLoop = async (): Promise<void> => {
      // steady rate: perTick records every TICK_MS, publishers taken in turn
      for (let tick = 0; Date.now() - t0 < LOAD_MS; tick++) {
        const batch: Array<Promise<void>> = []
        for (let i = 0; i < perTick; i++) {
          const index = next % PUBLISHERS
          if (index === 0 && next > 0) round++
          next++
          const service = index % 2 === 0 ? UPLOAD_STORAGE : DOWNLOAD_STORAGE
          batch.push((async () => {
            const record = await signAnnouncement({
              grid: GRID,
              service,
              seqnum: seqnum + BigInt(round),
              nonce: crypto.getRandomValues(new Uint8Array(16)),
              issuedAtMs: Date.now(),
              ttlMs: 60_000,
              nickname: `load-${index}`,
              version: 'gossip-introducer/load-test',
              permutationSeed: new Uint8Array(),
              multiaddrs: [multiaddr(`/ip4/127.0.0.1/tcp/${10_000 + index}`)],
              readonly: false,
              availableSpace: 1e12,
              fields: { round: String(round) },
              withdrawn: false
            }, keys[index])
            await sender.libp2p.services.pubsub.publish(serviceTopic(GRID, service), record.signed)
            sent++
          })().catch(() => { sendErrors++ }))
        }
        await Promise.all(batch)
        await sleep(Math.max(0, t0 + (tick + 1) * TICK_MS - Date.now()))
      }
    }
    try {
      await sendLoop()
    } finally {
      stop = true
      await statusPoller
    }
    const loadMs = Date.now() - t0

    // every publisher is held, in its service
    const status = await waitFor('the target to hold every publisher', async () => {
      const s = await target.api('/api/v1/status')
      return (s.services[UPLOAD_STORAGE]?.known ?? 0) + (s.services[DOWNLOAD_STORAGE]?.known ?? 0) >= PUBLISHERS ? s : undefined
    }, 10_000, 200)
    const rssAfter = await rssMb(pid)
    const half = rss.filter(r => r.at >= t0 + LOAD_MS / 2)
    const rssMid = half[0]?.mb ?? rssBefore
    const rssPeak = Math.max(...rss.map(r => r.mb))
    latencies.sort((a, b) => a - b)
    const p = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN
    figure(`load: ${PUBLISHERS} publishers, ${sent} records in ${loadMs} ms (${Math.round(sent * 1000 / loadMs)}/s, ${sendErrors} send errors); ` +
      `target accepted ${status.stats.accepted}, dropped ${JSON.stringify(status.stats.dropped)}; ` +
      `${latencies.length} status queries, latency median ${p(0.5)} ms, p99 ${p(0.99)} ms, max ${latencies.at(-1)} ms, ${failures.length} failed; ` +
      `RSS ${rssBefore.toFixed(0)} MB before, ${rssMid.toFixed(0)} MB at half time, ${rssPeak.toFixed(0)} MB peak, ${rssAfter.toFixed(0)} MB after`)

    assert.deepEqual(failures, [], `status queries failed or took over ${STATUS_BOUND_MS} ms`)
    assert.ok(latencies.length >= LOAD_MS / STATUS_EVERY_MS / 4, `only ${latencies.length} status queries answered`)
    assert.ok(sent >= PUBLISHERS * (LOAD_MS / PUBLISHER_INTERVAL_MS) * 0.5, `only ${sent} records sent`)
    assert.ok(status.stats.accepted >= sent * 0.9, `the target accepted ${status.stats.accepted} of ${sent} records`)
    assert.ok(rssPeak - rssBefore < RSS_GROWTH_BOUND_MB, `RSS grew by ${(rssPeak - rssBefore).toFixed(0)} MB`)
    assert.ok(rssPeak - rssMid < RSS_LATE_GROWTH_BOUND_MB, `RSS grew by ${(rssPeak - rssMid).toFixed(0)} MB over the second half of the load`)
  })
})
