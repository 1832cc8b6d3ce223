import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { createSecureContext } from 'node:tls'
import { after, before, describe, it } from 'node:test'
import { RemoteCallError } from '../../src/foolscap/errors.js'
import { negotiateOutbound } from '../../src/foolscap/negotiate.js'
import { RemoteReference } from '../../src/foolscap/remote-reference.js'
import { Tub } from '../../src/foolscap/tub.js'
import { generateTubIdentity } from '../../src/foolscap/tub-identity.js'
import { Dict, FSet, Tuple, utf8, type BananaValue, type Referenceable } from '../../src/foolscap/values.js'
import { waitFor } from '../helpers/wait.js'

const LIMITS = { negotiationTimeoutMs: 1000, keepaliveMs: 100, idleTimeoutMs: 800, maxNegotiating: 3 }

async function rawClosed (write: string | undefined, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => { if (write !== undefined) s.write(write) })
    let got = ''
    s.on('data', d => { got += d.toString('latin1') })
    s.on('close', () => resolve(got))
    s.on('error', reject)
    setTimeout(() => { s.destroy(); reject(new Error('not closed in 5 s')) }, 5000).unref()
  })
}

describe('PB over loopback between two tubs', () => {
  const serverTub = new Tub({ identity: generateTubIdentity(), limits: LIMITS })
  const clientTub = new Tub({ identity: generateTubIdentity(), limits: LIMITS })
  let port: number
  let furl: string
  let calledBack: BananaValue | undefined
  const service: Referenceable = {
    interfaceName: 'RITest.example',
    methods: {
      echo: { params: ['value'], call: args => args.get('value') ?? null },
      fail: { params: [], call: () => { throw new Error('it broke') } },
      callMeBack: {
        params: ['who'],
        call: async args => {
          const who = args.get('who')
          assert.ok(who instanceof RemoteReference)
          return who.callRemote('hello', { n: 41 })
        }
      }
    }
  }

  before(async () => {
    port = (await serverTub.listen('127.0.0.1', 0)).port
    furl = serverTub.register('swissnumber', service)
  })
  after(async () => {
    await clientTub.stop()
    await serverTub.stop()
  })

  it('calls a published object and gets its answers', async () => {
    const ref = await clientTub.getReference(furl)
    assert.equal(ref.interfaceName, 'RITest.example')
    const values: BananaValue[] = [7, -3, 2n ** 70n, utf8('bytes'), 'text \u2603', null, true, [1, [2]],
      new Tuple([utf8('a')]), new FSet([1]), new Dict([[utf8('k'), 'v']])]
    for (const v of values) assert.deepEqual(await ref.callRemote('echo', { value: v }), v)
  })

  it('turns a raised error into a RemoteCallError, and an unknown method or name into a Violation/KeyError', async () => {
    const ref = await clientTub.getReference(furl)
    await assert.rejects(ref.callRemote('fail'), (e: RemoteCallError) => e.name === RemoteCallError.NAME && e.failureValue === 'it broke')
    await assert.rejects(ref.callRemote('nope'), (e: RemoteCallError) => e.failureType === 'foolscap.tokens.Violation')
    await assert.rejects(ref.callRemote('echo', { bogus: 1 }), (e: RemoteCallError) => e.failureType === 'foolscap.tokens.Violation')
    await assert.rejects(clientTub.getReference(furl.replace('swissnumber', 'other')), (e: RemoteCallError) => e.failureType === 'builtins.KeyError')
  })

  it('passes a local object as a reference the far end can call back', async () => {
    const ref = await clientTub.getReference(furl)
    const me: Referenceable = { interfaceName: 'RICallee.example', methods: { hello: { params: ['n'], call: args => { calledBack = args.get('n'); return 42 } } } }
    assert.equal(await ref.callRemote('callMeBack', { who: me }), 42)
    assert.equal(calledBack, 41)
  })

  it('keeps a quiet connection alive with PINGs', async () => {
    const ref = await clientTub.getReference(furl)
    await new Promise(resolve => setTimeout(resolve, 1500)) // idle timeout is 800 ms
    assert.equal(ref.connected, true)
    assert.equal(await ref.callRemote('echo', { value: 1 }), 1)
  })

  async function rawNegotiated (): Promise<{ socket: import('node:tls').TLSSocket, received: () => Buffer, closed: Promise<unknown> }> {
    const id = generateTubIdentity()
    const raw = connect(port, '127.0.0.1')
    await new Promise(resolve => raw.once('connect', resolve))
    const n = await negotiateOutbound(raw, {
      identity: id, secureContext: createSecureContext({ key: id.privateKeyPem, cert: id.certificatePem }), incarnation: '0123456789abcdef',
      timeoutMs: 2000, nextConnection: () => 'x 1', targetTubId: serverTub.tubId, host: 'h', lastConnection: 'none 0'
    })
    let got = Buffer.from(n.rest)
    n.socket.on('data', (d: Buffer) => { got = Buffer.concat([got, d]) })
    n.socket.resume()
    return { socket: n.socket, received: () => got, closed: new Promise(resolve => n.socket.once('close', resolve)) }
  }

  it('closes only the connection that sends bad banana, with an ERROR token', async () => {
    const c = await rawNegotiated()
    c.socket.write(Buffer.from('0090', 'hex')) // an invalid type byte
    await c.closed
    assert.match(c.received().toString('latin1'), /invalid token type byte/)
    const ref = await clientTub.getReference(furl)
    assert.equal(await ref.callRemote('echo', { value: 5 }), 5)
  })

  it('pings a silent peer and drops it after the idle timeout', async () => {
    const c = await rawNegotiated()
    const t0 = Date.now()
    await c.closed
    const ms = Date.now() - t0
    assert.ok(ms >= 700 && ms < 4000, `dropped after ${ms} ms (idle timeout 800 ms)`)
    assert.ok(c.received().includes(Buffer.from([0x00, 0x8e])), 'it was sent a PING first')
  })

  it('refuses a wrong tub id, times out a silent peer, and bounds connections in negotiation', async () => {
    assert.match(await rawClosed(`GET /id/${'a'.repeat(32)} HTTP/1.1\r\nUpgrade: TLS/1.0\r\n\r\n`, port), /^HTTP\/1.1 500 .*unknown TubID/)
    assert.match(await rawClosed('GET / HTTP/1.1\r\n\r\n', port), /^HTTP\/1.1 500/)
    assert.match(await rawClosed('x'.repeat(5000), port), /header too long|^$/)
    const t0 = Date.now()
    await rawClosed(undefined, port)
    assert.ok(Date.now() - t0 < 4000, 'a silent connection is dropped after the negotiation timeout')
    const silent = [0, 1, 2].map(() => connect(port, '127.0.0.1'))
    await waitFor('3 connections in negotiation', () => silent.every(s => s.readyState === 'open'), 2000)
    await new Promise(resolve => setTimeout(resolve, 100))
    const t1 = Date.now()
    await rawClosed(undefined, port)
    assert.ok(Date.now() - t1 < 500, 'the 4th connection in negotiation is closed at once')
    for (const s of silent) s.destroy()
  })
})
