/**
 * The `run` flags, one (or, for a boolean unset by default, two) per configuration key,
 * made from the declarations; and the raw configuration a command line gives.
 */
import { InvalidArgumentError, Option, type Command } from 'commander'
import { CONFIG_KEYS, type DeclaredKey } from './keys.js'
import { constraintOf, flagNames } from './describe.js'
import { parseList, setPath, type RawConfig } from './load.js'
import { serviceMapFromFlags, serviceMapOptions } from './service-map.js'

function wholeNumber (flag: string) {
  return (value: string): number => {
    const n = Number(value)
    if (value.trim() === '' || !Number.isInteger(n)) {
      throw new InvalidArgumentError(`${flag} takes a whole number, not ${JSON.stringify(value)}`)
    }
    return n
  }
}

function collect (value: string, previous: string[] = []): string[] {
  return [...previous, ...parseList(value)]
}

function options (declared: DeclaredKey): Option[] {
  const { key, spec } = declared
  if (spec.type === 'service-map') return serviceMapOptions(declared, spec)
  const constraint = constraintOf(spec)
  return flagNames(spec).map(flag => {
    const negated = flag.startsWith('--no-')
    const help = spec.type === 'boolean'
      ? `${negated ? 'turn off: ' : ''}${spec.doc} [${key} = ${!negated}]`
      : `${spec.doc}${constraint !== '' ? ` (${constraint})` : ''}${spec.type === 'list' ? ' (repeatable, or comma-separated)' : ''} [${key}]`
    const option = new Option(flag, help)
    if (spec.type === 'number') option.argParser(wholeNumber(flag.split(' ')[0]))
    if (spec.type === 'list') option.argParser(collect)
    return option
  })
}

/** Adds a flag for every configuration key to `command` (the `run` command). */
export function addConfigOptions (command: Command): Command {
  for (const declared of CONFIG_KEYS) {
    for (const option of options(declared)) {
      command.addOption(option)
    }
  }
  return command
}

/** The configuration given on the command line: only flags actually given. */
export function configFromFlags (command: Command): RawConfig {
  const raw: RawConfig = {}
  const values = command.opts()
  for (const declared of CONFIG_KEYS) {
    if (declared.spec.type === 'service-map') {
      const map = serviceMapFromFlags(command, options(declared))
      if (map != null) setPath(raw, declared.key, map)
      continue
    }
    for (const option of options(declared)) {
      const attribute = option.attributeName()
      if (command.getOptionValueSource(attribute) === 'cli') {
        setPath(raw, declared.key, values[attribute])
      }
    }
  }
  return raw
}
