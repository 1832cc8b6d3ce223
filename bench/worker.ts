/**
 * One benchmark node in its own OS process, driven by bench/run.ts over IPC.
 *
 * Mode `ours` runs createNode() from src/ (optionally with the introducer role); mode
 * `raw` runs a bare libp2p host (tcp, noise, yamux, identify, @libp2p/gossipsub with its
 * defaults, except the loopback colocation whitelist, allowPublishToZeroTopicPeers and
 * the same raised inbound connection limits as createNode) subscribed to the same topics.
 *
 * Bytes sent are counted by wrapping net.Socket#write: every byte libp2p hands to a TCP
 * socket (Noise ciphertext of yamux frames: gossipsub RPCs, identify, ping, sync), not
 * TCP/IP headers, not the IPC channel (which does not go through net.Socket#write).
 */
import net from 'node:net'
import { randomBytes } from 'node:crypto'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { gossipsub, type GossipSub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p, type Libp2p } from 'libp2p'
// Only what raw mode needs is imported statically (topic names): src/ is edited while
// benches run, and a raw node must not depend on the rest of it. ours mode imports it lazily.
import { DOWNLOAD_STORAGE, INTRODUCER, PREDEFINED_SERVICES, UPLOAD_STORAGE } from '../src/announcement/names.js'
import { serviceTopic } from '../src/gossip/topic.js'
import { signAnnouncement, signAnnouncementPayload } from '../src/announcement/record.js'
import type { IntroducerNode, ServicePeer } from '../src/index.js'
import {
  BENCH_GRID, decodeKey, encodeKeyed,
  type BurstResult, type DialArgs, type DialResult, type ExpectArgs, type IdleResult, type InitArgs, type InitResult,
  type JoinArgs, type JoinResult, type LeaveResult, type PrepareBurstArgs, type PrepareBurstResult, type PublishArgs,
  type PublishResult, type Request, type StatusResult, type WorkerMessage,
  type FloodResult, type FloodStartArgs, type PrepareFloodArgs, type ScoreArgs, type ScoreResult
} from './protocol.js'
import type { PrivateKey } from '@libp2p/interface'

// ---- byte counting (installed before any socket exists) ---------------------------------
let bytesSent = 0
// eslint-disable-next-line @typescript-eslint/unbound-method -- called with .apply(this) below
const originalWrite = net.Socket.prototype.write as (...args: unknown[]) => boolean
net.Socket.prototype.write = function (this: net.Socket, chunk: unknown, ...rest: unknown[]): boolean {
  if (this.remotePort != null) {
    if (chunk instanceof Uint8Array) {
      bytesSent += chunk.byteLength
    } else if (typeof chunk === 'string') {
      bytesSent += Buffer.byteLength(chunk)
    }
  }
  return originalWrite.apply(this, [chunk, ...rest])
}

// ---- state ------------------------------------------------------------------------------
const MEASURED_TOPIC = serviceTopic(BENCH_GRID, UPLOAD_STORAGE)
/** Loopback is exempt from gossipsub's IP-colocation penalty in both modes (all nodes share 127.0.0.1). */
const COLOCATION_WHITELIST = ['127.0.0.1', '::1']
const NONCE_BYTES = 16

let mode: 'ours' | 'raw' = 'ours'
let src: typeof import('../src/index.js') | undefined
let ours: IntroducerNode | undefined
let raw: Libp2p<{ pubsub: GossipSub }> | undefined
/** ours: live entries of upload_storage; raw: burst messages received. */
let held = 0
const expectations = new Map<string, number>()
let burstKeys: PrivateKey[] = []
let burstPayloads: Uint8Array[] = []
let idleMark: { cpu: NodeJS.CpuUsage, wall: number, bytes: number } | undefined
let attackerKey: PrivateKey | undefined
let floodPool: Uint8Array[] = []
let flooding: { stop(): void, done: Promise<FloodResult> } | undefined

function send (msg: WorkerMessage, then?: () => void): void {
  if (process.connected && process.send != null) {
    process.send(msg, undefined, {}, () => { then?.() })
  } else {
    then?.()
  }
}

function emit (key: string): void {
  send({ type: 'event', key, t: Date.now() })
}

function heldChanged (): void {
  for (const [key, target] of expectations) {
    if (held >= target) {
      expectations.delete(key)
      emit(key)
    }
  }
}

function pubsub (): GossipSub {
  const p = ours?.libp2p.services.pubsub ?? raw?.services.pubsub
  if (p == null) {
    throw new Error('node not started')
  }
  return p
}

function libp2p (): Libp2p {
  const l = ours?.libp2p ?? raw
  if (l == null) {
    throw new Error('node not started')
  }
  return l
}

