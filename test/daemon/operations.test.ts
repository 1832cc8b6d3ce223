/**
 * What an operator meets running `introducer run` (issue #12): the data directory lock,
 * a directory never initialised, the log of the start, log levels and formats, untrusted
 * text in the log, clear exits for a port in use and for usage errors, SIGHUP, `bootstrap
 * add` to a running node, /health and /ready, the Host check and the welcome page's
 * Content-Security-Policy, and `status` saying what is wrong. Real processes throughout.
 */
import assert from 'node:assert/strict'
import { request as httpRequest, createServer as createHttpServer } from 'node:http'
import { createServer, type AddressInfo } from 'node:net'
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { spawn } from 'node:child_process'
import { BIN, cleanEnv, freePort, ProcessSet, type NodeProcess } from '../helpers/processes.js'
import { waitFor } from '../helpers/wait.js'
import { cli, cliAll } from './cli-helpers.js'
import type { StatusJson } from '../../src/daemon/status.js'

const WAIT_MS = 30_000
const GRID = ['--grid', 'ops-test', '--dial-retry-max-ms', '2000']
/** A nickname that would move the cursor, break the line and reverse text if printed raw. */
const HOSTILE = 'ev\nINFO forged\u001b[31m\u202eesrever'
/** A peer id nobody runs. */
const NOBODY = '12D3KooWQuAUKYaKJa5JyXDqvXpzH5pKUge2vBv7MvkeVhAqj87F'

const exists = async (path: string): Promise<boolean> => access(path).then(() => true, () => false)

/** GET with a chosen Host header (fetch does not let one set it). */
async function getWithHost (url: string, host: string): Promise<{ status: number, body: string, headers: Record<string, unknown> }> {
  const u = new URL(url)
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: u.hostname, port: u.port, path: u.pathname, headers: { host }, timeout: 5000 }, (res) => {
      let body = ''
      res.on('data', (c: Buffer) => { body += c.toString() })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body, headers: res.headers }) })
    })
    req.on('error', reject)
    req.end()
  })
}

