/**
 * Connection floods against a real introducer process (issue #10). The attacker is its own
 * process binding 127.0.0.2, so the introducer sees it as another host than the test's
 * honest dials and late joiners on 127.0.0.1:
 *
 * - 80 silent TCP sockets (20 new a second) that never start a handshake;
 * - 298 complete libp2p connections from 8 identities.
 *
 * During each flood, honest dials from 127.0.0.1 must all succeed, and a late-joining node
 * process must hold the full state (the grid's storage servers) within 2x of the time it
 * takes without a flood.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { figure } from '../helpers/figures.js'
import { startFlooder, type Flooder, type FlooderConfig } from '../helpers/flooder.js'
import { freePort, ProcessSet, type NodeProcess } from '../helpers/processes.js'
import { FatalWaitError, waitFor } from '../helpers/wait.js'

const GRID = ['--grid', 'flood-test']
const ATTACKER_ADDRESS = '127.0.0.2'
const HONEST_DIAL_TIMEOUT_MS = 5000
/** A late joiner that takes longer than this under a flood has clearly failed. */
const LATE_JOIN_LIMIT_MS = 25_000
/** Timing slack for a loaded 2-core machine, on top of the 2x target. */
const SLACK_MS = 1000

const sleep = async (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

/**
 * `count` dials from fresh identities on 127.0.0.1, started `spacingMs` apart; a dial
 * succeeds when the connection is up within the timeout and still open 1 s later.
 */
async function honestDials (target: string, count: number, spacingMs = 250): Promise<number> {
  const results = await Promise.all(Array.from({ length: count }, async (_, i) => {
    await sleep(i * spacingMs)
    const node = await createLibp2p({ transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()] })
    try {
      const connection = await node.dial(multiaddr(target), { signal: AbortSignal.timeout(HONEST_DIAL_TIMEOUT_MS) })
      await sleep(1000)
      return connection.status === 'open'
    } catch {
      return false
    } finally {
      await node.stop()
    }
  }))
  return results.filter(Boolean).length
}

describe('connection floods against an introducer process', { timeout: 180_000 }, () => {
  const set = new ProcessSet()
  const flooders: Flooder[] = []
  let introducer: NodeProcess
  let servers: string[]
  let lateJoiners = 0
  let quietMs: number

  /** Starts a late-joining client and returns the ms until it holds every storage server (or the limit). */
  async function lateJoin (): Promise<number> {
    const t0 = Date.now()
    const late = await set.start(`late-${lateJoiners++}`, [...GRID, '--bootstrap', introducer.multiaddr])
    try {
      await waitFor('the late joiner to hold every storage server', async () =>
        JSON.stringify(await late.peers('upload_storage')) === JSON.stringify(servers), LATE_JOIN_LIMIT_MS - (Date.now() - t0), 50)
      return Date.now() - t0
    } catch {
      return Infinity
    } finally {
      await late.kill('SIGKILL')
    }
  }

  async function flood (config: Omit<FlooderConfig, 'target' | 'localAddress'>, ready: (f: Flooder) => boolean): Promise<Flooder> {
    const flooder = startFlooder({ ...config, target: introducer.multiaddr, localAddress: ATTACKER_ADDRESS })
    flooders.push(flooder)
    await waitFor('the flood to build up', () => {
      if (flooder.child.exitCode !== null) throw new FatalWaitError(`the flooder exited with ${flooder.child.exitCode}`)
      return ready(flooder)
    }, 20_000, 100)
    return flooder
  }

  before(async () => {
    const port = await freePort()
    introducer = await set.start('introducer', [...GRID, '--introducer', '--listen', `/ip4/127.0.0.1/tcp/${port}`])
    const started = await Promise.all([0, 1].map(async i =>
      set.start(`server-${i}`, [...GRID, '--storage', '--bootstrap', introducer.multiaddr])))
    servers = started.map(s => s.peerId).sort()
    await waitFor('the introducer to hold both servers', async () =>
      JSON.stringify(await introducer.peers('upload_storage')) === JSON.stringify(servers), 20_000)
  })

  after(async () => {
    await Promise.allSettled(flooders.map(async f => f.stop()))
    await set.killAll()
  })

  it('without a flood: honest dials and a late joiner (the baseline)', async () => {
    const dials = await honestDials(introducer.multiaddr, 8)
    quietMs = await lateJoin()
    figure(`connection flood baseline: honest dials ${dials}/8, late joiner full state in ${quietMs} ms`)
    assert.equal(dials, 8)
    assert.ok(Number.isFinite(quietMs))
  })

  it('80 silent sockets from one host: honest dials from another all succeed, a late joiner is within 2x', async () => {
    const flooder = await flood({ mode: 'silent', count: 80, rate: 20 }, f => f.latest.attempts >= 80)
    const dials = await honestDials(introducer.multiaddr, 8)
    const lateMs = await lateJoin()
    const counters = flooder.latest
    await flooder.stop()
    figure(`silent-socket flood (80 from ${ATTACKER_ADDRESS}, 20/s): honest dials ${dials}/8, late joiner ${lateMs} ms ` +
      `(quiet ${quietMs} ms, ${(lateMs / quietMs).toFixed(2)}x); attacker: ${JSON.stringify(counters)}`)
    assert.equal(dials, 8)
    assert.ok(lateMs <= 2 * quietMs + SLACK_MS, `late joiner took ${lateMs} ms, quiet ${quietMs} ms`)
  })

  it('298 complete connections from one host (8 identities): honest dials all succeed, a late joiner is within 2x', async () => {
    const flooder = await flood({ mode: 'connections', count: 298, rate: 40, identities: 8 },
      f => f.latest.open >= 298 || f.latest.failed >= 100)
    const held = (await introducer.api()).node.connections
    const dials = await honestDials(introducer.multiaddr, 5)
    const lateMs = await lateJoin()
    const counters = flooder.latest
    await flooder.stop()
    figure(`complete-connection flood (298 from ${ATTACKER_ADDRESS}, 8 identities): introducer held ${held} connections; ` +
      `honest dials ${dials}/5, late joiner ${lateMs} ms (quiet ${quietMs} ms, ${(lateMs / quietMs).toFixed(2)}x); attacker: ${JSON.stringify(counters)}`)
    assert.equal(dials, 5)
    assert.ok(lateMs <= 2 * quietMs + SLACK_MS, `late joiner took ${lateMs} ms, quiet ${quietMs} ms`)
  })
})
