/**
 * One PB connection after negotiation (foolscap/broker.py): banana in both directions,
 * calls to our objects answered in order of arrival, our calls matched to their answers,
 * references in both directions, keepalive PINGs and an idle timeout. A protocol error
 * sends an ERROR token and closes this connection only.
 */
import type { Duplex } from 'node:stream'
import { BananaDecoder, type TopMessage } from './banana-decode.js'
import { BananaWriter } from './banana-encode.js'
import { TokenReader } from './banana-tokens.js'
import { BananaError, CallTimeoutError, DeadReferenceError, Violation } from './errors.js'
import { failureCopyable, failureToError } from './failure.js'
import { parseFurl } from './furl.js'
import { RemoteReference } from './remote-reference.js'
import { INITIAL_VOCAB_TABLES } from './vocab.js'
import { fromUtf8, type BananaValue, type CallContext, type Referenceable } from './values.js'
import type { ResolvedLimits } from './limits.js'
import { KeyError, errorType, namedArgs } from './call-args.js'

export interface BrokerInit {
  socket: Duplex
  rest: Uint8Array
  vocabIndex: number
  theirTubId: string
  remoteAddress: string
  limits: ResolvedLimits
  /** Objects published by name (the swissnum of a FURL). */
  lookupName: (name: string) => Referenceable | undefined
  /** Called once when the connection is gone, with the reason. */
  onClosed?: (reason: Error | undefined) => void
}

interface Pending {
  resolve: (v: BananaValue) => void
  reject: (e: Error) => void
  timer: NodeJS.Timeout
}

export class Broker {
  readonly theirTubId: string
  readonly remoteAddress: string
  closed = false
  private readonly socket: Duplex
  private readonly reader: TokenReader
  private readonly decoder: BananaDecoder
  private readonly writer: BananaWriter
  private readonly limits: ResolvedLimits
  private readonly lookupName: BrokerInit['lookupName']
  private readonly onClosed: BrokerInit['onClosed']
  private readonly mine = new Map<Referenceable, { clid: number, sent: number }>()
  private readonly mineByClid = new Map<number, Referenceable>()
  private readonly theirs = new Map<number, RemoteReference>()
  private readonly pending = new Map<number, Pending>()
  private readonly closeListeners = new Set<() => void>()
  private nextClid = 1
  private nextReqId = 1
  private inboundCalls = 0
  private bytesIn = 0
  private lastReceived = Date.now()
  private lastPing = 0
  private readonly timer: NodeJS.Timeout
  private readonly context: CallContext

  constructor (init: BrokerInit) {
    this.socket = init.socket
    this.theirTubId = init.theirTubId
    this.remoteAddress = init.remoteAddress
    this.limits = init.limits
    this.lookupName = init.lookupName
    this.onClosed = init.onClosed
    const isClosed = (): boolean => this.closed
    this.context = {
      remoteTubId: init.theirTubId,
      remoteAddress: init.remoteAddress,
      get connected () { return !isClosed() },
      onDisconnect: listener => this.onClose(listener)
    }
    const vocab = INITIAL_VOCAB_TABLES[init.vocabIndex]
    this.reader = new TokenReader(init.limits, vocab)
    this.writer = new BananaWriter(vocab, { mine: obj => this.exportObject(obj) })
    this.decoder = new BananaDecoder(init.limits, {
      theirs: (clid, iname, url) => this.importReference(clid, iname, url),
      ours: clid => {
        const obj = this.mineByClid.get(clid)
        if (obj === undefined) throw new BananaError(`your-reference to unknown clid ${clid}`)
        return obj
      }
    })
    this.socket.on('data', (chunk: Buffer) => this.receive(chunk))
    this.socket.on('error', () => {})
    this.socket.on('close', () => this.shutdown(new DeadReferenceError('connection lost')))
    const tick = Math.max(50, Math.min(init.limits.keepaliveMs, init.limits.idleTimeoutMs) / 4)
    this.timer = setInterval(() => this.checkIdle(), tick)
    this.timer.unref()
    if (init.rest.length > 0) this.receive(Buffer.from(init.rest))
    this.socket.resume()
  }

