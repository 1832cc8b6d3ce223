/**
 * The storage-index box: a service's servers in Tahoe's permuted order for a storage
 * index, as a client would try them. A plain GET form (`?si=...&si-service=...`), so it
 * works without JavaScript (rendered here); with it, the page's script answers the form
 * from /api/v1/permuted instead, without a reload.
 */
import { INTRODUCER, UPLOAD_STORAGE } from '../../announcement/names.js'
import { describeError, InvalidStorageIndexError } from '../../errors.js'
import { permutedPage, type ApiInit } from '../api.js'
import { formatBytes, fragment, h, type Html } from './html.js'
import { contactText } from './tables.js'
import type { WelcomeQuery } from './sections.js'

/** Servers listed for a storage index (Tahoe asks the first few). */
export const PERMUTED_ROWS = 20

function result (init: ApiInit, service: string, index: string, now: number): Html {
  let page
  try {
    page = permutedPage(init, service, index, PERMUTED_ROWS)
  } catch (err) {
    if (err instanceof InvalidStorageIndexError) return h('p', { class: 'bad' }, describeError(err))
    throw err
  }
  if (page.total === 0) return h('p', { class: 'summary empty' }, `No ${service} server known.`)
  return fragment(
    h('p', { class: 'summary' }, `The first ${page.peers.length} of ${page.total} ${service} servers, in the order a client tries them for this storage index.`),
    h('table', null,
      h('thead', null, h('tr', null, ['#', 'Permuted id', 'Nickname', 'Node id', 'Read-only', 'Available space', 'Last contact'].map(t => h('th', null, t)))),
      h('tbody', null, page.peers.map((p, i) => h('tr', { 'data-peer-id': p.peerId },
        h('td', null, i + 1),
        h('td', { class: 'id' }, p.permutedId.slice(0, 16)),
        h('td', null, p.nickname === '' ? h('span', { class: 'muted' }, '(no nickname)') : h('bdi', null, p.nickname)),
        h('td', { class: 'id' }, p.peerId),
        h('td', null, p.readonly ? 'yes' : 'no'),
        h('td', null, formatBytes(p.availableSpace)),
        h('td', null, contactText(p.contact, now)))))))
}

export function renderPermutedBox (init: ApiInit, query: WelcomeQuery, now = Date.now()): Html {
  const intro = init.node.introducer
  const services = [...new Set([UPLOAD_STORAGE, ...intro.getSubscriptions(), ...intro.getPublished()])].filter(s => s !== INTRODUCER).sort()
  const chosen = query['si-service'] != null && services.includes(query['si-service']) ? query['si-service'] : UPLOAD_STORAGE
  const index = query.si?.trim() ?? ''
  return h('section', { id: 'permuted-box' },
    h('h2', null, 'Servers for a storage index'),
    h('form', { method: 'get', action: './', id: 'permuted-form' },
      h('label', null, 'Service ', h('select', { name: 'si-service' }, services.map(s => h('option', { value: s, selected: s === chosen }, s)))),
      ' ',
      h('label', null, 'Storage index ', h('input', { name: 'si', value: index, size: 34, maxlength: 64, placeholder: 'Tahoe base32 (26 characters) or 32 hex digits', spellcheck: 'false' })),
      ' ',
      h('button', { type: 'submit' }, 'Show the order')),
    h('div', { id: 'permuted' }, index !== '' ? result(init, chosen, index, now) : null))
}
