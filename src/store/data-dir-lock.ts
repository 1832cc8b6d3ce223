/**
 * One node process per data directory: DIR/node.lock names the process that holds it.
 *
 * A lock whose process no longer runs is taken over at once, so a node killed with
 * SIGKILL restarts without waiting. That is judged by the pid only where the pid means the
 * same process: the same boot and the same pid namespace (Linux /proc), and the same
 * process start time (so a reused pid is not taken for the holder). A lock written from
 * another pid namespace or host (a container sharing the volume, NFS) cannot be judged by
 * pid: its holder touches the file every LOCK_REFRESH_MS, and it is taken over only once
 * it has not been touched for LOCK_STALE_MS.
 *
 * Why not proper-lockfile: its locks go stale only by age, so every restart after a
 * crash would wait that long (and a supervisor restarting at once would be refused).
 * Node has no flock(); a native module would need a compiler at install time.
 */
import { link, readFile, readlink, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'

export const LOCK_FILE = 'node.lock'
/** The holder touches the lock this often... */
export const LOCK_REFRESH_MS = 2000
/** ...and a lock from another pid namespace or host untouched this long is stale. */
export const LOCK_STALE_MS = 15_000

interface Owner {
  pid: number
  /** Start time of the process in clock ticks since boot (Linux). */
  startTime?: string
  bootId?: string
  pidNamespace?: string
  since: number
  token: string
}

/** The directory is held by another running process. */
export class DataDirLockedError extends Error {
  static readonly NAME = 'DataDirLockedError'
  override readonly name = DataDirLockedError.NAME
  constructor (readonly dir: string, readonly pid: number | undefined, message: string) {
    super(message)
  }
}

export interface DataDirLock {
  readonly path: string
  /** Removes the lock (if it is still ours) and stops touching it. */
  release(): Promise<void>
}

async function readOptional (path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, 'utf8')).trim()
  } catch {
    return undefined
  }
}

async function startTimeOf (pid: number | 'self'): Promise<string | undefined> {
  const text = await readOptional(`/proc/${pid}/stat`)
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses; starttime is field 22
  return text?.slice(text.lastIndexOf(')') + 2).split(' ')[19]
}

async function whoAmI (token: string): Promise<Owner> {
  let pidNamespace: string | undefined
  try {
    pidNamespace = await readlink('/proc/self/ns/pid')
  } catch {}
  return { pid: process.pid, startTime: await startTimeOf('self'), bootId: await readOptional('/proc/sys/kernel/random/boot_id'), pidNamespace, since: Date.now(), token }
}

function isAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function parseOwner (text: string | undefined): Owner | undefined {
  try {
    const owner = JSON.parse(text ?? '') as Owner
    return Number.isInteger(owner.pid) && typeof owner.token === 'string' ? owner : undefined
  } catch {
    return undefined
  }
}

/** Whether the lock's holder may still run. */
async function isHeld (owner: Owner | undefined, me: Owner, mtimeMs: number): Promise<boolean> {
  const fresh = Date.now() - mtimeMs < LOCK_STALE_MS
  if (owner == null) return fresh // unreadable: judged by age alone
  if (owner.bootId !== me.bootId || owner.pidNamespace !== me.pidNamespace) return fresh
  if (owner.pid === me.pid || !isAlive(owner.pid)) return false
  return owner.startTime == null || owner.startTime === await startTimeOf(owner.pid)
}

/**
 * The pid of the process holding DIR's lock, when it runs in this pid namespace (and so
 * can be signalled: `bootstrap add` sends it SIGHUP); undefined otherwise.
 */
export async function lockHolder (dir: string): Promise<number | undefined> {
  const path = join(dir, LOCK_FILE)
  const owner = parseOwner(await readOptional(path))
  if (owner == null) return undefined
  const me = await whoAmI('')
  if (owner.bootId !== me.bootId || owner.pidNamespace !== me.pidNamespace) return undefined
  const mtimeMs = await stat(path).then(s => s.mtimeMs, () => 0)
  return await isHeld(owner, { ...me, pid: -1 }, mtimeMs) ? owner.pid : undefined
}

const temporary = (path: string, what: string): string => `${path}.tmp-${process.pid}-${what}${randomBytes(4).toString('hex')}`

/**
 * Takes DIR/node.lock, or throws DataDirLockedError naming the process that holds it.
 * `onLost` is told if the lock stops being ours while held (taken over after this process
 * stalled for LOCK_STALE_MS, or deleted).
 */
export async function lockDataDir (dir: string, options: { onLost?(reason: string): void } = {}): Promise<DataDirLock> {
  const path = join(dir, LOCK_FILE)
  const me = await whoAmI(randomBytes(16).toString('hex'))
  const tmp = temporary(path, '')
  await writeFile(tmp, JSON.stringify(me) + '\n', { mode: 0o644 })
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await link(tmp, path) // atomic, and the file is whole from its first moment
        break
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      }
      let mtimeMs: number
      try {
        mtimeMs = (await stat(path)).mtimeMs
      } catch {
        continue // released meanwhile
      }
      const text = await readOptional(path)
      const owner = parseOwner(text)
      if (attempt >= 4 || await isHeld(owner, me, mtimeMs)) {
        const by = owner != null ? `node process ${owner.pid}${owner.pidNamespace !== me.pidNamespace || owner.bootId !== me.bootId ? ' (in another container or on another host)' : ''}, running since ${new Date(owner.since).toISOString()}` : 'another process'
        throw new DataDirLockedError(dir, owner?.pid, `${dir} is in use by ${by} (${path}): stop that node first; two nodes must not share a data directory (one key, one seqnum, one cache)`)
      }
      // stale: move it aside (atomic), and put it back if what was moved is not what was judged
      const aside = temporary(path, 'stale')
      try {
        await rename(path, aside)
      } catch {
        continue
      }
      if (await readOptional(aside) !== text) {
        await link(aside, path).catch(() => {})
      }
      await unlink(aside).catch(() => {})
    }
  } finally {
    await unlink(tmp).catch(() => {})
  }

  let lost = false
  const timer = setInterval(() => {
    void (async () => {
      const now = new Date()
      await utimes(path, now, now).catch(() => {})
      if (!lost && parseOwner(await readOptional(path))?.token !== me.token) {
        lost = true
        options.onLost?.(`${path} no longer names this process`)
      }
    })()
  }, LOCK_REFRESH_MS)
  timer.unref()
  return {
    path,
    release: async () => {
      clearInterval(timer)
      if (parseOwner(await readOptional(path))?.token === me.token) {
        await unlink(path).catch(() => {})
      }
    }
  }
}
