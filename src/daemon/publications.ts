/**
 * What a node announces by its configuration: the storage services of `[storage]` and
 * every `[publish.<service>]` with its fields. At start they are published; on SIGHUP
 * the new configuration's are compared with what is published: a service whose fields
 * changed is published again (a new seqnum, so every holder takes the new record), a
 * new one is published (and followed: introducers follow the services peers subscribe
 * to, so they hold it), one no longer configured is withdrawn.
 */
import { DOWNLOAD_STORAGE, UPLOAD_STORAGE } from '../announcement/names.js'
import { describeError } from '../errors.js'
import type { Config } from './config/index.js'
import type { PublishFields } from '../introduction/index.js'
import type { IntroducerNode } from '../node.js'

export type Publications = Map<string, PublishFields>

const STORAGE = new Set([UPLOAD_STORAGE, DOWNLOAD_STORAGE])

/** The services the configuration announces, with their fields. */
export function publications (config: Config): Publications {
  const out: Publications = new Map()
  if (config.storage.enabled) {
    const fields: PublishFields = { readonly: config.storage.readonly, availableSpace: config.storage.available_space }
    if (!config.storage.readonly) out.set(UPLOAD_STORAGE, fields)
    out.set(DOWNLOAD_STORAGE, fields)
  }
  for (const [service, fields] of Object.entries(config.publish)) {
    out.set(service, { fields: { ...fields } })
  }
  return out
}

/** A PublishFields in a form that compares equal when the announcement would be the same. */
function canonical (fields: PublishFields): string {
  const sorted = Object.fromEntries(Object.entries(fields.fields ?? {}).sort(([a], [b]) => a < b ? -1 : 1))
  return JSON.stringify([fields.readonly ?? false, fields.availableSpace ?? null, sorted, (fields.multiaddrs ?? []).map(String)])
}

export interface PublicationChange {
  service: string
  change: 'published' | 'updated' | 'withdrawn'
  /** Set when the node refused it: what was published before stays. */
  error?: string
}

/**
 * Publishes what changed from `current` to `next` (see above); returns what it did, and
 * what failed. Never throws.
 */
export async function applyPublications (node: IntroducerNode, current: Publications, next: Publications): Promise<PublicationChange[]> {
  const changes: PublicationChange[] = []
  for (const [service, fields] of next) {
    const before = current.get(service)
    if (before != null && canonical(before) === canonical(fields)) continue
    const change = before == null ? 'published' : 'updated'
    try {
      if (!STORAGE.has(service) && !node.introducer.getSubscriptions().includes(service)) {
        // as at start (run-node.ts): a node follows what it announces (but storage-only
        // servers follow no storage service: [storage] says what they follow)
        node.introducer.subscribeTo(service)
      }
      await node.introducer.publish(service, fields)
      changes.push({ service, change })
    } catch (err) {
      changes.push({ service, change, error: describeError(err) })
    }
  }
  for (const service of current.keys()) {
    if (next.has(service)) continue
    try {
      await node.introducer.unpublish(service)
      changes.push({ service, change: 'withdrawn' })
    } catch (err) {
      changes.push({ service, change: 'withdrawn', error: describeError(err) })
    }
  }
  return changes
}
