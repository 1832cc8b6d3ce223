/**
 * The libp2p connection gater that applies admission.ts to inbound connections: per-host
 * limits and the "full" rule when a socket is accepted (before any handshake, so a
 * refusal costs nothing), the per-peer limit once the Noise handshake has told who it is.
 * It counts handshakes under way itself (libp2p counts them only in total) and reads
 * established connections from the connection manager it is bound to.
 */
import { TimeoutError } from '@libp2p/interface'
import { RateLimiter } from '@libp2p/utils'
import { checkInbound, checkPeer, type AdmissionLimits, type HostCounts, type Refusal } from './admission.js'
import { hostKey, remoteIp, type LocalAddresses } from './host-key.js'
import type { Connection, ConnectionGater, MultiaddrConnection, PeerId } from '@libp2p/interface'

/** The host key of connections that are not over IP (e.g. in-memory transports): one group. */
export const NON_IP_HOST = 'non-ip'

export interface ConnectionSource {
  getConnections(peerId?: PeerId): Connection[]
}

interface Pending {
  host: string
  /** The handshake deadline of a connection from another host. */
  deadline?: ReturnType<typeof setTimeout>
  /** Known once the handshake is done. */
  peer?: string
}

export class SlotGater implements ConnectionGater {
  private readonly pending = new Map<MultiaddrConnection, Pending>()
  private readonly hosts = new WeakMap<Connection, string>()
  private source?: ConnectionSource
  /** Handshakes per host that ended in a refusal, over the last second. */
  private readonly refusedHandshakes = new RateLimiter({ duration: 1 })
  private onRefusal: (refusal: Refusal, maConn: MultiaddrConnection) => void = () => {}

  constructor (
    private readonly limits: AdmissionLimits & { handshakeTimeoutMs: number },
    private readonly local: LocalAddresses
  ) {}

  /**
   * Counts established connections from `source` and reports refusals to `onRefusal`.
   * Until bound (the node starts), and after `unbind`, the gater admits everything.
   */
  bind (source: ConnectionSource, onRefusal: (refusal: Refusal, maConn: MultiaddrConnection) => void): void {
    this.source = source
    this.onRefusal = onRefusal
  }

  unbind (): void {
    this.source = undefined
    this.onRefusal = () => {}
    for (const maConn of [...this.pending.keys()]) this.settle(maConn)
  }

  /** Handshakes under way (for tests and stats). */
  get pendingCount (): number {
    return this.pending.size
  }

  /** The host key of an open connection (cached: pruning and counting ask often). */
  hostOf (connection: Connection): string {
    let host = this.hosts.get(connection)
    if (host == null) {
      host = hostOfAddress(connection.remoteAddr)
      this.hosts.set(connection, host)
    }
    return host
  }

  denyInboundConnection (maConn: MultiaddrConnection): boolean {
    if (this.source == null) {
      return false
    }
    const ip = remoteIp(maConn.remoteAddr)
    const host = ip == null ? NON_IP_HOST : hostKey(ip)
    const local = ip != null && this.local.has(ip)
    const refusedHandshakes = this.refusedHandshakes.get(host)?.consumedPoints ?? 0
    const refusal = checkInbound(this.count(this.source), { key: host, local, refusedHandshakes }, this.limits)
    if (refusal != null) {
      this.onRefusal(refusal, maConn)
      return true
    }
    // libp2p's own deadline (inboundUpgradeTimeout) is the longer, local one
    const deadline = local
      ? undefined
      : setTimeout(() => { maConn.abort(new TimeoutError(`handshake not done within ${this.limits.handshakeTimeoutMs} ms`)) }, this.limits.handshakeTimeoutMs)
    this.pending.set(maConn, { host, deadline })
    maConn.addEventListener('close', () => { this.settle(maConn) }, { once: true })
    return false
  }

  denyInboundEncryptedConnection (peerId: PeerId, maConn: MultiaddrConnection): boolean {
    if (this.source == null) {
      return false
    }
    const peer = peerId.toString()
    let held = this.source.getConnections(peerId).length
    for (const [other, entry] of this.pending) {
      if (other !== maConn && entry.peer === peer) held++
    }
    const refusal = checkPeer(held, this.limits)
    const entry = this.pending.get(maConn)
    if (refusal != null) {
      if (entry != null) this.refusedHandshakes.penalty(entry.host)
      this.onRefusal(refusal, maConn)
      return true
    }
    if (entry != null) entry.peer = peer
    return false
  }

  denyInboundUpgradedConnection (_peerId: PeerId, maConn: MultiaddrConnection): boolean {
    // from here on the connection manager counts it
    this.settle(maConn)
    return false
  }

  /** The handshake is over (done, refused or failed): no longer pending. */
  private settle (maConn: MultiaddrConnection): void {
    clearTimeout(this.pending.get(maConn)?.deadline)
    this.pending.delete(maConn)
  }

  private count (source: ConnectionSource): HostCounts {
    const byHost = new Map<string, number>()
    const pendingByHost = new Map<string, number>()
    const connections = source.getConnections()
    for (const connection of connections) {
      const host = this.hostOf(connection)
      byHost.set(host, (byHost.get(host) ?? 0) + 1)
    }
    for (const [maConn, { host }] of this.pending) {
      if (maConn.status === 'closed') {
        // the close event removes it; this is a guard against a missed one
        this.settle(maConn)
        continue
      }
      byHost.set(host, (byHost.get(host) ?? 0) + 1)
      pendingByHost.set(host, (pendingByHost.get(host) ?? 0) + 1)
    }
    return { total: connections.length + this.pending.size, byHost, pendingByHost }
  }
}

function hostOfAddress (ma: Connection['remoteAddr']): string {
  const ip = remoteIp(ma)
  return ip == null ? NON_IP_HOST : hostKey(ip)
}
