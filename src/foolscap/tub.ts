/**
 * A Tub: one identity (certificate, tub id) that listens and connects. It publishes
 * Referenceables under names (FURL swissnums), negotiates every connection, keeps one
 * connection per peer tub (a newer one replaces the old, which is what Foolscap's master
 * ends up doing when a peer restarts), and bounds how many connections it holds.
 */
import { randomBytes } from 'node:crypto'
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net'
import { createSecureContext, type SecureContext } from 'node:tls'
import { Broker } from './broker.js'
import { NegotiationError } from './errors.js'
import { formatFurl, formatTcpHint, parseFurl, parseTcpHint, type TcpHint } from './furl.js'
import { resolveLimits, type FoolscapLimits, type ResolvedLimits } from './limits.js'
import { negotiateInbound, negotiateOutbound, type Negotiated } from './negotiate.js'
import type { RemoteReference } from './remote-reference.js'
import type { TubIdentity } from './tub-identity.js'
import type { Referenceable } from './values.js'

export interface TubInit {
  identity: TubIdentity
  limits?: FoolscapLimits
  /** Told about every connection that failed or was refused, for logs. */
  onConnectionError?: (err: Error, remoteAddress: string) => void
}

export class Tub {
  readonly identity: TubIdentity
  readonly limits: ResolvedLimits
  private readonly secureContext: SecureContext
  private readonly incarnation = randomBytes(8).toString('hex')
  private readonly names = new Map<string, Referenceable>()
  private readonly brokers = new Map<string, Broker>()
  private readonly masterSeq = new Map<string, number>()
  private readonly slaveRecord = new Map<string, string>()
  private readonly sockets = new Set<Socket>()
  private readonly onConnectionError: TubInit['onConnectionError']
  private server: Server | undefined
  private negotiating = 0
  private hints: TcpHint[] = []
  private stopped = false

  constructor (init: TubInit) {
    this.identity = init.identity
    this.limits = resolveLimits(init.limits)
    this.secureContext = createSecureContext({ key: init.identity.privateKeyPem, cert: init.identity.certificatePem })
    this.onConnectionError = init.onConnectionError
  }

  get tubId (): string {
    return this.identity.tubId
  }

  /** Established connections, by peer tub id. */
  get connectionCount (): number {
    return this.brokers.size
  }

  /** Publishes `obj` under `name`; returns its FURL (needs `listen` first for the hints). */
  register (name: string, obj: Referenceable): string {
    this.names.set(name, obj)
    return this.furlFor(name)
  }

  furlFor (name: string): string {
    return formatFurl({ tubId: this.tubId, hints: this.hints.map(formatTcpHint), name })
  }

  /** Listens on host:port (port 0 picks one); `location` overrides the advertised hints. */
  async listen (host: string, port: number, location?: TcpHint[]): Promise<TcpHint> {
    if (this.server !== undefined) throw new Error('this tub already listens')
    const server = createServer({ pauseOnConnect: true }, raw => this.accept(raw))
    server.maxConnections = this.limits.maxConnections + this.limits.maxNegotiating
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen({ host, port }, () => { server.off('error', reject); resolve() })
    })
    server.on('error', () => {})
    this.server = server
    const addr = server.address()
    const bound = { host, port: typeof addr === 'object' && addr !== null ? addr.port : port }
    this.hints = location ?? [bound]
    return bound
  }

  /** Connects to the tub of a FURL (or reuses the connection) and gets the named object. */
  async getReference (furl: string): Promise<RemoteReference> {
    const f = parseFurl(furl)
    const broker = await this.connectTo(f.tubId, f.hints)
    return broker.getReferenceByName(f.name)
  }

  async connectTo (tubId: string, hints: readonly string[]): Promise<Broker> {
    const existing = this.brokers.get(tubId)
    if (existing !== undefined && !existing.closed) return existing
    const tcp = hints.map(parseTcpHint).filter((h): h is TcpHint => h !== undefined)
    if (tcp.length === 0) throw new NegotiationError(`no usable (tcp) connection hint in ${JSON.stringify(hints)}`)
    let last: Error = new NegotiationError('no connection hint worked')
    for (const h of tcp) {
      try {
        const raw = await this.dial(h)
        const n = await negotiateOutbound(raw, {
          ...this.negotiateInit(),
          targetTubId: tubId,
          host: `${h.host}:${h.port}`,
          lastConnection: this.slaveRecord.get(tubId) ?? 'none 0'
        })
        return this.attach(n, `${h.host}:${h.port}`)
      } catch (e) {
        last = e as Error
      }
    }
    throw last
  }

  /** Stops listening and closes every connection. */
  async stop (): Promise<void> {
    this.stopped = true
    for (const b of this.brokers.values()) b.close()
    for (const s of this.sockets) s.destroy()
    const server = this.server
    this.server = undefined
    if (server !== undefined) await new Promise<void>(resolve => server.close(() => resolve()))
  }

  private negotiateInit (): Parameters<typeof negotiateInbound>[1] {
    return {
      identity: this.identity,
      secureContext: this.secureContext,
      incarnation: this.incarnation,
      timeoutMs: this.limits.negotiationTimeoutMs,
      nextConnection: theirs => {
        const seq = (this.masterSeq.get(theirs) ?? 0) + 1
        this.masterSeq.set(theirs, seq)
        return `${this.incarnation} ${seq}`
      }
    }
  }

  private async dial (h: TcpHint): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const raw = netConnect({ host: h.host, port: h.port })
      const timer = setTimeout(() => { raw.destroy(); reject(new NegotiationError(`connecting to ${h.host}:${h.port} timed out`)) }, this.limits.negotiationTimeoutMs)
      raw.once('connect', () => { clearTimeout(timer); raw.off('error', onError); resolve(raw) })
      const onError = (e: Error): void => { clearTimeout(timer); reject(new NegotiationError(`cannot connect to ${h.host}:${h.port}: ${e.message}`)) }
      raw.once('error', onError)
    })
  }

  private accept (raw: Socket): void {
    const address = `${raw.remoteAddress ?? '?'}:${raw.remotePort ?? '?'}`
    if (this.stopped || this.negotiating >= this.limits.maxNegotiating || this.brokers.size >= this.limits.maxConnections) {
      raw.destroy()
      this.onConnectionError?.(new NegotiationError('too many connections'), address)
      return
    }
    this.negotiating++
    this.sockets.add(raw)
    raw.on('error', () => {})
    negotiateInbound(raw, this.negotiateInit()).then(n => {
      this.attach(n, address)
    }, (e: Error) => {
      this.onConnectionError?.(e, address)
    }).finally(() => {
      this.negotiating--
      this.sockets.delete(raw)
    })
  }

  private attach (n: Negotiated, address: string): Broker {
    if (this.stopped) {
      n.socket.destroy()
      throw new NegotiationError('the tub is stopped')
    }
    if (n.currentConnection !== undefined) this.slaveRecord.set(n.theirTubId, n.currentConnection)
    const old = this.brokers.get(n.theirTubId)
    const broker: Broker = new Broker({
      socket: n.socket,
      rest: n.rest,
      vocabIndex: n.vocabIndex,
      theirTubId: n.theirTubId,
      remoteAddress: address,
      limits: this.limits,
      lookupName: name => this.names.get(name),
      onClosed: () => {
        if (this.brokers.get(n.theirTubId) === broker) this.brokers.delete(n.theirTubId)
      }
    })
    this.brokers.set(n.theirTubId, broker)
    old?.close()
    return broker
  }
}
