/**
 * A key's declaration in words, shared by the commented introducer.toml (toml.ts), the
 * docs table (docs.ts) and `run --help` (flags.ts).
 */
import { FORMAT_DOCS, type KeySpec } from './keys.js'
import { serviceMapConstraint } from './service-map.js'

/** The range or form of a key's values, or '' when any value of its type goes. */
export function constraintOf (spec: KeySpec): string {
  switch (spec.type) {
    case 'number': return spec.max === Number.MAX_SAFE_INTEGER ? `a whole number, ${spec.min} or more` : `a whole number from ${spec.min} to ${spec.max}`
    case 'enum': return `one of ${spec.values.join(', ')}`
    case 'string': return spec.format !== 'text' ? FORMAT_DOCS[spec.format] : spec.maxLength != null ? `at most ${spec.maxLength} characters` : ''
    case 'list': return [spec.format !== 'text' ? `each ${FORMAT_DOCS[spec.format]}` : '', spec.minItems != null ? `at least ${spec.minItems}` : ''].filter(Boolean).join('; ')
    case 'service-map': return serviceMapConstraint(spec)
    default: return ''
  }
}

/** A value as TOML writes it (JSON's forms of strings, numbers, booleans and lists are TOML's). */
export function tomlValue (value: unknown): string {
  return Array.isArray(value) ? `[${value.map(v => JSON.stringify(v)).join(', ')}]` : JSON.stringify(value)
}

/** The long flag names of a key: `--storage`, `--no-http`, both for a boolean unset by default. */
export function flagNames (spec: KeySpec): string[] {
  const [long] = spec.flag.split(' ')
  if (spec.type === 'service-map') return [spec.flag, spec.fieldFlag]
  if (spec.type !== 'boolean') return [spec.flag]
  const negated = long.replace(/^--/, '--no-')
  if (spec.default === true) return [negated]
  if (spec.default === false) return [long]
  return [long, negated]
}
