/**
 * The live part of the welcome page, rendered on the server: the node, what is wrong,
 * introducers, one section per service, the grid's members and the nodes that left.
 * The same HTML is the first render of `/` (a page that works without JavaScript) and
 * what the page's script fetches from `/live` every few seconds. Every list is paged
 * (WELCOME_PAGE_ROWS rows, links to the next page), so a node holding 20 000 entries
 * renders a page of a few hundred rows.
 */
import { INTRODUCER, PREDEFINED_SERVICES } from '../../announcement/names.js'
import { peersPage, type ApiInit } from '../api.js'
import { membersJson } from '../members.js'
import { parsePageQuery, type PageRequest } from '../paging.js'
import { statusJson, type StatusJson } from '../status.js'
import { formatCount, fragment, h, relativeTime, type Html } from './html.js'
import { departedTable, memberTable, peerTable } from './tables.js'
import { tahoeSection } from './tahoe-section.js'
import { TAHOE_STORAGE_SERVICE } from '../../tahoe/carriage.js'

/** Rows of each list on the page. */
export const WELCOME_PAGE_ROWS = 100
/** Most recently departed nodes shown (the API has them all). */
export const DEPARTED_SHOWN = 50

export type WelcomeQuery = Record<string, string | undefined>

const TITLES: Record<string, string> = {
  upload_storage: 'Storage servers accepting new shares',
  download_storage: 'Storage servers serving reads',
  helper: 'Helpers'
}

const EMPTY: Record<string, string> = {
  upload_storage: 'No storage server known yet.',
  download_storage: 'No storage server known yet.',
  helper: 'None announced. Helpers are optional: without one, clients upload to the storage servers themselves.'
}

/** The query parameter holding a list's cursor: `cursor-members`, `cursor-upload_storage`. */
export const cursorParam = (list: string): string => `cursor-${list}`

/** The page request of one list: an unusable cursor starts from the first page. */
function pageRequest (query: WelcomeQuery, list: string): PageRequest {
  try {
    return parsePageQuery({ cursor: query[cursorParam(list)] }, WELCOME_PAGE_ROWS)
  } catch {
    return { limit: WELCOME_PAGE_ROWS }
  }
}

/** "100 of 10 000 shown · next page · first page" links that keep the other lists' pages. */
function pager (list: string, query: WelcomeQuery, shown: number, total: number, next: string | null): Html | null {
  const current = query[cursorParam(list)]
  if (next == null && current == null) return null
  const link = (cursor: string | undefined, text: string): Html => {
    const params = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => e[1] != null))
    if (cursor == null) params.delete(cursorParam(list))
    else params.set(cursorParam(list), cursor)
    const search = params.toString()
    return h('a', { href: search === '' ? './' : `?${search}` }, text)
  }
  return h('p', { class: 'pager' }, `${formatCount(shown)} of ${formatCount(total)} shown`,
    next != null ? [' · ', link(next, 'next page')] : null,
    current != null ? [' · ', link(undefined, 'first page')] : null)
}

function nodeSection (s: StatusJson, now: number): Html {
  return h('section', { id: 'node' },
    h('p', null, 'Node id ', h('code', null, s.node.peerId)),
    h('p', null, `Grid ${s.node.grid} · roles: ${s.node.roles.join(', ')} · version ${s.node.version} · started ${relativeTime(s.node.startedAt, now)} · ${s.node.connections} connections`),
    h('p', { class: 'addresses' }, s.node.addresses.map(a => [h('code', null, a), ' '])))
}

function problemsSection (s: StatusJson): Html {
  if (s.problems.length === 0) return h('p', { id: 'problems', class: 'ok' }, 'Ready: nothing wrong.')
  return h('div', { id: 'problems' },
    h('p', { class: s.ready ? 'warn' : 'bad' }, s.ready ? 'Ready, but worth a look:' : 'Not ready:'),
    h('ul', null, s.problems.map(p => h('li', null, p))))
}

