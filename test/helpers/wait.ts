/** Thrown by a check to end the wait at once (e.g. the awaited process has exited). */
export class FatalWaitError extends Error {}

/** Polls `check` until it returns a truthy value; fails with `what` after `timeoutMs`. */
export async function waitFor<T> (what: string, check: () => T | Promise<T>, timeoutMs = 10_000, intervalMs = 25): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    try {
      const value = await check()
      if (value != null && value !== false) {
        return value
      }
    } catch (err) {
      if (err instanceof FatalWaitError) {
        throw err
      }
      last = err
    }
    await new Promise(resolve => setTimeout(resolve, intervalMs))
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last != null ? ` (last error: ${last instanceof Error ? last.message : JSON.stringify(last)})` : ''}`)
}
