/**
 * The query commands (`peers`, `permuted`, `status`): they read a running node's JSON API,
 * found through DIR/node.json or given as --api URL.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Command } from 'commander'
import { describeError } from '../../errors.js'
import { NODE_INFO_FILE, type NodeInfoFile } from '../node-info.js'
import { EXIT_FAILURE, EXIT_UNREACHABLE, EXIT_USAGE } from '../exit-codes.js'
import { quote } from '../quote.js'
import type { PeerJson, PeersJson, PermutedJson, StatusJson } from '../status.js'
import { printTahoe } from './tahoe-status.js'
import { dataDirOption, ExitError } from './shared.js'

interface QueryOptions { dir?: string, api?: string, json?: boolean }

/** Finds the API of a running node: --api URL, or DIR/node.json. */
async function apiBase (opts: QueryOptions): Promise<string> {
  if (opts.api != null) {
    let url: URL | undefined
    try {
      url = new URL(opts.api)
    } catch {}
    if (url == null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new ExitError(`--api takes the node's base URL, e.g. http://127.0.0.1:3456, not ${JSON.stringify(opts.api)}`, EXIT_USAGE)
    }
    return opts.api.replace(/\/$/, '')
  }
  const dir = dataDirOption(opts)
  let info: NodeInfoFile
  try {
    info = JSON.parse(await readFile(join(dir, NODE_INFO_FILE), 'utf8')) as NodeInfoFile
  } catch {
    throw new ExitError(`no running node found in ${dir} (no ${NODE_INFO_FILE}): start one with \`introducer run ${dir}\`, or pass --api URL`, EXIT_UNREACHABLE)
  }
  if (info.http == null) {
    throw new ExitError(`the node in ${dir} runs without HTTP (http.enabled = false)`, EXIT_UNREACHABLE)
  }
  return info.http
}

/**
 * GETs a JSON answer of the node's API. Nothing answering, or something that is not this
 * API (not JSON, or not of the expected shape), is "could not reach the node" (exit 3); a
 * refused request (400, e.g. a bad service name) is a usage error (2); a failure of the
 * node itself (5xx) is 1.
 */
async function getJson<T> (base: string, path: string, isExpected: (body: T) => boolean): Promise<T> {
  let response: Response
  try {
    response = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(10_000) })
  } catch (err) {
    throw new ExitError(`cannot reach the node at ${base}: ${describeError(err)}`, EXIT_UNREACHABLE)
  }
  const notOurs = (what: string): ExitError =>
    new ExitError(`${base} is not a gossip-introducer node's API: GET ${path} answered HTTP ${response.status} ${what}`, EXIT_UNREACHABLE)
  let body: T & { error?: unknown }
  try {
    body = await response.json() as T & { error?: unknown }
  } catch {
    throw notOurs(`with no JSON (${response.headers.get('content-type') ?? 'no content type'})`)
  }
  if (!response.ok) {
    if (typeof body?.error !== 'string') throw notOurs('without an error message')
    throw new ExitError(`the node at ${base} refused the request (HTTP ${response.status}): ${body.error}`, response.status < 500 ? EXIT_USAGE : EXIT_FAILURE)
  }
  if (body == null || !isExpected(body)) {
    throw notOurs('with JSON of another shape')
  }
  return body
}

const isPeerList = (body: { peers?: unknown }): boolean => Array.isArray(body.peers)

/** A table with a header row; every cell is already safe to print (see quote()). */
function table (header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => r[i].length)))
  const line = (cells: string[]): string => cells.map((c, i) => i === cells.length - 1 ? c : c.padEnd(widths[i])).join('  ').trimEnd()
  return [line(header), ...rows.map(line)].join('\n') + '\n'
}

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

const withQueryOptions = (cmd: Command): Command => cmd
  .option('--dir <dir>', 'data directory of the running node (default: $INTRODUCER_DIR or .)')
  .option('--api <url>', 'base URL of the node\'s HTTP API, instead of --dir')
  .option('--json', 'print JSON')

export function queryCommands (program: Command): void {
  withQueryOptions(program.command('peers'))
    .description('list the known peers of a service')
    .argument('<service>', 'e.g. upload_storage')
    .action(async (service: string, opts: QueryOptions) => {
      const body = await getJson<PeersJson>(await apiBase(opts), `/api/v1/peers?service=${encodeURIComponent(service)}`, isPeerList)
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
      const body = await getJson<PermutedJson>(await apiBase(opts), `/api/v1/permuted?service=${encodeURIComponent(service)}&storage-index=${encodeURIComponent(index)}`, isPeerList)
      if (opts.json === true) {
        process.stdout.write(JSON.stringify(body, null, 2) + '\n')
      } else {
        printPeers(body.peers)
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
