/**
 * The grid's plan, the same for ours and raw: who dials whom, and which process hosts
 * which node.
 */
import { rng, shuffled } from './stats.js'

/** Introducer connections a node makes: createNode's keeper keeps 3 (DEFAULT_INTRODUCER_TARGET). */
const INTRODUCER_DIALS = 3

/**
 * Node i dials up to 3 introducers at random (with 3 introducers, all of them: what
 * createNode's keeper does anyway) and `degree` random earlier nodes. Nodes
 * 0..introducers-1 are the introducers.
 */
export function planTopology (n: number, introducers: number, degree: number, seed: number): number[][] {
  const random = rng(seed)
  const plan: number[][] = []
  for (let i = 0; i < n; i++) {
    const targets = new Set<number>()
    const intros = shuffled(Array.from({ length: Math.min(introducers, i) }, (_, j) => j), random).slice(0, INTRODUCER_DIALS)
    intros.forEach(j => targets.add(j))
    const earlier = shuffled(Array.from({ length: i }, (_, j) => j).filter(j => !targets.has(j)), random)
    earlier.slice(0, degree).forEach(j => targets.add(j))
    plan.push([...targets])
  }
  return plan
}

/**
 * The process of each node when `nodesPerProcess` share one: striped (node i in process
 * i mod P), so that the introducers and the injector (the last node) land in different
 * processes. With 1 node per process, node i is process i.
 */
export function placeNodes (n: number, nodesPerProcess: number): number[] {
  const processes = Math.ceil(n / nodesPerProcess)
  return Array.from({ length: n }, (_, i) => i % processes)
}
