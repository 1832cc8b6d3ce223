/**
 * The zod schema of the configuration, built from the key declarations (keys.ts), and
 * the one place a configuration is validated.
 */
import { z } from 'zod'
import { multiaddr } from '@multiformats/multiaddr'
import { NAME_PATTERN } from '../../announcement/names.js'
import { describeError } from '../../errors.js'
import { CONFIG_KEYS, FORMAT_DOCS, type Config, type KeySpec, type TextFormat } from './keys.js'
import { serviceMapSchema } from './service-map.js'

/** A configuration that cannot be used; the message names the key and the source. */
export class ConfigError extends Error {
  static readonly NAME = 'ConfigError'
  override readonly name = ConfigError.NAME
}

/** host:port, with an IPv6 host in brackets. */
export const HOST_PORT = /^[^:[\]]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/

function text (format: TextFormat): z.ZodType<string> {
  switch (format) {
    case 'name': return z.string().regex(NAME_PATTERN, `use ${FORMAT_DOCS.name}`)
    case 'host-port': return z.string().regex(HOST_PORT, `use ${FORMAT_DOCS['host-port']}`)
    case 'multiaddr': return z.string().superRefine((value, ctx) => {
      // checked by the multiaddr parser, so that a bad one is named with its key
      try {
        multiaddr(value)
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is not a multiaddr: ${describeError(err)}` })
      }
    })
    default: return z.string()
  }
}

function keySchema (spec: KeySpec): z.ZodType {
  let schema: z.ZodType
  switch (spec.type) {
    case 'string': {
      const s = text(spec.format)
      schema = spec.maxLength != null && s instanceof z.ZodString ? s.max(spec.maxLength) : s
      break
    }
    case 'list': schema = z.array(text(spec.format)).min(spec.minItems ?? 0); break
    case 'number': schema = z.number().int().min(spec.min).max(spec.max); break
    case 'boolean': schema = z.boolean(); break
    case 'enum': schema = z.enum(spec.values as [string, ...string[]]); break
    case 'service-map': return serviceMapSchema(spec)
  }
  return spec.default !== undefined ? schema.default(spec.default as never) : schema.optional()
}

function buildSchema (): z.ZodType<Config> {
  const top: Record<string, z.ZodType> = {}
  const sections: Record<string, Record<string, z.ZodType>> = {}
  for (const { key, section, name, spec } of CONFIG_KEYS) {
    if (spec.type === 'service-map') {
      top[key] = keySchema(spec)
    } else if (section === '') {
      top[name] = keySchema(spec)
    } else {
      (sections[section] ??= {})[name] = keySchema(spec)
    }
  }
  for (const [section, shape] of Object.entries(sections)) {
    top[section] = z.object(shape).strict().prefault({})
  }
  return z.object(top).strict() as unknown as z.ZodType<Config>
}

export const configSchema = buildSchema()

type Raw = Record<string, unknown>

/** Validates a merged raw configuration; `source` names where it came from for messages. */
export function validateConfig (raw: Raw, source: string): Config {
  const result = configSchema.safeParse(raw)
  if (!result.success) {
    const problems = result.error.issues.map(issue => {
      const key = issue.path.join('.')
      if (issue.code === 'unrecognized_keys') {
        return `unknown key ${issue.keys.map(k => JSON.stringify(key === '' ? k : `${key}.${k}`)).join(', ')}`
      }
      // a bad key of a map (e.g. publish.<service>): the key's own issue says what is wrong
      const message = issue.code === 'invalid_key' ? issue.issues.map(i => i.message).join('; ') : issue.message
      return `${key === '' ? '(top level)' : key}: ${message}`
    })
    throw new ConfigError(`bad configuration (${source}):\n  ${problems.join('\n  ')}`)
  }
  return result.data
}
