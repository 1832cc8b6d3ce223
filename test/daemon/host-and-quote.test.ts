/** The Host check of the HTTP server (DNS rebinding) and the escaping of untrusted text, case by case. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isAllowedHost } from '../../src/daemon/http.js'
import { quote } from '../../src/daemon/quote.js'

describe('isAllowedHost', () => {
  const cases: Array<[string | undefined, string, number, boolean]> = [
    ['127.0.0.1:3456', '127.0.0.1', 3456, true],
    ['localhost:3456', '127.0.0.1', 3456, true],
    ['LOCALHOST:3456', '127.0.0.1', 3456, true],
    ['[::1]:3456', '::1', 3456, true],
    ['192.0.2.7:3456', '0.0.0.0', 3456, true], // an IP address cannot be rebound
    ['node.example:3456', 'node.example', 3456, true], // the configured listen host
    ['localhost', '127.0.0.1', 80, true],
    ['evil.example:3456', '127.0.0.1', 3456, false],
    ['localhost.evil.example:3456', '127.0.0.1', 3456, false],
    ['127.0.0.1:3457', '127.0.0.1', 3456, false],
    ['localhost', '127.0.0.1', 3456, false],
    ['127.0.0.1:3456:1', '127.0.0.1', 3456, false],
    ['', '127.0.0.1', 3456, false],
    [undefined, '127.0.0.1', 3456, false]
  ]
  for (const [header, listen, port, allowed] of cases) {
    it(`Host ${JSON.stringify(header)} on ${listen}:${port}: ${allowed ? 'allowed' : 'refused'}`, () => {
      assert.equal(isAllowedHost(header, listen, port), allowed)
    })
  }
})

describe('quote', () => {
  it('escapes quotes, backslashes, control, format and direction characters', () => {
    assert.equal(quote('plain nick'), '"plain nick"')
    assert.equal(quote('a"b\\c'), '"a\\"b\\\\c"')
    assert.equal(quote('a\nb\r\u001b[31m'), '"a\\u{a}b\\u{d}\\u{1b}[31m"')
    assert.equal(quote('x\u202ey\u2028z\u00a0w\u200b'), '"x\\u{202e}y\\u{2028}z\\u{a0}w\\u{200b}"')
    assert.equal(quote('日本語 ok'), '"日本語 ok"', 'printable text of any script is kept')
  })

  it('cuts long text, by characters', () => {
    assert.equal(quote('a'.repeat(10), 4), '"aaaa…"')
    assert.equal(quote('😀'.repeat(5), 2), '"😀😀…"')
  })
})
