/**
 * The node's data directory:
 *
 *   node.key      the libp2p private key (protobuf), created once, mode 0600
 *   seqnum        the last seqnum used, decimal text
 *   cache.pb      the signed records held, what matters most first, each with when this
 *                 node reckons it came into being (its age survives a restart) and the
 *                 entry's standing (protobuf; records re-verified on load)
 *   node.lock     the process running the node (data-dir-lock.ts)
 *
 * Every write goes to a temporary file that is fsynced and renamed over the old one, and
 * the directory is fsynced, so a crash leaves the old or the new file, never a torn one.
 * A failed write (disk full, read-only) removes its temporary file and throws a
 * DataDirWriteError naming the file and the system's error code.
 */
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { DataDirError, DataDirWriteError, describeError } from '../errors.js'
import { CachedRecords } from '../pb/cache.js'
import { peekAnnouncement } from '../announcement/peek.js'
import { MAX_SEQNUM, MAX_SIGNED_ANNOUNCEMENT_BYTES } from '../announcement/record.js'
import type { CacheEntry, IntroductionStore } from '../introduction/store.js'
import type { PrivateKey } from '@libp2p/interface'

export const KEY_FILE = 'node.key'
export const SEQNUM_FILE = 'seqnum'
export const CACHE_FILE = 'cache.pb'
/** Most records kept in the cache. */
export const MAX_CACHED_RECORDS = 50_000
/** Bytes of one cache entry beyond its record: tags, lengths, two times and a count. */
const CACHE_ENTRY_OVERHEAD_BYTES = 40
/** A cache larger than the most it can hold is not read (it would be from something else). */
export const MAX_CACHE_FILE_BYTES = MAX_CACHED_RECORDS * (MAX_SIGNED_ANNOUNCEMENT_BYTES + CACHE_ENTRY_OVERHEAD_BYTES)