function introducersSection (init: ApiInit, s: StatusJson, query: WelcomeQuery, now: number): Html {
  const page = peersPage(init, INTRODUCER, pageRequest(query, INTRODUCER))
  const others = page.peers.filter(p => p.peerId !== s.node.peerId)
  const self = init.node.introducer.isIntroducer
  const summary = s.introducers.known === 0
    ? (self ? 'No other introducer known: this node is the grid\'s only one so far.' : 'No introducer known yet.')
    : `Connected to ${s.introducers.connected} of ${s.introducers.known} known introducers${self ? ' (besides this one)' : ''}`
  return h('section', { id: 'introducers' },
    h('h2', null, 'Introducers'),
    h('p', { class: 'summary', id: 'introducer-summary' }, summary),
    others.length > 0 ? peerTable(others, { storage: false, probe: true }, now) : null,
    pager(INTRODUCER, query, page.peers.length, page.total, page.next))
}

function serviceSection (init: ApiInit, name: string, s: StatusJson, query: WelcomeQuery, now: number): Html {
  const page = peersPage(init, name, pageRequest(query, name))
  const storage = name.endsWith('storage')
  const svc = s.services[name]
  const title = h('h2', null, TITLES[name] != null ? `${TITLES[name]} ` : '', h('code', null, name))
  if (page.total === 0) {
    return h('section', { 'data-service': name }, title, h('p', { class: 'summary empty' }, EMPTY[name] ?? 'No node announces it.'))
  }
  const what = storage ? (page.total === 1 ? 'server' : 'servers') : (page.total === 1 ? 'node' : 'nodes')
  const hint = storage && !init.node.introducer.getPublished().includes(name)
    ? ' A client connects to a server only while it uses it: "Last contact" is when this node last reached each one, and the round trip.'
    : ''
  return h('section', { 'data-service': name }, title,
    h('p', { class: 'summary' }, `${formatCount(page.total)} known ${what}, ${formatCount(svc?.connected ?? 0)} connected now.`, h('span', { class: 'muted' }, hint)),
    peerTable(page.peers, { storage, probe: true }, now),
    pager(name, query, page.peers.length, page.total, page.next))
}

function membersSection (init: ApiInit, query: WelcomeQuery, now: number): Html {
  const members = membersJson(init.node, init.index, pageRequest(query, 'members'))
  const departed = members.departed
  return fragment(
    h('section', { id: 'members' },
      h('h2', null, 'Grid members'),
      h('p', { class: 'summary' }, `${formatCount(members.total)} ${members.total === 1 ? 'node' : 'nodes'} known, with every service each announces.`),
      memberTable(members.members, now),
      pager('members', query, members.members.length, members.total, members.next)),
    h('section', { id: 'departed' },
      h('h2', null, 'Recently departed'),
      departed.length === 0
        ? h('p', { class: 'summary empty' }, 'No node left in the last 24 h.')
        : fragment(
          h('p', { class: 'summary' }, `${departed.length} ${departed.length === 1 ? 'node' : 'nodes'} left (withdrawn, expired or evicted) and hold no entry here now.`),
          departedTable(departed.slice(0, DEPARTED_SHOWN), now),
          departed.length > DEPARTED_SHOWN ? h('p', { class: 'pager' }, `${DEPARTED_SHOWN} of ${departed.length} shown: all in `, h('a', { href: 'api/v1/members' }, 'api/v1/members')) : null)))
}

/** The live region's content (everything the script replaces on each refresh). */
export function renderLive (init: ApiInit, query: WelcomeQuery, now = Date.now()): Html {
  const s = statusJson(init.node, init.info, init.index)
  // the predefined services first, in their order, then the others by name
  const rank = (name: string): number => { const i = PREDEFINED_SERVICES.indexOf(name as typeof PREDEFINED_SERVICES[number]); return i < 0 ? PREDEFINED_SERVICES.length : i }
  // Tahoe's storage servers have their own section
  const services = Object.keys(s.services).filter(name => name !== INTRODUCER && !(name === TAHOE_STORAGE_SERVICE && s.tahoe != null)).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1))
  return fragment(
    nodeSection(s, now),
    problemsSection(s),
    s.tahoe != null ? tahoeSection(s.tahoe, now) : null,
    introducersSection(init, s, query, now),
    services.map(name => serviceSection(init, name, s, query, now)),
    membersSection(init, query, now))
}
