/**
 * `introducer members`: the grid as the running node knows it, node by node (like `serf
 * members`): each node with every service it announces, its version, when it was last
 * heard from and its addresses; then the nodes that left recently, why and when. Text
 * with headers, or --json (every page of /api/v1/members, read through `next`).
 */
import type { Command } from 'commander'
import { quote } from '../quote.js'
import type { DepartedJson, MemberJson, MembersJson } from '../members.js'
import { apiBase, getAllPages, table, withQueryOptions, type QueryOptions } from './api-client.js'

/** "12 s", "5 min", "3 h", "2 d" since `at`. */
export function since (at: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - at) / 1000))
  return s < 120 ? `${s} s ago` : s < 7200 ? `${Math.round(s / 60)} min ago` : s < 172_800 ? `${Math.round(s / 3600)} h ago` : `${Math.round(s / 86_400)} d ago`
}

const services = (m: MemberJson): string => m.services.map(s => {
  const fields = Object.entries(s.fields).map(([k, v]) => `${k}=${v}`).join(',')
  return fields === '' ? s.service : `${s.service}[${quote(fields, 60).slice(1, -1)}]`
}).join(' ')

const addresses = (list: string[]): string => list.length > 0 ? list.map(a => quote(a, 200).slice(1, -1)).join(' ') : '(none)'

function printMembers (body: MembersJson): void {
  if (body.members.length === 0) {
    process.stdout.write('(no node known)\n')
  } else {
    process.stdout.write(table(['PEER ID', 'NICKNAME', 'VERSION', 'SERVICES', 'LAST HEARD', 'ADDRESSES'], body.members.map(m => [
      m.peerId + (m.self ? ' (self)' : ''),
      quote(m.nickname, 32),
      quote(m.version, 40),
      services(m),
      since(m.lastSeen),
      addresses(m.multiaddrs)
    ])))
  }
  if (body.departed.length > 0) {
    process.stdout.write(`\ndeparted recently (${body.departed.length}):\n`)
    process.stdout.write(table(['PEER ID', 'NICKNAME', 'LEFT', 'WHEN', 'LAST HEARD'], body.departed.map((d: DepartedJson) => [
      d.peerId,
      quote(d.nickname, 32),
      d.services.map(s => `${s.service}:${s.reason}`).join(' '),
      since(d.at),
      since(d.lastSeen)
    ])))
  }
}

export function membersCommand (program: Command): void {
  withQueryOptions(program.command('members'))
    .description('list every node the running node knows, with the services each announces, and the nodes that left recently')
    .action(async (opts: QueryOptions) => {
      const body = await getAllPages<MembersJson>(await apiBase(opts), '/api/v1/members',
        b => Array.isArray(b.members) && Array.isArray(b.departed) && typeof b.total === 'number', b => b.members)
      if (opts.json === true) {
        process.stdout.write(JSON.stringify(body, null, 2) + '\n')
      } else {
        printMembers(body)
      }
    })
}
