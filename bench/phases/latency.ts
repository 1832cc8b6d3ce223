/** Latency of one kind of event over rounds: per (node, round) and to the last node per round. */
import type { Latency } from '../results.js'
import { summarize } from '../stats.js'

/** One timed round: t0 at the publisher, the event's time at each node that reported it, and who should have. */
export interface Round { t0: number, times: Map<number, number>, expected: number[] }

export function latency (perRound: Round[]): Latency {
  const all: number[] = []
  const missedNodes = perRound.map(r => r.expected.filter(i => !r.times.has(i)))
  const lasts: number[] = []
  let missed = 0
  for (const r of perRound) {
    const ds = [...r.times.values()].map(t => t - r.t0)
    all.push(...ds)
    missed += r.expected.length - ds.length
    if (ds.length > 0) {
      lasts.push(Math.max(...ds))
    }
  }
  return { perNode: summarize(all), lastPerRound: lasts, last: summarize(lasts), missed, missedNodes }
}
