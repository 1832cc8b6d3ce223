import { assertGridId, assertServiceName, NAME_PATTERN } from '../announcement/names.js'

/**
 * Topic names are built and parsed here only. The version segment lets a future wire
 * format run beside this one; the grid segment keeps grids apart.
 *
 *   /gossip-introducer/1/<grid>/svc/<service>
 */
export const TOPIC_PREFIX = '/gossip-introducer/1/'

export function serviceTopic (grid: string, service: string): string {
  assertGridId(grid)
  assertServiceName(service)
  return `${TOPIC_PREFIX}${grid}/svc/${service}`
}

export interface ParsedTopic {
  grid: string
  service: string
}

/** Parses a service topic; `undefined` for anything that is not one. */
export function parseServiceTopic (topic: string): ParsedTopic | undefined {
  if (!topic.startsWith(TOPIC_PREFIX)) {
    return undefined
  }
  const parts = topic.slice(TOPIC_PREFIX.length).split('/')
  if (parts.length !== 3 || parts[1] !== 'svc') {
    return undefined
  }
  const [grid, , service] = parts
  if (!NAME_PATTERN.test(grid) || !NAME_PATTERN.test(service)) {
    return undefined
  }
  return { grid, service }
}
