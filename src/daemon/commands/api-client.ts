/**
 * How the query commands talk to a running node: its API base (--api URL, or DIR/node.json),
 * GETs of its JSON with clear exits, all pages of a paged list, and text tables.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Command } from 'commander'
import { describeError } from '../../errors.js'
import { NODE_INFO_FILE, type NodeInfoFile } from '../node-info.js'
import { EXIT_FAILURE, EXIT_UNREACHABLE, EXIT_USAGE } from '../exit-codes.js'
import { MAX_PAGE_LIMIT } from '../paging.js'
import { dataDirOption, ExitError } from './shared.js'

/** Most pages a command reads of one list: the table's caps keep a list far below this. */
export const MAX_PAGES = 1000

export interface QueryOptions { dir?: string, api?: string, json?: boolean }

/** Finds the API of a running node: --api URL, or DIR/node.json. */
export async function apiBase (opts: QueryOptions): Promise<string> {
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
export async function getJson<T> (base: string, path: string, isExpected: (body: T) => boolean): Promise<T> {
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


/** A table with a header row; every cell is already safe to print (see quote()). */
export function table (header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => r[i].length)))
  const line = (cells: string[]): string => cells.map((c, i) => i === cells.length - 1 ? c : c.padEnd(widths[i])).join('  ').trimEnd()
  return [line(header), ...rows.map(line)].join('\n') + '\n'
}

/**
 * Every page of a paged list (`next` followed, MAX_PAGE_LIMIT items a page): the first
 * page's answer with `items` holding them all.
 */
export async function getAllPages<T extends { next: string | null }> (base: string, path: string, isExpected: (body: T) => boolean, items: (body: T) => unknown[]): Promise<T> {
  const join = path.includes('?') ? '&' : '?'
  const first = await getJson<T>(base, `${path}${join}limit=${MAX_PAGE_LIMIT}`, isExpected)
  let page = first
  for (let n = 1; page.next != null && n < MAX_PAGES; n++) {
    page = await getJson<T>(base, `${path}${join}limit=${MAX_PAGE_LIMIT}&cursor=${encodeURIComponent(page.next)}`, isExpected)
    items(first).push(...items(page))
  }
  return { ...first, next: null }
}

export const withQueryOptions = (cmd: Command): Command => cmd
  .option('--dir <dir>', 'data directory of the running node (default: $INTRODUCER_DIR or .)')
  .option('--api <url>', 'base URL of the node\'s HTTP API, instead of --dir')
  .option('--json', 'print JSON')
