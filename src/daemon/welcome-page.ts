/**
 * The welcome page at /: like Tahoe's, and better. One self-contained HTML document
 * (no external assets) that reads /api/v1/status every 2 seconds and renders it. All
 * text from the network is inserted with textContent, never as HTML; and a
 * Content-Security-Policy allows only the page's own script and style (by hash) and
 * requests to its own origin, so that even markup that slipped in could not run.
 */
import { createHash } from 'node:crypto'
import { TAHOE_SECTION_HTML, TAHOE_SECTION_SCRIPT } from './welcome-tahoe.js'
import type { IntroducerNode } from '../node.js'
import type { FastifyInstance } from 'fastify'

export const WELCOME_REFRESH_MS = 2000

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gossip-introducer</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
  h1 { font-size: 1.4em; margin: 0 0 .2em; }
  h2 { font-size: 1.1em; margin: 1.4em 0 .4em; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .25em .6em; border-bottom: 1px solid #ddd; vertical-align: top; }
  th { background: #f4f4f4; }
  code, .id { font-family: ui-monospace, monospace; font-size: 12px; }
  .ok { color: #0a7a2f; } .bad { color: #b00020; } .muted { color: #777; }
  #error { color: #b00020; }
</style>
</head>
<body>
<h1>gossip-introducer <span id="nickname" class="muted"></span></h1>
<div id="node"></div>
<p id="error" role="alert"></p>
<h2>Introducers</h2>
<p id="introducer-summary"></p>
<div id="introducers"></div>
${TAHOE_SECTION_HTML}
<div id="services"></div>
<p class="muted">Refreshes every ${WELCOME_REFRESH_MS / 1000} s. Same data as JSON: <a href="api/v1/status">api/v1/status</a> · <a href="metrics">metrics</a></p>
<script>
'use strict'
const TITLES = { upload_storage: 'Storage servers accepting new shares', download_storage: 'Storage servers serving reads', helper: 'Helpers' }
const el = (tag, text, cls) => { const e = document.createElement(tag); if (text != null) e.textContent = String(text); if (cls) e.className = cls; return e }
const ago = (t) => { if (t == null) return ''; const s = Math.max(0, Math.round((Date.now() - t) / 1000)); return s < 120 ? s + ' s ago' : Math.round(s / 60) + ' min ago' }
const bytes = (n) => { if (n == null) return 'not announced'; const u = ['B','kB','MB','GB','TB','PB']; let i = 0; while (n >= 1000 && i < u.length - 1) { n /= 1000; i++ } return n.toFixed(i ? 1 : 0) + ' ' + u[i] }
function table (peers, storage) {
  if (peers.length === 0) return el('p', 'none known', 'muted')
  const t = el('table'); const head = el('tr')
  for (const h of ['Nickname', 'Node id', 'Connection', 'Last announcement', 'Version', ...(storage ? ['Read-only', 'Available space'] : [])]) head.append(el('th', h))
  t.append(head)
  for (const p of peers) {
    const row = el('tr'); row.dataset.peerId = p.peerId
    row.append(el('td', p.nickname || '(no nickname)'), el('td', p.peerId, 'id'))
    // a client connects to a server when it uses it: "not connected" is no fault
    row.append(el('td', p.connected ? 'connected' + (p.connectedSince ? ' since ' + ago(p.connectedSince) : '') : 'not connected', p.connected ? 'ok' : 'muted'))
    row.append(el('td', ago(p.lastSeen)), el('td', p.version))
    if (storage) row.append(el('td', p.readonly ? 'yes' : 'no'), el('td', bytes(p.availableSpace)))
    t.append(row)
  }
  return t
}
${TAHOE_SECTION_SCRIPT}
async function refresh () {
  try {
    const r = await fetch('api/v1/status', { cache: 'no-store' })
    if (!r.ok) throw new Error('HTTP ' + r.status)
    const s = await r.json()
    document.getElementById('error').textContent = ''
    document.getElementById('nickname').textContent = s.node.nickname
    const node = document.getElementById('node'); node.replaceChildren()
    const dl = el('p')
    dl.append(el('span', 'Node id '), el('code', s.node.peerId), el('br'), el('span', 'Grid ' + s.node.grid + ' · roles: ' + s.node.roles.join(', ') + ' · version ' + s.node.version + ' · started ' + ago(s.node.startedAt)))
    for (const a of s.node.addresses) { dl.append(el('br'), el('code', a)) }
    node.append(dl)
    document.getElementById('introducer-summary').textContent = 'Connected to ' + s.introducers.connected + ' of ' + s.introducers.known + ' known introducers'
    document.getElementById('introducers').replaceChildren(table(s.introducers.peers, false))
    const services = document.getElementById('services'); services.replaceChildren()
    for (const [name, svc] of Object.entries(s.services)) {
      if (name === 'introducer' || name === 'tahoe-storage') continue
      const section = el('section'); section.dataset.service = name
      const title = el('h2', (TITLES[name] ? TITLES[name] + ' ' : '')); title.append(el('code', name))
      section.append(title, el('p', 'Connected to ' + svc.connected + ' of ' + svc.known + ' known servers', 'summary'))
      section.append(table(svc.peers, name.endsWith('storage')))
      services.append(section)
    }
    renderTahoe(s)
    document.body.dataset.updated = String(Date.now())
  } catch (err) {
    document.getElementById('error').textContent = 'Cannot reach the node: ' + err.message
  }
}
refresh()
setInterval(refresh, ${WELCOME_REFRESH_MS})
</script>
</body>
</html>
`

function sha256Of (element: 'script' | 'style'): string {
  const content = new RegExp(`<${element}>([\\s\\S]*?)</${element}>`).exec(PAGE)?.[1]
  if (content == null) throw new Error(`the welcome page has no <${element}>`)
  return `'sha256-${createHash('sha256').update(content).digest('base64')}'`
}

export const WELCOME_PAGE_CSP = [
  "default-src 'none'",
  `script-src ${sha256Of('script')}`,
  `style-src ${sha256Of('style')}`,
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'"
].join('; ')

export function welcomePage (app: FastifyInstance, _node: IntroducerNode): void {
  app.get('/', async (_request, reply) => reply
    .type('text/html; charset=utf-8')
    .header('content-security-policy', WELCOME_PAGE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .send(PAGE))
}
