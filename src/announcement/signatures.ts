/**
 * Signature checks for intake, batched. Checks asked for in one turn of the event loop
 * (a sync frame's records are taken together, see sync2-transfer.ts) are made together:
 * up to INLINE_CHECKS here and at once, as for a gossip message; more are cut into chunks
 * of CHUNK_CHECKS, which worker threads (piscina, running signature-worker.ts) and this
 * thread share: the workers take chunks from the front, at most two each at a time, and
 * this thread takes one from the back on each turn of its event loop while any wait. So
 * a late joiner's thousand checks (OpenSSL: ~0.2 ms each on the bench machine) run
 * beside the rest of its intake instead of before it. Past BUSY_BATCHES batches in
 * BUSY_WINDOW_MS a batch also waits for the end of the event loop's turn, so that a flood
 * of gossip messages, each asking for one check from its own callback, is checked in
 * batches shared with the workers rather than one by one here. The rule is ed25519.ts's either
 * way. A chunk the pool cannot take (a worker gone) is checked here, so a check never
 * fails for want of a thread.
 */
import { availableParallelism } from 'node:os'
import { Piscina } from 'piscina'
import { verifyEd25519Now } from './ed25519.js'
import { packChecks, type SignatureCheck } from './signature-pack.js'

/** A batch of at most this many checks is made on the calling thread. */
export const INLINE_CHECKS = 4
/** Checks per chunk: small, so that answers flow back while the rest are checked, and this thread is never long away from its other work. */
export const CHUNK_CHECKS = 16
/** Chunks waiting at most (CHUNK_CHECKS each); past this, checks are made here at once. */
export const MAX_WAITING_CHUNKS = 1024
/** Chunks each worker thread holds at most: one checked, one ready. */
const CHUNKS_PER_THREAD = 2
/**
 * Past this many batches begun within BUSY_WINDOW_MS, a batch waits for the end of the
 * event loop's turn to gather more (a flood of gossip messages, each checked alone).
 */
export const BUSY_BATCHES = 64
export const BUSY_WINDOW_MS = 100

interface Pending {
  check: SignatureCheck
  resolve: (valid: boolean) => void
}

let pending: Pending[] = []
const waiting: Pending[][] = []
let onWorkers = 0
let turn: ReturnType<typeof setImmediate> | undefined
let pool: Piscina | undefined
/** Settles when the first thread has loaded its module (or failed to). */
let loaded: Promise<void> | undefined
let threadLoaded = false
const made = { here: 0, onWorkers: 0 }
const load = { since: 0, batches: 0 }

/** How many checks this process has made on its own thread and on the workers. */
export function signatureChecksMade (): { here: number, onWorkers: number } {
  return { ...made }
}

/**
 * The worker threads, started with the introduction service (or with the first large
 * batch, for a caller without one), so that a late joiner's first records find a thread
 * loaded: it takes ~90 ms to answer its first chunk. A process that exits while a
 * thread is still loading its module can crash in Node 22 (an assertion in its require
 * of an ES module, seen when a daemon refusing its configuration exited), so the
 * service's stop waits for that load (settleSignatureWorkers).
 */
export function prepareSignatureWorkers (): Piscina {
  if (pool == null) {
    pool = new Piscina({
      filename: new URL('./signature-worker.js', import.meta.url).href,
      // one thread stays (idle threads do not keep the process alive); on 2 cores, 1 thread
      minThreads: 1,
      maxThreads: Math.max(1, availableParallelism() - 1),
      idleTimeout: 30_000
    })
    // an empty chunk: answered once the thread has loaded signature-worker.js
    const empty = packChecks([])
    loaded = pool.run(empty, { transferList: [empty.lengths.buffer, empty.bytes.buffer] }).then(() => { threadLoaded = true }, () => {})
  }
  return pool
}

/** Whether a worker thread has loaded its module and answered. */
export function signatureWorkersLoaded (): boolean {
  return threadLoaded
}

/** Most a stop waits for the thread to load. */
const SETTLE_TIMEOUT_MS = 5_000

/** Resolves once the worker thread started has loaded (at most SETTLE_TIMEOUT_MS); at once when none was started. */
export async function settleSignatureWorkers (): Promise<void> {
  if (loaded == null) {
    return
  }
  let timer: ReturnType<typeof setTimeout> | undefined
  await Promise.race([loaded, new Promise<void>(resolve => { timer = setTimeout(resolve, SETTLE_TIMEOUT_MS) })])
  clearTimeout(timer)
}

/**
 * Whether `signature` is a valid Ed25519 signature of `data` by the raw key `publicKey`,
 * by the protocol's rule (ed25519.ts verifyEd25519Now). Never rejects.
 */
export async function verifyEd25519 (publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
  return new Promise(resolve => {
    if (pending.push({ check: [publicKey, data, signature], resolve }) === 1) {
      // quiet: at once (a gossip message's check adds no delay); busy: once this turn of
      // the event loop has read all it can, so that a flood's messages are checked as one
      // batch, shared with the workers, rather than one by one here
      if (busy()) {
        setImmediate(flush)
      } else {
        queueMicrotask(flush)
      }
    }
  })
}

/** Counts a batch begun; whether more than BUSY_BATCHES were begun in this BUSY_WINDOW_MS. */
function busy (): boolean {
  const now = performance.now()
  if (now - load.since >= BUSY_WINDOW_MS) {
    load.since = now
    load.batches = 0
  }
  return ++load.batches > BUSY_BATCHES
}

function flush (): void {
  const batch = pending
  pending = []
  if (batch.length <= INLINE_CHECKS || waiting.length >= MAX_WAITING_CHUNKS) {
    checkHere(batch)
    return
  }
  for (let i = 0; i < batch.length; i += CHUNK_CHECKS) {
    waiting.push(batch.slice(i, i + CHUNK_CHECKS))
  }
  dispatch()
}

/** Hands chunks to the workers while they have room, and takes one here on the next turn while any wait. */
function dispatch (): void {
  const workers = prepareSignatureWorkers()
  while (onWorkers < CHUNKS_PER_THREAD * workers.options.maxThreads && waiting.length > 0) {
    const chunk = waiting.shift() as Pending[]
    onWorkers++
    void offload(workers, chunk).finally(() => {
      onWorkers--
      dispatch()
    })
  }
  if (waiting.length > 0) {
    turn ??= setImmediate(() => {
      turn = undefined
      const chunk = waiting.pop()
      if (chunk != null) {
        checkHere(chunk)
        dispatch()
      }
    })
  }
}

function checkHere (batch: readonly Pending[]): void {
  for (const { check, resolve } of batch) {
    resolve(verifyEd25519Now(...check))
  }
  made.here += batch.length
}

async function offload (workers: Piscina, chunk: readonly Pending[]): Promise<void> {
  let answers: Uint8Array
  try {
    const packed = packChecks(chunk.map(p => p.check))
    answers = await workers.run(packed, { transferList: [packed.lengths.buffer, packed.bytes.buffer] })
  } catch {
    checkHere(chunk)
    return
  }
  made.onWorkers += chunk.length
  chunk.forEach(({ resolve }, i) => { resolve(answers[i] === 1) })
}
