import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { BadFurlError, BadTubIdentityError } from '../../src/foolscap/errors.js'
import { formatFurl, formatTcpHint, parseFurl, parseTcpHint } from '../../src/foolscap/furl.js'
import { decodeTubIdentity, encodeTubIdentity, generateTubIdentity } from '../../src/foolscap/tub-identity.js'

describe('FURL', () => {
  const furl = 'pb://xh6hlmrrhb6e6lw4ccn3ic7vzfjluuqw@tcp:127.0.0.1:18110,tcp:[::1]:18110,example.org:99/g3q2aadssnuz4hn36ltbn7bm3yqs7ekk'

  it('parses and formats tub id, hints and name', () => {
    const f = parseFurl(furl)
    assert.equal(f.tubId, 'xh6hlmrrhb6e6lw4ccn3ic7vzfjluuqw')
    assert.deepEqual(f.hints, ['tcp:127.0.0.1:18110', 'tcp:[::1]:18110', 'example.org:99'])
    assert.equal(f.name, 'g3q2aadssnuz4hn36ltbn7bm3yqs7ekk')
    assert.equal(formatFurl(f), furl)
    assert.deepEqual(f.hints.map(parseTcpHint), [{ host: '127.0.0.1', port: 18110 }, { host: '::1', port: 18110 }, { host: 'example.org', port: 99 }])
    assert.equal(formatTcpHint({ host: '::1', port: 5 }), 'tcp:[::1]:5')
    assert.equal(parseTcpHint('tor:abc.onion:80'), undefined)
    assert.equal(parseFurl('pb://xh6hlmrrhb6e6lw4ccn3ic7vzfjluuqwEXTRA@/n').tubId, 'xh6hlmrrhb6e6lw4ccn3ic7vzfjluuqw')
  })

  it('refuses what is not a FURL', () => {
    for (const bad of ['http://x@y/z', 'pb://short@tcp:h:1/n', 'pb://XH6HLMRRHB6E6LW4CCN3IC7VZFJLUUQW@tcp:h:1/n',
      'pb://xh6hlmrrhb6e6lw4ccn3ic7vzfjluuqw@a:1,,b:2/n', 'pb://xh6hlmrrhb6e6lw4ccn3ic7vzfjluuqw@a:1/', 'pb://' + 'a'.repeat(1000)]) {
      assert.throws(() => parseFurl(bad), { name: BadFurlError.NAME }, bad)
    }
  })
})

describe('tub identity', () => {
  it("computes the tub id Foolscap computed for a Foolscap node.pem", () => {
    const f = JSON.parse(readFileSync('test/fixtures/tahoe/tub-cert.json', 'utf8')) as { nodePem: string, tubId: string }
    assert.equal(decodeTubIdentity(f.nodePem).tubId, f.tubId)
  })

  it('round-trips a generated identity through node.pem bytes', () => {
    const id = generateTubIdentity()
    assert.match(id.tubId, /^[a-z2-7]{32}$/)
    assert.equal(decodeTubIdentity(encodeTubIdentity(id)).tubId, id.tubId)
  })

  it('refuses a key that does not belong to the certificate, or a missing block', () => {
    const a = generateTubIdentity()
    const b = generateTubIdentity()
    assert.throws(() => decodeTubIdentity(a.certificatePem + b.privateKeyPem), { name: BadTubIdentityError.NAME })
    assert.throws(() => decodeTubIdentity(a.certificatePem), { name: BadTubIdentityError.NAME })
  })
})