async function fsyncDir (dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/**
 * Temporary files of this process that a failed write could not remove (the file system
 * went read-only under it): removed at the next write. At most one per failed write.
 */
const leftovers = new Set<string>()

async function removeTemporary (tmp: string): Promise<void> {
  try {
    await rm(tmp, { force: true })
    leftovers.delete(tmp)
  } catch {
    leftovers.add(tmp)
  }
}

function writeError (path: string, err: unknown): DataDirWriteError {
  const code = (err as NodeJS.ErrnoException).code
  return new DataDirWriteError(path, typeof code === 'string' ? code : undefined, `cannot write: ${describeError(err)}`, { cause: err })
}

/**
 * Writes a file so that a crash at any moment leaves either the old or the new content.
 * A failure (disk full, read-only file system) leaves the old content and no temporary
 * file, and throws a DataDirWriteError.
 */
export async function writeFileAtomic (path: string, data: Uint8Array | string, mode = 0o644): Promise<void> {
  await Promise.all([...leftovers].map(removeTemporary))
  const dir = join(path, '..')
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`
  let created = false
  try {
    const handle = await open(tmp, 'wx', mode)
    created = true
    try {
      await handle.writeFile(data)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(tmp, path)
  } catch (err) {
    if (created) {
      await removeTemporary(tmp)
    }
    throw writeError(path, err)
  }
  try {
    await fsyncDir(dir)
  } catch (err) {
    // renamed: the new content is there, but may not survive a crash
    throw writeError(path, err)
  }
}

/** Temporary files of writeFileAtomic: `<name>.tmp-<pid>-<random>`. */
const TEMPORARY_FILE = /\.tmp-(\d+)-[a-z0-9]*$/

function isAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Removes the temporary files that a crash in the middle of writeFileAtomic left behind
 * (of processes no longer running): without this, every crash during a cache write would
 * leave a copy of the cache in the directory for good. Never throws.
 */
export async function removeStaleTemporaryFiles (dir: string): Promise<string[]> {
  const removed: string[] = []
  try {
    for (const name of await readdir(dir)) {
      const pid = TEMPORARY_FILE.exec(name)?.[1]
      if (pid != null && Number(pid) !== process.pid && !isAlive(Number(pid))) {
        await rm(join(dir, name), { force: true })
        removed.push(name)
      }
    }
  } catch {
    // a directory we cannot list has no temporaries we can remove
  }
  return removed
}

async function readIfExists (path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined
    }
    throw new DataDirError(path, `cannot read: ${describeError(err)}`, { cause: err })
  }
}

/** Loads the node's key, creating it on first use. */
export async function loadOrCreateKey (dir: string): Promise<PrivateKey> {
  await mkdir(dir, { recursive: true })
  const path = join(dir, KEY_FILE)
  const bytes = await readIfExists(path)
  if (bytes != null) {
    try {
      return privateKeyFromProtobuf(bytes)
    } catch (err) {
      throw new DataDirError(path, `is not a libp2p private key (${describeError(err)}); move it away to create a new identity`)
    }
  }
  const key = await generateKeyPair('Ed25519')
  await writeFileAtomic(path, privateKeyToProtobuf(key), 0o600)
  return key
}

export interface FileStoreInit {
  dir: string
  /** Told when a damaged cache is discarded. */
  onDiscard?(path: string, reason: string): void
  /** Most records written to the cache: the first ones given. @default MAX_CACHED_RECORDS */
  maxCachedRecords?: number
}

/** The IntroductionStore of a data directory. Writes throw DataDirWriteError. */
export class FileStore implements IntroductionStore {
  private readonly dir: string
  private readonly onDiscard: (path: string, reason: string) => void
  private readonly maxCachedRecords: number

  constructor (init: FileStoreInit) {
    this.dir = init.dir
    this.onDiscard = (path, reason) => { init.onDiscard?.(path, reason) }
    this.maxCachedRecords = Math.min(init.maxCachedRecords ?? MAX_CACHED_RECORDS, MAX_CACHED_RECORDS)
  }
  async loadSeqnum (): Promise<bigint> {
    // read first at start: the moment to clear what an earlier crash left
    await removeStaleTemporaryFiles(this.dir)
    const path = join(this.dir, SEQNUM_FILE)
    const text = (await readIfExists(path))?.toString('utf8').trim()
    if (text == null || text === '') {
      // lost or never written: nextSeqnum's wall-clock floor keeps us above old seqnums
      return 0n
    }
    if (!/^\d{1,20}$/.test(text) || BigInt(text) > MAX_SEQNUM) {
      this.onDiscard(path, `not a seqnum: ${JSON.stringify(text.slice(0, 40))}`)
      return 0n
    }
    return BigInt(text)
  }

  async saveSeqnum (seqnum: bigint): Promise<void> {
    await writeFileAtomic(join(this.dir, SEQNUM_FILE), `${seqnum}\n`)
  }

  /**
   * The cache as written, in its order. A record of the old format (no age) gets its
   * `issuedAtMs` as origin, the rule it was written under.
   */
  async loadCache (): Promise<CacheEntry[]> {
    const path = join(this.dir, CACHE_FILE)
    const bytes = await readIfExists(path)
    if (bytes == null) {
      return []
    }
    if (bytes.byteLength > MAX_CACHE_FILE_BYTES) {
      this.onDiscard(path, `larger than ${MAX_CACHE_FILE_BYTES} bytes`)
      return []
    }
    let cache: CachedRecords
    try {
      cache = CachedRecords.decode(bytes, { limits: { records: MAX_CACHED_RECORDS, entries: MAX_CACHED_RECORDS } })
    } catch (err) {
      this.onDiscard(path, `unreadable: ${describeError(err)}`)
      return []
    }
    const entries: CacheEntry[] = cache.entries.map(e => ({
      record: e.record,
      originMs: e.originMs,
      ...(e.firstSeenMs > 0 ? { firstSeenMs: e.firstSeenMs, refreshes: e.refreshes } : {}),
      ...(e.reached ? { reached: true } : {})
    }))
    for (const record of cache.records.slice(0, MAX_CACHED_RECORDS - entries.length)) {
      entries.push({ record, originMs: peekAnnouncement(record)?.announcement.issuedAtMs ?? 0 })
    }
    return entries
  }

  /**
   * Replaces the cache, keeping the first `maxCachedRecords` in the order given: give
   * them most important first (PeerTable.held() does). Throws DataDirWriteError.
   */
  async saveCache (entries: CacheEntry[]): Promise<void> {
    const data = CachedRecords.encode({
      records: [],
      entries: entries.slice(0, this.maxCachedRecords).map(e => ({
        record: e.record as Uint8Array<ArrayBuffer>,
        originMs: Math.max(0, Math.floor(e.originMs)),
        firstSeenMs: Math.max(0, Math.floor(e.firstSeenMs ?? 0)),
        refreshes: Math.max(0, Math.min(2 ** 32 - 1, e.refreshes ?? 0)),
        reached: e.reached === true
      }))
    })
    await writeFileAtomic(join(this.dir, CACHE_FILE), data)
  }
}
