/**
 * The configuration is declared once (src/daemon/config/keys.ts): the schema, the
 * variables, the `run` flags, the commented introducer.toml and the docs table all come
 * from it. These tests check that each of them covers every key, and that
 * docs/operations.md holds exactly the generated table.
 */
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { describe, it } from 'node:test'
import { parse as parseToml } from 'smol-toml'
import { Command } from 'commander'
import { CONFIG_KEYS, configFromEnv, configSchema, defaultConfigText, validateConfig, ConfigError, addConfigOptions, configFromFlags } from '../../src/daemon/config/index.js'
import { configTable, DOCS_FILE, withConfigTable } from '../../src/daemon/config/docs.js'

/** A value of the key's type that differs from its default. */
function otherValue (key: typeof CONFIG_KEYS[number]): { text: string, value: unknown } {
  const { spec } = key
  switch (spec.type) {
    case 'boolean': return spec.default === true ? { text: 'false', value: false } : { text: 'true', value: true }
    case 'number': return { text: String(spec.min + 1), value: spec.min + 1 }
    case 'enum': { const v = spec.values.find(x => x !== spec.default) ?? spec.values[0]; return { text: v, value: v } }
    case 'list': return spec.format === 'multiaddr'
      ? { text: '/ip4/127.0.0.1/tcp/1,/ip4/127.0.0.1/tcp/2', value: ['/ip4/127.0.0.1/tcp/1', '/ip4/127.0.0.1/tcp/2'] }
      : { text: 'a1,b2', value: ['a1', 'b2'] }
    case 'string': return spec.format === 'host-port' ? { text: '127.0.0.1:9', value: '127.0.0.1:9' } : { text: 'x-1', value: 'x-1' }
    case 'service-map': return { text: 'relay = { region = "eu" }', value: { relay: { region: 'eu' } } }
  }
}

const get = (config: unknown, key: string): unknown => key.split('.').reduce<unknown>((at, part) => (at as Record<string, unknown>)[part], config)

