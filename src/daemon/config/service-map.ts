/**
 * The one map-valued kind of configuration key (keys.ts: `type: 'service-map'`), e.g.
 * `[publish.<service>]`: one TOML table per service, whose keys are the service's
 * fields. Everything that differs from a plain key lives here: its schema, its
 * environment form, its two flags and its lines in the commented introducer.toml.
 *
 * - file: `[publish.helper]` then `region = "eu"` (string values);
 * - environment (INTRODUCER_PUBLISH): service names, comma-separated (no fields), or a
 *   TOML inline table's body: `helper = { region = "eu" }, relay = {}`;
 * - flags: `--publish helper --field region=eu`, repeatable; each --field applies to the
 *   --publish before it.
 */
import { InvalidArgumentError, Option, type Command } from 'commander'
import { parse as parseToml } from 'smol-toml'
import { z } from 'zod'
import { NAME_PATTERN } from '../../announcement/names.js'
import { MAX_FIELD_KEY_BYTES, MAX_FIELD_VALUE_BYTES, MAX_FIELDS } from '../../announcement/record.js'
import { describeError } from '../../errors.js'
import { FORMAT_DOCS, type DeclaredKey, type KeySpec } from './keys.js'

export type ServiceMapSpec = Extract<KeySpec, { type: 'service-map' }>
export type ServiceMap = Record<string, Record<string, string>>

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8')

export function serviceMapConstraint (spec: ServiceMapSpec): string {
  return `at most ${spec.maxServices} services, not ${spec.reserved.join(', ')} (their roles announce those); ` +
    `at most ${MAX_FIELDS} fields each, names of 1-${MAX_FIELD_KEY_BYTES} bytes, text values of at most ${MAX_FIELD_VALUE_BYTES} bytes`
}

export function serviceMapSchema (spec: ServiceMapSpec): z.ZodType {
  const field = z.string({ error: 'a field value must be text (in quotes)' }).refine(v => bytes(v) <= MAX_FIELD_VALUE_BYTES, `a field value is at most ${MAX_FIELD_VALUE_BYTES} bytes`)
  const fields = z.record(
    z.string().refine(k => bytes(k) >= 1 && bytes(k) <= MAX_FIELD_KEY_BYTES, `a field name is 1-${MAX_FIELD_KEY_BYTES} bytes`),
    field
  ).refine(f => Object.keys(f).length <= MAX_FIELDS, `at most ${MAX_FIELDS} fields`)
  const service = z.string()
    .regex(NAME_PATTERN, `a service name is ${FORMAT_DOCS.name}`)
    .refine(name => !spec.reserved.includes(name), `${spec.reserved.join(', ')} are announced by their roles (introducer = true, [storage]), not here`)
  return z.record(service, fields)
    .refine(map => Object.keys(map).length <= spec.maxServices, `at most ${spec.maxServices} services`)
    .default(spec.default as ServiceMap)
}

/** The environment form (see above); throws a message saying what it must look like. */
export function parseServiceMapText (text: string): ServiceMap {
  if (/^[\s,a-z0-9_.-]*$/.test(text)) {
    return Object.fromEntries(text.split(',').map(s => s.trim()).filter(s => s !== '').map(name => [name, {}]))
  }
  let table: unknown
  try {
    table = parseToml(`v = { ${text} }`).v
  } catch (err) {
    throw new Error(`${JSON.stringify(text)} is neither service names (helper,relay) nor a TOML inline table body (helper = { region = "eu" }): ${describeError(err).split('\n')[0]}`)
  }
  return table as ServiceMap
}

/** `--publish <service>` and `--field <name=value>`, whose values record the order they came in. */
export function serviceMapOptions (declared: DeclaredKey, spec: ServiceMapSpec): Option[] {
  let last: string | undefined
  const publish = new Option(spec.flag, `announce this service (repeatable) [${declared.key}]`)
    .argParser((name: string, previous: string[] = []) => {
      last = name
      return [...previous, name]
    })
  const fieldFlag = spec.fieldFlag.split(' ')[0]
  const field = new Option(spec.fieldFlag, `a field of the service of the ${spec.flag.split(' ')[0]} before it (repeatable) [${declared.key}.<service>.<name>]`)
    .argParser((text: string, previous: Array<[string, string, string]> = []) => {
      const at = text.indexOf('=')
      if (last == null) throw new InvalidArgumentError(`${fieldFlag} ${text}: give ${spec.flag} before it, e.g. ${spec.flag.split(' ')[0]} helper ${fieldFlag} region=eu`)
      if (at < 1) throw new InvalidArgumentError(`${fieldFlag} takes name=value, not ${JSON.stringify(text)}`)
      const entry: [string, string, string] = [last, text.slice(0, at), text.slice(at + 1)]
      return [...previous, entry]
    })
  return [publish, field]
}

/** The map the two flags give, or undefined when neither was given. */
export function serviceMapFromFlags (command: Command, options: Option[]): ServiceMap | undefined {
  const [publish, field] = options.map(o => o.attributeName())
  if (command.getOptionValueSource(publish) !== 'cli') return undefined
  const values = command.opts()
  const map: ServiceMap = {}
  for (const name of values[publish] as string[]) map[name] ??= {}
  for (const [service, name, value] of (values[field] ?? []) as Array<[string, string, string]>) map[service][name] = value
  return map
}

/** Its part of the commented introducer.toml: what it is and a commented example. */
export function serviceMapTomlLines (declared: DeclaredKey, spec: ServiceMapSpec, constraint: string): string[] {
  const flag = spec.flag.split(' ')[0]
  const fieldFlag = spec.fieldFlag.split(' ')[0]
  return [
    '', `# [${declared.key}.<service>] sections: ${spec.doc}`,
    `# ${constraint}`,
    `# variable ${declared.env} (helper,relay or helper = { region = "eu" }), flags ${flag} helper ${fieldFlag} region=eu`,
    '# none by default. For example:',
    `# [${declared.key}.helper]`,
    '#   region = "eu"'
  ]
}
