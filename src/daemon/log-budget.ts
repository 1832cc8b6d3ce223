/**
 * A bound on lines of one kind in the operator's log: at most `lines` per window of
 * `windowMs` for each kind (peers added, withdrawn, expired); past that the lines are
 * counted, not written, and one line says how many were left out when the window ends.
 * A late joiner learning thousands of peers, or a flood of Sybil keys, wrote one line
 * each (an introducer spent 1.5 s of a 12 s flood window writing them to a pipe).
 */

export const DEFAULT_LOG_LINES_PER_WINDOW = 20
export const DEFAULT_LOG_WINDOW_MS = 10_000

export interface LogBudgetInit {
  /** Writes the line saying how many `kind` lines were left out. */
  summary: (kind: string, left: number, init: { lines: number, windowMs: number }) => void
  /** @default DEFAULT_LOG_LINES_PER_WINDOW */
  lines?: number
  /** @default DEFAULT_LOG_WINDOW_MS */
  windowMs?: number
  now?: () => number
}

interface Window { start: number, written: number, left: number }

export class LogBudget {
  private readonly windows = new Map<string, Window>()
  private readonly lines: number
  private readonly windowMs: number
  private readonly now: () => number
  private timer?: ReturnType<typeof setTimeout>

  constructor (private readonly init: LogBudgetInit) {
    this.lines = init.lines ?? DEFAULT_LOG_LINES_PER_WINDOW
    this.windowMs = init.windowMs ?? DEFAULT_LOG_WINDOW_MS
    this.now = init.now ?? Date.now
  }

  /** Writes a `kind` line (`write` is called only then, so a line left out costs no formatting) or counts it. */
  line (kind: string, write: () => void): void {
    const now = this.now()
    let w = this.windows.get(kind)
    if (w == null || now - w.start >= this.windowMs) {
      if (w != null) this.summarise(kind, w)
      w = { start: now, written: 0, left: 0 }
      this.windows.set(kind, w)
    }
    if (w.written < this.lines) {
      w.written++
      write()
      return
    }
    w.left++
    // the window's summary is due at its end, whether or not another line comes
    if (this.timer == null) {
      this.schedule(w.start + this.windowMs - now)
    }
  }

  /** Writes the summaries of ended windows (all of them when `all`, as at a stop). */
  flush (all = true): void {
    const now = this.now()
    let next: number | undefined
    for (const [kind, w] of this.windows) {
      if (all || now - w.start >= this.windowMs) {
        this.summarise(kind, w)
        this.windows.delete(kind)
      } else if (w.left > 0) {
        next = Math.min(next ?? Infinity, w.start + this.windowMs - now)
      }
    }
    clearTimeout(this.timer)
    this.timer = undefined
    if (next != null) {
      this.schedule(next)
    }
  }

  /** The next flush of ended windows, in `ms`; unref'd, so it never keeps a process alive. */
  private schedule (ms: number): void {
    this.timer = setTimeout(() => { this.timer = undefined; this.flush(false) }, Math.max(0, ms))
    this.timer.unref?.()
  }

  private summarise (kind: string, w: Window): void {
    if (w.left > 0) {
      this.init.summary(kind, w.left, { lines: this.lines, windowMs: this.windowMs })
      w.left = 0
    }
  }
}
