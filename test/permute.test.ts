import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import { permute, permutedId } from '../src/permute.js'
import { parseStorageIndex } from '../src/storage-index.js'
import { InvalidStorageIndexError } from '../src/errors.js'

// Vectors computed independently with Python's hashlib, as Tahoe's permute_server_hash
// does: sha1(storage_index + seed).hexdigest(), storage index = bytes(range(16)),
// seeds = bytes([i]) * 32.
const SI = Uint8Array.from({ length: 16 }, (_, i) => i)
const seed = (i: number): Uint8Array => new Uint8Array(32).fill(i)
const VECTORS: Array<[number, string]> = [
  [1, 'd5c55ca57e8c50c68ef3528ddc65222feda2fe7f'],
  [2, 'a1e79a72df6335f211f04cd31cd20a542a9690f9'],
  [3, 'dcbf7c3b0e00a0f1031f67a0cbbecab017becc52'],
  [4, 'be44f268c981cf83fcba98ed96a597489d68f15f'],
  [5, 'e5ccd000aca62eec0e83af4fdbb13bcee65703d0']
]

describe('permutation', () => {
  it('computes SHA-1(storage index || seed) like Tahoe', () => {
    for (const [i, hex] of VECTORS) {
      assert.equal(uint8ArrayToString(permutedId(SI, seed(i)), 'base16'), hex)
    }
  })

  it('orders servers ascending by permuted id, like Tahoe', () => {
    const servers = [1, 2, 3, 4, 5].map(i => ({ name: i, permutationSeed: seed(i) }))
    assert.deepEqual(permute(SI, servers).map(s => s.name), [2, 4, 1, 3, 5])
    assert.deepEqual(permute(new Uint8Array(16).fill(0xff), servers).map(s => s.name), [3, 4, 1, 2, 5])
  })

  it('does not modify its input', () => {
    const servers = [3, 1, 2].map(i => ({ permutationSeed: seed(i) }))
    const before = servers.map(s => s.permutationSeed[0])
    permute(SI, servers)
    assert.deepEqual(servers.map(s => s.permutationSeed[0]), before)
  })

  it('reads storage indexes in Tahoe base32 and in hex', () => {
    assert.deepEqual(parseStorageIndex('aaaqeayeaudaocajbifqydiob4'), SI)
    assert.deepEqual(parseStorageIndex('AAAQEAYEAUDAOCAJBIFQYDIOB4'), SI)
    assert.deepEqual(parseStorageIndex('000102030405060708090a0b0c0d0e0f'), SI)
    for (const bad of ['', 'xyz', 'aaaqeayeaudaocajbifqydiob7', 'aaaqeayeaudaocajbifqydiob', '000102030405060708090a0b0c0d0e0', new Uint8Array()]) {
      assert.throws(() => parseStorageIndex(bad), { name: InvalidStorageIndexError.NAME })
    }
  })
})
