/**
 * The `introducer` command as a user runs it: real processes of dist/src/daemon/bin.js,
 * their exit codes, what they print, and what a running node reports through its API.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createHash } from 'node:crypto'
import { access, mkdir, mkdtemp, readFile, rm, watch, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fromString as uint8ArrayFromString } from 'uint8arrays/from-string'
import { buildProgram } from '../../src/daemon/commands/program.js'
import { BIN, cleanEnv, freePort, ProcessSet, type NodeProcess } from '../helpers/processes.js'
import { cli, cliAll, CLI_TIMEOUT_MS, type CliResult } from './cli-helpers.js'
import { waitFor } from '../helpers/wait.js'
import { MIN_TTL_MS } from '../../src/announcement/record.js'
import type { Command } from 'commander'
import type { PeersJson, PermutedJson, StatusJson } from '../../src/daemon/status.js'

const WAIT_MS = 20_000
const GRID = ['--grid', 'cli-test', '--dial-retry-max-ms', '2000']

/** The JSON a successful command printed. */
function parsed<T> (r: CliResult): T {
  assert.equal(r.code, 0, `exit code; stderr: ${r.stderr}`)
  try {
    return JSON.parse(r.stdout) as T
  } catch {
    assert.fail(`not JSON: ${JSON.stringify(r.stdout)}; stderr: ${r.stderr}`)
  }
}

/** The paths of every (sub)command, e.g. ['bootstrap', 'add']. */
function commandPaths (command: Command, prefix: string[] = []): string[][] {
  return command.commands.flatMap(c => [[...prefix, c.name()], ...commandPaths(c, [...prefix, c.name()])])
}

async function exists (path: string): Promise<boolean> {
  return access(path).then(() => true, () => false)
}

