/**
 * Every daemon configuration key, declared once: its type, default (or that it is unset),
 * range, meaning and command-line flag. The zod schema (schema.ts), the INTRODUCER_*
 * variables (load.ts), the `run` flags (flags.ts), the commented introducer.toml that
 * `init` writes (toml.ts) and the table in docs/operations.md (docs.ts) are all made
 * from this list, so they cannot disagree. (memberlist's config.go is the model: one
 * place for every default and range.)
 */
import { DEFAULT_GRID } from '../../announcement/names.js'
import { MAX_TTL_MS, MIN_TTL_MS } from '../../announcement/record.js'
import { DEFAULT_ANNOUNCEMENT_TTL_MS, DEFAULT_BOOTSTRAP_RETRY_MAX_MS, DEFAULT_INTRODUCER_TARGET } from '../../introduction/constants.js'
import { DEFAULT_PING_INTERVAL_MS, DEFAULT_PING_TIMEOUT_MS, PING_INTERVAL_RANGE_MS, PING_TIMEOUT_RANGE_MS } from '../../node.js'
import { DEFAULT_MAX_CARRIED_SERVERS, MAX_CARRIED_SERVERS } from '../../tahoe/constants.js'

/** What a list's items or a string must be, beyond being text. */
export type TextFormat = 'name' | 'multiaddr' | 'host-port' | 'text'

interface Common {
  /** What it does, for the docs table, the commented file and `--help`. */
  doc: string
  /**
   * The `run` flag: `--name <arg>` for a value, `--name` for a boolean (a boolean that
   * defaults to true gets `--no-name` instead; an unset one gets both).
   */
  flag: string
  /** Unset by default: what that means (instead of a default value). */
  unset?: string
  /** For an unset key: the value the commented file shows as an example. */
  example?: string | number | boolean
  /** How the docs show the default, when the value alone says too little. */
  defaultDoc?: string
}

export type KeySpec = Common & (
  | { type: 'string', format: TextFormat, maxLength?: number, default?: string }
  | { type: 'list', format: TextFormat, minItems?: number, default?: string[] }
  | { type: 'number', min: number, max: number, default?: number }
  | { type: 'boolean', default?: boolean }
  | { type: 'enum', values: readonly string[], default?: string }
  /** A map-valued section, `[<key>.<service>]`, whose keys are the service's fields (service-map.ts). */
  | { type: 'service-map', fieldFlag: string, maxServices: number, reserved: readonly string[], default: Readonly<Record<string, Readonly<Record<string, string>>>> }
)

/** The value a key holds once validated. */
type ValueOf<K> =
  K extends { type: 'string' } ? string
    : K extends { type: 'list' } ? string[]
      : K extends { type: 'number' } ? number
        : K extends { type: 'boolean' } ? boolean
          : K extends { type: 'enum', values: ReadonlyArray<infer V> } ? V
            : K extends { type: 'service-map' } ? Record<string, Record<string, string>>
              : never
type Resolved<K> = K extends { unset: string } ? ValueOf<K> | undefined : ValueOf<K>
type SectionValues<T> = { -readonly [P in keyof T]: Resolved<T[P]> }

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const
export const LOG_FORMATS = ['text', 'json'] as const

