/**
 * Where a configuration comes from: `introducer.toml` in the data directory, overridden
 * by environment variables (for containers), overridden by command-line flags. A wrong
 * key or value is reported with its name and where it came from, and nothing starts.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parse as parseToml } from 'smol-toml'
import { describeError } from '../../errors.js'
import { CONFIG_KEYS, type Config, type KeySpec } from './keys.js'
import { ConfigError, validateConfig } from './schema.js'
import { parseServiceMapText } from './service-map.js'

export const CONFIG_FILE = 'introducer.toml'

export type RawConfig = Record<string, unknown>

/** Sets `storage.enabled` (or `grid`) in a nested raw configuration. */
export function setPath (target: RawConfig, key: string, value: unknown): void {
  const parts = key.split('.')
  let at = target
  for (const part of parts.slice(0, -1)) {
    at[part] = typeof at[part] === 'object' && at[part] != null ? at[part] : {}
    at = at[part] as RawConfig
  }
  at[parts[parts.length - 1]] = value
}

/** A comma-separated list (an environment variable, a repeatable flag): trimmed, empties dropped. */
export function parseList (text: string): string[] {
  return text.split(',').map(s => s.trim()).filter(s => s !== '')
}

/** Converts a text value (environment, flag) to the key's type; throws a message on bad input. */
export function parseTextValue (type: KeySpec['type'], text: string): unknown {
  switch (type) {
    case 'list': return parseList(text)
    case 'service-map': return parseServiceMapText(text)
    case 'boolean':
      if (/^(true|1|yes|on)$/i.test(text)) return true
      if (/^(false|0|no|off)$/i.test(text)) return false
      throw new Error(`${JSON.stringify(text)} is not true or false`)
    case 'number': {
      const n = Number(text)
      if (text.trim() === '' || !Number.isFinite(n)) throw new Error(`${JSON.stringify(text)} is not a number`)
      return n
    }
    default: return text
  }
}

/** Environment overrides, e.g. INTRODUCER_GRID=g1, INTRODUCER_STORAGE_ENABLED=true. */
export function configFromEnv (env: NodeJS.ProcessEnv): RawConfig {
  const raw: RawConfig = {}
  for (const { key, env: name, spec } of CONFIG_KEYS) {
    const text = env[name]
    if (text != null) {
      try {
        setPath(raw, key, parseTextValue(spec.type, text))
      } catch (err) {
        throw new ConfigError(`environment variable ${name}: ${describeError(err)}`)
      }
    }
  }
  return raw
}

function merge (base: RawConfig, over: RawConfig): RawConfig {
  const out: RawConfig = { ...base }
  for (const [k, v] of Object.entries(over)) {
    out[k] = typeof v === 'object' && v != null && !Array.isArray(v) && typeof out[k] === 'object' && out[k] != null
      ? merge(out[k] as RawConfig, v as RawConfig)
      : v
  }
  return out
}

/** Reads DIR/introducer.toml (absent: all defaults), then environment, then `flags`. */
export async function loadConfig (dir: string, options: { env?: NodeJS.ProcessEnv, flags?: RawConfig } = {}): Promise<Config> {
  const path = join(dir, CONFIG_FILE)
  let fileRaw: RawConfig = {}
  let text: string | undefined
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new ConfigError(`${path}: cannot read: ${describeError(err)}`)
    }
  }
  if (text != null) {
    try {
      fileRaw = parseToml(text)
    } catch (err) {
      throw new ConfigError(`${path}: not valid TOML: ${describeError(err)}`)
    }
  }
  const envRaw = configFromEnv(options.env ?? {})
  const flags = options.flags ?? {}
  const sources = [path, ...(Object.keys(envRaw).length > 0 ? ['environment'] : []), ...(Object.keys(flags).length > 0 ? ['command line'] : [])]
  return validateConfig(merge(merge(fileRaw, envRaw), flags), sources.join(' + '))
}
