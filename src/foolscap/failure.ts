/**
 * Errors as Foolscap sends them: a `twisted.python.failure.Failure` copyable with `type`,
 * `value`, `traceback` and `parents` (foolscap/call.py FailureSlicer and FailureConstraint).
 */
import { Copyable, Dict, fromUtf8, utf8, type BananaValue } from './values.js'
import { RemoteCallError } from './errors.js'

export const FAILURE_CLASS = 'twisted.python.failure.Failure'

/** A Failure for `failureType` (a qualified exception class name) and message. */
export function failureCopyable (failureType: string, message: string, parents: readonly string[] = []): Copyable {
  const type = truncate(failureType, 200)
  return new Copyable(FAILURE_CLASS, new Dict([
    [utf8('value'), utf8(truncate(message, 1000))],
    [utf8('type'), utf8(type)],
    [utf8('traceback'), utf8('Traceback unavailable\n')],
    [utf8('parents'), [type, ...parents, 'builtins.Exception', 'builtins.BaseException', 'builtins.object'].map(p => utf8(truncate(p, 200)))]
  ]))
}

/** The error a received `error` sequence stands for. */
export function failureToError (v: BananaValue): RemoteCallError {
  if (!(v instanceof Copyable) || v.className !== FAILURE_CLASS) return new RemoteCallError('unknown', 'the error was not a Failure')
  const text = (x: BananaValue | undefined): string => {
    if (x instanceof Uint8Array) {
      try {
        return fromUtf8(x)
      } catch {
        return '(not UTF-8)'
      }
    }
    return typeof x === 'string' ? x : '?'
  }
  return new RemoteCallError(text(v.state.get('type')), text(v.state.get('value')))
}

function truncate (s: string, limit: number): string {
  return s.length > limit ? s.slice(0, limit - 3) + '..' : s
}