/** Keys at the top of the file (before any [section]). */
export const TOP_KEYS = {
  grid: { type: 'string', format: 'name', default: DEFAULT_GRID, flag: '--grid <id>', doc: 'grid id: nodes of other grids never see each other' },
  nickname: { type: 'string', format: 'text', maxLength: 128, default: '', flag: '--nickname <name>', doc: 'name shown to other nodes' },
  listen: {
    type: 'list',
    format: 'multiaddr',
    minItems: 1,
    default: ['/ip4/127.0.0.1/tcp/0'],
    flag: '--listen <multiaddr>',
    doc: 'multiaddrs to listen on: loopback by default; use /ip4/0.0.0.0/tcp/PORT to serve others'
  },
  bootstrap: { type: 'list', format: 'multiaddr', default: [], flag: '--bootstrap <multiaddr>', doc: 'peers to join through: multiaddrs ending in /p2p/<peer id>' },
  bootstrap_file: { type: 'string', format: 'text', default: '', flag: '--bootstrap-file <path>', doc: 'a bootstrap list file (one multiaddr per line, # comments), relative to the data directory' },
  introducer: {
    type: 'boolean',
    unset: 'on when the node has no bootstrap entry at all (a grid of one), otherwise off',
    example: false,
    flag: '--introducer',
    doc: 'run the introducer role'
  },
  introducer_target: { type: 'number', min: 1, max: 64, default: DEFAULT_INTRODUCER_TARGET, flag: '--introducer-target <n>', doc: 'connections to keep to introducers' },
  announcement_ttl_ms: {
    type: 'number',
    min: MIN_TTL_MS,
    max: MAX_TTL_MS,
    default: DEFAULT_ANNOUNCEMENT_TTL_MS,
    defaultDoc: `${DEFAULT_ANNOUNCEMENT_TTL_MS} (${DEFAULT_ANNOUNCEMENT_TTL_MS / 60_000} min)`,
    flag: '--ttl-ms <ms>',
    doc: 'lifetime of this node\'s records, refreshed every third of it: a crashed node leaves everyone\'s tables within it'
  },
  services: { type: 'list', format: 'name', default: [], flag: '--services <names>', doc: 'services to subscribe to besides the storage services' },
  dial_retry_max_ms: {
    type: 'number',
    min: 100,
    max: 3_600_000,
    default: DEFAULT_BOOTSTRAP_RETRY_MAX_MS,
    flag: '--dial-retry-max-ms <ms>',
    doc: 'longest wait between dials of an unreachable bootstrap peer or introducer'
  },
  ping_interval_ms: {
    type: 'number',
    ...PING_INTERVAL_RANGE_MS,
    default: DEFAULT_PING_INTERVAL_MS,
    flag: '--ping-interval-ms <ms>',
    doc: 'how often each connection is pinged; a connection whose ping fails is closed'
  },
  ping_timeout_ms: {
    type: 'number',
    ...PING_TIMEOUT_RANGE_MS,
    default: DEFAULT_PING_TIMEOUT_MS,
    flag: '--ping-timeout-ms <ms>',
    doc: 'the least time a ping is given before its connection is closed'
  },
  network_key_file: {
    type: 'string',
    format: 'text',
    default: '',
    defaultDoc: '"" (an open network)',
    flag: '--network-key-file <path>',
    doc: 'private network: a libp2p swarm key file shared by every node of the grid, relative to the data directory'
  },
  certificate_file: {
    type: 'string',
    format: 'text',
    default: '',
    defaultDoc: '"" (none)',
    flag: '--certificate-file <path>',
    doc: 'this node\'s grid admission certificate, from `introducer grid-manager sign`, relative to the data directory'
  },
  log_level: { type: 'enum', values: LOG_LEVELS, default: 'info', flag: '--log-level <level>', doc: 'least severe log lines printed (reloaded on SIGHUP)' },
  log_format: { type: 'enum', values: LOG_FORMATS, default: 'text', flag: '--log-format <format>', doc: 'log lines as text, or one JSON object per line' },
  init: {
    type: 'boolean',
    default: false,
    flag: '--init',
    doc: 'create the data directory (key, commented introducer.toml) if it was never initialised, instead of refusing to run (for containers)'
  }
} as const satisfies Record<string, KeySpec>

