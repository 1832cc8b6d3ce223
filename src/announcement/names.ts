import { InvalidGridIdError, InvalidServiceNameError } from '../errors.js'

/**
 * The services of Tahoe-LAFS ticket #271. A storage server that accepts new shares
 * announces `upload_storage`; one that serves reads announces `download_storage` (a
 * server being decommissioned is download-only).
 */
export const UPLOAD_STORAGE = 'upload_storage'
export const DOWNLOAD_STORAGE = 'download_storage'
export const HELPER = 'helper'
export const INTRODUCER = 'introducer'

export const PREDEFINED_SERVICES = [UPLOAD_STORAGE, DOWNLOAD_STORAGE, HELPER, INTRODUCER] as const
export type PredefinedService = typeof PREDEFINED_SERVICES[number]

/**
 * Service names and grid ids: 1 to 64 characters of lower-case ASCII letters, digits,
 * `_`, `-` and `.`, starting with a letter or digit. Both end up inside topic names and
 * file names, so nothing that needs escaping is allowed.
 */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,63}$/

/** The grid a node is in when none is configured. */
export const DEFAULT_GRID = 'default'

export function isValidServiceName (name: unknown): name is string {
  return typeof name === 'string' && NAME_PATTERN.test(name)
}

export function assertServiceName (name: unknown): asserts name is string {
  if (!isValidServiceName(name)) {
    throw new InvalidServiceNameError(
      `invalid service name ${JSON.stringify(name)}: use 1-64 characters of a-z 0-9 _ - . starting with a letter or digit ` +
      `(predefined: ${PREDEFINED_SERVICES.join(', ')})`
    )
  }
}

export function assertGridId (grid: unknown): asserts grid is string {
  if (typeof grid !== 'string' || !NAME_PATTERN.test(grid)) {
    throw new InvalidGridIdError(
      `invalid grid id ${JSON.stringify(grid)}: use 1-64 characters of a-z 0-9 _ - . starting with a letter or digit`
    )
  }
}
