/**
 * The query commands (`peers`, `permuted`, `status`): they read a running node's JSON API,
 * found through DIR/node.json or given as --api URL.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Command } from 'commander'
import { describeError } from '../../errors.js'
import { NODE_INFO_FILE, type NodeInfoFile } from '../node-info.js'
import { EXIT_UNREACHABLE, EXIT_USAGE } from '../exit-codes.js'
import type { PeerJson, PeersJson, PermutedJson, StatusJson } from '../status.js'
import { dataDirOption, ExitError } from './shared.js'

interface QueryOptions { dir?: string, api?: string, json?: boolean }

/** Finds the API of a running node: --api URL, or DIR/node.json. */
async function apiBase (opts: QueryOptions): Promise<string> {
  if (opts.api != null) {
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

async function getJson<T> (base: string, path: string): Promise<T> {
  let response: Response
  try {
    response = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(10_000) })
  } catch (err) {
    throw new ExitError(`cannot reach the node at ${base}: ${describeError(err)}`, EXIT_UNREACHABLE)
  }
  let body: T & { error?: string }
  try {
    body = await response.json() as T & { error?: string }
  } catch (err) {
    throw new ExitError(`the node at ${base} answered HTTP ${response.status} with no JSON: ${describeError(err)}`, response.ok ? 1 : EXIT_USAGE)
  }
  if (!response.ok) {
    throw new ExitError(body.error ?? `HTTP ${response.status}`, EXIT_USAGE)
  }
  return body
}

function printPeers (peers: Array<PeerJson & { permutedId?: string }>): void {
  if (peers.length === 0) {
    process.stdout.write('(none)\n')
    return
  }
  for (const p of peers) {
    const flags = [p.readonly === true ? 'read-only' : '', p.connected === true ? 'connected' : 'not connected'].filter(Boolean).join(', ')
    process.stdout.write(`${p.permutedId != null ? `${p.permutedId.slice(0, 12)}  ` : ''}${p.peerId}  ${JSON.stringify(p.nickname)}  ${p.version}  (${flags})\n`)
  }
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
      const body = await getJson<PeersJson>(await apiBase(opts), `/api/v1/peers?service=${encodeURIComponent(service)}`)
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
      const body = await getJson<PermutedJson>(await apiBase(opts), `/api/v1/permuted?service=${encodeURIComponent(service)}&storage-index=${encodeURIComponent(index)}`)
      if (opts.json === true) {
        process.stdout.write(JSON.stringify(body, null, 2) + '\n')
      } else {
        printPeers(body.peers)
      }
    })

  withQueryOptions(program.command('status'))
    .description('show a running node: identity, introducers, services')
    .action(async (opts: QueryOptions) => {
      const body = await getJson<StatusJson>(await apiBase(opts), '/api/v1/status')
      if (opts.json === true) {
        process.stdout.write(JSON.stringify(body, null, 2) + '\n')
        return
      }
      const n = body.node
      process.stdout.write(`node ${n.peerId} ${JSON.stringify(n.nickname)} grid ${n.grid} roles ${n.roles.join(', ')} version ${n.version}\n`)
      process.stdout.write(`connected to ${body.introducers.connected} of ${body.introducers.known} known introducers\n`)
      for (const [service, s] of Object.entries(body.services)) {
        process.stdout.write(`${service}: connected to ${s.connected} of ${s.known} known\n`)
      }
    })
}
