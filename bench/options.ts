/**
 * The bench's options, resolved once: every name, default and range is declared here.
 * Each comes from argv (`--n=100`, `--json`) or the environment (`BENCH_N=100`,
 * `BENCH_IDLE_MS=5000`); argv wins. A bad or unknown option is a BenchOptionError that
 * names it.
 */
import { MODES, type Mode } from './protocol.js'

export interface Options {
  n: number
  m: number
  rounds: number
  introducers: number
  degree: number
  idleMs: number
  lateJoiners: number
  leaves: number
  warmupMs: number
  settleMs: number
  burstTimeoutS: number
  /** Times the burst phase is repeated (issue #9: all hold all in 5 of 5 runs). */
  runs: number
  grids: Mode[]
  seed: number
  maxMinutes: number
  floodRounds: number
  floodRate: number
  floodTargets: number
  floodNice: number
  /** Nodes hosted by one worker process (1: every node in its own process). */
  nodesPerProcess: number
  /** Ours nodes' anti-entropy interval (0: the library's default). */
  antiEntropyMs: number
  /** Ours nodes' ping interval (0: the library's default). */
  pingMs: number
  /** How long the bench waits for a worker process to answer a request (a 50-node process under a burst can be slower). */
  callTimeoutS: number
  out: string
  json: boolean
}

export class BenchOptionError extends Error {
  override name = 'BenchOptionError'
}

/** At most this many worker processes (2 cores): more nodes need --nodes-per-process. */
export const MAX_PROCESSES = 300

type IntOption = { [K in keyof Options]: Options[K] extends number ? K : never }[keyof Options]

/** Whole-number options: flag name, default, range, and what it is. */
const INTS: Array<{ key: IntOption, flag: string, dflt: number, min: number, max: number, doc: string }> = [
  { key: 'n', flag: 'n', dflt: 30, min: 8, max: 5000, doc: 'nodes in the grid' },
  { key: 'm', flag: 'm', dflt: 1000, min: 0, max: 20_000, doc: 'announcements in the burst (0: no burst)' },
  { key: 'rounds', flag: 'rounds', dflt: 5, min: 1, max: 50, doc: 'propagation rounds' },
  { key: 'introducers', flag: 'introducers', dflt: 3, min: 1, max: 50, doc: 'nodes with the introducer role' },
  { key: 'degree', flag: 'degree', dflt: 4, min: 1, max: 20, doc: 'random earlier nodes each node dials' },
  { key: 'idleMs', flag: 'idle-ms', dflt: 10_000, min: 1000, max: 120_000, doc: 'idle CPU window' },
  { key: 'lateJoiners', flag: 'late-joiners', dflt: 3, min: 0, max: 20, doc: 'late joiners after the burst' },
  { key: 'leaves', flag: 'leaves', dflt: 3, min: 0, max: 20, doc: 'graceful leaves (at most rounds)' },
  { key: 'warmupMs', flag: 'warmup-ms', dflt: 3000, min: 0, max: 60_000, doc: 'wait for the mesh once connected' },
  { key: 'settleMs', flag: 'settle-ms', dflt: 1500, min: 0, max: 30_000, doc: 'quiet time after a round' },
  { key: 'burstTimeoutS', flag: 'burst-timeout-s', dflt: 120, min: 10, max: 3600, doc: 'burst wait, from its start' },
  { key: 'runs', flag: 'runs', dflt: 1, min: 1, max: 20, doc: 'times the burst phase runs' },
  { key: 'seed', flag: 'seed', dflt: 1, min: 0, max: 2 ** 31, doc: 'topology and choice seed' },
  { key: 'maxMinutes', flag: 'max-minutes', dflt: 30, min: 1, max: 240, doc: 'the whole bench gives up after' },
  { key: 'floodRounds', flag: 'flood-rounds', dflt: 5, min: 0, max: 50, doc: 'timed updates per flood case (0: no flood phase)' },
  { key: 'floodRate', flag: 'flood-rate', dflt: 2000, min: 10, max: 50_000, doc: 'attacker messages per second' },
  { key: 'floodTargets', flag: 'flood-targets', dflt: 5, min: 1, max: 50, doc: 'nodes the attacker connects to' },
  { key: 'floodNice', flag: 'flood-nice', dflt: 0, min: 0, max: 19, doc: "the attacker's nice value" },
  { key: 'nodesPerProcess', flag: 'nodes-per-process', dflt: 1, min: 1, max: 200, doc: 'nodes per worker process' },
  { key: 'antiEntropyMs', flag: 'anti-entropy-ms', dflt: 0, min: 0, max: 600_000, doc: "ours nodes' anti-entropy interval (0: the default)" },
  { key: 'pingMs', flag: 'ping-ms', dflt: 0, min: 0, max: 3_600_000, doc: "ours nodes' connection ping interval (0: the default)" },
  { key: 'callTimeoutS', flag: 'call-timeout-s', dflt: 30, min: 5, max: 1800, doc: 'wait for a worker process to answer a request' }
]
const STRINGS = { grids: 'grids', out: 'out', json: 'json' } as const
const DEFAULT_OUT = 'bench/results/latest.json'

