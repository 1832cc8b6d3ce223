/**
 * The operator's log of `introducer run` (pino): one line per meaningful event on standard
 * output, at a level (error, warn, info, debug), as text (`<ISO time> <LEVEL> <message>`)
 * or as one JSON object per line (pino's: `level`, `time`, `msg` and the event's fields).
 *
 * Text from the network (nicknames, versions, fields) is untrusted: messages carry it only
 * through `quote()`, which escapes everything that could move the cursor, end the line or
 * reorder text (control, format and bidirectional characters); JSON lines carry it in
 * fields, escaped by JSON.
 */
import { pino, type Logger as Pino } from 'pino'
import type { LOG_FORMATS, LOG_LEVELS } from './config/index.js'

export { quote } from './quote.js'

export type LogLevel = typeof LOG_LEVELS[number]
export type LogFormat = typeof LOG_FORMATS[number]
export type LogFields = Record<string, string | number | boolean | null | undefined | string[]>

export interface Logger {
  error(message: string, fields?: LogFields): void
  warn(message: string, fields?: LogFields): void
  info(message: string, fields?: LogFields): void
  debug(message: string, fields?: LogFields): void
  readonly level: LogLevel
  /** Changes the level from now on (SIGHUP reload). */
  setLevel(level: LogLevel): void
}

interface Line { level: number, time: number, msg: string }

/**
 * Where pino's JSON lines go: as they are, or turned into text. Written at once (standard
 * output is synchronous for files and pipes on Linux), so a line survives process.exit.
 */
function destination (format: LogFormat, out: NodeJS.WritableStream): { write(line: string): void } {
  if (format === 'json') {
    return { write: (line) => { out.write(line) } }
  }
  return {
    write (line: string): void {
      const { level, time, msg } = JSON.parse(line) as Line
      out.write(`${new Date(time).toISOString()} ${(pino.levels.labels[level] ?? String(level)).toUpperCase()} ${msg}\n`)
    }
  }
}

export function createLogger (options: { level: LogLevel, format: LogFormat, out?: NodeJS.WritableStream }): Logger {
  const p: Pino = pino({ level: options.level, base: null, timestamp: pino.stdTimeFunctions.epochTime }, destination(options.format, options.out ?? process.stdout))
  const at = (method: 'error' | 'warn' | 'info' | 'debug') => (message: string, fields?: LogFields): void => {
    if (fields == null) p[method](message)
    else p[method](fields, message)
  }
  return {
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    get level () { return p.level as LogLevel },
    setLevel (level) { p.level = level }
  }
}
