/**
 * One error class per failure, each with a stable `name` that callers and tests can match
 * on. Messages say what was wrong and what to do. Failures that @libp2p/interface already
 * names (`AbortError`, `NotStartedError`) are thrown as its classes.
 */

/** An option passed to `createNode` or `introducer()` is out of range or malformed. */
export class InvalidOptionError extends Error {
  static readonly NAME = 'InvalidOptionError'
  override readonly name = InvalidOptionError.NAME
  constructor (readonly option: string, message: string) {
    super(`invalid option "${option}": ${message}`)
  }
}

/** A node asked to subscribe to more services than one sync request can name. */
export class TooManyServicesError extends Error {
  static readonly NAME = 'TooManyServicesError'
  override readonly name = TooManyServicesError.NAME
}

/** A service name outside the documented charset or length. */
export class InvalidServiceNameError extends Error {
  static readonly NAME = 'InvalidServiceNameError'
  override readonly name = InvalidServiceNameError.NAME
}

/** A grid id outside the documented charset or length. */
export class InvalidGridIdError extends Error {
  static readonly NAME = 'InvalidGridIdError'
  override readonly name = InvalidGridIdError.NAME
}

/** A storage index that is not 16 bytes, nor 26 base32 characters, nor 32 hex digits. */
export class InvalidStorageIndexError extends Error {
  static readonly NAME = 'InvalidStorageIndexError'
  override readonly name = InvalidStorageIndexError.NAME
}

/** The fields given to `publish()` would make an announcement over a limit. */
export class InvalidAnnouncementError extends Error {
  static readonly NAME = 'InvalidAnnouncementError'
  override readonly name = InvalidAnnouncementError.NAME
}

/** The libp2p node's gossipsub is not set up as the grid needs (see `gossipsubOptions()`). */
export class GossipSettingsError extends Error {
  static readonly NAME = 'GossipSettingsError'
  override readonly name = GossipSettingsError.NAME
}

/** The runtime is older than Node 22, which libp2p 3 needs. */
export class UnsupportedRuntimeError extends Error {
  static readonly NAME = 'UnsupportedRuntimeError'
  override readonly name = UnsupportedRuntimeError.NAME
}

/** A file in the data directory could not be read as what it should hold. */
export class DataDirError extends Error {
  static readonly NAME = 'DataDirError'
  override readonly name = DataDirError.NAME
  constructor (readonly path: string, message: string, options?: ErrorOptions) {
    super(`${path}: ${message}`, options)
  }
}

/**
 * A file of the data directory could not be written (disk full, read-only file system,
 * permissions). The file keeps its old content and no temporary file is left behind.
 * `code` is the system's error code (`ENOSPC`, `EROFS`, `EACCES`, ...) when there is one.
 */
export class DataDirWriteError extends Error {
  static readonly NAME = 'DataDirWriteError'
  override readonly name = DataDirWriteError.NAME
  constructor (readonly path: string, readonly code: string | undefined, message: string, options?: ErrorOptions) {
    super(`${path}: ${message}`, options)
  }
}

/** A `changes()` consumer fell so far behind that changes would have been lost. */
export class ChangeQueueOverflowError extends Error {
  static readonly NAME = 'ChangeQueueOverflowError'
  override readonly name = ChangeQueueOverflowError.NAME
}

/** The message of anything thrown, for logs and error details. */
export function describeError (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/** Anything thrown, as an Error (for APIs such as `stream.abort` that take one). */
export function asError (err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err))
}
