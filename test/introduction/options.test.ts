/**
 * Options are resolved and checked once, at construction: each bad value fails with an
 * InvalidOptionError (or a name error) that names the option and its range, instead of
 * being accepted and misbehaving later (issue: burst -1 silently dropped every record,
 * maintenanceIntervalMs 0 spun a core, a 300-byte nickname failed only at publish).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { signCertificate } from '../../src/announcement/admission.js'
import { checkIdentity, resolveOptions } from '../../src/introduction/options.js'
import { DEFAULT_PUBLISHER_RATE_LIMIT } from '../../src/gossip/rate-limit.js'
import type { IntroductionInit } from '../../src/introduction/index.js'

const BAD: Array<[string, IntroductionInit, string, RegExp]> = [
  ['a negative burst', { publisherRateLimit: { burst: -1, perSecond: 1 } }, 'publisherRateLimit.burst', /from 1 to 10000, not -1/],
  ['a zero rate', { publisherRateLimit: { burst: 5, perSecond: 0 } }, 'publisherRateLimit.perSecond', /above 0/],
  ['an infinite rate', { publisherRateLimit: { burst: 5, perSecond: Infinity } }, 'publisherRateLimit.perSecond', /above 0/],
  ['maintenance every 0 ms', { maintenanceIntervalMs: 0 }, 'maintenanceIntervalMs', /from 100 to 3600000, not 0/],
  ['a zero sync timeout', { syncTimeoutMs: 0 }, 'syncTimeoutMs', /from 100 to 600000, not 0/],
  ['a negative anti-entropy interval', { antiEntropyIntervalMs: -1 }, 'antiEntropyIntervalMs', /not -1/],
  ['a fractional TTL', { announcementTtlMs: 5000.5 }, 'announcementTtlMs', /whole number/],
  ['a TTL under the minimum', { announcementTtlMs: 100 }, 'announcementTtlMs', /from 3000/],
  ['an introducer target of 0', { introducerTarget: 0 }, 'introducerTarget', /from 1 to 64, not 0/],
  ['a retry maximum under the first retry', { bootstrapRetryMs: 5000, bootstrapRetryMaxMs: 1000 }, 'bootstrapRetryMaxMs', /at least bootstrapRetryMs/],
  ['a NaN retry', { bootstrapRetryMs: Number.NaN }, 'bootstrapRetryMs', /whole number/],
  ['a 300-byte nickname', { nickname: 'x'.repeat(300) }, 'nickname', /at most 128 UTF-8 bytes, not 300/],
  ['a nickname of 43 three-byte characters', { nickname: '€'.repeat(43) }, 'nickname', /not 129/],
  ['a 129-byte version', { version: 'v'.repeat(129) }, 'version', /at most 128/],
  ['a 65-byte permutation seed', { permutationSeed: new Uint8Array(65) }, 'permutationSeed', /at most 64 bytes, not 65/],
  ['a certificate that is not one', { certificate: new Uint8Array([1, 2, 3]) }, 'certificate', /not a grid admission certificate/],
  ['a 2000-byte certificate', { certificate: new Uint8Array(2000) }, 'certificate', /at most 1024 bytes/],
  ['a store missing a method', { store: { loadSeqnum: async () => 0n } as never }, 'store', /saveSeqnum is missing/],
  ['a bootstrap entry without /p2p/', { bootstrap: ['/ip4/127.0.0.1/tcp/1'] }, 'bootstrap', /does not end in \/p2p/],
  ['introducer as a string', { introducer: 'yes' as never }, 'introducer', /true or false/],
  ['65 services', { services: Array.from({ length: 64 }, (_, i) => `s${i}`) }, 'services', /more than the 64/]
]

describe('introduction options', () => {
  for (const [what, init, option, message] of BAD) {
    it(`refuses ${what}, naming ${option}`, () => {
      assert.throws(() => resolveOptions(init), (err: Error & { option?: string }) => {
        assert.equal(err.name, 'InvalidOptionError')
        assert.equal(err.option, option)
        assert.match(err.message, message)
        assert.ok(err.message.includes(`"${option}"`), err.message)
        return true
      })
    })
  }

  it('refuses bad names with their own errors', () => {
    assert.throws(() => resolveOptions({ grid: 'My Grid' }), { name: 'InvalidGridIdError' })
    assert.throws(() => resolveOptions({ services: ['Bad Name'] }), { name: 'InvalidServiceNameError' })
  })

  it('applies every default once', () => {
    const options = resolveOptions({})
    assert.equal(options.grid, 'default')
    assert.deepEqual(options.publisherRateLimit, DEFAULT_PUBLISHER_RATE_LIMIT)
    assert.deepEqual(options.services, ['introducer'])
    assert.equal(options.permutationSeed.byteLength, 0)
    assert.ok(options.bootstrapRetryMaxMs >= options.bootstrapRetryMs)
    assert.deepEqual(resolveOptions({ introducer: true }).services, ['introducer', 'upload_storage', 'download_storage', 'helper'])
  })

  it('refuses a certificate for another grid or another node', async () => {
    const manager = await generateKeyPair('Ed25519')
    const node = await generateKeyPair('Ed25519')
    const other = await generateKeyPair('Ed25519')
    const cert = await signCertificate(manager, { grid: 'g1', subject: peerIdFromPrivateKey(node).toString(), expiresAtMs: Date.now() + 60_000 })
    assert.throws(() => resolveOptions({ grid: 'g2', certificate: cert }), { name: 'InvalidOptionError', message: /admits to grid "g1"/ })
    const options = resolveOptions({ grid: 'g1', certificate: cert })
    checkIdentity(options, peerIdFromPrivateKey(node))
    assert.throws(() => { checkIdentity(options, peerIdFromPrivateKey(other)) }, { name: 'InvalidOptionError', message: /not this node/ })
  })
})
