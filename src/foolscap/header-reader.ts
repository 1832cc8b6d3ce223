/**
 * Reads one `\r\n\r\n`-terminated header block from a stream, bounded in size; what follows
 * it is handed back untouched. Used for every negotiation phase.
 */
import type { Duplex } from 'node:stream'
import { MAX_NEGOTIATION_BLOCK_BYTES } from './constants.js'
import { NegotiationError } from './errors.js'

export interface HeaderBlock {
  header: string
  rest: Buffer
}

export async function readHeaderBlock (stream: Duplex, signal: AbortSignal, initial: Buffer = Buffer.alloc(0)): Promise<HeaderBlock> {
  return new Promise((resolve, reject) => {
    let buf = initial
    const done = (err: Error | undefined, result?: HeaderBlock): void => {
      stream.off('data', onData)
      stream.off('end', onEnd)
      stream.off('close', onEnd)
      stream.off('error', onError)
      signal.removeEventListener('abort', onAbort)
      stream.pause()
      if (err !== undefined) reject(err)
      else resolve(result as HeaderBlock)
    }
    const check = (): void => {
      const eoh = buf.indexOf('\r\n\r\n')
      if (eoh >= 0) {
        if (eoh > MAX_NEGOTIATION_BLOCK_BYTES) return done(new NegotiationError('negotiation header too long'))
        return done(undefined, { header: buf.subarray(0, eoh).toString('latin1'), rest: buf.subarray(eoh + 4) })
      }
      if (buf.length > MAX_NEGOTIATION_BLOCK_BYTES) done(new NegotiationError('negotiation header too long'))
    }
    const onData = (chunk: Buffer): void => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk])
      check()
    }
    const onEnd = (): void => done(new NegotiationError('connection closed during negotiation'))
    const onError = (e: Error): void => done(new NegotiationError(`connection failed during negotiation: ${e.message}`))
    const onAbort = (): void => done(new NegotiationError('negotiation timed out'))
    if (signal.aborted) return onAbort()
    signal.addEventListener('abort', onAbort)
    stream.on('end', onEnd)
    stream.on('close', onEnd)
    stream.on('error', onError)
    if (buf.length > 0) {
      check()
      if (buf.indexOf('\r\n\r\n') >= 0 || buf.length > MAX_NEGOTIATION_BLOCK_BYTES) return
    }
    stream.on('data', onData)
    stream.resume()
  })
}