function benchTag (peer: ServicePeer): string | undefined {
  return peer.service === UPLOAD_STORAGE ? peer.fields.bench : undefined
}

// ---- commands ---------------------------------------------------------------------------
async function init (args: InitArgs): Promise<InitResult> {
  const t0 = performance.now()
  mode = args.mode
  if (mode === 'ours') {
    src = await import('../src/index.js')
    attackerKey = args.attacker === true ? await generateKeyPair('Ed25519') : undefined
    const node = await src.createNode({ grid: BENCH_GRID, introducer: args.introducer, listen: ['/ip4/127.0.0.1/tcp/0'], privateKey: attackerKey })
    ours = node
    held = node.introducer.getPeers(UPLOAD_STORAGE).length
    const intro = node.introducer
    intro.addEventListener('peer:added', (evt) => {
      if (evt.detail.service === UPLOAD_STORAGE) {
        held++
        const tag = benchTag(evt.detail)
        if (tag != null) {
          emit(`added:${tag}`)
        }
        heldChanged()
      }
    })
    intro.addEventListener('peer:updated', (evt) => {
      const tag = benchTag(evt.detail)
      if (tag != null) {
        emit(`updated:${tag}`)
      }
    })
    const gone = (evt: CustomEvent<ServicePeer>): void => {
      if (evt.detail.service === UPLOAD_STORAGE) {
        held--
        emit(`withdrawn:${evt.detail.peerId.toString()}`)
      }
    }
    intro.addEventListener('peer:withdrawn', gone)
    intro.addEventListener('peer:expired', gone)
  } else {
    const node = await createLibp2p({
      privateKey: await generateKeyPair('Ed25519'),
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionManager: { inboundConnectionThreshold: 50, maxIncomingPendingConnections: 50 },
      services: {
        identify: identify(),
        pubsub: gossipsub({
          allowPublishToZeroTopicPeers: true,
          scoreParams: { IPColocationFactorWhitelist: new Set(COLOCATION_WHITELIST) }
        })
      }
    })
    raw = node
    // the same topics a createNode() node of this role subscribes to
    const services = args.introducer ? PREDEFINED_SERVICES : [INTRODUCER, UPLOAD_STORAGE, DOWNLOAD_STORAGE]
    for (const service of services) {
      node.services.pubsub.subscribe(serviceTopic(BENCH_GRID, service))
    }
    node.services.pubsub.addEventListener('message', (evt) => {
      if (evt.detail.topic !== MEASURED_TOPIC) {
        return
      }
      const key = decodeKey(evt.detail.data)
      if (key.startsWith('b:')) {
        held++
        heldChanged()
      } else {
        emit(`msg:${key}`)
      }
    })
  }
  return { peerId: libp2p().peerId.toString(), addrs: libp2p().getMultiaddrs().map(String), rss: process.memoryUsage().rss, startMs: performance.now() - t0 }
}

async function dial (args: DialArgs): Promise<DialResult> {
  const failed: string[] = []
  const results = await Promise.allSettled(args.addrs.map(async a => libp2p().dial(multiaddr(a), { signal: AbortSignal.timeout(args.timeoutMs) })))
  results.forEach((r, i) => {
    if (r.status === 'rejected') {
      failed.push(`${args.addrs[i]}: ${String(r.reason)}`)
    }
  })
  return { ok: results.length - failed.length, failed }
}

function status (): StatusResult {
  const p = pubsub()
  const mem = process.memoryUsage()
  return {
    connected: [...new Set(libp2p().getConnections().map(c => c.remotePeer.toString()))],
    topicPeers: p.getSubscribers(MEASURED_TOPIC).length,
    meshPeers: (p as unknown as { getMeshPeers(topic: string): string[] }).getMeshPeers(MEASURED_TOPIC).length,
    held,
    stats: ours?.introducer.stats(),
    rss: mem.rss,
    heapUsed: mem.heapUsed,
    bytesSent
  }
}

async function publish (args: PublishArgs): Promise<PublishResult> {
  if (ours != null) {
    const t0 = Date.now()
    await ours.introducer.publish(UPLOAD_STORAGE, { fields: { bench: args.tag } })
    const t1 = Date.now()
    const own = ours.introducer.getPeers(UPLOAD_STORAGE).find(p => p.peerId.equals(ours?.peerId))
    return { t0, t1, bytes: own?.record.signed.byteLength ?? 0 }
  }
  const data = encodeKeyed(args.tag, args.size)
  const t0 = Date.now()
  await pubsub().publish(MEASURED_TOPIC, data)
  return { t0, t1: Date.now(), bytes: data.byteLength }
}

