/**
 * The welcome page's tables, rendered on the server from the API's JSON shapes (so the
 * page and /api/v1 show the same thing): a service's peers, the grid's members and the
 * nodes that left. Every string from the network goes through h() as text.
 */
import { formatBytes, fragment, h, relativeTime, type Child, type Html } from './html.js'
import type { ContactJson } from '../contacts.js'
import type { DepartedJson, MemberJson } from '../members.js'
import type { PeerJson } from '../status.js'

/** Addresses shown per row; the rest are counted. */
const ADDRESSES_SHOWN = 3

const untrusted = (text: string, empty = '(none)'): Html => text === '' ? h('span', { class: 'muted' }, empty) : h('bdi', null, text)

/** Addresses, each without the `/p2p/<peer id>` of the row's own peer (the Node id column shows it). */
export function addresses (list: readonly string[], peerId?: string): Html {
  if (list.length === 0) return h('span', { class: 'muted' }, 'none announced')
  const suffix = peerId != null ? `/p2p/${peerId}` : undefined
  const shown = list.slice(0, ADDRESSES_SHOWN).map(a => h('code', { class: 'addr' }, suffix != null && a.endsWith(suffix) ? a.slice(0, -suffix.length) : a))
  return fragment(shown, list.length > ADDRESSES_SHOWN ? h('span', { class: 'muted' }, ` +${list.length - ADDRESSES_SHOWN} more`) : null)
}

/** "reached 12 s ago · 0.4 ms", or the last failure; what a client can know of a server. */
export function contactText (contact: ContactJson | null, now: number): Html {
  if (contact == null) return h('span', { class: 'muted' }, 'not reached yet')
  const rtt = contact.rttMs != null ? ` · ${contact.rttMs} ms` : ''
  const reached = contact.connected ? `connected now${rtt}` : contact.at > 0 ? `reached ${relativeTime(contact.at, now)}${rtt}` : 'not reached yet'
  if (contact.failure != null && !contact.connected) {
    return fragment(h('span', { class: 'muted' }, reached), h('br', null), h('span', { class: 'warn' }, `check failed ${relativeTime(contact.failure.at, now)}: `, h('bdi', null, contact.failure.error)))
  }
  return h('span', { class: contact.connected ? 'ok' : undefined }, reached)
}

export function table (headers: string[], rows: Html[]): Html {
  return h('table', null, h('thead', null, h('tr', null, headers.map(t => h('th', null, t)))), h('tbody', null, rows))
}

export interface PeerTableOptions {
  storage: boolean
  /** A check button per row (probes, with JavaScript only). */
  probe: boolean
}

export function peerTable (peers: PeerJson[], options: PeerTableOptions, now: number): Html {
  const headers = ['Nickname', 'Node id', 'Addresses', 'Last announcement', 'Expires', 'Version', ...(options.storage ? ['Read-only', 'Available space'] : []), 'Last contact']
  return table(headers, peers.map(p => h('tr', { 'data-peer-id': p.peerId },
    h('td', null, untrusted(p.nickname, '(no nickname)')),
    h('td', { class: 'id' }, p.peerId),
    h('td', null, addresses(p.multiaddrs, p.peerId)),
    h('td', null, relativeTime(p.lastSeen, now)),
    h('td', null, relativeTime(p.expiresAt, now)),
    h('td', null, untrusted(p.version, '')),
    options.storage ? [h('td', null, p.readonly ? 'yes' : 'no'), h('td', null, formatBytes(p.availableSpace))] : null,
    h('td', { class: 'contact' }, contactText(p.contact, now),
      options.probe ? h('button', { type: 'button', class: 'js-only', 'data-probe': p.peerId }, 'Check') : null)
  )))
}

export function memberTable (members: MemberJson[], now: number): Html {
  return table(['Nickname', 'Node id', 'Services', 'Addresses', 'Version', 'Last heard'], members.map(m => h('tr', { 'data-peer-id': m.peerId },
    h('td', null, untrusted(m.nickname, '(no nickname)'), m.self ? h('span', { class: 'muted' }, ' (this node)') : null),
    h('td', { class: 'id' }, m.peerId),
    h('td', null, m.services.map((s): Child => h('div', null, h('code', { class: 'service' }, s.service), fieldsText(s.fields)))),
    h('td', null, addresses(m.multiaddrs, m.peerId)),
    h('td', null, untrusted(m.version, '')),
    h('td', null, relativeTime(m.lastSeen, now))
  )))
}

/** Longest field value shown in a row. */
const FIELD_CHARS_SHOWN = 64

/** A service's fields (like serf's tags), each value cut at FIELD_CHARS_SHOWN characters. */
function fieldsText (fields: Record<string, string>): Html | null {
  const entries = Object.entries(fields)
  if (entries.length === 0) return null
  const cut = (v: string): string => [...v].length > FIELD_CHARS_SHOWN ? [...v].slice(0, FIELD_CHARS_SHOWN).join('') + '…' : v
  return h('span', { class: 'fields' }, entries.map(([k, v]) => h('bdi', null, ` ${cut(k)}=${cut(v)}`)))
}

const REASONS = { withdrawn: 'withdrawn (stopped)', expired: 'expired (not refreshed)', evicted: 'evicted (table full)' }

export function departedTable (departed: DepartedJson[], now: number): Html {
  return table(['Nickname', 'Node id', 'Left', 'When', 'Last heard'], departed.map(d => h('tr', { 'data-peer-id': d.peerId },
    h('td', null, untrusted(d.nickname, '(no nickname)')),
    h('td', { class: 'id' }, d.peerId),
    h('td', null, d.services.map((s): Child => h('div', null, h('code', { class: 'service' }, s.service), ` ${REASONS[s.reason]}`))),
    h('td', null, relativeTime(d.at, now)),
    h('td', null, relativeTime(d.lastSeen, now))
  )))
}
