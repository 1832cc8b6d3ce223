/**
 * The node's configuration: `introducer.toml` in its data directory, overridden by
 * environment variables (for containers), overridden by command-line flags. Every key,
 * its default and its variable are listed in CONFIG_KEYS; a wrong key or value is
 * reported with its name and where it came from, and nothing starts.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parse as parseToml } from 'smol-toml'
import { z } from 'zod'
import { multiaddr } from '@multiformats/multiaddr'
import { DEFAULT_GRID, NAME_PATTERN } from '../announcement/names.js'
import { MAX_TTL_MS, MIN_TTL_MS } from '../announcement/record.js'
import { describeError } from '../errors.js'
import { DEFAULT_ANNOUNCEMENT_TTL_MS, DEFAULT_BOOTSTRAP_RETRY_MAX_MS, DEFAULT_INTRODUCER_TARGET } from '../introduction/constants.js'

export const CONFIG_FILE = 'introducer.toml'
export const ENV_PREFIX = 'INTRODUCER_'

/** A configuration that cannot be used; the message names the key and the source. */
export class ConfigError extends Error {
  static readonly NAME = 'ConfigError'
  override readonly name = ConfigError.NAME
}

const name = z.string().regex(NAME_PATTERN, 'use 1-64 characters of a-z 0-9 _ - . starting with a letter or digit')

