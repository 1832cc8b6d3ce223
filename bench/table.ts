/**
 * Micro-benchmark of the peer table alone (no network, no signatures): CPU time to take N
 * records, each arriving 1 ms after the last, then to forget them all the way the node
 * does it (a timer at `nextExpiry()` that calls `expire()`), one deadline at a time.
 *
 *   npm run build && node_modules/.bin/node dist/bench/table.js [N ...]   # default 20000 40000
 *   node_modules/.bin/node --expose-gc dist/bench/table.js --sybil [N]    # default 20000
 *
 * `--sybil`: N fresh keys with one upload_storage record each, against the default caps:
 * entries kept, evicted, and heap growth (after a full GC when --expose-gc is given).
 *
 * Records are built, not signed: the table never checks signatures (openAnnouncement does,
 * before it), so this measures the table's own bookkeeping.
 */
import { PeerTable } from '../src/peer-table.js'
import { fakeRecord } from '../test/helpers/fake-records.js'

const T0 = 1_700_000_000_000
const SERVICES = ['upload_storage', 'download_storage', 'helper', 'introducer']

function cpuMs (since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since)
  return (used.user + used.system) / 1000
}

function run (n: number): { n: number, takeCpuMs: number, expireCpuMs: number, timers: number } {
  const clock = { now: T0 }
  // caps far above n, so that every record is taken (the options are ignored by a table without caps)
  const table = new PeerTable({ now: () => clock.now, maxPeersPerService: n, maxPeers: n })
  const records = Array.from({ length: n }, (_, i) => fakeRecord({ service: SERVICES[i % SERVICES.length], issuedAtMs: T0 + i }))
  let start = process.cpuUsage()
  for (let i = 0; i < n; i++) {
    clock.now = T0 + i
    table.offer(records[i])
  }
  const takeCpuMs = cpuMs(start)
  start = process.cpuUsage()
  let timers = 0
  let expired = 0
  for (let next = table.nextExpiry(); next != null; next = table.nextExpiry()) {
    clock.now = Math.max(clock.now, next)
    expired += table.expire().length
    timers++
  }
  const expireCpuMs = cpuMs(start)
  if (expired !== n) {
    throw new Error(`expired ${expired} of ${n}`)
  }
  return { n, takeCpuMs: Math.round(takeCpuMs), expireCpuMs: Math.round(expireCpuMs), timers }
}

function sybil (n: number): { n: number, live: number, evicted: number, heapGrowthMb: number, takeCpuMs: number } {
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  const heapBefore = process.memoryUsage().heapUsed
  const records = Array.from({ length: n }, () => fakeRecord({ issuedAtMs: T0 }))
  const table = new PeerTable({ now: () => T0 })
  const start = process.cpuUsage()
  for (const r of records) {
    table.offer(r)
  }
  const takeCpuMs = cpuMs(start)
  records.length = 0
  gc?.()
  const heapGrowthMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20
  const live = table.getPeers('upload_storage').length
  const counts = (table as { counts?: () => { services: Map<string, { evicted: number }> } }).counts?.()
  return { n, live, evicted: counts?.services.get('upload_storage')?.evicted ?? 0, heapGrowthMb: Math.round(heapGrowthMb), takeCpuMs: Math.round(takeCpuMs) }
}

const args = process.argv.slice(2)
if (args[0] === '--sybil') {
  console.log(JSON.stringify(sybil(Number(args[1] ?? 20_000))))
} else {
  for (const n of args.length > 0 ? args.map(Number) : [20_000, 40_000]) {
    console.log(JSON.stringify(run(n)))
  }
}
