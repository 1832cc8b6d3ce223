import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { NegotiationError, RemoteNegotiationError } from '../../src/foolscap/errors.js'
import {
  acceptDecision, checkSwitchingProtocols, decide, evaluateHello, formatBlock, formatGetRequest, helloBlock,
  parseBlock, parseGetRequest, SWITCHING_PROTOCOLS
} from '../../src/foolscap/negotiation.js'

// What a real Tahoe 1.17.1 storage node sent: as connector (GET, hello) and as listener (101, hello).
const F = JSON.parse(readFileSync('test/fixtures/tahoe/negotiation.json', 'utf8')) as Record<string, string>
const TAHOE_TUB = parseBlock(F.tahoeConnectorHello)['my-tub-id']

describe('negotiation blocks', () => {
  it("reads a real Tahoe node's request and hellos", () => {
    assert.equal(parseGetRequest(F.tahoeGetRequest), 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa')
    checkSwitchingProtocols(F.tahoeSwitchingProtocols)
    const hello = parseBlock(F.tahoeConnectorHello)
    assert.equal(hello['banana-negotiation-range'], '3 3')
    assert.equal(hello['last-connection'], 'none 0')
    assert.equal(parseBlock(F.tahoeListenerHello)['my-tub-id'], TAHOE_TUB)
  })

  it('writes what Tahoe writes (our 101 and hello have the same form)', () => {
    assert.equal(SWITCHING_PROTOCOLS, F.tahoeSwitchingProtocols + '\r\n\r\n')
    const ours = formatBlock(helloBlock({ tubId: TAHOE_TUB, incarnation: parseBlock(F.tahoeConnectorHello)['my-incarnation'], lastConnection: 'none 0' }))
    assert.equal(ours, F.tahoeConnectorHello + '\r\n\r\n')
    assert.equal(parseGetRequest(formatGetRequest('b'.repeat(32), 'h:1').slice(0, -4)), 'b'.repeat(32))
  })

  it('refuses a request that is not a Foolscap GET with a TLS upgrade', () => {
    for (const bad of ['POST /id/x HTTP/1.1\r\nUpgrade: TLS/1.0', 'GET /index.html HTTP/1.1', 'GET /id/ HTTP/1.1\r\nUpgrade: TLS/1.0', 'GET /id/x HTTP/1.1']) {
      assert.throws(() => parseGetRequest(bad), { name: NegotiationError.NAME })
    }
    assert.throws(() => checkSwitchingProtocols('HTTP/1.1 500 Internal Server Error: unknown TubID'), { name: NegotiationError.NAME })
  })

  it('checks the claimed tub id against the certificate and the target, and picks the master', () => {
    const hello = parseBlock(F.tahoeConnectorHello)
    const higher = 'z'.repeat(32)
    const lower = '2'.repeat(32)
    assert.equal(evaluateHello(hello, higher, TAHOE_TUB).iAmMaster, true)
    assert.equal(evaluateHello(hello, lower, TAHOE_TUB).iAmMaster, false)
    assert.throws(() => evaluateHello(hello, higher, lower), /TubID mismatch/)
    assert.throws(() => evaluateHello(hello, higher, TAHOE_TUB, lower), /wrong Tub/)
    assert.throws(() => evaluateHello({ ...hello, 'banana-negotiation-range': '1 2' }, higher, TAHOE_TUB), /no common banana version/)
    assert.throws(() => evaluateHello({ error: 'go away' }, higher, TAHOE_TUB), { name: RemoteNegotiationError.NAME })
  })

  it('decides on banana 3 and vocab table 1 (hash bb33), and the other side accepts it', () => {
    const d = decide(parseBlock(F.tahoeConnectorHello), 'abcd 1')
    assert.deepEqual(d.block, { 'banana-decision-version': '3', 'current-connection': 'abcd 1', 'initial-vocab-table-index': '1 bb33' })
    assert.equal(acceptDecision(d.block), 1)
    assert.equal(decide({ 'initial-vocab-table-range': '0 0' }, 'x 1').vocabIndex, 0)
    assert.throws(() => acceptDecision({ ...d.block, 'initial-vocab-table-index': '1 ffff' }), /hash mismatch/)
    assert.throws(() => acceptDecision({ 'banana-decision-version': '1', error: 'Duplicate connection' }), { name: RemoteNegotiationError.NAME })
  })
})
