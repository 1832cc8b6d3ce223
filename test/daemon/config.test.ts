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
  }
}

const get = (config: unknown, key: string): unknown => key.split('.').reduce<unknown>((at, part) => (at as Record<string, unknown>)[part], config)

describe('configuration declared once', () => {
  it('docs/operations.md holds the generated table (run `npm run docs:config` after changing a key)', async () => {
    const doc = await readFile(DOCS_FILE, 'utf8')
    assert.equal(doc, withConfigTable(doc), `${DOCS_FILE}'s configuration table differs from src/daemon/config/keys.ts: run \`npm run docs:config\``)
    const table = configTable()
    for (const { key, env } of CONFIG_KEYS) {
      assert.ok(table.includes(`| \`${key}\` | \`${env}\``), `${key} in the table`)
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
      const args = declared.spec.type === 'boolean' ? [negated ? flag.replace('--', '--no-') : flag] : [flag, text]
      command.parse(args, { from: 'user' })
      const raw = configFromFlags(command)
      assert.deepEqual(get(validateConfig(raw, 'command line'), declared.key), value, `${args.join(' ')}`)
      // only the flag given is in the raw configuration: the rest comes from file and environment
      const leaves = Object.entries(raw).flatMap(([k, v]) => typeof v === 'object' && v != null && !Array.isArray(v) ? Object.keys(v).map(n => `${k}.${n}`) : [k])
      assert.deepEqual(leaves, [declared.key], JSON.stringify(raw))
    }
  })

  it('the commented introducer.toml names every key and variable; uncommented, its values are the defaults', () => {
    const text = defaultConfigText()
    for (const { name, env } of CONFIG_KEYS) {
      assert.match(text, new RegExp(`^# ${name} = `, 'm'), name)
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
})
