/**
 * The welcome page's script (allowed by its hash in the page's CSP): live updates of the
 * server-rendered page, the check buttons and the storage-index box. The page works
 * without it. Updates fetch the live region as HTML from `live` (the same rendering as
 * the first page, paged the same way) and swap it in: the document stays, so nothing is
 * reloaded. What the script writes itself (check results, the permuted order from
 * /api/v1/permuted) goes in through textContent only.
 */
import { PERMUTED_ROWS } from './permuted-box.js'

export const WELCOME_REFRESH_MS = 2000

export const SCRIPT = `
'use strict'
document.body.classList.add('js')
const el = (tag, text, cls) => { const e = document.createElement(tag); if (text != null) e.textContent = String(text); if (cls) e.className = cls; return e }
const bytes = (n) => { if (n == null) return 'not announced'; const u = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB']; let i = 0; while (n >= 1000 && i < u.length - 1) { n /= 1000; i++ } return n.toFixed(i ? 1 : 0) + ' ' + u[i] }
const errorLine = document.getElementById('error')
let refreshing = false
async function refresh () {
  if (refreshing) return
  refreshing = true
  try {
    const r = await fetch('live' + location.search, { cache: 'no-store' })
    if (!r.ok) throw new Error('HTTP ' + r.status)
    const parsed = new DOMParser().parseFromString(await r.text(), 'text/html')
    const live = parsed.getElementById('live')
    if (live == null) throw new Error('no live region in the answer')
    document.getElementById('live').replaceChildren(...[...live.childNodes].map(n => document.adoptNode(n)))
    errorLine.textContent = ''
    document.body.dataset.updated = String(Date.now())
  } catch (err) {
    errorLine.textContent = 'Cannot reach the node: ' + err.message
  } finally {
    refreshing = false
  }
}
document.addEventListener('click', async (evt) => {
  const button = evt.target.closest('button[data-probe]')
  if (button == null) return
  const cell = button.closest('td')
  const out = cell.querySelector('.probe-result') ?? cell.appendChild(el('span', null, 'probe-result'))
  button.disabled = true
  out.textContent = ' checking...'
  try {
    const r = await fetch('api/v1/probe', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ peer: button.dataset.probe }) })
    const body = await r.json()
    if (!r.ok) throw new Error(body.error || ('HTTP ' + r.status))
    out.textContent = body.ok ? ' reached: ' + (body.dialMs != null ? 'dial ' + body.dialMs + ' ms, ' : '') + 'round trip ' + body.rttMs + ' ms' : ' unreachable: ' + body.error
    out.className = 'probe-result ' + (body.ok ? 'ok' : 'warn')
  } catch (err) {
    out.textContent = ' check failed: ' + err.message
    out.className = 'probe-result bad'
  } finally {
    button.disabled = false
  }
})
const form = document.getElementById('permuted-form')
form.addEventListener('submit', async (evt) => {
  evt.preventDefault()
  const service = form.elements['si-service'].value
  const index = form.elements.si.value.trim()
  const box = document.getElementById('permuted')
  const params = new URLSearchParams(location.search)
  params.set('si', index)
  params.set('si-service', service)
  history.replaceState(null, '', '?' + params)
  try {
    const r = await fetch('api/v1/permuted?' + new URLSearchParams({ service, 'storage-index': index, limit: '${PERMUTED_ROWS}' }), { cache: 'no-store' })
    const body = await r.json()
    if (!r.ok) { box.replaceChildren(el('p', body.error || ('HTTP ' + r.status), 'bad')); return }
    if (body.total === 0) { box.replaceChildren(el('p', 'No ' + service + ' server known.', 'summary empty')); return }
    const t = el('table'); const head = el('tr')
    for (const h of ['#', 'Permuted id', 'Nickname', 'Node id', 'Read-only', 'Available space', 'Last contact']) head.append(el('th', h))
    t.append(el('thead'), el('tbody')); t.tHead.append(head)
    body.peers.forEach((p, i) => {
      const row = el('tr'); row.dataset.peerId = p.peerId
      const contact = p.contact == null ? 'not reached yet' : p.contact.connected ? 'connected now' : 'reached ' + Math.round((Date.now() - p.contact.at) / 1000) + ' s ago'
      row.append(el('td', i + 1), el('td', p.permutedId.slice(0, 16), 'id'), el('td', p.nickname || '(no nickname)'), el('td', p.peerId, 'id'),
        el('td', p.readonly ? 'yes' : 'no'), el('td', bytes(p.availableSpace)), el('td', contact))
      t.tBodies[0].append(row)
    })
    box.replaceChildren(el('p', 'The first ' + body.peers.length + ' of ' + body.total + ' ' + service + ' servers, in the order a client tries them for this storage index.', 'summary'), t)
  } catch (err) {
    box.replaceChildren(el('p', 'Cannot reach the node: ' + err.message, 'bad'))
  }
})
setInterval(refresh, ${WELCOME_REFRESH_MS})
`
