/**
 * The welcome page's HTML builder (src/daemon/welcome/html.ts): text from the network is
 * text wherever it goes, in element content and in attributes; markup comes only from
 * h(); and the small formatters.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { escapeHtml, formatBytes, fragment, h, relativeTime } from '../../src/daemon/welcome/html.js'

const HOSTILE = '</td><script>alert(1)</script><img src=x onerror="alert(2)">\'"&'

describe('welcome page HTML', () => {
  it('escapes text in content and attributes; markup only through h()', () => {
    const cell = h('td', { 'data-peer-id': HOSTILE, title: HOSTILE }, HOSTILE, h('b', null, 'ok'))
    assert.doesNotMatch(cell.html, /<script|<img|<\/td><|onerror="/)
    assert.equal(cell.html, `<td data-peer-id="${escapeHtml(HOSTILE)}" title="${escapeHtml(HOSTILE)}">${escapeHtml(HOSTILE)}<b>ok</b></td>`)
    assert.equal(escapeHtml(HOSTILE), '&lt;/td&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&quot;alert(2)&quot;&gt;&#39;&quot;&amp;')
    assert.equal(h('p', null, [1, [null, false, undefined, 'a']], fragment('b', h('i', null))).html, '<p>1ab<i></i></p>')
  })

  it('boolean and missing attributes, void elements, and names it refuses', () => {
    assert.equal(h('option', { value: 'x', selected: true, hidden: false, id: undefined }, 'x').html, '<option value="x" selected>x</option>')
    assert.equal(h('input', { name: 'si', value: '"><x' }).html, '<input name="si" value="&quot;&gt;&lt;x">')
    assert.throws(() => h('input', null, 'content'), /has no content/)
    assert.throws(() => h('td onclick=x', null), /not an element name/)
    assert.throws(() => h('td', { 'on click': 'x' }), /not an attribute name/)
  })

  it('formats times and sizes', () => {
    const now = 1_700_000_000_000
    assert.equal(relativeTime(now - 12_000, now), '12 s ago')
    assert.equal(relativeTime(now - 5 * 60_000, now), '5 min ago')
    assert.equal(relativeTime(now - 3 * 3_600_000, now), '3 h ago')
    assert.equal(relativeTime(now - 3 * 86_400_000, now), '3 d ago')
    assert.equal(relativeTime(now + 14 * 60_000, now), 'in 14 min')
    assert.equal(formatBytes(2_500_000_000), '2.5 GB')
    assert.equal(formatBytes(999), '999 B')
    assert.equal(formatBytes(null), 'not announced')
  })
})
