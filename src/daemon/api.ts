/**
 * The JSON API under /api/v1 (shapes in status.ts and members.ts). Lists are paged
 * (paging.ts: `limit`, `cursor`, `next`); /status holds counts only, so that it stays
 * small and fast whatever the table holds. Query parameters are checked here, and a bad
 * one is answered 400 with a message that says what it must be.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { isValidServiceName } from '../announcement/names.js'
import { describeError, InvalidStorageIndexError } from '../errors.js'
import { ProbeBusyError, type Contacts } from './contacts.js'
import { membersJson } from './members.js'
import { PageQueryError, parsePageQuery, type PageRequest } from './paging.js'
import type { GridIndex } from './grid-index.js'
import { peerJson, permutedJson, statusJson, type NodeInfo, type PeersJson, type PermutedJson } from './status.js'
import type { IntroducerNode } from '../node.js'
import type { PeerId } from '@libp2p/interface'
import type { FastifyInstance, FastifyReply } from 'fastify'

export interface ApiInit {
  node: IntroducerNode
  info: NodeInfo
  contacts: Contacts
  index: GridIndex
}

type Query = Record<string, string | undefined>

const SERVICE_HELP = 'query parameter "service" must be a service name, e.g. ?service=upload_storage'

/** The peers of a service, one page (see paging.ts), in peer id order. */
export function peersPage (init: ApiInit, service: string, page: PageRequest): PeersJson {
  const { items, next, total } = init.index.servicePage(service, page)
  return { service, total, peers: items.map(p => peerJson(init.node, p, init.contacts)), next }
}

/** The first `limit` peers of a service in Tahoe's permuted order for a storage index. */
export function permutedPage (init: ApiInit, service: string, storageIndex: string, limit: number): PermutedJson {
  const all = init.node.introducer.getPermutedPeers(service, storageIndex)
  return { service, storageIndex, total: all.length, peers: all.slice(0, limit).map(p => permutedJson(init.node, p, init.contacts)) }
}

function parsePeerId (text: unknown): PeerId | undefined {
  if (typeof text !== 'string' || text.length > 128) return undefined
  try {
    return peerIdFromString(text)
  } catch {
    return undefined
  }
}

/** Whether an Origin header names this server (the Host it was asked as). */
function sameOrigin (origin: string, host: string | undefined): boolean {
  try {
    return new URL(origin).host === host
  } catch {
    return false
  }
}

export function registerApi (app: FastifyInstance, init: ApiInit): void {
  const { node, info, contacts, index } = init
  const badRequest = async (reply: FastifyReply, message: string): Promise<FastifyReply> => reply.code(400).send({ error: message })
  /** A bad query parameter is the caller's mistake (400); anything else is ours. */
  const answer = async <T>(reply: FastifyReply, build: () => T): Promise<T | FastifyReply> => {
    try {
      return build()
    } catch (err) {
      if (err instanceof PageQueryError || err instanceof InvalidStorageIndexError) return badRequest(reply, describeError(err))
      throw err
    }
  }

  app.get('/api/v1/status', async () => Promise.resolve(statusJson(node, info, index)))

  app.get<{ Querystring: Query }>('/api/v1/peers', async (request, reply) => {
    const service = request.query.service
    if (!isValidServiceName(service)) return badRequest(reply, SERVICE_HELP)
    return answer(reply, () => peersPage(init, service, parsePageQuery(request.query)))
  })

  app.get<{ Querystring: Query }>('/api/v1/members', async (request, reply) =>
    answer(reply, () => membersJson(node, index, parsePageQuery(request.query))))

  app.get<{ Querystring: Query }>('/api/v1/permuted', async (request, reply) => {
    const service = request.query.service
    const index = request.query['storage-index']
    if (!isValidServiceName(service)) return badRequest(reply, SERVICE_HELP)
    if (index == null || index === '') return badRequest(reply, 'query parameter "storage-index" is required (Tahoe base32 or hex)')
    return answer(reply, () => permutedPage(init, service, index, parsePageQuery({ limit: request.query.limit }).limit))
  })

  // A POST that makes the node dial: only as JSON (a cross-site form cannot send that
  // without a CORS preflight, which this server never grants) and from no other origin.
  app.post<{ Body: unknown }>('/api/v1/probe', async (request, reply) => {
    const origin = request.headers.origin
    if (origin != null && !sameOrigin(origin, request.headers.host)) {
      return reply.code(403).send({ error: `requests from ${JSON.stringify(origin)} are not accepted` })
    }
    if (!/^application\/json\b/.test(request.headers['content-type'] ?? '')) {
      return reply.code(415).send({ error: 'send the request as application/json: {"peer": "<peer id>"}' })
    }
    const peerId = parsePeerId((request.body as { peer?: unknown } | null)?.peer)
    if (peerId == null) return badRequest(reply, 'the body must be {"peer": "<peer id>"}')
    const entries = index.entriesOf(peerId.toString())
    if (entries.length === 0) return reply.code(404).send({ error: `${peerId.toString()} holds no entry here` })
    const multiaddrs = [...new Map(entries.flatMap(e => e.multiaddrs).map(ma => [ma.toString(), ma])).values()]
    if (peerId.equals(node.peerId)) return badRequest(reply, 'that is this node')
    try {
      return await contacts.probe(peerId, multiaddrs)
    } catch (err) {
      if (err instanceof ProbeBusyError) return reply.code(429).send({ error: describeError(err) })
      throw err
    }
  })
}
