/**
 * The grid-wide view and publishing from the configuration, with real processes:
 * `introducer members` (text and JSON) and /api/v1/members (paged), services announced
 * from `[publish.<service>]` and --publish/--field with their fields, SIGHUP publishing
 * changed fields again (and new services, and withdrawing removed ones), nodes that left
 * shown as departed (withdrawn on a stop, expired after a kill) with when, and probes.
 */
import assert from 'node:assert/strict'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { ProcessSet, type NodeProcess } from '../helpers/processes.js'
import { waitFor } from '../helpers/wait.js'
import { cli } from './cli-helpers.js'
import type { MembersJson } from '../../src/daemon/members.js'
import type { ProbeJson } from '../../src/daemon/contacts.js'
import type { PeersJson } from '../../src/daemon/status.js'

const WAIT_MS = 30_000
const GRID = ['--grid', 'members-test', '--dial-retry-max-ms', '2000']

async function post (node: NodeProcess, path: string, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<{ status: number, body: Record<string, unknown> }> {
  const response = await fetch(`${node.info!.http}${path}`, { method: 'POST', headers, body, signal: AbortSignal.timeout(15_000) })
  return { status: response.status, body: await response.json() as Record<string, unknown> }
}

describe('members and publishing from the configuration', { timeout: 240_000 }, () => {
  const set = new ProcessSet()
  let introducer: NodeProcess
  let server: NodeProcess
  let client: NodeProcess

  before(async () => {
    introducer = await set.start('m-intro', [...GRID, '--introducer', '--nickname', 'm-intro'])
    const serverDir = await set.dir('m-server')
    await mkdir(serverDir, { recursive: true })
    await writeFile(join(serverDir, 'introducer.toml'), 'grid = "members-test"\n\n[publish.helper]\nregion = "eu"\nfurl = "pb://tub@tcp:a:1,tcp:b:2/swiss"\n\n[publish.gone]\nx = "1"\n')
    const boot = ['--bootstrap', introducer.multiaddr]
    server = await set.start('m-server', ['--storage', '--nickname', 'm-server', '--publish', 'relay', '--field', 'k=v', '--dial-retry-max-ms', '2000', ...boot], serverDir)
    client = await set.start('m-client', [...GRID, '--nickname', 'm-client', '--services', 'helper', ...boot])
    await waitFor('the introducer to hold the server\'s four services', async () =>
      (await Promise.all(['upload_storage', 'download_storage', 'helper', 'relay', 'gone'].map(async s => introducer.peers(s)))).every(p => p.includes(server.peerId)), WAIT_MS)
  })

  after(async () => { await set.killAll() })

  it('announces [publish.<service>] and --publish/--field services with their fields', async () => {
    const helper = await introducer.api<PeersJson>('/api/v1/peers?service=helper')
    assert.deepEqual(helper.peers.map(p => [p.peerId, p.fields]), [[server.peerId, { region: 'eu', furl: 'pb://tub@tcp:a:1,tcp:b:2/swiss' }]])
    const relay = await introducer.api<PeersJson>('/api/v1/peers?service=relay')
    assert.deepEqual(relay.peers.map(p => p.fields), [{ k: 'v' }], 'flags merge with the file: both services announced')
    assert.ok(server.output.some(l => / INFO publishing helper$/.test(l)) && server.output.some(l => / INFO publishing relay$/.test(l)), server.output.join('\n'))
    const status = await server.api()
    assert.deepEqual(['download_storage', 'gone', 'helper', 'relay', 'upload_storage'].map(s => status.services[s]?.published), [true, true, true, true, true])
  })

  it('introducer members: a table with headers, every node once with all its services; --json is the API', async () => {
    const [text, json] = await Promise.all([cli(['members', '--dir', introducer.dir]), cli(['members', '--dir', introducer.dir, '--json'])])
    assert.equal(text.code, 0, text.stderr)
    const [header, ...lines] = text.stdout.trim().split('\n')
    assert.match(header, /^PEER ID +NICKNAME +VERSION +SERVICES +LAST HEARD +ADDRESSES$/)
    const row = (id: string): string => lines.find(l => l.startsWith(id)) ?? ''
    assert.match(row(server.peerId), /"m-server" +"gossip-introducer\/[^"]+" +download_storage gone\[x=1\] helper\[region=eu,furl=pb:\/\/tub@tcp:a:1,tcp:b:2\/swiss\] relay\[k=v\] upload_storage +\d+ s ago +\/ip4\/127\.0\.0\.1\/tcp\/\d+/)
    assert.match(row(`${introducer.peerId} (self)`), /"m-intro" .* introducer +\d+ s ago/)
    assert.equal(lines.filter(l => /^12D3/.test(l)).length, 2, 'the client publishes nothing: not a member')

    assert.equal(json.code, 0, json.stderr)
    const body = JSON.parse(json.stdout) as MembersJson
    assert.equal(body.total, 2)
    assert.deepEqual(body.members.map(m => m.peerId), [introducer.peerId, server.peerId].sort())
    const s = body.members.find(m => m.peerId === server.peerId)!
    assert.deepEqual(s.services.map(x => x.service), ['download_storage', 'gone', 'helper', 'relay', 'upload_storage'])
    assert.equal(s.nickname, 'm-server')
    assert.ok(s.lastSeen <= Date.now() && s.expiresAt > Date.now())
    assert.equal((await introducer.api()).members.known, 2, 'status counts them')
  })

  it('/api/v1/members pages: limit=1 walks every member once, in peer id order; bad paging is a 400', async () => {
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const page: MembersJson = await introducer.api<MembersJson>(`/api/v1/members?limit=1${cursor != null ? `&cursor=${cursor}` : ''}`)
      assert.ok(page.members.length <= 1)
      seen.push(...page.members.map(m => m.peerId))
      cursor = page.next
    } while (cursor != null)
    assert.deepEqual(seen, [introducer.peerId, server.peerId].sort())
    for (const query of ['limit=0', 'limit=1001', 'limit=x', 'cursor=a%2Fb']) {
      const response = await fetch(`${introducer.info!.http}/api/v1/members?${query}`)
      assert.equal(response.status, 400, query)
      assert.match((await response.json() as { error: string }).error, /query parameter "(limit|cursor)"/)
    }
  })

  it('probes a server on demand: dial and round trip; refuses unknown peers, other origins and non-JSON', async () => {
    const probed = await post(client, '/api/v1/probe', JSON.stringify({ peer: server.peerId }))
    assert.equal(probed.status, 200, JSON.stringify(probed.body))
    const result = probed.body as unknown as ProbeJson
    assert.equal(result.ok, true, JSON.stringify(result))
    assert.equal(typeof result.rttMs, 'number')
    assert.ok(result.rttMs! >= 0 && result.rttMs! < 5000)
    const peers = await client.api<PeersJson>('/api/v1/peers?service=upload_storage')
    const contact = peers.peers.find(p => p.peerId === server.peerId)?.contact
    assert.ok(contact != null && Date.now() - contact.at < 60_000, `the contact is kept: ${JSON.stringify(contact)}`)

    assert.equal((await post(client, '/api/v1/probe', JSON.stringify({ peer: '12D3KooWQuAUKYaKJa5JyXDqvXpzH5pKUge2vBv7MvkeVhAqj87F' }))).status, 404)
    assert.equal((await post(client, '/api/v1/probe', JSON.stringify({ peer: 'nonsense' }))).status, 400)
    assert.equal((await post(client, '/api/v1/probe', JSON.stringify({ peer: server.peerId }), { 'content-type': 'text/plain' })).status, 415, 'a cross-site form cannot make the node dial')
    assert.equal((await post(client, '/api/v1/probe', JSON.stringify({ peer: server.peerId }), { 'content-type': 'application/json', origin: 'http://evil.example' })).status, 403)
  })

  it('a probe of a frozen node fails within its bound and says so; a second probe of it meanwhile is refused (429)', async () => {
    const frozen = await set.start('m-frozen', [...GRID, '--no-http', '--publish', 'helper', '--bootstrap', introducer.multiaddr])
    await waitFor('the client to hold the frozen node\'s helper', async () => (await client.peers('helper')).includes(frozen.peerId), WAIT_MS)
    frozen.signal('SIGSTOP')
    try {
      const first = post(client, '/api/v1/probe', JSON.stringify({ peer: frozen.peerId }))
      await new Promise(resolve => setTimeout(resolve, 300))
      const second = await post(client, '/api/v1/probe', JSON.stringify({ peer: frozen.peerId }))
      assert.equal(second.status, 429, JSON.stringify(second.body))
      assert.match(String(second.body.error), /a probe of .* is under way/)
      const result = await first
      assert.equal(result.status, 200)
      // connected through gossip before the freeze, or dialled: either way no answer comes
      assert.equal(result.body.ok, false, JSON.stringify(result.body))
      assert.match(String(result.body.error), /no answer within 5000 ms/)
      const contact = (await client.api<PeersJson>('/api/v1/peers?service=helper')).peers.find(p => p.peerId === frozen.peerId)?.contact
      assert.match(contact?.failure?.error ?? '', /no answer within 5000 ms/, 'the failure is kept for the page')
    } finally {
      frozen.signal('SIGCONT')
      await frozen.kill('SIGTERM')
    }
  })

  it('SIGHUP publishes changed fields again (storage space too), publishes new services and withdraws removed ones', async () => {
    const before = (await introducer.api<PeersJson>('/api/v1/peers?service=helper')).peers[0]
    await writeFile(join(server.dir, 'introducer.toml'), 'grid = "members-test"\n\n[storage]\navailable_space = 5000\n\n[publish.helper]\nregion = "us"\n\n[publish.extra]\n')
    // the flags stay as given (--publish relay): the command line still announces relay
    const at = server.output.length
    server.signal('SIGHUP')
    const line = await waitFor('the reload line', () => server.output.slice(at).find(l => /SIGHUP: reloaded/.test(l)), WAIT_MS)
    assert.match(line, /updated upload_storage; updated download_storage; updated helper; published extra; withdrawn gone/)
    await waitFor('the new available space to reach the introducer', async () =>
      (await introducer.api<PeersJson>('/api/v1/peers?service=upload_storage')).peers[0]?.availableSpace === 5000, WAIT_MS)
    await waitFor('the introducer to hold the new helper record', async () =>
      (await introducer.api<PeersJson>('/api/v1/peers?service=helper')).peers[0]?.fields.region === 'us', WAIT_MS)
    const after = (await introducer.api<PeersJson>('/api/v1/peers?service=helper')).peers[0]
    assert.ok(BigInt(after.seqnum) > BigInt(before.seqnum), 'a new seqnum')
    assert.deepEqual(after.fields, { region: 'us' }, 'the removed field is gone')
    await waitFor('the introducer to follow and hold extra', async () => (await introducer.peers('extra')).includes(server.peerId), WAIT_MS)
    await waitFor('the introducer to drop gone', async () => (await introducer.peers('gone')).length === 0, WAIT_MS)

    // without --publish relay on the command line, relay would be withdrawn: the flags win over the file
    assert.deepEqual(await introducer.peers('relay'), [server.peerId])
  })

  it('a [publish] service whose record would be too large: exit 2 naming it, nothing left running', async () => {
    const dir = await set.dir('m-too-large')
    await mkdir(dir, { recursive: true })
    const fields = Array.from({ length: 12 }, (_, i) => `f${i} = "${'x'.repeat(1000)}"`).join('\n')
    await writeFile(join(dir, 'introducer.toml'), `grid = "members-test"\n\n[publish.big]\n${fields}\n`)
    const run = await cli(['run', dir, '--no-http', '--no-introducer'], {}, 30_000)
    assert.equal(run.code, 2, `${run.stderr}${run.stdout}`)
    assert.match(run.stderr, /cannot start: publish\.big: cannot announce it: .*bytes, limit 8192/)
  })

  it('a stopped node is shown as departed (withdrawn, and when); a killed one once its records expire', async () => {
    const short = await set.start('m-short', [...GRID, '--no-http', '--ttl-ms', '3000', '--publish', 'helper', '--bootstrap', introducer.multiaddr])
    await waitFor('the introducer to hold the short-lived helper', async () => (await introducer.peers('helper')).includes(short.peerId), WAIT_MS)
    const stoppedAt = Date.now()
    assert.equal(await server.kill('SIGTERM'), 0)
    assert.equal(await short.kill('SIGKILL'), null)
    const departed = await waitFor('both to be departed', async () => {
      const body = await introducer.api<MembersJson>('/api/v1/members')
      const gone = new Set(body.departed.map(d => d.peerId))
      return gone.has(server.peerId) && gone.has(short.peerId) ? body : undefined
    }, WAIT_MS, 200)
    assert.deepEqual(departed.members.map(m => m.peerId), [introducer.peerId], 'neither is a member now')
    assert.equal(departed.departed[0].peerId, short.peerId, 'the latest first: the killed node expired after the stop')
    const stopped = departed.departed.find(d => d.peerId === server.peerId)!
    assert.deepEqual(stopped.services.map(s => s.reason), Array(6).fill('withdrawn'))
    assert.deepEqual(stopped.services.map(s => s.service).sort(), ['download_storage', 'extra', 'gone', 'helper', 'relay', 'upload_storage'])
    assert.equal(stopped.services.at(-1)?.service, 'gone', 'the latest first: gone left at the reload')
    assert.ok(stopped.at >= stoppedAt - 1000 && stopped.at <= Date.now(), 'when it left')
    assert.equal(stopped.nickname, 'm-server')
    const killed = departed.departed.find(d => d.peerId === short.peerId)!
    assert.deepEqual(killed.services.map(s => [s.service, s.reason]), [['helper', 'expired']])
    assert.equal((await introducer.api()).members.departed, departed.departed.length)

    const text = await cli(['members', '--dir', introducer.dir])
    assert.match(text.stdout, new RegExp(`\ndeparted recently \\(${departed.departed.length}\\):\nPEER ID +NICKNAME +LEFT +WHEN +LAST HEARD\n`))
    assert.match(text.stdout, new RegExp(`${short.peerId} +"" +helper:expired +\\d+ s ago`))
  })
})
