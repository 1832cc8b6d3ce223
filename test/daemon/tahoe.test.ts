/** The daemon's reading of [tahoe] values (src/daemon/tahoe.ts). */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { joinFurls, parseLocation } from '../../src/daemon/tahoe.js'

describe('[tahoe] values', () => {
  it('tahoe.location takes Tahoe\'s tub.location form and names a bad hint', () => {
    assert.equal(parseLocation(''), undefined)
    assert.deepEqual(parseLocation('tcp:a.example.org:3458, 10.0.0.1:3459'), [{ host: 'a.example.org', port: 3458 }, { host: '10.0.0.1', port: 3459 }])
    assert.throws(() => parseLocation('tor:abc.onion:80'), /tahoe\.location: "tor:abc\.onion:80" is not a tcp:HOST:PORT hint/)
  })

  it('tahoe.introducers keeps the commas of a FURL with several hints (split by a variable or flag list)', () => {
    assert.deepEqual(joinFurls(['pb://x@tcp:a:1', 'tcp:b:2/s', 'pb://y@tcp:c:3/t']), ['pb://x@tcp:a:1,tcp:b:2/s', 'pb://y@tcp:c:3/t'])
  })
})