/** Untimed preparation: keys (ours: M publishers' keys) or payloads (raw). */
async function prepareBurst (args: PrepareBurstArgs): Promise<PrepareBurstResult> {
  const t0 = performance.now()
  if (mode === 'ours') {
    burstKeys = await Promise.all(Array.from({ length: args.m }, async () => generateKeyPair('Ed25519')))
  } else {
    const run = randomBytes(4).toString('hex')
    burstPayloads = Array.from({ length: args.m }, (_, i) => encodeKeyed(`b:${run}:${i}`, args.size))
  }
  return { prepMs: performance.now() - t0 }
}

/**
 * Timed: ours signs one announcement per key (M distinct publishers) and gossips each on
 * the upload_storage topic through this node; raw publishes M payloads (gossipsub signs
 * each with this node's key under its default StrictSign).
 */
async function burst (): Promise<BurstResult> {
  const p = pubsub()
  let bytes = 0
  const t0 = Date.now()
  if (mode === 'ours') {
    const addr = multiaddr('/ip4/127.0.0.1/tcp/1')
    for (const key of burstKeys) {
      if (src == null) {
        throw new Error('ours mode not started')
      }
      const record = await signAnnouncement({
        grid: BENCH_GRID,
        service: UPLOAD_STORAGE,
        seqnum: 1n,
        nonce: randomBytes(NONCE_BYTES),
        issuedAtMs: Date.now(),
        ttlMs: src.DEFAULT_ANNOUNCEMENT_TTL_MS,
        nickname: '',
        version: 'gossip-introducer/bench',
        permutationSeed: new Uint8Array(),
        multiaddrs: [addr],
        readonly: false,
        fields: {},
        withdrawn: false
      }, key)
      bytes += record.signed.byteLength
      await p.publish(MEASURED_TOPIC, record.signed)
    }
  } else {
    for (const data of burstPayloads) {
      bytes += data.byteLength
      await p.publish(MEASURED_TOPIC, data)
    }
  }
  const count = Math.max(1, mode === 'ours' ? burstKeys.length : burstPayloads.length)
  burstKeys = []
  burstPayloads = []
  return { t0, t1: Date.now(), bytes: bytes / count }
}

function expect (args: ExpectArgs): null {
  expectations.set(args.key, args.target)
  heldChanged()
  return null
}

function idleStart (): null {
  idleMark = { cpu: process.cpuUsage(), wall: performance.now(), bytes: bytesSent }
  return null
}

function idleEnd (): IdleResult {
  if (idleMark == null) {
    throw new Error('idleStart was not called')
  }
  const cpu = process.cpuUsage(idleMark.cpu)
  const mem = process.memoryUsage()
  return {
    cpuMs: (cpu.user + cpu.system) / 1000,
    wallMs: performance.now() - idleMark.wall,
    rss: mem.rss,
    heapUsed: mem.heapUsed,
    bytesSent: bytesSent - idleMark.bytes
  }
}

/** Late joiner: connect to one node and wait until `target` entries are held. */
async function join (args: JoinArgs): Promise<JoinResult> {
  let done: number | null = null
  const reached = new Promise<void>(resolve => {
    const check = (): void => {
      if (held >= args.target) {
        done ??= Date.now()
        resolve()
      }
    }
    ours?.introducer.addEventListener('peer:added', check)
    check()
  })
  const tStart = Date.now()
  await libp2p().dial(multiaddr(args.addr), { signal: AbortSignal.timeout(args.timeoutMs) })
  const tDialed = Date.now()
  let timer: ReturnType<typeof setTimeout> | undefined
  await Promise.race([reached, new Promise<void>(resolve => { timer = setTimeout(resolve, args.timeoutMs) })])
  clearTimeout(timer)
  return { tStart, tDialed, tDone: done, held }
}

async function stopNode (): Promise<LeaveResult> {
  const t0 = Date.now()
  const stopping = ours != null ? ours.stop() : raw?.stop()
  let timer: ReturnType<typeof setTimeout> | undefined
  await Promise.race([stopping, new Promise<void>(resolve => { timer = setTimeout(resolve, 10_000) })])
  clearTimeout(timer)
  ours = undefined
  raw = undefined
  return { t0, t1: Date.now() }
}

// ---- flood (an attacker node) --------------------------------------------------------------
/**
 * Untimed: signs `count` distinct flood records with this node's key. rapid: valid
 * records with ever greater seqnums; forged: the same, but claiming another (random)
 * publisher's key, so that each fails the signature check.
 */
