/**
 * The daemon's Tahoe gateway (`[tahoe]` in introducer.toml, docs/tahoe.md): the tub key,
 * swissnum and port from the data directory (tahoe/), the FURL written to
 * DIR/tahoe-introducer.furl, one log line per carried, withdrawn or refused server.
 */
import { parseTcpHint, type TcpHint } from '../foolscap/furl.js'
import { loadOrCreateKey } from '../store/data-dir.js'
import { FURL_FILE, loadOrCreateGatewayIdentity, rememberedPort, rememberPort, writeFurlFile } from '../tahoe/gateway-dir.js'
import { TahoeGateway, type GatewayEvent } from '../tahoe/gateway.js'
import { ConfigError, type Config } from './config/index.js'
import { splitHostPort } from './http.js'
import { quote, type Logger } from './log.js'
import type { IntroducerNode } from '../node.js'

/** `tahoe.location`: Tahoe's tub.location form, `tcp:HOST:PORT` (or `HOST:PORT`), comma-separated. */
export function parseLocation (text: string): TcpHint[] | undefined {
  if (text.trim() === '') return undefined
  return text.split(',').map(s => s.trim()).map(hint => {
    const tcp = parseTcpHint(hint)
    if (tcp === undefined) throw new ConfigError(`tahoe.location: ${JSON.stringify(hint)} is not a tcp:HOST:PORT hint`)
    return tcp
  })
}

/**
 * `tahoe.introducers` as FURLs: a FURL with several hints has commas, which a variable or
 * flag list splits at; the pieces are joined back.
 */
export function joinFurls (items: string[]): string[] {
  const out: string[] = []
  for (const item of items) {
    if (item.startsWith('pb://') || out.length === 0) out.push(item)
    else out[out.length - 1] += `,${item}`
  }
  return out
}

function logEvent (log: Logger, e: GatewayEvent): void {
  const who = [e.serverId, e.nickname !== undefined ? quote(e.nickname, 32) : undefined].filter(x => x !== undefined).join(' ')
  const line = `tahoe ${e.type}${who !== '' ? ` ${who}` : ''}${e.detail !== undefined ? `: ${quote(e.detail, 200)}` : ''}`
  const fields = { event: `tahoe-${e.type}`, server: e.serverId, nickname: e.nickname, detail: e.detail }
  if (e.type === 'rejected' || e.type === 'refused' || e.type === 'upstream-lost') log.warn(line, fields)
  else log.info(line, fields)
}

/**
 * Starts the gateway of a started node; throws ConfigError for a bad [tahoe] section.
 * `certificate`: the node's grid admission certificate, carried by its carrying records.
 */
export async function startTahoeGateway (dataDir: string, config: Config, node: IntroducerNode, log: Logger, certificate?: Uint8Array): Promise<TahoeGateway> {
  const listen = splitHostPort(config.tahoe.listen)
  if (listen?.port === undefined) throw new ConfigError(`tahoe.listen: ${JSON.stringify(config.tahoe.listen)} is not host:port`)
  const location = parseLocation(config.tahoe.location)
  if (location === undefined && (listen.host === '0.0.0.0' || listen.host === '::')) {
    throw new ConfigError(`tahoe.listen is ${config.tahoe.listen}, a wildcard address: set tahoe.location to the address Tahoe nodes reach this daemon at (tcp:HOST:PORT)`)
  }
  const identity = await loadOrCreateGatewayIdentity(dataDir)
  const port = listen.port === 0 ? (await rememberedPort(dataDir) ?? 0) : listen.port
  const gateway = new TahoeGateway({
    introducer: node.introducer,
    nodeKey: await loadOrCreateKey(dataDir),
    listen: { host: listen.host, port, location, tubIdentity: identity.tubIdentity, swissnum: identity.swissnum },
    upstream: joinFurls(config.tahoe.introducers),
    maxServers: config.tahoe.max_servers,
    ttlMs: config.announcement_ttl_ms,
    certificate,
    nickname: config.nickname !== '' ? config.nickname : 'gossip-introducer',
    onEvent: e => { logEvent(log, e) }
  })
  await gateway.start()
  const furl = gateway.furl as string
  try {
    if (port === 0 && gateway.address !== undefined) await rememberPort(dataDir, gateway.address.port)
    await writeFurlFile(dataDir, furl)
  } catch (err) {
    await gateway.stop()
    throw err
  }
  log.info(`tahoe introducer ${furl}${identity.created ? ' (new FURL)' : ''}`, { event: 'tahoe-introducer', furl, file: FURL_FILE })
  return gateway
}
