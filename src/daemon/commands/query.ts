/**
 * The query commands (`peers`, `permuted`, `status`): they read a running node's JSON API,
 * found through DIR/node.json or given as --api URL (api-client.ts). `members` is in members.ts.
 */
import type { Command } from 'commander'
import { quote } from '../quote.js'
import type { PeerJson, PeersJson, PermutedJson, StatusJson } from '../status.js'
import { printTahoe } from './tahoe-status.js'
import { MAX_PAGE_LIMIT } from '../paging.js'
import { apiBase, getAllPages, getJson, table, withQueryOptions, type QueryOptions } from './api-client.js'

const isPeerList = (body: { peers?: unknown }): boolean => Array.isArray(body.peers)

function printPeers (peers: Array<PeerJson & { permutedId?: string }>): void {
  if (peers.length === 0) {
    process.stdout.write('(none)\n')
    return
  }
  const permuted = peers.some(p => p.permutedId != null)
  const header = [...(permuted ? ['PERMUTED ID'] : []), 'PEER ID', 'NICKNAME', 'VERSION', 'CONNECTED', 'READ-ONLY', 'ADDRESSES']
  const rows = peers.map(p => [
    ...(permuted ? [(p.permutedId ?? '').slice(0, 12)] : []),
    p.peerId,
    quote(p.nickname, 32),
    quote(p.version, 40),
    p.connected ? 'yes' : 'no',
    p.readonly ? 'yes' : 'no',
    p.multiaddrs.length > 0 ? p.multiaddrs.map(a => quote(a, 200).slice(1, -1)).join(' ') : '(none)'
  ])
  process.stdout.write(table(header, rows))
}

function printStatus (body: StatusJson): void {
  const n = body.node
  process.stdout.write(`node ${n.peerId} ${quote(n.nickname, 128)} grid ${n.grid} roles ${n.roles.join(', ')} version ${n.version}\n`)
  process.stdout.write(body.ready ? 'ready\n' : 'NOT READY\n')
  for (const problem of body.problems) {
    process.stdout.write(`problem: ${problem}\n`)
  }
  process.stdout.write(`connected to ${body.introducers.connected} of ${body.introducers.known} known introducers\n`)
  for (const [service, s] of Object.entries(body.services)) {
    process.stdout.write(`${service}: connected to ${s.connected} of ${s.known} known\n`)
  }
  if (body.tahoe != null) printTahoe(body.tahoe)
}

export function queryCommands (program: Command): void {
  withQueryOptions(program.command('peers'))
    .description('list the known peers of a service')
    .argument('<service>', 'e.g. upload_storage')
    .action(async (service: string, opts: QueryOptions) => {
      const body = await getAllPages<PeersJson>(await apiBase(opts), `/api/v1/peers?service=${encodeURIComponent(service)}`, isPeerList, b => b.peers)
      if (opts.json === true) {
        process.stdout.write(JSON.stringify(body, null, 2) + '\n')
      } else {
        printPeers(body.peers)
      }
    })

  withQueryOptions(program.command('permuted'))
    .description('list a service\'s peers in Tahoe\'s permuted order for a storage index')
    .argument('<service>', 'e.g. upload_storage')
    .argument('<storage-index>', 'Tahoe base32 (26 characters) or 32 hex digits')
    .action(async (service: string, index: string, opts: QueryOptions) => {
      const body = await getJson<PermutedJson>(await apiBase(opts), `/api/v1/permuted?service=${encodeURIComponent(service)}&storage-index=${encodeURIComponent(index)}&limit=${MAX_PAGE_LIMIT}`, isPeerList)
      if (opts.json === true) {
        process.stdout.write(JSON.stringify(body, null, 2) + '\n')
      } else {
        printPeers(body.peers)
        if (body.total > body.peers.length) process.stdout.write(`(the first ${body.peers.length} of ${body.total})\n`)
      }
    })

  withQueryOptions(program.command('status'))
    .description('show a running node: identity, whether it is ready and what is wrong, introducers, services')
    .action(async (opts: QueryOptions) => {
      const body = await getJson<StatusJson>(await apiBase(opts), '/api/v1/status',
        b => typeof b.node?.peerId === 'string' && Array.isArray(b.problems) && b.introducers != null && b.services != null)
      if (opts.json === true) {
        process.stdout.write(JSON.stringify(body, null, 2) + '\n')
      } else {
        printStatus(body)
      }
    })
}
