/**
 * The Tahoe section of the welcome page (welcome-page.ts puts these fragments in): the
 * Tahoe introducer's FURL, the Tahoe nodes subscribed here, and the storage servers
 * Tahoe clients here are given. Shown only when the gateway runs. Text from the network
 * goes in with textContent (`el`), like the rest of the page.
 */

export const TAHOE_SECTION_HTML = `<section id="tahoe" hidden>
<h2>Tahoe-LAFS introducer</h2>
<p>FURL for <code>introducers.yaml</code>: <code id="tahoe-furl"></code></p>
<p id="tahoe-summary"></p>
<div id="tahoe-subscribers"></div>
<div id="tahoe-servers"></div>
</section>`

/** Defines renderTahoe(status); uses the page's el() and ago(). */
export const TAHOE_SECTION_SCRIPT = `
function renderTahoe (s) {
  const section = document.getElementById('tahoe')
  if (s.tahoe == null) { section.hidden = true; return }
  const t = s.tahoe
  section.hidden = false
  document.getElementById('tahoe-furl').textContent = t.furl || '(not listening)'
  document.getElementById('tahoe-summary').textContent = t.subscribers.length + ' Tahoe subscriptions here · ' + t.servers.length + ' Tahoe storage servers known · ' + t.carried + ' carried onto the grid from here'
  const subs = el('table'); const sh = el('tr')
  for (const h of ['Subscriber', 'Tub id', 'Service', 'Version', 'Since']) sh.append(el('th', h))
  subs.append(sh)
  for (const x of t.subscribers) { const r = el('tr'); r.append(el('td', x.nickname || '(no nickname)'), el('td', x.tubId, 'id'), el('td', x.serviceName), el('td', x.version), el('td', ago(x.since))); subs.append(r) }
  document.getElementById('tahoe-subscribers').replaceChildren(t.subscribers.length ? subs : el('p', 'no Tahoe node subscribed here', 'muted'))
  const srv = el('table'); const vh = el('tr')
  for (const h of ['Storage server', 'Server id', 'Tahoe seqnum', 'Version', 'Here']) vh.append(el('th', h))
  srv.append(vh)
  for (const x of t.servers) { const r = el('tr'); r.dataset.serverId = x.serverId; r.append(el('td', x.nickname || '(no nickname)'), el('td', x.serverId, 'id'), el('td', x.seqnum ?? ''), el('td', x.version), el('td', x.vouchedHere > 0 ? 'connected here' : 'via the grid', x.vouchedHere > 0 ? 'ok' : 'muted')); srv.append(r) }
  document.getElementById('tahoe-servers').replaceChildren(t.servers.length ? srv : el('p', 'no Tahoe storage server known', 'muted'))
}
`
