/**
 * An opt-in CPU profile of one worker's idle window: set BENCH_IDLE_PROFILE to a
 * directory and each worker writes `<mode>-<pid>-<window>.cpuprofile` there (open it in Chrome's
 * DevTools, or sum it with bench/profile-summary.ts). `node --cpu-prof` on the parent
 * does not reach forked workers, and a whole-run profile would mix the idle window with
 * start-up and the phases.
 */
import { writeFile } from 'node:fs/promises'
import { Session } from 'node:inspector/promises'
import { join } from 'node:path'

export class IdleProfile {
  private session: Session | undefined
  private windows = 0

  static fromEnv (variable = 'BENCH_IDLE_PROFILE'): IdleProfile | undefined {
    const dir = process.env[variable]
    return dir == null || dir === '' ? undefined : new IdleProfile(dir)
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