export const SECTION_KEYS = {
  storage: {
    enabled: { type: 'boolean', default: false, flag: '--storage', doc: 'offer storage: announce upload_storage and download_storage' },
    readonly: { type: 'boolean', default: false, flag: '--readonly', doc: 'serve reads only: announce download_storage alone' },
    storage_only: { type: 'boolean', default: false, flag: '--storage-only', doc: 'do not subscribe to other storage servers' },
    available_space: {
      type: 'number',
      min: 0,
      max: Number.MAX_SAFE_INTEGER,
      unset: 'not announced',
      example: 1_000_000_000_000,
      flag: '--available-space <bytes>',
      doc: 'bytes available for new shares, announced'
    }
  },
  admission: {
    publishers: { type: 'list', format: 'text', default: [], flag: '--admission-publishers <ids>', doc: 'peer ids that may publish without a certificate' },
    grid_managers: {
      type: 'list',
      format: 'text',
      default: [],
      flag: '--admission-grid-managers <ids>',
      doc: 'peer ids of grid managers whose certificates admit publishers; with both admission lists empty, admission is off'
    }
  },
  // the Tahoe gateway (src/tahoe/gateway.ts, docs/tahoe.md)
  tahoe: {
    enabled: {
      type: 'boolean',
      default: false,
      flag: '--tahoe',
      doc: 'be a Tahoe-LAFS introducer too: Tahoe nodes list the FURL in DIR/tahoe-introducer.furl in their introducers.yaml, and their storage servers are carried over the grid'
    },
    listen: {
      type: 'string',
      format: 'host-port',
      default: '127.0.0.1:0',
      flag: '--tahoe-listen <host:port>',
      doc: 'address of the Tahoe introducer (Foolscap); port 0: a free port picked at the first start and kept in DIR/tahoe/port, so the FURL stays'
    },
    location: {
      type: 'string',
      format: 'text',
      default: '',
      defaultDoc: '"" (the listen address)',
      flag: '--tahoe-location <hints>',
      doc: 'connection hints in the FURL, like Tahoe\'s tub.location: tcp:HOST:PORT, comma-separated; needed when listening on a wildcard address'
    },
    introducers: {
      type: 'list',
      format: 'text',
      default: [],
      flag: '--tahoe-introducers <furls>',
      doc: 'FURLs of existing Tahoe introducers whose storage servers this daemon brings onto the grid (migration)'
    },
    max_servers: { type: 'number', min: 1, max: MAX_CARRIED_SERVERS, default: DEFAULT_MAX_CARRIED_SERVERS, flag: '--tahoe-max-servers <n>', doc: 'most Tahoe servers this daemon carries onto the grid' }
  },
  http: {
    enabled: { type: 'boolean', default: true, flag: '--http', doc: 'serve the welcome page, JSON API, health checks and metrics' },
    listen: {
      type: 'string',
      format: 'host-port',
      default: '127.0.0.1:0',
      flag: '--http-listen <host:port>',
      doc: 'address of the HTTP server: loopback by default (the API has no authentication)'
    }
  }
} as const satisfies Record<string, Record<string, KeySpec>>

/**
 * Map-valued sections, after every other: `[publish.<service>]` tables, one per service
 * this node announces (like `serf tags`), whose keys are the service's fields. Not under
 * `services`: that key is the list of services subscribed to, and TOML cannot have a key
 * be both a list and a table. Reloaded on SIGHUP (run.ts: RELOADABLE_KEYS).
 */
export const MAP_SECTIONS = {
  publish: {
    type: 'service-map',
    default: {},
    defaultDoc: '{} (nothing besides the roles\' services)',
    maxServices: 16,
    // announced by their roles (names.ts: INTRODUCER, UPLOAD_STORAGE, DOWNLOAD_STORAGE)
    reserved: ['introducer', 'upload_storage', 'download_storage'],
    flag: '--publish <service>',
    fieldFlag: '--field <name=value>',
    doc: 'services this node announces, each with its fields: `[publish.helper]` then `region = "eu"`; a --field applies to the --publish before it (reloaded on SIGHUP)'
  }
} as const satisfies Record<string, KeySpec>

/** A validated configuration. */
export type Config = SectionValues<typeof TOP_KEYS> & { -readonly [S in keyof typeof SECTION_KEYS]: SectionValues<typeof SECTION_KEYS[S]> } & SectionValues<typeof MAP_SECTIONS>

export const ENV_PREFIX = 'INTRODUCER_'

/** One key with its full name (`storage.enabled`) and its variable. */
export interface DeclaredKey {
  /** `grid`, `storage.enabled`, or `publish` (a map-valued section; its name is `<service>`) */
  key: string
  section: string
  name: string
  env: string
  spec: KeySpec
}

/** Every key in file order: the top-level keys, then each section's, then the map-valued sections. */
export const CONFIG_KEYS: DeclaredKey[] = [
  ...Object.entries(TOP_KEYS).map(([name, spec]): DeclaredKey => ({ key: name, section: '', name, env: ENV_PREFIX + name.toUpperCase(), spec })),
  ...Object.entries(SECTION_KEYS).flatMap(([section, keys]) => Object.entries(keys).map(([name, spec]): DeclaredKey =>
    ({ key: `${section}.${name}`, section, name, env: `${ENV_PREFIX}${section.toUpperCase()}_${name.toUpperCase()}`, spec }))),
  ...Object.entries(MAP_SECTIONS).map(([name, spec]): DeclaredKey => ({ key: name, section: name, name: '<service>', env: ENV_PREFIX + name.toUpperCase(), spec }))
]

/** What a value of this format must look like, in words. */
export const FORMAT_DOCS: Record<TextFormat, string> = {
  name: '1-64 characters of a-z 0-9 _ - . starting with a letter or digit',
  multiaddr: 'a multiaddr',
  'host-port': 'host:port, e.g. 127.0.0.1:3456 or [::1]:3456',
  text: 'text'
}
