/**
 * FURLs: `pb://<tubid>@<hint>,<hint>.../<name>`. Only the first 32 characters of the tub id
 * part count (the rest is reserved for extensions, foolscap/furl.py). Hints are
 * `tcp:<host>:<port>` or the legacy `<host>:<port>`; IPv6 hosts are written in brackets.
 */
import { isBase32 } from './base32.js'
import { BadFurlError } from './errors.js'

export interface Furl {
  readonly tubId: string
  readonly hints: readonly string[]
  readonly name: string
}

/** A hint this implementation can connect to. */
export interface TcpHint {
  readonly host: string
  readonly port: number
}

const MAX_FURL_LENGTH = 1000

export function parseFurl (furl: string): Furl {
  if (furl.length > MAX_FURL_LENGTH) throw new BadFurlError(`FURL is longer than ${MAX_FURL_LENGTH} characters`)
  const m = /^pb:\/\/([^@]+)@([^/]*)\/(.+)$/.exec(furl.trim())
  if (m === null) throw new BadFurlError(`not a FURL (pb://<tubid>@<hints>/<name>): ${JSON.stringify(furl.slice(0, 80))}`)
  const tubId = m[1].slice(0, 32)
  if (tubId.length !== 32 || !isBase32(tubId)) throw new BadFurlError(`'${tubId}' is not a tub id (32 base32 characters)`)
  const hints = m[2] === '' ? [] : m[2].split(',')
  if (hints.includes('')) throw new BadFurlError('a FURL connection hint may not be empty')
  return { tubId, hints, name: m[3] }
}

export function formatFurl (f: Furl): string {
  return `pb://${f.tubId}@${f.hints.join(',')}/${f.name}`
}

/** The TCP address of a hint, or undefined for hints of other kinds (tor:, i2p:, ...). */
export function parseTcpHint (hint: string): TcpHint | undefined {
  const m = /^(?:tcp:)?(\[[0-9a-fA-F:.]+\]|[^:[\]]+):(\d{1,5})$/.exec(hint)
  if (m === null) return undefined
  const port = Number(m[2])
  if (port < 1 || port > 65535) return undefined
  return { host: m[1].replace(/^\[|\]$/g, ''), port }
}

export function formatTcpHint (h: TcpHint): string {
  return `tcp:${h.host.includes(':') ? `[${h.host}]` : h.host}:${h.port}`
}
