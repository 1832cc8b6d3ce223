/**
 * A helper process run from a test file of its own (the flooder, the record pusher): it
 * takes its configuration as JSON in argv[2] and reports counters as one JSON line each
 * on standard output. The parent keeps the latest counters, stops the process on demand,
 * and kills whatever is left when it exits.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { setPriority } from 'node:os'
import { fileURLToPath } from 'node:url'

const live = new Set<ChildProcess>()
process.once('exit', () => { for (const child of live) child.kill('SIGKILL') })

export class CounterProcess<T> {
  private readonly exited: Promise<void>

  constructor (readonly child: ChildProcess, public latest: T) {
    let buffer = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString()
      const lines = buffer.split('\n')
      buffer = lines.pop() ?? ''
      for (const line of lines) {
        try {
          this.latest = JSON.parse(line) as T
        } catch {
          // a partial line from a crash: the test fails on the counters instead
        }
      }
    })
    this.exited = new Promise(resolve => child.once('exit', () => { resolve() }))
  }

  get running (): boolean {
    return this.child.exitCode === null && this.child.signalCode === null
  }

  /** Stops the process and waits for it (SIGKILL after 5 s). */
  async stop (): Promise<void> {
    if (!this.running) return
    this.child.kill('SIGTERM')
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000)
    await this.exited
    clearTimeout(timer)
  }
}

/** Starts the helper in `moduleUrl` (its import.meta.url) with `config`; `nice` lowers its priority. */
export function startCounterProcess<T> (moduleUrl: string, config: unknown, initial: T, nice?: number): CounterProcess<T> {
  const child = spawn(process.execPath, [fileURLToPath(moduleUrl), JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'inherit'] })
  live.add(child)
  if (nice != null && child.pid != null) setPriority(child.pid, nice)
  child.once('exit', () => live.delete(child))
  return new CounterProcess(child, initial)
}

/** Runs `main` with the JSON configuration of argv[2] when `moduleUrl` is the process's entry file. */
export function runIfMain<C> (moduleUrl: string, name: string, main: (config: C) => Promise<void>): void {
  if (process.argv[1] === fileURLToPath(moduleUrl)) {
    main(JSON.parse(process.argv[2]) as C).catch((err: unknown) => {
      process.stderr.write(`${name}: ${err instanceof Error ? err.stack : String(err)}\n`)
      process.exit(1)
    })
  }
}
