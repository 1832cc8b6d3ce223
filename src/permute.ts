/**
 * Tahoe-LAFS peer selection order (allmydata/storage_client.py, get_servers_for_psi):
 * servers sorted ascending by SHA-1(storage_index || permutation_seed), comparing the
 * digest bytes. Same storage index and seeds give the same order as Tahoe, so shares
 * land on the same servers. Pure.
 */
import { createHash } from 'node:crypto'
import { compare as uint8ArrayCompare } from 'uint8arrays/compare'

/** Tahoe's permute_server_hash: SHA-1 over the storage index then the seed. */
export function permutedId (storageIndex: Uint8Array, permutationSeed: Uint8Array): Uint8Array {
  return createHash('sha1').update(storageIndex).update(permutationSeed).digest()
}

/**
 * Returns the servers with their permuted id, ascending by it. Input is not modified;
 * servers whose ids tie (same seed) keep their input order.
 */
export function permute<T extends { permutationSeed: Uint8Array }> (storageIndex: Uint8Array, servers: Iterable<T>): Array<T & { permutedId: Uint8Array }> {
  const withIds = [...servers].map(server => ({ ...server, permutedId: permutedId(storageIndex, server.permutationSeed) }))
  return withIds.sort((a, b) => uint8ArrayCompare(a.permutedId, b.permutedId))
}
