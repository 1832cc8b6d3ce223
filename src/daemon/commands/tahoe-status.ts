/**
 * The Tahoe gateway's part of `introducer status` (text form): the FURL, the Tahoe
 * nodes subscribed here, the storage servers Tahoe clients here are given.
 */
import { quote } from '../quote.js'
import type { TahoeGatewayStatus } from '../../tahoe/gateway.js'

export function printTahoe (t: TahoeGatewayStatus): void {
  const out = (line: string): void => { process.stdout.write(line + '\n') }
  out(`tahoe introducer ${t.furl ?? '(not listening)'}`)
  out(`tahoe: ${t.subscribers.length} subscriptions, ${t.servers.length} storage servers known, ${t.carried} carried onto the grid from here (at most ${t.maxServers})`)
  for (const s of t.subscribers) {
    out(`  subscriber ${quote(s.nickname, 32)} tub ${s.tubId} ${quote(s.serviceName, 32)} ${quote(s.version, 40)}`)
  }
  for (const s of t.servers) {
    out(`  server ${s.serverId} ${quote(s.nickname, 32)} seqnum ${s.seqnum ?? '-'} ${s.vouchedHere > 0 ? 'connected here' : 'via the grid'}`)
  }
  for (const u of t.upstream) {
    out(`  upstream ${u.connected ? 'connected' : 'NOT CONNECTED'} ${u.announcements} announcements ${u.furl}`)
  }
}
