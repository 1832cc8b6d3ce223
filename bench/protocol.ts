/**
 * The IPC vocabulary between the bench parent (bench/run.ts) and its worker processes
 * (bench/worker.ts). One request gets one reply with the same id; workers also push
 * `event` messages (timestamped with Date.now(): every process reads the same clock).
 */

/** `ours`: createNode() from src/; `raw`: a bare libp2p + @libp2p/gossipsub host. */
export type Mode = 'ours' | 'raw'

export const BENCH_GRID = 'bench'

/** `attacker`: an ours node whose own key signs the flood (bench/run.ts flood phase). */
export interface InitArgs { mode: Mode, introducer: boolean, attacker?: boolean }
export interface InitResult { peerId: string, addrs: string[], rss: number, startMs: number }

export interface DialArgs { addrs: string[], timeoutMs: number }
export interface DialResult { ok: number, failed: string[] }

export interface StatusResult {
  /** Distinct remote peers with an open connection. */
  connected: string[]
  /** Peers known to be subscribed to the measured topic. */
  topicPeers: number
  /** Mesh peers of the measured topic. */
  meshPeers: number
  /** ours: entries held for the measured service; raw: burst messages received. */
  held: number
  /** ours: the introduction service's counters (accepted, dropped by reason, sync). */
  stats?: { accepted: number, dropped: Record<string, number | undefined>, syncRequestsServed: number, syncRequestsMade: number, syncFailures: number }
  rss: number
  heapUsed: number
  bytesSent: number
}

/** ours: publish (or update) this node's upload_storage record tagged `tag`. raw: publish a message keyed `tag`. */
export interface PublishArgs { tag: string, size: number }
export interface PublishResult { t0: number, t1: number, bytes: number }

export interface PrepareBurstArgs { m: number, size: number }
export interface PrepareBurstResult { prepMs: number }
export interface BurstResult { t0: number, t1: number, bytes: number }

/** Push an event `key` when `held` reaches `target`. */
export interface ExpectArgs { key: string, target: number }

export interface IdleResult { cpuMs: number, wallMs: number, rss: number, heapUsed: number, bytesSent: number }

export interface JoinArgs { addr: string, target: number, timeoutMs: number }
export interface JoinResult { tStart: number, tDialed: number, tDone: number | null, held: number }

export interface LeaveResult { t0: number, t1: number }

/**
 * Flood phase. `forged`: records claiming another publisher's key, signed by the attacker
 * (every one fails the signature check); `rapid`: valid records of the attacker's own key
 * with ever greater seqnums (over the rate limit after its burst). All are signed before
 * the flood starts, so that sending is all the attacker does while it floods.
 */
export type FloodKind = 'forged' | 'rapid'
export interface PrepareFloodArgs { kind: FloodKind, count: number }
export interface FloodStartArgs { ratePerSec: number, maxMs: number }
export interface FloodResult { sent: number, failed: number, ms: number }
/** A peer's gossipsub score at this node, and whether this node is still connected to it. */
export interface ScoreArgs { peerId: string }
export interface ScoreResult { score: number, connected: boolean }

export type Command =
  | 'init' | 'dial' | 'status' | 'publish' | 'prepareBurst' | 'burst' | 'expect'
  | 'idleStart' | 'idleEnd' | 'join' | 'leave' | 'stop'
  | 'prepareFlood' | 'floodStart' | 'floodStop' | 'score'

export interface Request { type: 'request', id: number, cmd: Command, args?: unknown }
export interface Reply { type: 'reply', id: number, ok: boolean, result?: unknown, error?: string }
export interface BenchEvent { type: 'event', key: string, t: number }
export type WorkerMessage = Reply | BenchEvent

/** Raw payloads carry their key: 1 length byte, the ASCII key, then filler. */
export function encodeKeyed (key: string, size: number): Uint8Array {
  const k = new TextEncoder().encode(key)
  const out = new Uint8Array(Math.max(size, k.byteLength + 1))
  out[0] = k.byteLength
  out.set(k, 1)
  for (let i = k.byteLength + 1; i < out.byteLength; i++) {
    out[i] = Math.floor(Math.random() * 256)
  }
  return out
}

export function decodeKey (data: Uint8Array): string {
  return new TextDecoder().decode(data.subarray(1, 1 + (data[0] ?? 0)))
}
