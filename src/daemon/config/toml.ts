/**
 * The commented introducer.toml that `introducer init` writes: every key with what it
 * does, its range, its variable and flag, and its default as a commented line. A key that
 * is unset by default says so (and what unset means) instead of showing a value.
 */
import { CONFIG_KEYS, ENV_PREFIX } from './keys.js'
import { constraintOf, flagNames, tomlValue } from './describe.js'
import { serviceMapTomlLines } from './service-map.js'

/** `overrides`: values written as set (uncommented), e.g. the grid given to `init --grid`. */
export function defaultConfigText (overrides: Record<string, unknown> = {}): string {
  const lines = [
    '# gossip-introducer node configuration (TOML).',
    '# Every key is optional. A commented "# key = value" line shows the default; a key',
    '# that is unset by default says so. Environment variables (' + ENV_PREFIX + '<KEY>, e.g.',
    `# ${ENV_PREFIX}GRID) override this file; command-line flags override both.`
  ]
  let section = ''
  for (const declared of CONFIG_KEYS) {
    const { key, section: head, name, env, spec } = declared
    if (spec.type === 'service-map') {
      lines.push(...serviceMapTomlLines(declared, spec, constraintOf(spec)))
      continue
    }
    if (head !== section) {
      lines.push('', `[${head}]`)
      section = head
    }
    const constraint = constraintOf(spec)
    lines.push('', `# ${spec.doc}`, `# ${constraint !== '' ? `${constraint}; ` : ''}variable ${env}, flag ${flagNames(spec).map(f => f.split(' ')[0]).join(' / ')}`)
    if (Object.hasOwn(overrides, key) && overrides[key] !== undefined) {
      lines.push(`${name} = ${tomlValue(overrides[key])}`)
    } else if (spec.default !== undefined) {
      lines.push(`# ${name} = ${tomlValue(spec.default)}`)
    } else {
      lines.push(`# unset by default: ${spec.unset ?? 'not set'}. For example:`, `# ${name} = ${tomlValue(spec.example ?? '')}`)
    }
  }
  return lines.join('\n') + '\n'
}
