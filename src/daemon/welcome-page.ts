/**
 * The welcome page at /: like Tahoe's, and better. Rendered on the server (welcome/), so
 * it shows everything without JavaScript; its script then swaps in the live region from
 * /live every WELCOME_REFRESH_MS, without reloading the document. Every list is paged.
 * Text from the network is escaped as text on the server (welcome/html.ts) and inserted
 * with textContent by the script; and a Content-Security-Policy allows only the page's
 * own script and style (by hash), requests and forms to its own origin, so that even
 * markup that slipped in could not run.
 */
import { createHash } from 'node:crypto'
import { h } from './welcome/html.js'
import { renderPermutedBox } from './welcome/permuted-box.js'
import { SCRIPT, WELCOME_REFRESH_MS } from './welcome/script.js'
import { renderLive, type WelcomeQuery } from './welcome/sections.js'
import type { ApiInit } from './api.js'
import type { FastifyInstance, FastifyReply } from 'fastify'

export { WELCOME_REFRESH_MS } from './welcome/script.js'

const STYLE = `
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
  h1 { font-size: 1.4em; margin: 0 0 .2em; }
  h2 { font-size: 1.1em; margin: 1.4em 0 .4em; }
  p { margin: .3em 0; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .25em .6em; border-bottom: 1px solid #ddd; vertical-align: top; }
  th { background: #f4f4f4; }
  code, .id { font-family: ui-monospace, monospace; font-size: 12px; }
  td.id { word-break: break-all; min-width: 27ch; }
  code.addr, code.service { display: inline-block; margin-right: .6em; }
  .fields { color: #555; font-size: 12px; }
  .ok { color: #0a7a2f; } .warn { color: #8a5a00; } .bad { color: #b00020; } .muted, .empty { color: #777; }
  .pager { color: #555; }
  #error { color: #b00020; }
  .js-only { display: none; }
  .js .js-only { display: inline-block; margin-left: .5em; }
  #permuted-box form { margin: .4em 0; }
`

function sha256 (text: string): string {
  return `'sha256-${createHash('sha256').update(text).digest('base64')}'`
}

export const WELCOME_PAGE_CSP = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)}`,
  `style-src ${sha256(STYLE)}`,
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'"
].join('; ')

function pageHtml (init: ApiInit, query: WelcomeQuery): string {
  const now = Date.now()
  const nickname = init.info.nickname
  return '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>gossip-introducer</title>\n' +
    `<style>${STYLE}</style>\n</head>\n<body>\n` +
    h('h1', null, 'gossip-introducer ', h('span', { id: 'nickname', class: 'muted' }, h('bdi', null, nickname))).html + '\n' +
    '<p id="error" role="alert"></p>\n' +
    h('div', { id: 'live' }, renderLive(init, query, now)).html + '\n' +
    renderPermutedBox(init, query, now).html + '\n' +
    h('p', { class: 'muted' },
      h('span', { class: 'js-only' }, `Refreshes every ${WELCOME_REFRESH_MS / 1000} s.`),
      h('noscript', null, 'Without JavaScript this page does not refresh itself: reload it.'),
      ' Same data as JSON: ', h('a', { href: 'api/v1/status' }, 'api/v1/status'), ' · ', h('a', { href: 'api/v1/members' }, 'api/v1/members'),
      ' · ', h('a', { href: 'metrics' }, 'metrics')).html + '\n' +
    `<script>${SCRIPT}</script>\n</body>\n</html>\n`
}

function sendHtml (reply: FastifyReply, html: string): FastifyReply {
  return reply
    .type('text/html; charset=utf-8')
    .header('content-security-policy', WELCOME_PAGE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store')
    .send(html)
}

/** Only the page's own parameters, each a bounded string: anything else is dropped. */
function pageQuery (query: unknown): WelcomeQuery {
  const out: WelcomeQuery = {}
  for (const [k, v] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    if (typeof v === 'string' && v.length <= 200 && /^(cursor-[a-z0-9_.-]{1,64}|si|si-service)$/.test(k)) out[k] = v
  }
  return out
}

export function welcomePage (app: FastifyInstance, init: ApiInit): void {
  app.get('/', async (request, reply) => sendHtml(reply, pageHtml(init, pageQuery(request.query))))
  // the live region alone, for the page's script
  app.get('/live', async (request, reply) => sendHtml(reply, h('div', { id: 'live' }, renderLive(init, pageQuery(request.query))).html))
}
