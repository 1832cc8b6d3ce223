/**
 * A late join between two nodes, without the grid: a holder in a child process carries
 * `--m` records of distinct publishers (published through publishSigned, as the grid's
 * injector does), and a fresh joiner here dials it and is timed until it holds them all.
 * Repeats `--runs` times with a new joiner each time. This isolates the joiner's
 * per-record cost (decode, check, table, relays) from the grid's load; `npm run bench`
 * is the figure the issues quote. With --cold each join runs in a fresh process of its
 * own (its start not timed), as the grid's late joiners do. BENCH_JOIN_PROFILE=<dir> writes a CPU profile of
 * each join (bench/worker/cpu-profile.ts).
 *
 *   node dist/bench/join.js --m=1000 --runs=5 [--cold]
 */
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { createNode, UPLOAD_STORAGE } from '../src/index.js'
import { BENCH_GRID } from './protocol.js'
import { signBurstRecord } from './worker/burst-record.js'
import { CpuProfile } from './worker/cpu-profile.js'

const JOIN_TIMEOUT_MS = 30_000
/** One for all joins (or the holder's), so that each window gets its own file. */
const profile = CpuProfile.fromEnv('BENCH_JOIN_PROFILE')

function flag (name: string, dflt: number, max: number): number {
  const arg = process.argv.find(a => a.startsWith(`--${name}=`))
  const v = arg == null ? dflt : Number(arg.slice(name.length + 3))
  if (!Number.isInteger(v) || v < 1 || v > max) {
    throw new Error(`--${name} must be a whole number from 1 to ${max}, not ${arg}`)
  }
  return v
}

async function holder (m: number): Promise<void> {
  const node = await createNode({ grid: BENCH_GRID, listen: ['/ip4/127.0.0.1/tcp/0'] })
  for (let i = 0; i < m; i++) {
    await node.introducer.publishSigned(await signBurstRecord(await generateKeyPair('Ed25519')))
  }
  // BENCH_JOIN_PROFILE: the holder's side of each join too, from the connection to its close
  if (profile != null) {
    node.libp2p.addEventListener('connection:open', () => { void profile.start() })
    node.libp2p.addEventListener('connection:close', () => { void profile.stop('holder') })
  }
  process.send?.({ addr: node.libp2p.getMultiaddrs()[0].toString(), held: node.introducer.getPeers(UPLOAD_STORAGE).length })
  process.on('disconnect', () => { void node.stop().then(() => process.exit(0)) })
}

interface JoinResult { dialMs: number, identifyMs: number | null, firstMs: number | null, allMs: number | null }

async function joinOnce (addr: string, target: number): Promise<JoinResult> {
  const node = await createNode({ grid: BENCH_GRID, listen: ['/ip4/127.0.0.1/tcp/0'] })
  try {
    let held = 0
    let identified: number | null = null
    node.libp2p.addEventListener('peer:identify', () => { identified ??= Date.now() })
    let first: number | null = null
    let done: number | null = null
    const reached = new Promise<void>(resolve => {
      node.introducer.addEventListener('peer:added', (evt) => {
        if (evt.detail.service !== UPLOAD_STORAGE) return
        first ??= Date.now()
        if (++held >= target) {
          done ??= Date.now()
          resolve()
        }
      })
    })
    await profile?.start()
    const t0 = Date.now()
    await node.libp2p.dial(multiaddr(addr), { signal: AbortSignal.timeout(JOIN_TIMEOUT_MS) })
    const dialled = Date.now()
    let timer: ReturnType<typeof setTimeout> | undefined
    await Promise.race([reached, new Promise<void>(resolve => { timer = setTimeout(resolve, JOIN_TIMEOUT_MS) })])
    clearTimeout(timer)
    await profile?.stop('join')
    return { dialMs: dialled - t0, identifyMs: identified == null ? null : identified - t0, firstMs: first == null ? null : first - t0, allMs: done == null ? null : done - t0 }
  } finally {
    await node.stop()
  }
}

/** --cold: one join in this fresh process (forked by main), its result sent back. */
async function coldJoiner (): Promise<void> {
  const arg = (name: string): string => process.argv.find(a => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? ''
  const res = await joinOnce(arg('addr'), Number(arg('target')))
  process.send?.(res, () => { process.disconnect() })
}

/** A child's first message (or a rejection when it exits first or takes over `ms`). */
async function firstMessage<T> (child: ReturnType<typeof fork>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error(`${what} did not answer within ${ms / 1000} s`)) }, ms)
    child.once('message', (msg) => { clearTimeout(timer); resolve(msg as T) })
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${what} exited (${code})`)) })
  })
}

async function main (): Promise<void> {
  if (process.argv.includes('--holder')) {
    await holder(flag('m', 1000, 20_000))
    return
  }
  if (process.argv.includes('--joiner')) {
    await coldJoiner()
    return
  }
  const m = flag('m', 1000, 20_000)
  const runs = flag('runs', 5, 50)
  const cold = process.argv.includes('--cold')
  const self = fileURLToPath(import.meta.url)
  const child = fork(self, ['--holder', `--m=${m}`], { stdio: 'inherit' })
  try {
    const ready = await firstMessage<{ addr: string, held: number }>(child, 120_000, 'the holder')
    const all: number[] = []
    for (let r = 0; r < runs; r++) {
      let res: JoinResult
      if (cold) {
        const joiner = fork(self, ['--joiner', `--addr=${ready.addr}`, `--target=${ready.held}`], { stdio: 'inherit' })
        res = await firstMessage<JoinResult>(joiner, JOIN_TIMEOUT_MS + 30_000, 'a joiner')
      } else {
        res = await joinOnce(ready.addr, ready.held)
      }
      console.log(`join ${r + 1}/${runs}: dial ${res.dialMs} ms, identify ${res.identifyMs ?? '-'} ms, first entry ${res.firstMs ?? '-'} ms, all ${ready.held} ${res.allMs ?? 'not'} ms`)
      if (res.allMs != null) all.push(res.allMs)
    }
    all.sort((a, b) => a - b)
    console.log(`median ${all[Math.floor(all.length / 2)]} ms, worst ${all[all.length - 1]} ms (${all.length}/${runs} joined${cold ? ', each in a fresh process' : ''})`)
  } finally {
    child.disconnect()
  }
}

await main()