  /** A reference to the far tub's object published under `name` (a FURL's swissnum). */
  async getReferenceByName (name: string): Promise<RemoteReference> {
    const v = await this.call(0, 'getReferenceByName', new Map([['name', new TextEncoder().encode(name)]]))
    if (!(v instanceof RemoteReference)) throw new Violation('getReferenceByName did not answer with a reference')
    return v
  }

  async call (clid: number, method: string, args: ReadonlyMap<string, BananaValue>): Promise<BananaValue> {
    if (this.closed) throw new DeadReferenceError('calling over a closed connection')
    if (this.pending.size >= this.limits.maxOutboundCalls) throw new Violation(`more than ${this.limits.maxOutboundCalls} calls waiting for answers`)
    const reqId = this.nextReqId++
    const bytes = this.writer.call(reqId, clid, method, args).take()
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(reqId)
        reject(new CallTimeoutError(`no answer to ${method} in ${this.limits.callTimeoutMs} ms`))
      }, this.limits.callTimeoutMs)
      timer.unref()
      this.pending.set(reqId, { resolve, reject, timer })
      this.send(bytes)
    })
  }

  onClose (listener: () => void): () => void {
    if (this.closed) {
      queueMicrotask(listener)
      return () => {}
    }
    this.closeListeners.add(listener)
    return () => this.closeListeners.delete(listener)
  }

  /** Closes the connection (after sending a banana ERROR with `message`, if given). */
  close (message?: string): void {
    if (this.closed) return
    if (message !== undefined) this.send(this.writer.errorToken(message).take())
    this.socket.end()
    setTimeout(() => this.socket.destroy(), 1000).unref()
    this.shutdown(new DeadReferenceError(message ?? 'connection closed'))
  }

  private shutdown (reason: Error): void {
    if (this.closed) return
    this.closed = true
    clearInterval(this.timer)
    for (const p of this.pending.values()) {
      clearTimeout(p.timer)
      p.reject(reason)
    }
    this.pending.clear()
    for (const l of this.closeListeners) l()
    this.closeListeners.clear()
    this.onClosed?.(reason)
  }

  private send (bytes: Uint8Array): void {
    if (this.closed) return
    if (this.socket.writableLength > this.limits.maxWriteBufferBytes) {
      this.socket.destroy()
      this.shutdown(new DeadReferenceError('the peer does not read what we send'))
      return
    }
    this.socket.write(bytes)
  }

  private receive (chunk: Buffer): void {
    if (this.closed) return
    this.lastReceived = Date.now()
    this.bytesIn += chunk.length
    try {
      if (this.bytesIn > this.limits.maxConnectionBytes) throw new BananaError(`connection sent more than ${this.limits.maxConnectionBytes} bytes`)
      for (const t of this.reader.push(chunk)) {
        if (this.closed) return
        if (t.kind === 'ping') this.send(this.writer.pong(t.n).take())
        else if (t.kind === 'pong') continue
        else if (t.kind === 'error') {
          this.close()
          return
        } else {
          const m = this.decoder.push(t)
          if (m !== undefined) this.dispatch(m)
        }
      }
    } catch (e) {
      this.close(e instanceof BananaError ? e.message : 'internal error while receiving')
    }
  }

  private dispatch (m: TopMessage): void {
    if (m.kind === 'call') {
      this.inbound(m)
      return
    }
    const p = this.pending.get(m.reqId)
    if (p === undefined) return // an answer after our timeout, as Foolscap does: ignored
    this.pending.delete(m.reqId)
    clearTimeout(p.timer)
    if (m.kind === 'answer') p.resolve(m.value)
    else p.reject(failureToError(m.value))
  }

  private inbound (m: Extract<TopMessage, { kind: 'call' }>): void {
    if (this.inboundCalls >= this.limits.maxInboundCalls) throw new BananaError(`more than ${this.limits.maxInboundCalls} calls in progress`)
    this.inboundCalls++
    const run = async (): Promise<BananaValue> => {
      if (m.clid === 0) return this.brokerMethod(m.method, m.positional, m.kwargs)
      const obj = this.mineByClid.get(m.clid)
      if (obj === undefined) throw new Violation(`unknown CLID ${m.clid}`)
      const method = Object.hasOwn(obj.methods, m.method) ? obj.methods[m.method] : undefined
      if (method === undefined) throw new Violation(`method '${m.method}' not defined in ${obj.interfaceName}`)
      return method.call(namedArgs(method.params, m.positional, m.kwargs), this.context)
    }
    run().then(v => {
      if (m.reqId !== 0) this.send(this.writer.answer(m.reqId, v).take())
    }, (e: Error) => {
      if (m.reqId !== 0) this.send(this.writer.error(m.reqId, failureCopyable(errorType(e), e.message)).take())
    }).finally(() => { this.inboundCalls-- })
  }

  /** RIBroker: getReferenceByName, decref, decgift. */
  private brokerMethod (method: string, positional: BananaValue[], kwargs: Map<string, BananaValue>): BananaValue {
    if (method === 'getReferenceByName') {
      const name = namedArgs(['name'], positional, kwargs).get('name')
      const text = name instanceof Uint8Array ? fromUtf8(name) : name
      if (typeof text !== 'string') throw new Violation('getReferenceByName needs a name')
      const obj = this.lookupName(text)
      if (obj === undefined) throw new KeyError(`unable to find reference for name starting with '${text.slice(0, 2)}'`)
      return obj
    }
    if (method === 'decref') {
      const a = namedArgs(['clid', 'count'], positional, kwargs)
      const clid = a.get('clid')
      const count = a.get('count')
      if (typeof clid !== 'number' || typeof count !== 'number') throw new Violation('decref needs clid and count')
      const obj = this.mineByClid.get(clid)
      const entry = obj === undefined ? undefined : this.mine.get(obj)
      if (obj !== undefined && entry !== undefined) {
        entry.sent -= count
        if (entry.sent <= 0) {
          this.mine.delete(obj)
          this.mineByClid.delete(clid)
        }
      }
      return null
    }
    if (method === 'decgift') return null
    throw new Violation(`method '${method}' not defined in RIBroker`)
  }

  private exportObject (obj: Referenceable): { clid: number, first: boolean, interfaceName: string } {
    let entry = this.mine.get(obj)
    if (entry === undefined) {
      if (this.mine.size >= this.limits.maxReferences) throw new Violation('too many objects sent over this connection')
      entry = { clid: this.nextClid++, sent: 0 }
      this.mine.set(obj, entry)
      this.mineByClid.set(entry.clid, obj)
    }
    entry.sent++
    return { clid: entry.clid, first: entry.sent === 1, interfaceName: obj.interfaceName }
  }

  private importReference (clid: number, interfaceName: string | undefined, url: string | undefined): RemoteReference {
    const known = this.theirs.get(clid)
    if (known !== undefined) return known
    if (this.theirs.size >= this.limits.maxReferences) throw new BananaError(`more than ${this.limits.maxReferences} references received`)
    if (url !== undefined) {
      let tubId: string | undefined
      try {
        tubId = parseFurl(url).tubId
      } catch {}
      if (tubId !== this.theirTubId) throw new BananaError('inbound reference claims a bad tub id')
    }
    const ref = new RemoteReference(this, clid, interfaceName, url)
    this.theirs.set(clid, ref)
    return ref
  }

  private checkIdle (): void {
    const now = Date.now()
    const idle = now - this.lastReceived
    if (idle >= this.limits.idleTimeoutMs) {
      this.close(`no data for ${Math.round(idle / 1000)} s`)
    } else if (idle >= this.limits.keepaliveMs && now - this.lastPing >= this.limits.keepaliveMs) {
      this.lastPing = now
      this.send(this.writer.ping(0).take())
    }
  }
}