/** A multiaddr string, checked by the multiaddr parser so a bad one is named with its key. */
const multiaddrString = z.string().superRefine((value, ctx) => {
  try {
    multiaddr(value)
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is not a multiaddr: ${describeError(err)}` })
  }
})

export const configSchema = z.object({
  grid: name.default(DEFAULT_GRID),
  nickname: z.string().max(128).default(''),
  listen: z.array(multiaddrString).min(1).default(['/ip4/127.0.0.1/tcp/0']),
  bootstrap: z.array(multiaddrString).default([]),
  bootstrap_file: z.string().default(''),
  /** Unset: on when the node has no bootstrap entries at all (a grid of one). */
  introducer: z.boolean().optional(),
  introducer_target: z.number().int().min(1).max(64).default(DEFAULT_INTRODUCER_TARGET),
  announcement_ttl_ms: z.number().int().min(MIN_TTL_MS).max(MAX_TTL_MS).default(DEFAULT_ANNOUNCEMENT_TTL_MS),
  services: z.array(name).default([]),
  dial_retry_max_ms: z.number().int().min(100).max(3_600_000).default(DEFAULT_BOOTSTRAP_RETRY_MAX_MS),
  network_key_file: z.string().default(''),
  certificate_file: z.string().default(''),
  storage: z.object({
    enabled: z.boolean().default(false),
    readonly: z.boolean().default(false),
    storage_only: z.boolean().default(false),
    available_space: z.number().int().min(0).optional()
  }).strict().prefault({}),
  admission: z.object({
    publishers: z.array(z.string()).default([]),
    grid_managers: z.array(z.string()).default([])
  }).strict().prefault({}),
  http: z.object({
    enabled: z.boolean().default(true),
    listen: z.string().regex(/^[^:]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/, 'use host:port, e.g. 127.0.0.1:3456').default('127.0.0.1:0')
  }).strict().prefault({})
}).strict()

export type Config = z.infer<typeof configSchema>

/** Every settable key: where it lives in the file, its variable, its kind, what it does. */
export const CONFIG_KEYS: Array<{ key: string, env: string, kind: 'string' | 'list' | 'boolean' | 'number', doc: string }> = [
  { key: 'grid', env: 'GRID', kind: 'string', doc: 'grid id: nodes of other grids never see each other' },
  { key: 'nickname', env: 'NICKNAME', kind: 'string', doc: 'name shown to other nodes' },
  { key: 'listen', env: 'LISTEN', kind: 'list', doc: 'multiaddrs to listen on' },
  { key: 'bootstrap', env: 'BOOTSTRAP', kind: 'list', doc: 'multiaddrs ending in /p2p/<peer id> to join through' },
  { key: 'bootstrap_file', env: 'BOOTSTRAP_FILE', kind: 'string', doc: 'a bootstrap list file: one multiaddr per line, # comments' },
  { key: 'introducer', env: 'INTRODUCER', kind: 'boolean', doc: 'run the introducer role (unset: on when there is no bootstrap entry, so a lone node is a grid of one)' },
  { key: 'introducer_target', env: 'INTRODUCER_TARGET', kind: 'number', doc: 'connections to keep to introducers' },
  { key: 'announcement_ttl_ms', env: 'ANNOUNCEMENT_TTL_MS', kind: 'number', doc: 'lifetime of this node\'s records; refreshed at a third of it' },
  { key: 'services', env: 'SERVICES', kind: 'list', doc: 'services to subscribe to besides the storage services' },
  { key: 'dial_retry_max_ms', env: 'DIAL_RETRY_MAX_MS', kind: 'number', doc: 'longest wait between dials of an unreachable bootstrap peer or introducer' },
  { key: 'network_key_file', env: 'NETWORK_KEY_FILE', kind: 'string', doc: 'private network: a libp2p swarm key file shared by every node of the grid' },
  { key: 'certificate_file', env: 'CERTIFICATE_FILE', kind: 'string', doc: 'this node\'s grid admission certificate, from `introducer grid-manager sign`' },
  { key: 'storage.enabled', env: 'STORAGE_ENABLED', kind: 'boolean', doc: 'offer storage (announce upload_storage and download_storage)' },
  { key: 'storage.readonly', env: 'STORAGE_READONLY', kind: 'boolean', doc: 'serve reads only (announce download_storage alone)' },
  { key: 'storage.storage_only', env: 'STORAGE_STORAGE_ONLY', kind: 'boolean', doc: 'do not subscribe to other storage servers' },
  { key: 'storage.available_space', env: 'STORAGE_AVAILABLE_SPACE', kind: 'number', doc: 'bytes available for new shares, announced' },
  { key: 'admission.publishers', env: 'ADMISSION_PUBLISHERS', kind: 'list', doc: 'admission: peer ids that may publish (with grid_managers empty or not)' },
  { key: 'admission.grid_managers', env: 'ADMISSION_GRID_MANAGERS', kind: 'list', doc: 'admission: peer ids of grid managers whose certificates admit publishers' },
  { key: 'http.enabled', env: 'HTTP_ENABLED', kind: 'boolean', doc: 'serve the welcome page, JSON API and metrics' },
  { key: 'http.listen', env: 'HTTP_LISTEN', kind: 'string', doc: 'host:port of the HTTP server (loopback by default)' }
]

type Raw = Record<string, unknown>

function setPath (target: Raw, key: string, value: unknown): void {
  const parts = key.split('.')
  let at = target
  for (const part of parts.slice(0, -1)) {
    at[part] = typeof at[part] === 'object' && at[part] != null ? at[part] : {}
    at = at[part] as Raw
  }
  at[parts[parts.length - 1]] = value
}

/** Converts a text value (environment, flag) to the key's kind; throws a message on bad input. */
/** A comma-separated list (an environment variable, a repeatable flag): trimmed, empties dropped. */
export function parseList (text: string): string[] {
  return text.split(',').map(s => s.trim()).filter(s => s !== '')
}

export function parseTextValue (kind: typeof CONFIG_KEYS[number]['kind'], text: string): unknown {
  switch (kind) {
    case 'list': return parseList(text)
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
export function configFromEnv (env: NodeJS.ProcessEnv): Raw {
  const raw: Raw = {}
  for (const { key, env: suffix, kind } of CONFIG_KEYS) {
    const text = env[ENV_PREFIX + suffix]
    if (text != null) {
      try {
        setPath(raw, key, parseTextValue(kind, text))
      } catch (err) {
        throw new ConfigError(`environment variable ${ENV_PREFIX}${suffix}: ${describeError(err)}`)
      }
    }
  }
  return raw
}

function merge (base: Raw, over: Raw): Raw {
  const out: Raw = { ...base }
  for (const [k, v] of Object.entries(over)) {
    out[k] = typeof v === 'object' && v != null && !Array.isArray(v) && typeof out[k] === 'object' && out[k] != null
      ? merge(out[k] as Raw, v as Raw)
      : v
  }
  return out
}

/** Validates a merged raw configuration; `source` names where it came from for messages. */
export function validateConfig (raw: Raw, source: string): Config {
  const result = configSchema.safeParse(raw)
  if (!result.success) {
    const problems = result.error.issues.map(issue => {
      const key = issue.path.join('.')
      if (issue.code === 'unrecognized_keys') {
        return `unknown key ${issue.keys.map(k => JSON.stringify(key === '' ? k : `${key}.${k}`)).join(', ')}`
      }
      return `${key === '' ? '(top level)' : key}: ${issue.message}`
    })
    throw new ConfigError(`bad configuration (${source}):\n  ${problems.join('\n  ')}`)
  }
  return result.data
}

/** Reads DIR/introducer.toml (absent: all defaults), then environment, then `flags`. */
export async function loadConfig (dir: string, options: { env?: NodeJS.ProcessEnv, flags?: Raw } = {}): Promise<Config> {
  const path = join(dir, CONFIG_FILE)
  let fileRaw: Raw = {}
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
  const sources = [path, ...(Object.keys(envRaw).length > 0 ? ['environment'] : []), ...(Object.keys(options.flags ?? {}).length > 0 ? ['command line'] : [])]
  return validateConfig(merge(merge(fileRaw, envRaw), options.flags ?? {}), sources.join(' + '))
}

/** What the commented file shows for keys that are unset by default. */
const UNSET_EXAMPLES: Record<string, string> = { introducer: 'false', 'storage.available_space': '1000000000000' }

/** The commented file `introducer init` writes: every key with its default. */
export function defaultConfigText (overrides: { grid?: string, nickname?: string } = {}): string {
  const lines = [
    '# gossip-introducer node configuration (TOML).',
    '# Every key is optional; the value shown is the default. Environment variables',
    `# (${ENV_PREFIX}<KEY>, e.g. ${ENV_PREFIX}GRID) override this file; command-line flags override both.`,
    ''
  ]
  const defaults = configSchema.parse({}) as Raw
  let section = ''
  for (const { key, env, doc } of CONFIG_KEYS) {
    const [head, tail] = key.includes('.') ? key.split('.') : ['', key]
    if (head !== section) {
      lines.push('', `[${head}]`)
      section = head
    }
    const value = head === '' ? defaults[tail] : (defaults[head] as Raw)[tail]
    const shown = key === 'grid' && overrides.grid != null ? overrides.grid : key === 'nickname' && overrides.nickname != null ? overrides.nickname : value
    lines.push(`# ${doc} (${ENV_PREFIX}${env})`)
    lines.push(shown === undefined ? `# ${tail} = ${UNSET_EXAMPLES[key] ?? '""'}` : `${(shown === value ? '# ' : '')}${tail} = ${JSON.stringify(shown)}`)
  }
  return lines.join('\n') + '\n'
}