const FLAGS = new Set<string>([...INTS.map(o => o.flag), ...Object.values(STRINGS)])

function isMode (s: string): s is Mode {
  return MODES.some(m => m === s)
}

export function parseOptions (argv: string[], env: NodeJS.ProcessEnv): Options {
  const given = new Map<string, string>()
  for (const arg of argv) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg)
    if (m == null) {
      throw new BenchOptionError(`unknown argument ${arg} (use --name=value)`)
    }
    if (!FLAGS.has(m[1])) {
      throw new BenchOptionError(`unknown option --${m[1]} (options: ${[...FLAGS].join(', ')})`)
    }
    given.set(m[1], m[2] ?? 'true')
  }
  const get = (flag: string): string | undefined => given.get(flag) ?? env[`BENCH_${flag.toUpperCase().replaceAll('-', '_')}`]

  const ints: Partial<Record<IntOption, number>> = {}
  for (const o of INTS) {
    const raw = get(o.flag)
    const v = raw == null ? o.dflt : Number(raw)
    if (raw === '' || !Number.isInteger(v) || v < o.min || v > o.max) {
      throw new BenchOptionError(`--${o.flag} (${o.doc}) must be a whole number from ${o.min} to ${o.max}, not ${raw}`)
    }
    ints[o.key] = v
  }
  const int = (key: IntOption): number => ints[key] ?? NaN

  const grids = (get(STRINGS.grids) ?? 'ours,raw').split(',').map(g => g.trim())
  const modes = grids.filter(isMode)
  if (modes.length === 0 || modes.length !== grids.length) {
    throw new BenchOptionError(`--grids is a comma-separated subset of ${MODES.join(',')}, not ${grids.join(',')}`)
  }
  const json = get(STRINGS.json)
  if (json != null && !['true', '1', 'false', '0'].includes(json)) {
    throw new BenchOptionError(`--json takes no value (or true/false/1/0), not ${json}`)
  }

  const opts: Options = {
    n: int('n'),
    m: int('m'),
    rounds: int('rounds'),
    introducers: int('introducers'),
    degree: int('degree'),
    idleMs: int('idleMs'),
    lateJoiners: int('lateJoiners'),
    leaves: Math.min(int('leaves'), int('rounds')),
    warmupMs: int('warmupMs'),
    settleMs: int('settleMs'),
    burstTimeoutS: int('burstTimeoutS'),
    runs: int('runs'),
    grids: modes,
    seed: int('seed'),
    maxMinutes: int('maxMinutes'),
    floodRounds: int('floodRounds'),
    floodRate: int('floodRate'),
    floodTargets: int('floodTargets'),
    floodNice: int('floodNice'),
    nodesPerProcess: int('nodesPerProcess'),
    antiEntropyMs: int('antiEntropyMs'),
    pingMs: int('pingMs'),
    callTimeoutS: int('callTimeoutS'),
    out: get(STRINGS.out) ?? DEFAULT_OUT,
    json: json === 'true' || json === '1'
  }
  if (opts.rounds + opts.introducers + 1 > opts.n) {
    throw new BenchOptionError(`--n must be at least --rounds + --introducers + 1 (${opts.rounds + opts.introducers + 1}), not ${opts.n}`)
  }
  const processes = Math.ceil(opts.n / opts.nodesPerProcess)
  if (processes > MAX_PROCESSES) {
    throw new BenchOptionError(`--n=${opts.n} with --nodes-per-process=${opts.nodesPerProcess} is ${processes} processes, over ${MAX_PROCESSES}: raise --nodes-per-process`)
  }
  if (opts.out === '') {
    throw new BenchOptionError('--out needs a file name')
  }
  return opts
}
