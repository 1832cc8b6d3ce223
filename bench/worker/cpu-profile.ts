/**
 * An opt-in CPU profile of one window of a worker's life, started by the worker itself:
 * the idle windows when BENCH_IDLE_PROFILE names a directory (`<mode>-<pid>-<n>.cpuprofile`)
 * and each late join when BENCH_JOIN_PROFILE does (`join-<pid>-<n>.cpuprofile`). Open them
 * in Chrome's DevTools, or sum them with bench/profile-summary.ts. `node --cpu-prof` on
 * the parent does not reach forked workers, and a whole-run profile would mix the window
 * with start-up and the other phases.
 */
import { writeFile } from 'node:fs/promises'
import { Session } from 'node:inspector/promises'
import { join } from 'node:path'

export class CpuProfile {
  private session: Session | undefined
  private windows = 0

  static fromEnv (variable: 'BENCH_IDLE_PROFILE' | 'BENCH_JOIN_PROFILE'): CpuProfile | undefined {
    const dir = process.env[variable]
    return dir == null || dir === '' ? undefined : new CpuProfile(dir)
  }

  private constructor (private readonly dir: string) {}

  async start (): Promise<void> {
    const session = new Session()
    session.connect()
    await session.post('Profiler.enable')
    await session.post('Profiler.setSamplingInterval', { interval: 500 })
    await session.post('Profiler.start')
    this.session = session
  }

  async stop (name: string): Promise<void> {
    const session = this.session
    if (session == null) return
    this.session = undefined
    const { profile } = await session.post('Profiler.stop')
    session.disconnect()
    this.windows++
    await writeFile(join(this.dir, `${name}-${process.pid}-${this.windows}.cpuprofile`), JSON.stringify(profile))
  }
}
