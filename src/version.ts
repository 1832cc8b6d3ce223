import { UnsupportedRuntimeError } from './errors.js'

/** This package's version, announced in every record as `gossip-introducer/<VERSION>`. */
export const VERSION = '0.1.0'

/** The software string put in announcements. */
export const SOFTWARE_VERSION = `gossip-introducer/${VERSION}`

/** libp2p 3 calls Promise.withResolvers and its dependencies declare node >= 22. */
export const MIN_NODE_MAJOR = 22

/**
 * Throws when the running Node is older than {@link MIN_NODE_MAJOR}: under Node 20 a
 * libp2p 3 node crashes on start or stop with an obscure TypeError, so say it plainly.
 */
export function assertSupportedRuntime (versions: { node?: string } = process.versions): void {
  const major = Number.parseInt(versions.node?.split('.')[0] ?? '', 10)
  if (!Number.isInteger(major) || major < MIN_NODE_MAJOR) {
    throw new UnsupportedRuntimeError(
      `gossip-introducer needs Node ${MIN_NODE_MAJOR} or later (libp2p 3 does), but this is Node ${versions.node ?? 'unknown'}. ` +
      'Run it through npm (npm test, npm start, npm run ...) so that the Node 22 pinned in devDependencies is used, ' +
      'or install Node 22.'
    )
  }
}