describe('configuration declared once', () => {
  it('docs/operations.md holds the generated table (run `npm run docs:config` after changing a key)', async () => {
    const doc = await readFile(DOCS_FILE, 'utf8')
    assert.equal(doc, withConfigTable(doc), `${DOCS_FILE}'s configuration table differs from src/daemon/config/keys.ts: run \`npm run docs:config\``)
    const table = configTable()
    for (const { key, env, spec } of CONFIG_KEYS) {
      const shown = spec.type === 'service-map' ? `[${key}.<service>]` : key
      assert.ok(table.includes(`| \`${shown}\` | \`${env}\``), `${key} in the table`)
    }
  })

  it('every key is in the schema with its default, and unset keys stay unset', () => {
    const defaults = configSchema.parse({})
    for (const { key, spec } of CONFIG_KEYS) {
      assert.deepEqual(get(defaults, key), spec.default, key)
      if (spec.default === undefined) assert.ok(spec.unset != null, `${key} says what unset means`)
    }
  })

  it('every key has a variable and a flag that set it', () => {
    for (const declared of CONFIG_KEYS) {
      const { text, value } = otherValue(declared)
      const fromEnv = validateConfig(configFromEnv({ [declared.env]: text }), 'environment')
      assert.deepEqual(get(fromEnv, declared.key), value, `${declared.env}=${text}`)

      const command = addConfigOptions(new Command('run').exitOverride())
      const flag = declared.spec.flag.split(' ')[0]
      const negated = declared.spec.type === 'boolean' && declared.spec.default === true
      const args = declared.spec.type === 'boolean'
        ? [negated ? flag.replace('--', '--no-') : flag]
        : declared.spec.type === 'service-map' ? [flag, 'relay', declared.spec.fieldFlag.split(' ')[0], 'region=eu'] : [flag, text]
      command.parse(args, { from: 'user' })
      const raw = configFromFlags(command)
      assert.deepEqual(get(validateConfig(raw, 'command line'), declared.key), value, `${args.join(' ')}`)
      // only the flag given is in the raw configuration: the rest comes from file and environment
      const leaves = Object.entries(raw).flatMap(([k, v]) => typeof v === 'object' && v != null && !Array.isArray(v) && declared.spec.type !== 'service-map' ? Object.keys(v).map(n => `${k}.${n}`) : [k])
      assert.deepEqual(leaves, [declared.key], JSON.stringify(raw))
    }
  })

  it('the commented introducer.toml names every key and variable; uncommented, its values are the defaults', () => {
    const text = defaultConfigText()
    for (const { key, name, env, spec } of CONFIG_KEYS) {
      if (spec.type === 'service-map') assert.match(text, new RegExp(`^# \\[${key}\\.helper\\]\n#   region = "eu"$`, 'm'), key)
      else assert.match(text, new RegExp(`^# ${name} = `, 'm'), name)
      assert.ok(text.includes(`variable ${env}`), env)
    }
    // a key that is unset by default says so, and is not shown as if its example were the default
    assert.match(text, /# unset by default: on when the node has no bootstrap entry[^\n]*\n# introducer = false\n/)
    assert.match(text, /# unset by default: not announced[^\n]*\n# available_space = \d+\n/)
    // uncommenting every "# key = value" line gives a file the schema accepts, with the defaults
    const uncommented = text.split('\n').map(l => /^# \w+ = /.test(l) ? l.slice(2) : l).join('\n')
    const parsed = validateConfig(parseToml(uncommented), 'uncommented file')
    const defaults = configSchema.parse({})
    for (const { key, spec } of CONFIG_KEYS) {
      if (spec.default !== undefined) assert.deepEqual(get(parsed, key), get(defaults, key), key)
    }
  })

  it('a bad value is named with its key and source', () => {
    assert.throws(() => validateConfig({ log_level: 'loud' }, 'test'), (err: Error) => err instanceof ConfigError && /log_level: .*/.test(err.message) && /\(test\)/.test(err.message))
    assert.throws(() => validateConfig({ grid: 'My Grid' }, 'test'), /grid: use 1-64 characters/)
    assert.throws(() => configFromEnv({ INTRODUCER_INTRODUCER_TARGET: 'three' }), /INTRODUCER_INTRODUCER_TARGET: "three" is not a number/)
  })

  describe('[publish.<service>]: a map-valued section', () => {
    it('from the file, the environment (names, or a TOML inline table body) and the flags, merged field by field', () => {
      const file = parseToml('[publish.helper]\nregion = "eu"\nfurl = "pb://x@tcp:h:1,tcp:h2:2/swiss"\n\n[publish.relay]\n')
      assert.deepEqual(validateConfig(file, 'file').publish, { helper: { region: 'eu', furl: 'pb://x@tcp:h:1,tcp:h2:2/swiss' }, relay: {} })
      assert.deepEqual(validateConfig(configFromEnv({ INTRODUCER_PUBLISH: 'helper, relay' }), 'env').publish, { helper: {}, relay: {} })
      assert.deepEqual(validateConfig(configFromEnv({ INTRODUCER_PUBLISH: 'helper = { region = "us", zone = "b" }' }), 'env').publish, { helper: { region: 'us', zone: 'b' } })
      assert.deepEqual(configSchema.parse({}).publish, {}, 'nothing by default')

      const command = addConfigOptions(new Command('run').exitOverride())
      command.parse(['--publish', 'helper', '--field', 'region=eu', '--field', 'url=a=b', '--publish', 'relay', '--field', 'x=1'], { from: 'user' })
      assert.deepEqual(configFromFlags(command).publish, { helper: { region: 'eu', url: 'a=b' }, relay: { x: '1' } }, 'each --field belongs to the --publish before it')
    })

    it('refuses what could not be announced, naming the key', () => {
      const bad = (raw: unknown, re: RegExp): void => {
        assert.throws(() => validateConfig({ publish: raw }, 'test'), (err: Error) => err instanceof ConfigError && re.test(err.message), JSON.stringify(raw))
      }
      bad({ upload_storage: {} }, /publish\.upload_storage: .*announced by their roles/)
      bad({ introducer: {} }, /announced by their roles/)
      bad({ 'Bad Name': {} }, /publish\.Bad Name: a service name is 1-64 characters/)
      bad({ helper: { port: 8080 } }, /publish\.helper\.port: a field value must be text/)
      bad({ helper: { v: 'x'.repeat(1025) } }, /publish\.helper\.v: a field value is at most 1024 bytes/)
      bad({ helper: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`f${i}`, ''])) }, /publish\.helper: at most 32 fields/)
      bad(Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`s${i}`, {}])), /publish: at most 16 services/)
      assert.throws(() => configFromEnv({ INTRODUCER_PUBLISH: 'helper = {' }), /INTRODUCER_PUBLISH: .* is neither service names .* nor a TOML inline table body/)
      const command = addConfigOptions(new Command('run').exitOverride().configureOutput({ writeErr: () => {} }))
      assert.throws(() => command.parse(['--field', 'region=eu'], { from: 'user' }), /--field region=eu: give --publish <service> before it/)
      assert.throws(() => addConfigOptions(new Command('run').exitOverride().configureOutput({ writeErr: () => {} })).parse(['--publish', 'h', '--field', 'novalue'], { from: 'user' }),
        /--field takes name=value, not "novalue"/)
    })
  })
})