async function prepareFlood (args: PrepareFloodArgs): Promise<{ prepMs: number }> {
  const t0 = performance.now()
  if (src == null || attackerKey == null) {
    throw new Error('prepareFlood needs a worker started with attacker: true')
  }
  const { Announcement, SignedAnnouncement } = await import('../src/pb/announcement.js')
  const content = {
    grid: BENCH_GRID,
    service: UPLOAD_STORAGE,
    seqnum: 1n,
    nonce: new Uint8Array(NONCE_BYTES),
    issuedAtMs: Date.now(),
    ttlMs: src.DEFAULT_ANNOUNCEMENT_TTL_MS,
    nickname: 'attacker',
    version: 'gossip-introducer/bench',
    permutationSeed: new Uint8Array(),
    multiaddrs: [multiaddr('/ip4/127.0.0.1/tcp/1')],
    readonly: false,
    fields: {},
    withdrawn: false
  }
  const base = BigInt(Date.now()) * 1000n
  const victim = (await generateKeyPair('Ed25519')).publicKey.raw as Uint8Array<ArrayBuffer>
  const template = args.kind === 'forged'
    ? Announcement.decode(SignedAnnouncement.decode((await signAnnouncement(content, attackerKey)).signed).payload)
    : undefined
  floodPool = []
  for (let i = 0; i < args.count; i++) {
    const seqnum = base + BigInt(i)
    const nonce = randomBytes(NONCE_BYTES)
    if (template == null) {
      floodPool.push((await signAnnouncement({ ...content, seqnum, nonce }, attackerKey)).signed)
    } else {
      const payload = Announcement.encode({ ...template, seqnum, nonce, publicKey: victim })
      const signature = await signAnnouncementPayload(payload, attackerKey) as Uint8Array<ArrayBuffer>
      floodPool.push(SignedAnnouncement.encode({ payload, signature }))
    }
  }
  return { prepMs: performance.now() - t0 }
}

/** Sends the prepared records on the measured topic at `ratePerSec` until floodStop, maxMs or the pool ends. */
function floodStart (args: FloodStartArgs): null {
  const p = pubsub()
  const pool = floodPool
  floodPool = []
  const state = { stop: false }
  const done = (async (): Promise<FloodResult> => {
    const t0 = Date.now()
    let sent = 0
    let failed = 0
    while (!state.stop && sent < pool.length && Date.now() - t0 < args.maxMs) {
      const due = Math.min(pool.length, Math.floor((Date.now() - t0) * args.ratePerSec / 1000) + 1)
      while (sent < due) {
        await p.publish(MEASURED_TOPIC, pool[sent]).catch(() => { failed++ })
        sent++
      }
      await new Promise(resolve => setTimeout(resolve, 5))
    }
    return { sent, failed, ms: Date.now() - t0 }
  })()
  flooding = { stop: () => { state.stop = true }, done }
  return null
}

async function floodStop (): Promise<FloodResult> {
  if (flooding == null) {
    throw new Error('floodStart was not called')
  }
  flooding.stop()
  return flooding.done
}

function score (args: ScoreArgs): ScoreResult {
  return {
    score: (pubsub() as unknown as { getScore(id: string): number }).getScore(args.peerId),
    connected: libp2p().getConnections().some(c => c.remotePeer.toString() === args.peerId)
  }
}

async function dispatch (req: Request): Promise<unknown> {
  switch (req.cmd) {
    case 'init': return init(req.args as InitArgs)
    case 'dial': return dial(req.args as DialArgs)
    case 'status': return status()
    case 'publish': return publish(req.args as PublishArgs)
    case 'prepareBurst': return prepareBurst(req.args as PrepareBurstArgs)
    case 'burst': return burst()
    case 'expect': return expect(req.args as ExpectArgs)
    case 'idleStart': return idleStart()
    case 'idleEnd': return idleEnd()
    case 'join': return join(req.args as JoinArgs)
    case 'prepareFlood': return prepareFlood(req.args as PrepareFloodArgs)
    case 'floodStart': return floodStart(req.args as FloodStartArgs)
    case 'floodStop': return floodStop()
    case 'score': return score(req.args as ScoreArgs)
    case 'leave':
    case 'stop': return stopNode()
  }
}

process.on('message', (msg: Request) => {
  if (msg?.type !== 'request') {
    return
  }
  dispatch(msg).then(result => {
    // stop/leave: the process ends once the reply has left
    const last = msg.cmd === 'stop' || msg.cmd === 'leave'
    send({ type: 'reply', id: msg.id, ok: true, result }, last ? () => { process.exit(0) } : undefined)
  }, (err: unknown) => {
    send({ type: 'reply', id: msg.id, ok: false, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) })
  })
})

// never outlive the parent
process.on('disconnect', () => { process.exit(0) })
if (process.send == null) {
  console.error('bench/worker.js is started by bench/run.js (it needs an IPC channel)')
  process.exit(1)
}
