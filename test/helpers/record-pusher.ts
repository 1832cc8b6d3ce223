/**
 * A Sybil record pusher for tests, run as its own OS process (`startPusher`) so that its
 * CPU and event loop are not the test's (a test process busy publishing reads its
 * children's output late, and a daemon writing its log to a full pipe blocks). It signs
 * `count` records, each under a fresh key, connects to the target as a bare gossip peer
 * (GossipPeer) and publishes them on the service's topic at `rate` a second. It prints
 * one JSON line of counters every 250 ms, `"done": true` once all are sent, and exits
 * when its stdin closes or on SIGTERM.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { signAnnouncement } from '../../src/announcement/record.js'
import { serviceTopic } from '../../src/gossip/topic.js'
import { GossipPeer } from './gossip-peer.js'
import { runIfMain, startCounterProcess, type CounterProcess } from './counter-process.js'
import { content } from './records.js'

export interface PusherConfig {
  /** The target's multiaddr, ending in /p2p/<id>. */
  target: string
  grid: string
  service: string
  count: number
  /** Records published per second, at most. */
  rate: number
  ttlMs: number
  withdrawn?: boolean
  /** Addresses the records announce. @default none */
  multiaddrs?: string[]
  localAddress?: string
}

export interface PusherCounters {
  signed: number
  sent: number
  failed: number
  done: boolean
}

const sleep = async (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

async function main (config: PusherConfig): Promise<void> {
  const counters: PusherCounters = { signed: 0, sent: 0, failed: 0, done: false }
  let running = true
  const stop = (): void => { running = false }
  process.once('SIGTERM', stop)
  process.stdin.on('end', stop)
  process.stdin.on('close', stop)
  process.stdin.resume()
  const report = setInterval(() => { process.stdout.write(JSON.stringify(counters) + '\n') }, 250)
  const records: Uint8Array[] = []
  const issuedAtMs = Date.now()
  for (let i = 0; i < config.count && running; i++) {
    records.push((await signAnnouncement(content({
      grid: config.grid,
      service: config.service,
      seqnum: BigInt(issuedAtMs),
      issuedAtMs,
      ttlMs: config.ttlMs,
      nickname: `sybil-${i}`,
      withdrawn: config.withdrawn ?? false,
      multiaddrs: (config.multiaddrs ?? []).map(a => multiaddr(a))
    }), await generateKeyPair('Ed25519'))).signed)
    counters.signed++
  }
  const peer = await GossipPeer.start({ grid: config.grid, localAddress: config.localAddress })
  const topic = serviceTopic(config.grid, config.service)
  await peer.join(config.target, topic)
  const batch = Math.max(1, Math.ceil(config.rate / 20))
  for (let i = 0; i < records.length && running; i += batch) {
    const t0 = Date.now()
    const results = await Promise.all(records.slice(i, i + batch).map(async r => peer.publish(topic, r)))
    counters.sent += results.filter(Boolean).length
    counters.failed += results.filter(ok => !ok).length
    await sleep(Math.max(0, batch * 1000 / config.rate - (Date.now() - t0)))
  }
  counters.done = true
  process.stdout.write(JSON.stringify(counters) + '\n')
  while (running) {
    await sleep(100)
  }
  clearInterval(report)
  await peer.stop()
  process.exit(0)
}

/** The pusher process; `latest` holds its last counters. */
export type Pusher = CounterProcess<PusherCounters>

export function startPusher (config: PusherConfig): Pusher {
  return startCounterProcess<PusherCounters>(import.meta.url, config, { signed: 0, sent: 0, failed: 0, done: false }, undefined)
}

runIfMain<PusherConfig>(import.meta.url, 'pusher', main)
