/**
 * The Tahoe section of the welcome page, when the gateway runs (docs/tahoe.md): the
 * FURL Tahoe nodes list in `introducers.yaml`, the Tahoe nodes subscribed here, and the
 * storage servers Tahoe clients here are given. Network text goes through h() as text.
 */
import { formatCount, h, relativeTime, type Html } from './html.js'
import { table } from './tables.js'
import type { TahoeGatewayStatus } from '../../tahoe/gateway.js'

const named = (nickname: string): Html => nickname === '' ? h('span', { class: 'muted' }, '(no nickname)') : h('bdi', null, nickname)

export function tahoeSection (t: TahoeGatewayStatus, now: number): Html {
  return h('section', { id: 'tahoe' },
    h('h2', null, 'Tahoe-LAFS introducer'),
    h('p', null, 'FURL for ', h('code', null, 'introducers.yaml'), ': ', t.furl != null ? h('code', { id: 'tahoe-furl' }, t.furl) : h('span', { class: 'muted' }, '(not listening)')),
    h('p', { class: 'summary', id: 'tahoe-summary' },
      `${formatCount(t.subscribers.length)} Tahoe subscriptions here · ${formatCount(t.servers.length)} Tahoe storage servers known · ${formatCount(t.carried)} carried onto the grid from here`),
    t.subscribers.length === 0
      ? h('p', { class: 'summary empty' }, 'No Tahoe node subscribed here.')
      : table(['Subscriber', 'Tub id', 'Service', 'Version', 'Since'], t.subscribers.map(s => h('tr', null,
        h('td', null, named(s.nickname)), h('td', { class: 'id' }, s.tubId), h('td', null, h('bdi', null, s.serviceName)),
        h('td', null, h('bdi', null, s.version)), h('td', null, relativeTime(s.since, now))))),
    t.servers.length === 0
      ? h('p', { class: 'summary empty' }, 'No Tahoe storage server known.')
      : table(['Storage server', 'Server id', 'Tahoe seqnum', 'Version', 'Here'], t.servers.map(s => h('tr', { 'data-server-id': s.serverId },
        h('td', null, named(s.nickname)), h('td', { class: 'id' }, s.serverId), h('td', null, s.seqnum ?? ''),
        h('td', null, h('bdi', null, s.version)),
        h('td', null, s.vouchedHere > 0 ? h('span', { class: 'ok' }, 'connected here') : h('span', { class: 'muted' }, 'via the grid'))))))
}
