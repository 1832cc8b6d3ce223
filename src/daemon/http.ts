/**
 * The node's HTTP server (loopback by default): the JSON API under /api/v1, the welcome
 * page at / and Prometheus metrics at /metrics. Fastify gives us routing, JSON replies and
 * clean shutdown; the routes check their query parameters themselves.
 */
import Fastify, { type FastifyInstance } from 'fastify'
import { isValidServiceName } from '../announcement/names.js'
import { describeError, InvalidStorageIndexError } from '../errors.js'
import { peerJson, permutedJson, statusJson, type NodeInfo, type PeersJson, type PermutedJson } from './status.js'
import type { IntroducerNode } from '../node.js'

export interface HttpServerInit {
  node: IntroducerNode
  info: NodeInfo
  /** host:port */
  listen: string
  /** Extra routes (welcome page, metrics) registered by their owners. */
  plugins?: Array<(app: FastifyInstance) => void>
}

export async function startHttpServer (init: HttpServerInit): Promise<{ url: string, close(): Promise<void> }> {
  const { node, info } = init
  const app = Fastify({ logger: false, bodyLimit: 1024 })
  const badRequest = (message: string): { error: string } => ({ error: message })

  app.get('/api/v1/status', () => Promise.resolve(statusJson(node, info)))

  app.get<{ Querystring: { service?: string } }>('/api/v1/peers', async (request, reply) => {
    const service = request.query.service
    if (!isValidServiceName(service)) {
      return reply.code(400).send(badRequest('query parameter "service" must be a service name, e.g. ?service=upload_storage'))
    }
    const body: PeersJson = { service, peers: node.introducer.getPeers(service).map(p => peerJson(node, p)) }
    return body
  })

  app.get<{ Querystring: { service?: string, 'storage-index'?: string } }>('/api/v1/permuted', async (request, reply) => {
    const service = request.query.service
    const index = request.query['storage-index']
    if (!isValidServiceName(service)) {
      return reply.code(400).send(badRequest('query parameter "service" must be a service name, e.g. ?service=upload_storage'))
    }
    if (index == null) {
      return reply.code(400).send(badRequest('query parameter "storage-index" is required (Tahoe base32 or hex)'))
    }
    try {
      const body: PermutedJson = { service, storageIndex: index, peers: node.introducer.getPermutedPeers(service, index).map(p => permutedJson(node, p)) }
      return body
    } catch (err) {
      if (err instanceof InvalidStorageIndexError) {
        return reply.code(400).send(badRequest(describeError(err)))
      }
      throw err
    }
  })

  for (const plugin of init.plugins ?? []) {
    plugin(app)
  }

  const match = /^\[?([^\]]+)\]?:(\d+)$/.exec(init.listen)
  if (match == null) {
    throw new Error(`http listen address ${JSON.stringify(init.listen)} is not host:port`)
  }
  const address = await app.listen({ host: match[1], port: Number(match[2]) })
  return {
    url: address,
    close: async () => { await app.close() }
  }
}
