/**
 * Sums .cpuprofile files (bench/worker/cpu-profile.ts) by function and by package:
 *   node dist/bench/profile-summary.js <dir> [prefix]
 * The profiler's own frames left out; prints the packages and the top 40 functions by
 * self time, then by total time (a function counted once per sample whose stack holds
 * it), in ms and % of the busy time.
 */
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'

interface ProfileNode { id: number, callFrame: { functionName: string, url: string, lineNumber: number }, hitCount?: number, children?: number[] }
interface Profile { nodes: ProfileNode[], startTime: number, endTime: number, samples: number[], timeDeltas: number[] }

function packageOf (url: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (m != null) return m[1]
  if (url.includes('/dist/src/')) return 'ours (src)'
  if (url.includes('/dist/bench/')) return 'bench'
  return url === '' ? '(vm)' : url.startsWith('node:') ? 'node core' : url
}

const [dir, prefix = ''] = process.argv.slice(2)
if (dir == null) {
  console.error('usage: profile-summary <dir> [prefix]')
  process.exit(1)
}
function keyOf ({ callFrame: { functionName, url, lineNumber } }: ProfileNode): string {
  return `${functionName === '' ? '(anonymous)' : functionName} ${url.replace(/.*node_modules\//, '').replace(/.*\/dist\//, '')}:${lineNumber + 1}`
}
const byFn = new Map<string, number>()
const byFnTotal = new Map<string, number>()
const byPkg = new Map<string, number>()
let total = 0
let wallMs = 0
for (const file of (await readdir(dir)).filter(f => f.endsWith('.cpuprofile') && f.startsWith(prefix))) {
  const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as Profile
  wallMs += (profile.endTime - profile.startTime) / 1000
  const nodes = new Map(profile.nodes.map(n => [n.id, n]))
  const parents = new Map<number, number>()
  for (const n of profile.nodes) {
    for (const c of n.children ?? []) parents.set(c, n.id)
  }
  profile.samples.forEach((id, i) => {
    const node = nodes.get(id)
    const dt = (profile.timeDeltas[i] ?? 0) / 1000
    if (node == null) return
    const { functionName, url } = node.callFrame
    // the profiler's own work (starting and stopping it) is not the window's
    if (functionName === '(idle)' || functionName === '(program)' || url.startsWith('node:inspector')) return
    byFn.set(keyOf(node), (byFn.get(keyOf(node)) ?? 0) + dt)
    const inStack = new Set<string>()
    for (let at: ProfileNode | undefined = node; at != null; at = nodes.get(parents.get(at.id) ?? -1)) {
      inStack.add(keyOf(at))
    }
    for (const key of inStack) byFnTotal.set(key, (byFnTotal.get(key) ?? 0) + dt)
    const pkg = functionName === '(garbage collector)' ? '(gc)' : packageOf(url)
    byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + dt)
    total += dt
  })
}
const show = (m: Map<string, number>, n: number): void => {
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n)) {
    console.log(`${v.toFixed(1).padStart(9)} ms ${(100 * v / total).toFixed(1).padStart(5)}%  ${k}`)
  }
}
console.log(`busy ${total.toFixed(0)} ms over ${wallMs.toFixed(0)} ms of profiles (${(100 * total / wallMs).toFixed(2)}% of a core per profile)`)
console.log('\nby package:')
show(byPkg, 25)
console.log('\nby function (self):')
show(byFn, 40)
console.log('\nby function (total):')
show(byFnTotal, 40)