describe('operating a node', { timeout: 300_000 }, () => {
  const set = new ProcessSet()
  let root: string

  before(async () => { root = await mkdtemp(join(tmpdir(), 'gi-ops-')) })
  after(async () => {
    await set.killAll()
    await rm(root, { recursive: true, force: true })
  })

  describe('the data directory', () => {
    it('a second run of a running node\'s directory exits 2 and leaves the first alone; a lock of a killed node is taken over at once', async () => {
      const first = await set.start('locked', ['--no-http', ...GRID])
      const info = await readFile(join(first.dir, 'node.json'), 'utf8')
      const second = await cli(['run', first.dir, '--no-http', ...GRID], {}, 20_000)
      assert.equal(second.code, 2, `second run: ${second.stderr}${second.stdout}`)
      assert.match(second.stderr, /is in use by node process \d+/)
      assert.ok(second.stderr.includes(String(first.info?.pid)), `names the first process: ${second.stderr}`)
      assert.doesNotMatch(second.stdout, /started/)
      assert.equal(await readFile(join(first.dir, 'node.json'), 'utf8'), info, 'the first node.json is untouched')
      assert.equal(first.child?.exitCode, null, 'the first still runs')

      // killed hard, the node leaves its lock; the restart takes it without waiting
      await first.kill('SIGKILL')
      assert.ok(await exists(join(first.dir, 'node.lock')), 'a killed node leaves node.lock')
      const t0 = Date.now()
      await first.start()
      assert.ok(Date.now() - t0 < 20_000, `restart took ${Date.now() - t0} ms`)
      assert.equal(await first.kill('SIGTERM'), 0)
      assert.equal(await exists(join(first.dir, 'node.lock')), false, 'a clean stop removes node.lock')
    })

    it('run of a directory never initialised exits 2 and creates nothing; --init creates it', async () => {
      const dir = join(root, 'never-initialised')
      const refused = await cli(['run', dir, '--no-http', ...GRID], {}, 20_000)
      assert.equal(refused.code, 2, `${refused.stderr}${refused.stdout}`)
      assert.match(refused.stderr, /is not a node's data directory \(no introducer\.toml, no node\.key\): create it with `introducer init .*`, or pass --init/)
      assert.equal(await exists(dir), false, 'nothing created')
      const node = await set.start('initialised', ['--no-http', ...GRID], dir) // INTRODUCER_INIT=true
      assert.ok(node.output.some(l => /initialised .*never-initialised/.test(l)), node.output.join('\n'))
      assert.ok(await exists(join(dir, 'introducer.toml')))
      assert.ok(await exists(join(dir, 'node.key')))
      assert.equal(await node.kill('SIGTERM'), 0)
    })
  })

  it('a stop signal to the process group and one forwarded by a parent make one graceful stop (exit 0)', async () => {
    // a supervisor (systemd KillMode=control-group) or a terminal signals every process of
    // the group, and a wrapper forwards it too: the node gets two signals at once
    const dir = join(root, 'group-signal')
    const child = spawn(process.execPath, [BIN, 'run', dir, '--no-http', ...GRID], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...cleanEnv(), INTRODUCER_INIT: 'true' }, detached: true })
    const output: string[] = []
    child.stdout.on('data', (c: Buffer) => { output.push(...c.toString().split('\n').filter(Boolean)) })
    child.stderr.on('data', (c: Buffer) => { output.push(...c.toString().split('\n').filter(Boolean)) })
    const exited = new Promise<number | null>(resolve => child.once('exit', (code) => { resolve(code) }))
    const killer = setTimeout(() => { child.kill('SIGKILL') }, 60_000)
    try {
      await waitFor('the node to start', async () => (JSON.parse(await readFile(join(dir, 'node.json'), 'utf8')) as { pid: number }).pid === child.pid, WAIT_MS)
      await waitFor('the started line', () => output.some(l => / started /.test(l)), WAIT_MS)
      // two different signals: two of one kind sent at once may reach the process as one
      process.kill(-child.pid!, 'SIGINT')
      process.kill(child.pid!, 'SIGTERM')
      assert.equal(await exited, 0, output.join('\n'))
      assert.ok(output.some(l => /(SIGTERM \d+ ms after SIGINT|SIGINT \d+ ms after SIGTERM): already stopping/.test(l)), output.join('\n'))
      assert.ok(output.some(l => / stopped$/.test(l)))
      assert.equal(await exists(join(dir, 'node.json')), false, 'withdrew and removed node.json')
    } finally {
      clearTimeout(killer)
      child.kill('SIGKILL')
    }
  })

  describe('the log', () => {
    let introducers: NodeProcess[]
    let server: NodeProcess
    let client: NodeProcess

    before(async () => {
      const i0 = await set.start('log-i0', [...GRID, '--introducer', '--nickname', 'log-i0'])
      const others = await Promise.all([1, 2].map(async i => set.start(`log-i${i}`, [...GRID, '--introducer', '--nickname', `log-i${i}`, '--bootstrap', i0.multiaddr])))
      introducers = [i0, ...others]
      const boot = introducers.flatMap(i => ['--bootstrap', i.multiaddr])
      server = await set.start('log-server', [...GRID, '--storage', '--nickname', HOSTILE, ...boot])
      client = await set.start('log-client', [...GRID, '--nickname', 'log-client', '--bootstrap', i0.multiaddr])
      await waitFor('the client to know the server', async () => (await client.peers('upload_storage')).length === 1, WAIT_MS)
    })

    it('logs every connection of the start: a server joining through 3 introducers logs 3', async () => {
      await waitFor('the server to connect to the 3 introducers', async () => (await server.api()).introducers.connected === 3, WAIT_MS)
      for (const i of introducers) {
        assert.ok(server.output.some(l => new RegExp(` connected ${i.peerId}$`).test(l)), `connected ${i.name} logged:\n${server.output.join('\n')}`)
      }
    })

    it('a restart logs the peers it has again from its cache', async () => {
      assert.equal(await client.kill('SIGTERM'), 0)
      const before = client.output.length
      await client.start()
      await waitFor('the restarted client to log the server', () =>
        client.output.slice(before).some(l => l.includes(`added upload_storage ${server.peerId}`)), WAIT_MS)
        .catch((err: Error) => { throw new Error(`${err.message}:\n${client.output.slice(before).join('\n')}`) })
    })

    it('untrusted nicknames are escaped: no raw control or direction character, no forged line', async () => {
      const line = client.output.find(l => l.includes(`added upload_storage ${server.peerId}`)) ?? ''
      assert.ok(line !== '', client.output.join('\n'))
      assert.doesNotMatch(line, /[\u0000-\u001f\u007f\u202e]/u)
      assert.ok(line.includes('\\u{a}') || line.includes('\\n'), `the newline is shown escaped: ${line}`)
      assert.ok(line.includes('\\u{202e}'), `the direction override is shown escaped: ${line}`)
      assert.ok(!client.output.some(l => l.startsWith('INFO forged')), 'no forged line')
    })

    it('--log-level warn prints warnings only; --log-format json prints one JSON object per line', async () => {
      const [quiet, json] = await Promise.all([
        set.start('log-warn', [...GRID, '--no-http', '--log-level', 'warn', '--bootstrap', introducers[0].multiaddr]),
        set.start('log-json', [...GRID, '--no-http', '--log-format', 'json', '--bootstrap', introducers[0].multiaddr])
      ])
      await waitFor('the JSON node to log a connection', () => json.output.some(l => l.includes('"connected"')), WAIT_MS)
      assert.deepEqual(quiet.output.filter(l => /\bINFO\b/.test(l)), [], 'no info lines at --log-level warn')
      for (const line of json.output) {
        const entry = JSON.parse(line) as { level: number, time: number, msg: string, event?: string }
        assert.equal(typeof entry.msg, 'string', line)
        assert.equal(typeof entry.time, 'number', line)
      }
      // node.json is written just before the "started" line
      const started = await waitFor('the started line', () => json.output.map(l => JSON.parse(l) as { event?: string, peer?: string }).find(e => e.event === 'started'), WAIT_MS)
      assert.equal(started.peer, json.peerId)
      await Promise.all([quiet.kill('SIGTERM'), json.kill('SIGTERM')])
    })

    it('a bootstrap entry that does not answer is logged at warn level, without DEBUG', async () => {
      const port = await freePort()
      const dead = `/ip4/127.0.0.1/tcp/${port}/p2p/${NOBODY}`
      const node = await set.start('log-dead', [...GRID, '--no-http', '--bootstrap', dead, '--bootstrap', introducers[0].multiaddr])
      const line = await waitFor('a warning about the dead entry', () => node.output.find(l => / WARN bootstrap entry unreachable: /.test(l) && l.includes(dead)), WAIT_MS)
      assert.match(line, /not connected for \d+ s/)
      assert.ok(!node.output.some(l => / WARN /.test(l) && l.includes(introducers[0].peerId)), 'the live entry is not reported')
      await node.kill('SIGTERM')
    })
  })

  describe('clear exits', () => {
    it('a listen port in use: one line naming it, exit 2', async () => {
      const blocker = createServer()
      await new Promise<void>(resolve => { blocker.listen(0, '127.0.0.1', resolve) })
      const port = (blocker.address() as AddressInfo).port
      try {
        const dir = join(root, 'port-in-use')
        const [p2p, http] = await cliAll([
          { args: ['run', dir, '--init', '--no-http', '--listen', `/ip4/127.0.0.1/tcp/${port}`, ...GRID], timeoutMs: 20_000 },
          { args: ['run', `${dir}-http`, '--init', '--http-listen', `127.0.0.1:${port}`, ...GRID], timeoutMs: 20_000 }
        ])
        for (const r of [p2p, http]) {
          assert.equal(r.code, 2, `${r.stderr}${r.stdout}`)
          assert.match(r.stderr, /in use by another process/)
          assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace')
          assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`)
        }
        assert.ok(http.stderr.includes(`127.0.0.1:${port}`), http.stderr)
        assert.ok(p2p.stderr.includes(`/ip4/127.0.0.1/tcp/${port}`), p2p.stderr)
      } finally {
        blocker.close()
      }
    })

    it('usage errors exit 2: unknown flag, missing argument, bad --api, init with a bad grid id', async () => {
      const html = createHttpServer((_req, res) => { res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not Found</h1>') })
      await new Promise<void>(resolve => { html.listen(0, '127.0.0.1', resolve) })
      try {
        const other = `http://127.0.0.1:${(html.address() as AddressInfo).port}`
        const badInit = join(root, 'bad-init')
        const [unknownFlag, missingDir, missingService, notUrl, notOurs, badGrid] = await cliAll([
          { args: ['run', join(root, 'x'), '--frobnicate'] },
          { args: ['run'] },
          { args: ['peers'] },
          { args: ['status', '--api', 'localhost:3456'] },
          { args: ['status', '--api', other] },
          { args: ['init', badInit, '--grid', 'My Grid'] }
        ])
        assert.equal(unknownFlag.code, 2, unknownFlag.stderr)
        assert.match(unknownFlag.stderr, /unknown option '--frobnicate'/)
        assert.equal(missingDir.code, 2, missingDir.stderr)
        assert.match(missingDir.stderr, /missing required argument 'dir'/)
        assert.equal(missingService.code, 2, missingService.stderr)
        assert.equal(notUrl.code, 2, notUrl.stderr)
        assert.match(notUrl.stderr, /--api takes the node's base URL, e\.g\. http:\/\/127\.0\.0\.1:3456, not "localhost:3456"/)
        assert.equal(notOurs.code, 3, notOurs.stderr)
        assert.match(notOurs.stderr, /is not a gossip-introducer node's API: GET \/api\/v1\/status answered HTTP 404 with no JSON/)
        assert.equal(badGrid.code, 2, badGrid.stderr)
        assert.match(badGrid.stderr, /grid: use 1-64 characters/)
        assert.equal(await exists(badInit), false, 'init refused before creating anything')
      } finally {
        html.close()
      }
    })
  })

  describe('a lone client: readiness, SIGHUP and bootstrap add', () => {
    let introducer: NodeProcess
    let lone: NodeProcess

    before(async () => {
      introducer = await set.start('ready-intro', [...GRID, '--introducer'])
      lone = await set.start('ready-lone', [...GRID, '--no-introducer'])
    })

    it('/health is 200; /ready is 503 with a reason until the node is joined; status says what is wrong', async () => {
      const base = lone.info!.http
      assert.equal((await fetch(`${base}/health`)).status, 200)
      const ready = await fetch(`${base}/ready`)
      assert.equal(ready.status, 503)
      const body = await ready.json() as { ready: boolean, reason: string }
      assert.equal(body.ready, false)
      assert.match(body.reason, /connected to no peer, and no bootstrap entry/)
      const status = await cli(['status', '--dir', lone.dir])
      assert.equal(status.code, 0, status.stderr)
      assert.match(status.stdout, /^NOT READY$/m)
      assert.match(status.stdout, /^problem: connected to no peer, and no bootstrap entry/m)
      assert.match(status.stdout, /^problem: connected to no introducer \(0 known\)$/m)
      // an introducer with no bootstrap entry is the first node of its grid: ready alone
      assert.equal((await fetch(`${introducer.info!.http}/ready`)).status, 200)
    })

    it('SIGHUP reloads the log level and keeps the node running', async () => {
      await writeFile(join(lone.dir, 'introducer.toml'), 'log_level = "debug"\nnickname = "changed"\n')
      const before = lone.output.length
      lone.signal('SIGHUP')
      const line = await waitFor('the reload to be logged', () => lone.output.slice(before).find(l => /SIGHUP: reloaded/.test(l)), WAIT_MS)
      assert.match(line, /log_level info -> debug/)
      assert.match(line, /applied at the next restart only: nickname/)
      assert.equal(lone.child?.exitCode, null, 'still running')
    })

    it('bootstrap add reaches the running node: it joins, and /ready turns 200', async () => {
      const add = await cli(['bootstrap', 'add', introducer.multiaddr, '--dir', lone.dir])
      assert.equal(add.code, 0, add.stderr)
      assert.match(add.stdout, new RegExp(`told the node running in .* \\(pid ${lone.info?.pid}\\) to reload`))
      await waitFor('the lone node to connect to the introducer', async () => (await lone.api<StatusJson>()).introducers.connected === 1, WAIT_MS)
      await waitFor('/ready to turn 200', async () => (await fetch(`${lone.info!.http}/ready`)).status === 200, WAIT_MS)
      const status = await cli(['status', '--dir', lone.dir])
      assert.match(status.stdout, /^ready$/m)
      assert.doesNotMatch(status.stdout, /problem: connected to no/)
    })

    it('refuses a Host that is not this server (DNS rebinding) with 421; the welcome page has a CSP', async () => {
      const base = lone.info!.http
      const port = new URL(base).port
      for (const host of [`evil.example:${port}`, `localhost.evil.example:${port}`, `127.0.0.1:${Number(port) + 1}`]) {
        const r = await getWithHost(`${base}/api/v1/status`, host)
        assert.equal(r.status, 421, `Host ${host}`)
      }
      for (const host of [`localhost:${port}`, `127.0.0.1:${port}`]) {
        assert.equal((await getWithHost(`${base}/api/v1/status`, host)).status, 200, `Host ${host}`)
      }
      const page = await getWithHost(`${base}/`, `127.0.0.1:${port}`)
      assert.equal(page.status, 200)
      const csp = String(page.headers['content-security-policy'])
      assert.match(csp, /default-src 'none'/)
      assert.match(csp, /script-src 'sha256-[A-Za-z0-9+/=]+'/)
      assert.match(csp, /connect-src 'self'/)
    })
  })
})