describe('introducer CLI', { timeout: 180_000 }, () => {
  let root: string
  const set = new ProcessSet()

  before(async () => { root = await mkdtemp(join(tmpdir(), 'gi-cli-')) })
  after(async () => {
    await set.killAll()
    await rm(root, { recursive: true, force: true })
  })

  it('--help works on every command and exits 0', async () => {
    // every command the program defines, so that a new one is covered too
    const commands = [[], ...commandPaths(buildProgram())]
    for (const expected of ['init', 'run', 'peers', 'permuted', 'status', 'members', 'bootstrap', 'bootstrap add', 'bootstrap list']) {
      assert.ok(commands.some(c => c.join(' ') === expected), `${expected} is a command`)
    }
    const results = await cliAll([...commands.map(c => ({ args: [...c, '--help'] })), { args: ['frobnicate'] }])
    for (const [i, c] of commands.entries()) {
      const r = results[i]
      assert.equal(r.code, 0, `introducer ${c.join(' ')} --help exited ${r.code}: ${r.stderr}`)
      assert.match(r.stdout, new RegExp(`^Usage: introducer ${c.join(' ')}`), `introducer ${c.join(' ')} --help printed:\n${r.stdout}`)
    }
    // and a command that does not exist is a usage error
    const bad = results[commands.length]
    assert.equal(bad.code, 2)
    assert.match(bad.stderr, /unknown command 'frobnicate'/)
  })

  describe('init', () => {
    it('creates node.key and a commented introducer.toml, and refuses to overwrite', async () => {
      const dir = join(root, 'init')
      const first = await cli(['init', dir, '--grid', 'g-init', '--nickname', 'nick-init'])
      assert.equal(first.code, 0, first.stderr)
      assert.ok(await exists(join(dir, 'node.key')), 'node.key created')
      const toml = await readFile(join(dir, 'introducer.toml'), 'utf8')
      assert.match(toml, /^grid = "g-init"$/m)
      assert.match(toml, /^nickname = "nick-init"$/m)
      assert.match(toml, /^# .*variable INTRODUCER_STORAGE_ENABLED, flag --storage$/m, 'keys are documented with their variable and flag')
      const nodeId = /node id (12D3KooW\w+)/.exec(first.stdout)?.[1]
      assert.ok(nodeId != null, `init prints the node id: ${first.stdout}`)
      const key = await readFile(join(dir, 'node.key'))

      const again = await cli(['init', dir])
      assert.equal(again.code, 2)
      assert.ok(again.stderr.includes(join(dir, 'introducer.toml')), `message names the file: ${again.stderr}`)
      assert.match(again.stderr, /refusing to overwrite/)
      assert.equal(await readFile(join(dir, 'introducer.toml'), 'utf8'), toml, 'config untouched')
      assert.deepEqual(await readFile(join(dir, 'node.key')), key, 'key untouched')

      // the file init wrote is a valid configuration: run starts from it
      const node = await set.start('from-init', ['--no-http'], dir)
      assert.equal(node.peerId, nodeId)
      assert.equal(await node.kill('SIGTERM'), 0)
    })
  })

  describe('bad configuration: exit 2, a message naming key and source, nothing started', { concurrency: 3 }, () => {
    const cases: Array<{ name: string, toml: string, env?: Record<string, string>, key: RegExp, source: 'file' | RegExp }> = [
      { name: 'unknown top-level key', toml: 'grid = "g"\nnicknam = "typo"\n', key: /unknown key "nicknam"/, source: 'file' },
      { name: 'unknown key in a section', toml: '[storage]\nenabled = true\nreadonly_ = true\n', key: /unknown key "storage\.readonly_"/, source: 'file' },
      { name: 'value out of range', toml: 'announcement_ttl_ms = 5\n', key: new RegExp(`announcement_ttl_ms: .*${MIN_TTL_MS}`), source: 'file' },
      { name: 'value of the wrong type', toml: '[storage]\nenabled = "yes"\n', key: /storage\.enabled: .*boolean/, source: 'file' },
      { name: 'not TOML', toml: 'grid = \n', key: /not valid TOML/, source: 'file' },
      { name: 'not a multiaddr', toml: 'bootstrap = ["/ip4/nope/tcp/1"]\n', key: /bootstrap\S*: "\/ip4\/nope\/tcp\/1" is not a multiaddr/, source: 'file' },
      { name: 'bad environment value', toml: '', env: { INTRODUCER_STORAGE_ENABLED: 'maybe' }, key: /"maybe" is not true or false/, source: /environment variable INTRODUCER_STORAGE_ENABLED/ }
    ]
    for (const c of cases) {
      it(c.name, async () => {
        const dir = join(root, `bad-${c.name.replace(/\W+/g, '-')}`)
        await mkdir(dir)
        const file = join(dir, 'introducer.toml')
        await writeFile(file, c.toml)
        const r = await cli(['run', dir, '--listen', '/ip4/127.0.0.1/tcp/0'], c.env)
        assert.equal(r.code, 2, `exit code; stderr: ${r.stderr}`)
        assert.match(r.stderr, c.key)
        if (c.source === 'file') {
          assert.ok(r.stderr.includes(file), `message names ${file}: ${r.stderr}`)
        } else {
          assert.match(r.stderr, c.source)
        }
        assert.doesNotMatch(r.stdout, /started/)
        assert.equal(await exists(join(dir, 'node.json')), false, 'no node.json: nothing started')
      })
    }
  })

  it('a query of a directory with no running node exits 3; so does an unreachable --api', async () => {
    const empty = join(root, 'empty')
    const port = await freePort()
    const queries = [['status'], ['peers', 'upload_storage'], ['permuted', 'upload_storage', 'aaaqeayeaudaocajbifqydiob4']]
    const results = await cliAll([
      ...queries.map(args => ({ args: [...args, '--dir', empty] })),
      { args: ['status', '--json'], env: { INTRODUCER_DIR: empty } },
      { args: ['status', '--api', `http://127.0.0.1:${port}`] }
    ])
    for (const [i, args] of queries.entries()) {
      assert.equal(results[i].code, 3, `${args[0]}: ${results[i].stderr}`)
      assert.match(results[i].stderr, /no running node found/)
      assert.equal(results[i].stdout, '')
    }
    const [fromEnv, closed] = results.slice(queries.length)
    assert.equal(fromEnv.code, 3)
    assert.ok(fromEnv.stderr.includes(empty), 'INTRODUCER_DIR is where it looked')
    assert.equal(closed.code, 3)
    assert.match(closed.stderr, /cannot reach the node/)
  })

  it('an --api that answers something other than the API gets a clear message and exit 3, not a crash', async () => {
    const server = createServer((_req, res) => { res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>Bad Gateway</h1>') })
    await new Promise<void>(resolve => { server.listen(0, '127.0.0.1', resolve) })
    try {
      const { port } = server.address() as AddressInfo
      const r = await cli(['status', '--api', `http://127.0.0.1:${port}`])
      assert.equal(r.code, 3, r.stderr)
      assert.match(r.stderr, /is not a gossip-introducer node's API: GET \/api\/v1\/status answered HTTP 502 with no JSON \(text\/html\)/)
      assert.doesNotMatch(r.stderr, /SyntaxError.*\n\s+at /, 'no stack trace')
    } finally {
      server.close()
    }
  })

  describe('bootstrap add and list', () => {
    const entry = '/ip4/127.0.0.1/tcp/4999/p2p/12D3KooWQuAUKYaKJa5JyXDqvXpzH5pKUge2vBv7MvkeVhAqj87F'
    const entry2 = '/ip4/127.0.0.1/tcp/4998/p2p/12D3KooWGmtXaPEjoyNmFqZRsXpNizzdrGCzrBWFvQUokAraupC4'

    it('adds entries once, lists them in text and JSON, and rejects an entry without /p2p/', async () => {
      const dir = join(root, 'boot')
      assert.deepEqual(parsed(await cli(['bootstrap', 'list', '--dir', dir, '--json'])), [], 'empty list before any add')

      const add = await cli(['bootstrap', 'add', entry, '--dir', dir])
      assert.equal(add.code, 0, add.stderr)
      assert.match(add.stdout, /added 1 entry/)
      const again = await cli(['bootstrap', 'add', entry, entry2, '--dir', dir])
      assert.equal(again.code, 0, again.stderr)
      assert.match(again.stdout, /added 1 entry/, 'the duplicate is not added twice')

      const before = await readFile(join(dir, 'bootstrap.txt'), 'utf8')
      const [list, json, bad, notMultiaddr] = await cliAll([
        { args: ['bootstrap', 'list'], env: { INTRODUCER_DIR: dir } },
        { args: ['bootstrap', 'list', '--dir', dir, '--json'] },
        { args: ['bootstrap', 'add', '/ip4/127.0.0.1/tcp/4997', '--dir', dir] },
        { args: ['bootstrap', 'add', entry, 'hello', '--dir', dir] }
      ])
      assert.equal(list.code, 0)
      assert.deepEqual(list.stdout.trim().split('\n'), [entry, entry2], 'INTRODUCER_DIR is the default directory')
      assert.deepEqual(parsed(json), [entry, entry2])
      assert.equal(bad.code, 2)
      assert.match(bad.stderr, /\/p2p\//)
      assert.match(bad.stderr, /\/ip4\/127\.0\.0\.1\/tcp\/4997/, 'the message quotes the bad entry')
      assert.equal(notMultiaddr.code, 2, 'one bad entry rejects the whole add')
      assert.equal(await readFile(join(dir, 'bootstrap.txt'), 'utf8'), before, 'a rejected add changes nothing')
    })
  })

  describe('against a running grid', () => {
    let introducer: NodeProcess
    let writable: NodeProcess[]
    let readonly: NodeProcess
    let client: NodeProcess
    let envNode: NodeProcess

    before(async () => {
      introducer = await set.start('cli-intro', [...GRID, '--introducer', '--nickname', 'cli-intro'])
      const boot = ['--bootstrap', introducer.multiaddr]
      // the client's configuration comes from all three sources: file, environment, flags
      const clientDir = await set.dir('cli-client')
      await mkdir(clientDir, { recursive: true })
      await writeFile(join(clientDir, 'introducer.toml'), 'grid = "cli-test"\nnickname = "from-file"\ndial_retry_max_ms = 2000\n')
      const envDir = await set.dir('cli-env')
      await mkdir(envDir, { recursive: true })
      await writeFile(join(envDir, 'introducer.toml'), 'grid = "cli-env-grid"\nnickname = "from-file"\n')
      const started = await Promise.all([
        set.start('cli-s0', [...GRID, '--storage', '--available-space', '1000000000', '--nickname', 'cli-s0', ...boot]),
        set.start('cli-s1', [...GRID, '--storage', '--nickname', 'cli-s1', ...boot]),
        set.start('cli-ro', [...GRID, '--storage', '--readonly', '--nickname', 'cli-ro', ...boot])
      ])
      writable = started.slice(0, 2)
      readonly = started[2]
      // one at a time: the variables are set on this process while each child is spawned
      client = await set.start('cli-client', ['--nickname', 'from-flag', ...boot], clientDir, { INTRODUCER_NICKNAME: 'from-env' })
      envNode = await set.start('cli-env', [], envDir, { INTRODUCER_NICKNAME: 'from-env', INTRODUCER_STORAGE_ENABLED: 'true' })
      await waitFor('the client to know every server', async () =>
        (await client.peers('upload_storage')).length === 2 && (await client.peers('download_storage')).length === 3, WAIT_MS)
    })

    const ids = (ps: NodeProcess[]): string[] => ps.map(p => p.peerId).sort()

    it('an environment variable overrides the file; a flag overrides both', async () => {
      const env = await envNode.api('/api/v1/status')
      assert.equal(env.node.nickname, 'from-env')
      assert.equal(env.node.grid, 'cli-env-grid', 'the file still applies where nothing overrides it')
      assert.ok(env.node.roles.includes('storage'), 'INTRODUCER_STORAGE_ENABLED=true')
      const flagged = await client.api('/api/v1/status')
      assert.equal(flagged.node.nickname, 'from-flag')
      assert.equal(flagged.node.grid, 'cli-test')
      assert.deepEqual(flagged.node.roles, ['client'])
    })

    it('peers lists a service in text and JSON', async () => {
      const [text, json, viaApi, none, badService] = await cliAll([
        { args: ['peers', 'upload_storage', '--dir', client.dir] },
        { args: ['peers', 'download_storage', '--dir', client.dir, '--json'] },
        { args: ['peers', 'download_storage', '--api', client.info!.http] },
        { args: ['peers', 'helper', '--dir', client.dir] },
        { args: ['peers', 'Not/A/Service', '--dir', client.dir] }
      ])
      assert.equal(text.code, 0, text.stderr)
      const [header, ...lines] = text.stdout.trim().split('\n')
      assert.match(header, /^PEER ID +NICKNAME +VERSION +CONNECTED +READ-ONLY +ADDRESSES$/, 'column headers')
      assert.equal(lines.length, 2, text.stdout)
      for (const server of writable) {
        const line = lines.find(l => l.startsWith(server.peerId))
        assert.ok(line != null, `${server.name} listed:\n${text.stdout}`)
        assert.ok(line.includes(`"${server.name}"`), line)
        // clients dial servers when they use them: either state is right, but it is shown
        assert.match(line, / (yes|no) +no +\/ip4\/127\.0\.0\.1\/tcp\/\d+/, `connected, not read-only, then the addresses: ${line}`)
      }
      assert.equal(json.code, 0, json.stderr)
      const body = parsed<PeersJson>(json)
      assert.equal(body.service, 'download_storage')
      assert.deepEqual(body.peers.map(p => p.peerId).sort(), ids([...writable, readonly]))
      assert.deepEqual(body.peers.filter(p => p.readonly).map(p => p.peerId), [readonly.peerId])
      assert.equal(body.peers.find(p => p.peerId === writable[0].peerId)?.availableSpace, 1e9)
      const roLine = viaApi.stdout.split('\n').find(l => l.startsWith(readonly.peerId))
      assert.match(roLine ?? '', /"cli-ro" .* (yes|no) +yes +\/ip4\//, 'text marks read-only servers; --api works as --dir')

      assert.equal(none.code, 0)
      assert.equal(none.stdout, '(none)\n')
      assert.equal(badService.code, 2)
      assert.match(badService.stderr, /service/)
    })

    it('permuted gives Tahoe\'s order for a base32 or hex storage index, the same either way', async () => {
      const base32 = 'aaaqeayeaudaocajbifqydiob4'
      const hex = '000102030405060708090a0b0c0d0e0f'
      const si = Buffer.from(hex, 'hex')
      const badIndexes = ['not-a-storage-index', 'aaaa', '000102030405060708090a0b0c0d0e0f00']
      const [fromBase32, fromHex, text, ...bads] = await cliAll([
        { args: ['permuted', 'download_storage', base32, '--dir', client.dir, '--json'] },
        { args: ['permuted', 'download_storage', hex, '--dir', client.dir, '--json'] },
        { args: ['permuted', 'download_storage', hex, '--dir', client.dir] },
        ...badIndexes.map(bad => ({ args: ['permuted', 'upload_storage', bad, '--dir', client.dir] }))
      ])
      assert.equal(fromBase32.code, 0, fromBase32.stderr)
      assert.equal(fromHex.code, 0, fromHex.stderr)
      const a = parsed<PermutedJson>(fromBase32)
      const b = parsed<PermutedJson>(fromHex)
      assert.equal(a.peers.length, 3)
      assert.deepEqual(a.peers.map(p => p.peerId), b.peers.map(p => p.peerId))
      // Tahoe: sort by sha1(storage index + permutation seed)
      const expected = a.peers.map(p => ({ id: p.peerId, key: createHash('sha1').update(si).update(uint8ArrayFromString(p.permutationSeed, 'base32')).digest('hex') }))
      for (const [i, p] of a.peers.entries()) {
        assert.equal(p.permutedId, expected[i].key, `${p.peerId}'s permuted id`)
      }
      assert.deepEqual(a.peers.map(p => p.peerId), [...expected].sort((x, y) => x.key < y.key ? -1 : 1).map(e => e.id))

      assert.equal(text.code, 0, text.stderr)
      const [permutedHeader, ...permutedLines] = text.stdout.trim().split('\n')
      assert.match(permutedHeader, /^PERMUTED ID +PEER ID +NICKNAME/)
      assert.deepEqual(permutedLines.map(l => l.split(/\s+/).slice(0, 2)), a.peers.map(p => [p.permutedId.slice(0, 12), p.peerId]))

      for (const [i, bad] of badIndexes.entries()) {
        const r = bads[i]
        assert.notEqual(r.code, 0, `${bad} accepted`)
        assert.equal(r.code, 2)
        assert.match(r.stderr, /storage index/i, `clear message for ${bad}: ${r.stderr}`)
        assert.equal(r.stdout, '')
      }
    })

    it('status in text and JSON', async () => {
      const [text, json, serverJson] = await cliAll([
        { args: ['status', '--dir', client.dir] },
        { args: ['status', '--dir', client.dir, '--json'] },
        { args: ['status', '--dir', readonly.dir, '--json'] }
      ])
      assert.equal(text.code, 0, text.stderr)
      assert.ok(text.stdout.startsWith(`node ${client.peerId} "from-flag" grid cli-test roles client`), text.stdout)
      assert.match(text.stdout, /^ready$/m)
      assert.match(text.stdout, /^connected to 1 of 1 known introducers$/m)
      assert.match(text.stdout, /^upload_storage: connected to [0-2] of 2 known$/m)
      assert.match(text.stdout, /^download_storage: connected to [0-3] of 3 known$/m)
      assert.equal(json.code, 0, json.stderr)
      const body = parsed<StatusJson>(json)
      assert.equal(body.node.peerId, client.peerId)
      assert.equal(body.introducers.known, 1)
      assert.equal(body.services.upload_storage.known, ids(writable).length)
      assert.equal(body.members.known, 4, 'the introducer and the 3 servers (the client publishes nothing)')
      assert.equal(body.services.upload_storage.subscribed, true)
      assert.equal(body.services.upload_storage.published, false)
      const server = parsed<StatusJson>(serverJson)
      assert.deepEqual(server.node.roles, ['storage (read-only)', 'client'])
      assert.equal(server.services.download_storage.published, true)
      assert.equal(server.services.upload_storage?.published ?? false, false, 'a read-only server does not offer uploads')
    })

    it('/metrics counts accepted announcements and table entries', async () => {
      const response = await fetch(`${client.info!.http}/metrics`, { signal: AbortSignal.timeout(5000) })
      assert.equal(response.status, 200)
      assert.match(response.headers.get('content-type') ?? '', /^text\/plain/)
      const text = await response.text()
      const value = (re: RegExp): number => {
        const m = re.exec(text)
        assert.ok(m != null, `${re} in\n${text}`)
        return Number(m[1])
      }
      assert.ok(value(/^introducer_announcements_total\{outcome="accepted"\} (\d+)$/m) >= 4, 'at least the 3 servers and the introducer')
      assert.equal(value(/^introducer_table_entries\{service="upload_storage"\} (\d+)$/m), 2)
      assert.equal(value(/^introducer_table_entries\{service="download_storage"\} (\d+)$/m), 3)
      assert.equal(value(/^introducer_table_entries\{service="introducer"\} (\d+)$/m), 1)
      assert.equal(value(/^introducer_connected_introducers (\d+)$/m), 1)
      assert.match(text, /^process_cpu_user_seconds_total /m, 'process metrics too')
    })

    it('a SIGTERM the moment node.json appears (start not yet returned) still stops cleanly with exit 0', async () => {
      // node.json is written during start; a signal right after it must not kill the
      // process before its handlers are in (this failed once in CI as exit null)
      const dir = join(root, 'early-term')
      await mkdir(dir, { recursive: true })
      for (let round = 0; round < 3; round++) {
        const stopWatching = new AbortController()
        const watcher = watch(dir, { signal: stopWatching.signal })
        const child = spawn(process.execPath, [BIN, 'run', dir, '--no-http', ...GRID], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...cleanEnv(), INTRODUCER_INIT: 'true' } })
        let output = ''
        child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
        child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
        const exited = new Promise<{ code: number | null, signal: string | null }>(resolve => child.once('exit', (code, signal) => { resolve({ code, signal }) }))
        void exited.then(() => { stopWatching.abort() }) // the loop below ends if the child does
        const killer = setTimeout(() => child.kill('SIGKILL'), CLI_TIMEOUT_MS)
        try {
          try {
            for await (const event of watcher) {
              if (event.filename === 'node.json') {
                child.kill('SIGTERM')
                break
              }
            }
          } catch (err) {
            if (!stopWatching.signal.aborted) throw err
          }
          const result = await exited
          assert.deepEqual(result, { code: 0, signal: null }, `round ${round}:\n${output}`)
          assert.match(output, /SIGTERM: withdrawing announcements and stopping/)
          assert.match(output, /stopped/)
          assert.equal(await exists(join(dir, 'node.json')), false, 'node.json removed')
        } finally {
          clearTimeout(killer)
          child.kill('SIGKILL')
        }
      }
    })

    it('a running node stops on SIGTERM with exit 0 and removes node.json', async () => {
      assert.equal(await envNode.kill('SIGTERM'), 0)
      assert.equal(await exists(join(envNode.dir, 'node.json')), false)
      const r = await cli(['status', '--dir', envNode.dir])
      assert.equal(r.code, 3)
    })
  })
})
