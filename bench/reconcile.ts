/**
 * `npm run build && node dist/bench/reconcile.js`: sync 2.0.0 between two sides over an
 * in-memory stream pair (@libp2p/utils streamPair), with seeded synthetic records (random
 * bytes standing in for signed records: this protocol does not look inside them).
 * Prints deterministic counts (messages, round trips, bytes) for in-sync sets of 100,
 * 1 000 and 10 000 records and for k = 1, 10, 100 differences out of 10 000, one-sided
 * and mixed, an empty initiator against 1 000 and 10 000 (a late joiner), then CPU ms per exchange at 10 000 (the only figure that depends on the
 * machine). Options: --seed=N, --record-bytes=N (default 500), --json.
 */
import { streamPair } from '@libp2p/utils'
import { ItemSet } from '../src/sync/reconcile/item-set.js'
import { recordDigest, type SyncItem } from '../src/sync/reconcile/item.js'
import { answerSync2, initiateSync2, type Sync2Summary } from '../src/sync/sync2-protocol.js'
import { rng } from './stats.js'

const GRID = 'bench'
const SERVICES = ['upload_storage', 'download_storage']

function option (name: string, fallback: number): number {
  const arg = process.argv.find(a => a.startsWith(`--${name}=`))
  return arg != null ? Number.parseInt(arg.slice(name.length + 3), 10) : fallback
}

const seed = option('seed', 1)
const recordBytes = option('record-bytes', 500)
const random = rng(seed)

function bytes (n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => Math.floor(random() * 256))
}

interface Held { item: SyncItem, record: Uint8Array }

function held (service: string, publicKey: Uint8Array, seqnum: bigint): Held {
  const record = bytes(recordBytes)
  return { item: { service, publicKey, seqnum, digest: recordDigest(record) }, record }
}

function fresh (): Held {
  return held(SERVICES[Math.floor(random() * SERVICES.length)], bytes(32), BigInt(1_700_000_000_000 + Math.floor(random() * 1e9)))
}

/** The same slot, a newer record. */
function newer (h: Held): Held {
  return held(h.item.service, h.item.publicKey, h.item.seqnum + 1n)
}

export interface Measured {
  messages: number
  roundTrips: number
  bytes: number
  recordBytes: number
  records: number
  cpuMs: number
}

async function exchange (a: Held[], b: Held[], prebuilt = true): Promise<Measured> {
  const [outbound, inbound] = await streamPair()
  const side = (list: Held[], items?: ItemSet): Parameters<typeof initiateSync2>[1] => {
    const byDigest = new Map(list.map(h => [Buffer.from(h.item.digest).toString('hex'), h.record]))
    return {
      grid: GRID,
      services: SERVICES,
      items: items ?? ItemSet.of(list.map(h => h.item)),
      getRecord: (item) => {
        const record = byDigest.get(Buffer.from(item.digest).toString('hex'))
        return record != null ? { record, ageMs: 1000 } : undefined
      },
      onRecord: () => {},
      timeoutMs: 120_000
    }
  }
  const setA = prebuilt ? ItemSet.of(a.map(h => h.item)) : undefined
  const setB = prebuilt ? ItemSet.of(b.map(h => h.item)) : undefined
  const cpu = process.cpuUsage()
  const [i]: Sync2Summary[] = await Promise.all([initiateSync2(outbound, side(a, setA)), answerSync2(inbound, side(b, setB))])
  const used = process.cpuUsage(cpu)
  const records = i.recordsSent + i.recordsReceived
  return {
    messages: i.messages,
    roundTrips: i.roundTrips,
    bytes: i.bytesSent + i.bytesReceived,
    recordBytes: records * recordBytes,
    records,
    cpuMs: (used.user + used.system) / 1000
  }
}

const rows: Array<Record<string, string | number>> = []
function report (name: string, m: Measured): void {
  rows.push({ case: name, messages: m.messages, roundTrips: m.roundTrips, bytes: m.bytes, records: m.records, overheadBytes: m.bytes - m.recordBytes })
}

for (const n of [100, 1000, 10_000]) {
  const set = Array.from({ length: n }, fresh)
  report(`in sync, ${n}`, await exchange(set, set))
}
const base = Array.from({ length: 10_000 }, fresh)
for (const k of [1, 10, 100]) {
  // one-sided: the responder lacks k records the initiator holds
  report(`one-sided k=${k} of 10000`, await exchange(base, base.slice(k)))
  // mixed: the responder holds a newer record for a third, lacks a third, has a third extra
  const step = Math.floor(base.length / k)
  const other: Held[] = []
  base.forEach((h, i) => {
    const which = i % step === 0 ? (i / step) % 3 : -1
    if (which === 0) other.push(newer(h))
    else if (which !== 1) other.push(h)
  })
  for (let j = 0; j < Math.floor(k / 3); j++) other.push(fresh())
  report(`mixed k=${k} of 10000`, await exchange(base, other))
}
// a late joiner: the initiator holds nothing, the responder 1 000 or 10 000
for (const n of [1000, 10_000]) {
  report(`empty initiator, ${n}`, await exchange([], base.slice(0, n)))
}

const cpu = {
  inSyncPrebuilt: (await exchange(base, base)).cpuMs,
  inSyncBuildingSets: (await exchange(base, base, false)).cpuMs,
  k100Prebuilt: (await exchange(base, base.slice(100))).cpuMs
}

if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ seed, recordBytes, rows, cpu }, null, 2))
} else {
  console.log(`sync 2.0.0, seed ${seed}, records of ${recordBytes} bytes; bytes are both directions, frames and prefixes included`)
  console.log('| case | messages | round trips | bytes | records moved | bytes beyond the records |')
  console.log('|---|---|---|---|---|---|')
  for (const r of rows) {
    console.log(`| ${r.case} | ${r.messages} | ${r.roundTrips} | ${r.bytes} | ${r.records} | ${r.overheadBytes} |`)
  }
  console.log(`CPU ms per exchange at 10 000 (both sides, one process): in sync ${cpu.inSyncPrebuilt.toFixed(0)} (item sets prebuilt), ` +
    `${cpu.inSyncBuildingSets.toFixed(0)} (building both item sets); one-sided k=100 ${cpu.k100Prebuilt.toFixed(0)}`)
}
