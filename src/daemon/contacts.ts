/**
 * What this node knows of reaching each peer, for the welcome page and the API. A client
 * is not connected to storage servers by design (it connects when it uses one), so
 * "connected" says little; this says when the peer was last reached and how fast:
 *
 * - passively: a connection opening is a contact; while connected, libp2p's connection
 *   monitor measures the round trip every 10 s (`connection.rtt`); when the connection
 *   closes, its last figures are kept;
 * - on demand (`probe`): a dial with the announced addresses (timed) when not connected,
 *   then one round trip measured the way libp2p's connection monitor measures it: a ping
 *   on its protocol (/ipfs/ping/1.0.0) or, from a peer that does not run ping (ours do
 *   not), the protocol negotiation's refusal, halved as the monitor halves it. No
 *   identify (a second one on a new connection would be refused, and each starts a sync).
 *   A connection the probe opened stays, as any other does, until libp2p needs the room:
 *   closed at once, the sync that identify starts would only dial it again.
 *
 * Bounded: at most MAX_CONTACTS peers remembered (the least recently reached go first),
 * MAX_PROBES_IN_FLIGHT probes at once, one per peer, each within PROBE_TIMEOUT_MS.
 */
import { byteStream } from '@libp2p/utils'
import { describeError } from '../errors.js'
import type { IntroducerNode } from '../node.js'
import { randomBytes } from 'node:crypto'
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export const MAX_CONTACTS = 10_000
export const MAX_PROBES_IN_FLIGHT = 4
export const PROBE_TIMEOUT_MS = 5000
/** The protocol of libp2p's connection monitor (its default prefix), and its ping's size. */
const PING_PROTOCOL = '/ipfs/ping/1.0.0'
const PING_BYTES = 32

export interface ContactJson {
  /** When the peer was last reached (now, while connected). */
  at: number
  /** Last round trip measured, ms; null when none was. */
  rttMs: number | null
  /** Connected now. */
  connected: boolean
  /** The last probe that failed, if it came after the last contact. */
  failure: { at: number, error: string } | null
}

export interface ProbeJson {
  peerId: string
  ok: boolean
  /** Time to open a connection, ms; null when one was open already. */
  dialMs: number | null
  /** One round trip, ms (see above). */
  rttMs: number | null
  error: string | null
  at: number
}

/** Too many probes at once, or one of this peer under way. */
export class ProbeBusyError extends Error {
  static readonly NAME = 'ProbeBusyError'
  override readonly name = ProbeBusyError.NAME
}

interface Known { at: number, rttMs: number | null, failure: { at: number, error: string } | null }

const round = (ms: number): number => Math.round(ms * 10) / 10

export class Contacts {
  private readonly known = new Map<string, Known>()
  private readonly probing = new Set<string>()

  constructor (private readonly node: IntroducerNode, private readonly now: () => number = Date.now) {}

  start (): void {
    this.node.libp2p.addEventListener('connection:open', this.onOpen)
    this.node.libp2p.addEventListener('connection:close', this.onClose)
  }

  stop (): void {
    this.node.libp2p.removeEventListener('connection:open', this.onOpen)
    this.node.libp2p.removeEventListener('connection:close', this.onClose)
  }

  /** What is known of reaching `peerId`; null when it was never reached nor probed. */
  of (peerId: PeerId): ContactJson | null {
    const connections = this.node.libp2p.getConnections(peerId)
    const known = this.known.get(peerId.toString())
    if (connections.length > 0) {
      const rtts = connections.map(c => c.rtt).filter((r): r is number => r != null)
      return { at: this.now(), rttMs: rtts.length > 0 ? round(Math.min(...rtts)) : known?.rttMs ?? null, connected: true, failure: null }
    }
    return known == null ? null : { at: known.at, rttMs: known.rttMs, connected: false, failure: known.failure }
  }

  /**
   * Reaches the peer now (see above); resolves with what was measured, failures
   * included. Throws ProbeBusyError when MAX_PROBES_IN_FLIGHT run, or one of this peer.
   */
  async probe (peerId: PeerId, multiaddrs: readonly Multiaddr[]): Promise<ProbeJson> {
    const id = peerId.toString()
    if (this.probing.has(id)) throw new ProbeBusyError(`a probe of ${id} is under way`)
    if (this.probing.size >= MAX_PROBES_IN_FLIGHT) throw new ProbeBusyError(`${MAX_PROBES_IN_FLIGHT} probes are under way: try again shortly`)
    this.probing.add(id)
    const signal = AbortSignal.timeout(PROBE_TIMEOUT_MS)
    const libp2p = this.node.libp2p
    let connection: Connection | undefined = libp2p.getConnections(peerId)[0]
    let dialMs: number | null = null
    try {
      if (connection == null) {
        await libp2p.peerStore.merge(peerId, { multiaddrs: [...multiaddrs] })
        const t0 = performance.now()
        connection = await libp2p.dial(peerId, { signal })
        dialMs = round(performance.now() - t0)
      }
      const rttMs = round(await roundTrip(connection, signal))
      this.remember(id, { at: this.now(), rttMs, failure: null })
      return { peerId: id, ok: true, dialMs, rttMs, error: null, at: this.now() }
    } catch (err) {
      const error = signal.aborted ? `no answer within ${PROBE_TIMEOUT_MS} ms` : describeError(err)
      const known = this.known.get(id)
      this.remember(id, { at: known?.at ?? 0, rttMs: known?.rttMs ?? null, failure: { at: this.now(), error } })
      return { peerId: id, ok: false, dialMs, rttMs: null, error, at: this.now() }
    } finally {
      this.probing.delete(id)
    }
  }

  private remember (id: string, known: Known): void {
    this.known.delete(id)
    this.known.set(id, known)
    if (this.known.size > MAX_CONTACTS) {
      this.known.delete(this.known.keys().next().value as string)
    }
  }

  private readonly onOpen = (evt: CustomEvent<Connection>): void => {
    const id = evt.detail.remotePeer.toString()
    this.remember(id, { at: this.now(), rttMs: this.known.get(id)?.rttMs ?? null, failure: null })
  }

  private readonly onClose = (evt: CustomEvent<Connection>): void => {
    const id = evt.detail.remotePeer.toString()
    const rtt = evt.detail.rtt
    this.remember(id, { at: this.now(), rttMs: rtt != null ? round(rtt) : this.known.get(id)?.rttMs ?? null, failure: null })
  }
}

/**
 * One round trip on `connection`, as libp2p's connection monitor reckons it: a ping of
 * PING_BYTES, or half the time to have the ping protocol refused (the negotiation is two
 * round trips by the monitor's count).
 */
async function roundTrip (connection: Connection, signal: AbortSignal): Promise<number> {
  let start = performance.now()
  let stream: Stream | undefined
  try {
    stream = await connection.newStream(PING_PROTOCOL, { signal })
    const bytes = byteStream(stream)
    start = performance.now()
    await Promise.all([bytes.write(randomBytes(PING_BYTES), { signal }), bytes.read({ bytes: PING_BYTES, signal })])
    const rtt = performance.now() - start
    await stream.close({ signal })
    return rtt
  } catch (err) {
    if ((err as Error).name === 'UnsupportedProtocolError') {
      return (performance.now() - start) / 2
    }
    stream?.abort(err as Error)
    throw err
  }
}
