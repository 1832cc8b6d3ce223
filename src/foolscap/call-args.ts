/**
 * How an inbound call's arguments meet a method's parameters, and how a local error is
 * named in the Failure sent back.
 */
import { Violation } from './errors.js'
import type { BananaValue } from './values.js'

/** Python's KeyError, the type Foolscap reports for an unknown swissnum. */
export class KeyError extends Error {
  override readonly name = 'KeyError'
}

/** Maps positional arguments to parameter names, as Foolscap's method schemas do. */
export function namedArgs (params: readonly string[], positional: BananaValue[], kwargs: Map<string, BananaValue>): Map<string, BananaValue> {
  if (positional.length > params.length) throw new Violation(`too many positional arguments (${positional.length})`)
  const out = new Map<string, BananaValue>()
  positional.forEach((v, i) => out.set(params[i], v))
  for (const [k, v] of kwargs) {
    if (!params.includes(k)) throw new Violation(`unknown argument '${k}'`)
    if (out.has(k)) throw new Violation(`argument '${k}' given twice`)
    out.set(k, v)
  }
  return out
}

export function errorType (e: Error): string {
  if (e.name === 'KeyError') return 'builtins.KeyError'
  if (e instanceof Violation) return 'foolscap.tokens.Violation'
  return `gossip_introducer.${e.name}`
}
