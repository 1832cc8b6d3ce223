/**
 * Negotiation over real sockets: the plaintext GET/101 exchange, the TLS upgrade with tub
 * certificates, hellos, and the master's decision (the rules are in negotiation.ts). Resolves
 * with the TLS socket ready for banana, or rejects with NegotiationError after telling the
 * peer why when the phase allows it.
 */
import type { Socket } from 'node:net'
import { TLSSocket, connect as tlsConnect, type SecureContext } from 'node:tls'
import { NegotiationError, RemoteNegotiationError } from './errors.js'
import { readHeaderBlock } from './header-reader.js'
import {
  SWITCHING_PROTOCOLS, acceptDecision, checkSwitchingProtocols, decide, errorBlock, evaluateHello, formatBlock,
  formatGetRequest, formatPlaintextError, helloBlock, parseBlock, parseGetRequest
} from './negotiation.js'
import { tubIdOfCertificate } from './tub-identity.js'
import type { TubIdentity } from './tub-identity.js'

export interface Negotiated {
  socket: TLSSocket
  theirTubId: string
  theirIncarnation: string | undefined
  vocabIndex: number
  /** Banana bytes that arrived with the last negotiation block. */
  rest: Buffer
  /** For the non-master: the master's "current-connection" (incarnation seqnum). */
  currentConnection?: string
}

export interface NegotiateInit {
  identity: TubIdentity
  secureContext: SecureContext
  incarnation: string
  timeoutMs: number
  /** Master side: the "<incarnation> <seqnum>" to put in the decision for this peer. */
  nextConnection: (theirTubId: string) => string
}

export async function negotiateInbound (raw: Socket, init: NegotiateInit): Promise<Negotiated> {
  const signal = AbortSignal.timeout(init.timeoutMs)
  let tls: TLSSocket | undefined
  try {
    const get = await readHeaderBlock(raw, signal)
    let target: string
    try {
      target = parseGetRequest(get.header)
      if (target !== init.identity.tubId) throw new NegotiationError(`unknown TubID ${target}`)
      if (get.rest.length > 0) throw new NegotiationError('data sent before TLS was started')
    } catch (e) {
      raw.end(formatPlaintextError((e as Error).message))
      throw e
    }
    raw.write(SWITCHING_PROTOCOLS)
    tls = new TLSSocket(raw, { isServer: true, secureContext: init.secureContext, requestCert: true, rejectUnauthorized: false })
    return await afterTls(tls, init, signal, undefined, once(tls, 'secure', signal))
  } catch (e) {
    tls?.destroy()
    raw.destroy()
    throw asNegotiationError(e)
  }
}

export interface OutboundInit extends NegotiateInit {
  targetTubId: string
  host: string
  /** What we remember of our last connection to this tub ("none 0" if nothing). */
  lastConnection: string
}

export async function negotiateOutbound (raw: Socket, init: OutboundInit): Promise<Negotiated> {
  const signal = AbortSignal.timeout(init.timeoutMs)
  let tls: TLSSocket | undefined
  try {
    raw.write(formatGetRequest(init.targetTubId, init.host))
    const answer = await readHeaderBlock(raw, signal)
    checkSwitchingProtocols(answer.header)
    if (answer.rest.length > 0) throw new NegotiationError('data sent before TLS was started')
    tls = tlsConnect({
      socket: raw,
      key: init.identity.privateKeyPem,
      cert: init.identity.certificatePem,
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined
    })
    return await afterTls(tls, init, signal, init.targetTubId, once(tls, 'secureConnect', signal))
  } catch (e) {
    tls?.destroy()
    raw.destroy()
    throw asNegotiationError(e)
  }
}

async function afterTls (tls: TLSSocket, init: NegotiateInit & Partial<OutboundInit>, signal: AbortSignal,
  expected: string | undefined, secure: Promise<void>): Promise<Negotiated> {
  tls.on('error', () => {})
  tls.write(formatBlock(helloBlock({ tubId: init.identity.tubId, incarnation: init.incarnation, lastConnection: init.lastConnection })))
  await secure
  const peer = tls.getPeerX509Certificate()
  const fail = (e: Error): never => {
    if (!(e instanceof RemoteNegotiationError)) tls.end(formatBlock(errorBlock(e.message)))
    throw e
  }
  if (peer === undefined) fail(new NegotiationError('the peer sent no certificate'))
  else if (!peer.verify(peer.publicKey)) fail(new NegotiationError('the peer certificate is not validly self-signed'))
  const certTubId = tubIdOfCertificate((peer as NonNullable<typeof peer>).raw)
  const hello = await readHeaderBlock(tls, signal)
  let verdict
  try {
    verdict = evaluateHello(parseBlock(hello.header), init.identity.tubId, certTubId, expected)
  } catch (e) {
    return fail(e as Error)
  }
  if (verdict.iAmMaster) {
    let decision
    try {
      decision = decide(parseBlock(hello.header), init.nextConnection(verdict.theirTubId))
    } catch (e) {
      return fail(e as Error)
    }
    tls.write(formatBlock(decision.block))
    return { socket: tls, theirTubId: verdict.theirTubId, theirIncarnation: verdict.theirIncarnation, vocabIndex: decision.vocabIndex, rest: hello.rest }
  }
  const d = await readHeaderBlock(tls, signal, hello.rest)
  let vocabIndex: number
  const block = parseBlock(d.header)
  try {
    vocabIndex = acceptDecision(block)
  } catch (e) {
    return fail(e as Error)
  }
  return {
    socket: tls,
    theirTubId: verdict.theirTubId,
    theirIncarnation: verdict.theirIncarnation,
    vocabIndex,
    rest: d.rest,
    currentConnection: block['current-connection']
  }
}

async function once (tls: TLSSocket, event: string, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      tls.off(event, ok)
      tls.off('error', bad)
      tls.off('close', closed)
      signal.removeEventListener('abort', aborted)
    }
    const ok = (): void => { cleanup(); resolve() }
    const bad = (e: Error): void => { cleanup(); reject(new NegotiationError(`TLS failed: ${e.message}`)) }
    const closed = (): void => { cleanup(); reject(new NegotiationError('connection closed during TLS setup')) }
    const aborted = (): void => { cleanup(); reject(new NegotiationError('negotiation timed out')) }
    tls.once(event, ok)
    tls.once('error', bad)
    tls.once('close', closed)
    signal.addEventListener('abort', aborted)
  })
}

function asNegotiationError (e: unknown): Error {
  if (e instanceof NegotiationError || e instanceof RemoteNegotiationError) return e
  return new NegotiationError((e as Error).message)
}
