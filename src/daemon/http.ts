/**
 * The node's HTTP server (loopback by default): the JSON API under /api/v1 (api.ts), /health and
 * /ready for supervisors and load balancers, the welcome page at / and Prometheus metrics
 * at /metrics. Fastify gives us routing, JSON replies and clean shutdown; the routes check
 * their query parameters themselves.
 *
 * DNS rebinding (issue #10): a web page can make a browser send requests to a loopback
 * server under the page's own host name. Every request whose Host header is not an IP
 * address, `localhost`, or the configured listen host, with the server's port, is refused
 * with 421 before any route runs (as geth's vhosts and Syncthing's host check do).
 */
import Fastify, { type FastifyInstance } from 'fastify'
import { isIP } from 'node:net'
import { registerApi, type ApiInit } from './api.js'
import type { Contacts } from './contacts.js'
import type { GridIndex } from './grid-index.js'
import type { NodeInfo } from './status.js'
import type { IntroducerNode } from '../node.js'

export interface HttpServerInit {
  node: IntroducerNode
  info: NodeInfo
  contacts: Contacts
  index: GridIndex
  /** host:port */
  listen: string
  /** Extra routes (welcome page, metrics) registered by their owners. */
  plugins?: Array<(app: FastifyInstance, context: ApiInit) => void>
}

/** The host and port of a host:port (IPv6 in brackets); undefined when it is not one. */
export function splitHostPort (text: string): { host: string, port: number | undefined } | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(text)
  if (match == null) return undefined
  return { host: (match[1] ?? match[2]).toLowerCase(), port: match[3] != null ? Number(match[3]) : undefined }
}

/** Whether a request's Host header names this server and no other name (see above). */
export function isAllowedHost (header: string | undefined, listenHost: string, port: number): boolean {
  const given = header != null ? splitHostPort(header) : undefined
  if (given == null || (given.port ?? 80) !== port) return false
  return isIP(given.host) !== 0 || given.host === 'localhost' || given.host === listenHost.toLowerCase()
}

export async function startHttpServer (init: HttpServerInit): Promise<{ url: string, close(): Promise<void> }> {
  const { node, info } = init
  const listen = splitHostPort(init.listen)
  if (listen?.port == null) {
    throw new Error(`http listen address ${JSON.stringify(init.listen)} is not host:port`)
  }
  const app = Fastify({ logger: false, bodyLimit: 1024 })
  const badRequest = (message: string): { error: string } => ({ error: message })
  let port = listen.port

  app.addHook('onRequest', async (request, reply) => {
    if (!isAllowedHost(request.headers.host, listen.host, port)) {
      return reply.code(421).send(badRequest(`Host ${JSON.stringify(request.headers.host ?? '')} is not this server: use its address (e.g. 127.0.0.1:${port}) or localhost:${port}`))
    }
  })

  app.get('/health', () => Promise.resolve({ status: 'ok' }))
  app.get('/ready', async (_request, reply) => {
    const state = info.readiness()
    return reply.code(state.ready ? 200 : 503).send(state)
  })

  const context: ApiInit = { node, info, contacts: init.contacts, index: init.index }
  registerApi(app, context)
  for (const plugin of init.plugins ?? []) {
    plugin(app, context)
  }

  const address = await app.listen({ host: listen.host, port: listen.port })
  const bound = app.server.address()
  port = typeof bound === 'object' && bound != null ? bound.port : port
  return {
    url: address,
    close: async () => { await app.close() }
  }
}
