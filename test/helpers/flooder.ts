/**
 * A connection flooder for tests, run as its own OS process (`startFlooder`) so that its
 * CPU is not the test's. It binds its sockets to `localAddress` (e.g. 127.0.0.2: all of
 * 127.0.0.0/8 is loopback on Linux) so that the target sees another host than the test's
 * honest dials from 127.0.0.1.
 *
 * - `silent`: keeps `count` TCP sockets open that never send a byte;
 * - `connections`: keeps `count` complete libp2p connections (TCP, Noise, Yamux) open
 *   from `identities` keys, spread over them.
 *
 * Either way it opens at most `rate` new sockets a second and replaces those the target
 * closes. It prints one JSON line of counters every 250 ms and exits when its stdin
 * closes (so it never outlives the test) or on SIGTERM.
 */
import { connect, type Socket } from 'node:net'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { tcp, type TCPSocketOptions } from '@libp2p/tcp'
import { getNetConfig } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p, type Libp2p } from 'libp2p'
import { runIfMain, startCounterProcess, type CounterProcess } from './counter-process.js'

export interface FlooderConfig {
  mode: 'silent' | 'connections'
  /** The target's multiaddr (`/ip4/127.0.0.1/tcp/PORT/p2p/ID`). */
  target: string
  localAddress: string
  count: number
  /** New sockets per second, at most. */
  rate: number
  /** Keys to spread the connections over (mode `connections`). */
  identities?: number
  /**
   * The flooder's nice value. On a network the attacker's CPU is its own; on one shared
   * machine a niced flooder takes less CPU from the processes whose times are measured.
   * @default 0
   */
  nice?: number
}

export interface FlooderCounters {
  /** Sockets (silent) or connections (connections) open now. */
  open: number
  /** Attempts so far. */
  attempts: number
  /** Attempts the target refused or closed before they were complete. */
  failed: number
  /** Open ones the target closed later. */
  closedByTarget: number
}

const sleep = async (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

async function main (config: FlooderConfig): Promise<void> {
  const counters: FlooderCounters = { open: 0, attempts: 0, failed: 0, closedByTarget: 0 }
  let running = true
  const stop = (): void => { running = false }
  process.once('SIGTERM', stop)
  process.stdin.on('end', stop)
  process.stdin.on('close', stop)
  process.stdin.resume()
  const report = setInterval(() => { process.stdout.write(JSON.stringify(counters) + '\n') }, 250)

  const target = multiaddr(config.target)
  const { host, port } = getNetConfig(target)
  if (port == null) throw new Error(`no port in ${config.target}`)
  const sockets = new Set<Socket>()
  const nodes: Libp2p[] = []
  if (config.mode === 'connections') {
    for (let i = 0; i < (config.identities ?? 1); i++) {
      nodes.push(await createLibp2p({
        // localAddress is passed through to net.connect (TCPSocketOptions types only a subset)
        transports: [tcp({ dialOpts: { localAddress: config.localAddress } as TCPSocketOptions })],
        connectionEncrypters: [noise()],
        streamMuxers: [yamux()],
        connectionMonitor: { enabled: false }
      }))
    }
  }
  const open = (): number => config.mode === 'silent' ? sockets.size : nodes.reduce((n, node) => n + node.getConnections().length, 0)

  const openSilent = (): void => {
    const socket = connect({ host, port, localAddress: config.localAddress })
    let connected = false
    sockets.add(socket)
    socket.on('connect', () => { connected = true })
    socket.on('error', () => {})
    socket.on('close', () => {
      sockets.delete(socket)
      if (connected) counters.closedByTarget++
      else counters.failed++
    })
  }
  let next = 0
  const dialOne = async (node: Libp2p): Promise<void> => {
    try {
      const connection = await node.dial(target, { force: true, signal: AbortSignal.timeout(10_000) })
      connection.addEventListener('close', () => { if (running) counters.closedByTarget++ })
    } catch {
      counters.failed++
    }
  }
  const inFlight = new Set<Libp2p>()

  const intervalMs = 1000 / config.rate
  while (running) {
    const t0 = Date.now()
    counters.open = open()
    if (counters.open + inFlight.size < config.count) {
      counters.attempts++
      if (config.mode === 'silent') {
        openSilent()
      } else {
        // one dial at a time per identity: libp2p joins concurrent dials to one peer
        const node = nodes.map((_, i) => nodes[(next + i) % nodes.length]).find(n => !inFlight.has(n))
        if (node != null) {
          next = (nodes.indexOf(node) + 1) % nodes.length
          inFlight.add(node)
          void dialOne(node).finally(() => inFlight.delete(node))
        }
      }
    }
    await sleep(Math.max(0, intervalMs - (Date.now() - t0)))
  }
  clearInterval(report)
  for (const socket of sockets) socket.destroy()
  await Promise.allSettled(nodes.map(async n => n.stop()))
  process.exit(0)
}

/** The flooder process; `latest` holds its last counters. */
export type Flooder = CounterProcess<FlooderCounters>

export function startFlooder (config: FlooderConfig): Flooder {
  return startCounterProcess<FlooderCounters>(import.meta.url, config, { open: 0, attempts: 0, failed: 0, closedByTarget: 0 }, config.nice)
}

runIfMain<FlooderConfig>(import.meta.url, 'flooder', main)
