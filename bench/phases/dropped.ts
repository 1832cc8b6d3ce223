/** Counts of records the validators dropped (ours), by reason. */
import type { NodeStatus } from '../protocol.js'

type Dropped = NonNullable<NodeStatus['stats']>['dropped']

/** Dropped records summed over nodes, by reason. */
export function sumDropped (counts: Array<Dropped | undefined>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const dropped of counts) {
    for (const [reason, count] of Object.entries(dropped ?? {})) {
      out[reason] = (out[reason] ?? 0) + (count ?? 0)
    }
  }
  return out
}

/** What was dropped between two counts, by reason (reasons that did not change left out). */
export function droppedSince (before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([r, n]): [string, number] => [r, n - (before[r] ?? 0)]).filter(([, n]) => n !== 0))
}
