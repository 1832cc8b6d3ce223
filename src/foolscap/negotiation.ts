/**
 * Foolscap's connection negotiation (negotiate.py), as pure functions over header blocks.
 *
 * 1. Plaintext: the connecting side sends `GET /id/<target tubid> HTTP/1.1` with
 *    `Upgrade: TLS/1.0`; the listening side answers `HTTP/1.1 101 Switching Protocols`.
 * 2. Both start TLS with their tub certificates, and each sends a hello block
 *    (`key: value\r\n` lines, keys sorted, ending in a blank line) claiming its tub id.
 * 3. Each side checks the other's claimed tub id against its TLS certificate. The side with
 *    the greater tub id is the master: it picks the banana version and vocabulary table and
 *    sends a decision block; then both switch to banana.
 */
import { BANANA_VERSION, VOCAB_RANGE } from './constants.js'
import { NegotiationError, RemoteNegotiationError } from './errors.js'
import { INITIAL_VOCAB_TABLES, vocabTableHash } from './vocab.js'

export type Block = Record<string, string>

/** Parses a header block (without its final blank line). */
export function parseBlock (header: string): Block {
  const block: Block = {}
  for (const line of header.split('\r\n')) {
    const colon = line.indexOf(':')
    if (colon < 0) throw new NegotiationError(`negotiation line without a colon: ${JSON.stringify(line.slice(0, 80))}`)
    block[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trimStart()
  }
  return block
}

export function formatBlock (block: Block): string {
  return Object.keys(block).sort().map(k => `${k.toLowerCase()}: ${block[k]}\r\n`).join('') + '\r\n'
}

export function formatGetRequest (targetTubId: string, host: string): string {
  return `GET /id/${targetTubId} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: TLS/1.0\r\nConnection: Upgrade\r\n\r\n`
}

/** The tub id a connecting side asks for; throws on anything but a TLS-upgrade GET. */
export function parseGetRequest (header: string): string {
  const lines = header.split('\r\n')
  const parts = lines[0].split(' ')
  if (parts.length !== 3 || parts[0] !== 'GET' || !parts[1].startsWith('/id/')) {
    throw new NegotiationError('not a Foolscap connection request')
  }
  const tubId = parts[1].slice(4)
  if (tubId === '') throw new NegotiationError('secure Tubs require encryption')
  if (!lines.includes('Upgrade: TLS/1.0')) throw new NegotiationError('the request does not ask for TLS')
  return tubId
}

export const SWITCHING_PROTOCOLS = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: TLS/1.0, PB/1.0\r\nConnection: Upgrade\r\n\r\n'

export function formatPlaintextError (message: string): string {
  return `HTTP/1.1 500 Internal Server Error: ${message.replace(/[\r\n]/g, ' ')}\r\n\r\n`
}

/** Checks the listening side's plaintext answer. */
export function checkSwitchingProtocols (header: string): void {
  const first = header.split('\r\n')[0]
  if (first.split(' ')[1] !== '101') throw new NegotiationError(`expected 101 Switching Protocols, got ${JSON.stringify(first.slice(0, 120))}`)
  if (!header.includes('Upgrade: TLS/1.0')) throw new NegotiationError('the answer does not upgrade to TLS')
}

export interface HelloInit {
  tubId: string
  incarnation: string
  /** Connecting side only: what it remembers of its last connection to the target. */
  lastConnection?: string
}

export function helloBlock (h: HelloInit): Block {
  const block: Block = {
    'banana-negotiation-range': `${BANANA_VERSION} ${BANANA_VERSION}`,
    'initial-vocab-table-range': `${VOCAB_RANGE[0]} ${VOCAB_RANGE[1]}`,
    'my-tub-id': h.tubId,
    'my-incarnation': h.incarnation
  }
  if (h.lastConnection !== undefined) block['last-connection'] = h.lastConnection
  return block
}

export function errorBlock (message: string): Block {
  return { 'banana-decision-version': '1', error: message.replace(/[\r\n]/g, ' ') }
}

export interface HelloVerdict {
  theirTubId: string
  theirIncarnation: string | undefined
  iAmMaster: boolean
}

/**
 * Checks the peer's hello against the tub id its certificate proves (`certTubId`) and, on the
 * connecting side, against the tub it meant to reach.
 */
export function evaluateHello (hello: Block, myTubId: string, certTubId: string, expectedTubId?: string): HelloVerdict {
  if (hello.error !== undefined) throw new RemoteNegotiationError(hello.error)
  const range = hello['banana-negotiation-range']
  if (range === undefined) throw new NegotiationError('no banana-negotiation-range in hello')
  const [lo, hi] = range.split(' ').map(Number)
  if (!(lo <= BANANA_VERSION && BANANA_VERSION <= hi)) throw new NegotiationError(`no common banana version (they offer ${range})`)
  const theirTubId = hello['my-tub-id']
  if (theirTubId === undefined || theirTubId === '') throw new NegotiationError('the peer claims no tub id')
  if (theirTubId !== certTubId) throw new NegotiationError('TubID mismatch: the claimed tub id is not that of the certificate')
  if (expectedTubId !== undefined && theirTubId !== expectedTubId) throw new NegotiationError('connected to the wrong Tub')
  return { theirTubId, theirIncarnation: hello['my-incarnation'], iAmMaster: myTubId > theirTubId }
}

export interface Decision {
  block: Block
  vocabIndex: number
}

/** The master's decision for a peer's hello; `currentConnection` is "<incarnation> <seqnum>". */
export function decide (hello: Block, currentConnection: string): Decision {
  const [theirMin, theirMax] = (hello['initial-vocab-table-range'] ?? '0 0').split(' ').map(Number)
  const vocabIndex = Math.min(VOCAB_RANGE[1], theirMax)
  if (!Number.isInteger(vocabIndex) || vocabIndex < VOCAB_RANGE[0] || vocabIndex < theirMin) {
    throw new NegotiationError(`no common initial vocab table (they offer ${hello['initial-vocab-table-range']})`)
  }
  return {
    vocabIndex,
    block: {
      'banana-decision-version': String(BANANA_VERSION),
      'current-connection': currentConnection,
      'initial-vocab-table-index': `${vocabIndex} ${vocabTableHash(vocabIndex)}`
    }
  }
}

/** The non-master's check of a decision; returns the vocabulary table index to use. */
export function acceptDecision (decision: Block): number {
  if (decision.error !== undefined) throw new RemoteNegotiationError(`Banana negotiation failed: ${decision.error}`)
  const version = Number(decision['banana-decision-version'])
  if (version !== BANANA_VERSION) throw new NegotiationError(`cannot use banana-decision-version ${decision['banana-decision-version']}`)
  const index = decision['initial-vocab-table-index']
  if (index === undefined) return 0
  const [n, hash] = index.split(' ')
  const vocabIndex = Number(n)
  if (!Number.isInteger(vocabIndex) || INITIAL_VOCAB_TABLES[vocabIndex] === undefined || vocabIndex > VOCAB_RANGE[1]) {
    throw new NegotiationError(`cannot use initial vocab table ${n}`)
  }
  if (vocabIndex > 0 && hash !== vocabTableHash(vocabIndex)) throw new NegotiationError(`vocab table ${vocabIndex} hash mismatch`)
  return vocabIndex
}
