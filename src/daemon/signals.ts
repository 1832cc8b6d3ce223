/**
 * How `introducer run` answers signals. SIGINT and SIGTERM stop the node gracefully
 * (withdrawing its announcements). A second one counts as "again" (exit at once) only
 * when it comes SIGNAL_REPEAT_WINDOW_MS or more after the first: a terminal's Ctrl-C or a
 * supervisor (systemd KillMode=control-group) signals every process of the group, and a
 * parent that also forwards the signal to its children (`npm start`) must not make each
 * child give up its stop. SIGHUP reloads what can be reloaded.
 */
import type { Logger } from './log.js'

/** Stop signals this close to the first are the same stop. */
export const SIGNAL_REPEAT_WINDOW_MS = 2000
/** A stop that takes longer than this ends the process anyway. */
export const STOP_TIMEOUT_MS = 10_000

export interface SignalHandling {
  log: Logger
  /** Begins the graceful stop (called once). */
  stop(): void
  /** SIGHUP. */
  reload(): void
  /** Ends the process at once (exit code 1). */
  exit(code: number): never
}

export function handleSignals (init: SignalHandling): () => void {
  let first: { signal: string, at: number } | undefined
  const onStop = (signal: NodeJS.Signals): void => {
    const now = Date.now()
    if (first != null) {
      if (now - first.at < SIGNAL_REPEAT_WINDOW_MS) {
        init.log.info(`${signal} ${now - first.at} ms after ${first.signal}: already stopping`, { event: 'signal', signal })
        return
      }
      init.log.warn(`${signal} again: exiting at once, without withdrawing`, { event: 'signal', signal })
      init.exit(1)
    }
    first = { signal, at: now }
    init.log.info(`${signal}: withdrawing announcements and stopping`, { event: 'signal', signal })
    const timer = setTimeout(() => {
      init.log.error(`stop took longer than ${STOP_TIMEOUT_MS} ms: exiting`, { event: 'stop-timeout' })
      init.exit(1)
    }, STOP_TIMEOUT_MS)
    timer.unref()
    init.stop()
  }
  const onHangup = (): void => {
    if (first != null) return
    init.reload()
  }
  process.on('SIGINT', onStop)
  process.on('SIGTERM', onStop)
  process.on('SIGHUP', onHangup)
  return () => {
    process.off('SIGINT', onStop)
    process.off('SIGTERM', onStop)
    process.off('SIGHUP', onHangup)
  }
}
