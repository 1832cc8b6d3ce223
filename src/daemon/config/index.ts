/** The daemon's configuration: declared once in keys.ts, everything else made from it. */
export { CONFIG_KEYS, ENV_PREFIX, LOG_FORMATS, LOG_LEVELS, type Config, type DeclaredKey, type KeySpec } from './keys.js'
export { ConfigError, configSchema, validateConfig } from './schema.js'
export { CONFIG_FILE, configFromEnv, loadConfig, parseList, parseTextValue, type RawConfig } from './load.js'
export { defaultConfigText } from './toml.js'
export { addConfigOptions, configFromFlags } from './flags.js'
