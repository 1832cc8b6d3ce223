/**
 * docs/deploy/introducer.service: its hardening, that its ExecStart and Environment= are
 * what `introducer run` accepts (the real daemon started with them), and systemd's own
 * checks (`systemd-analyze verify` and `security`) where systemd-analyze is installed.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { after, describe, it } from 'node:test'
import { STOP_TIMEOUT_MS } from '../../src/daemon/signals.js'
import { BIN, ProcessSet } from '../helpers/processes.js'
import type { StatusJson } from '../../src/daemon/status.js'

const UNIT = 'docs/deploy/introducer.service'
/** `systemd-analyze security` exposure, times 10, above which the unit counts as weakened (it scores 1.2 of 10). */
const EXPOSURE_THRESHOLD = 20

type Unit = Map<string, Map<string, string[]>>

/** A unit file's sections and keys; a key given more than once keeps every value, in order. */
function parseUnit (text: string): Unit {
  const unit: Unit = new Map()
  let section: Map<string, string[]> | undefined
  for (const line of text.replace(/\\\n/g, ' ').split('\n').map(l => l.trim())) {
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue
    const header = /^\[(.+)\]$/.exec(line)
    if (header != null) {
      section = new Map()
      unit.set(header[1], section)
      continue
    }
    const eq = line.indexOf('=')
    assert.ok(section != null && eq > 0, `${UNIT}: not a key=value line in a section: ${line}`)
    const key = line.slice(0, eq).trim()
    section.set(key, [...(section.get(key) ?? []), line.slice(eq + 1).trim()])
  }
  return unit
}

/** systemd's time span ("20s", "1min 30s", "500ms", bare seconds) in ms. */
function timeSpanMs (span: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000 }
  let total = 0
  for (const part of span.split(/\s+/)) {
    const m = /^(\d+)(ms|s|sec|m|min)?$/.exec(part)
    assert.ok(m != null, `not a time span: ${span}`)
    total += Number(m[1]) * units[m[2] ?? 's']
  }
  return total
}

const unit = parseUnit(await readFile(UNIT, 'utf8'))
const service = unit.get('Service') ?? new Map<string, string[]>()
/** The last value of a [Service] key (what systemd uses for a single-valued key). */
const value = (key: string): string | undefined => service.get(key)?.at(-1)
const environment = (): Record<string, string> => Object.fromEntries((service.get('Environment') ?? []).map(e => {
  const eq = e.indexOf('=')
  return [e.slice(0, eq), e.slice(eq + 1)]
}))

describe(UNIT, () => {
  it('is hardened: no privileges, read-only system, no home, private /tmp, Internet sockets only', () => {
    const expected: Array<[string, (v: string | undefined) => boolean, string]> = [
      ['ProtectSystem', v => v === 'strict', 'strict'],
      ['DynamicUser', v => v === 'yes' || (value('User') ?? 'root') !== 'root', 'yes, or a User= other than root'],
      ['NoNewPrivileges', v => v === 'yes', 'yes'],
      ['PrivateTmp', v => v === 'yes', 'yes'],
      ['ProtectHome', v => v === 'yes' || v === 'tmpfs' || v === 'read-only', 'yes'],
      ['CapabilityBoundingSet', v => v === '', 'empty (no capabilities)'],
      ['StateDirectory', v => v === 'introducer', 'introducer'],
      ['RestrictAddressFamilies', v => {
        const families = (v ?? '').split(/\s+/)
        return families.includes('AF_INET') && families.includes('AF_INET6') &&
          families.every(f => ['AF_INET', 'AF_INET6', 'AF_UNIX', 'AF_NETLINK'].includes(f))
      }, 'AF_INET AF_INET6 and at most AF_UNIX AF_NETLINK besides']
    ]
    for (const [key, ok, wanted] of expected) {
      assert.ok(ok(value(key)), `${key}= is ${JSON.stringify(value(key))}, wanted ${wanted}`)
    }
    assert.equal(value('MemoryDenyWriteExecute'), undefined, 'V8 needs writable executable memory: MemoryDenyWriteExecute=yes would stop node')
  })

  it('runs `introducer run` on its StateDirectory, reloads with SIGHUP, and stops with SIGTERM given longer than the daemon\'s own stop timeout', () => {
    const argv = (value('ExecStart') ?? '').split(/\s+/)
    assert.equal(basename(argv[0]), 'introducer', `ExecStart= runs ${argv[0]}`)
    assert.ok(argv[0].startsWith('/'), 'systemd needs an absolute path')
    assert.deepEqual(argv.slice(1), ['run', `%S/${value('StateDirectory')}`], 'introducer run <the state directory>')
    assert.equal(value('WorkingDirectory'), `%S/${value('StateDirectory')}`)
    assert.equal(value('ExecReload'), '/bin/kill -HUP $MAINPID')
    assert.equal(value('KillMode'), 'control-group')
    assert.equal(value('KillSignal'), 'SIGTERM')
    const timeout = timeSpanMs(value('TimeoutStopSec') ?? '0')
    assert.ok(timeout > STOP_TIMEOUT_MS, `TimeoutStopSec= ${timeout} ms must exceed the daemon's ${STOP_TIMEOUT_MS} ms, or systemd kills a stop in progress`)
    assert.equal(unit.get('Install')?.get('WantedBy')?.at(-1), 'multi-user.target')
  })

  describe('the daemon, run as the unit runs it', () => {
    const set = new ProcessSet()
    after(async () => { await set.killAll() })

    it('starts with the unit\'s arguments and environment, as an introducer of its grid, and stops on SIGTERM in time', async () => {
      const env = environment()
      assert.ok(env.INTRODUCER_GRID != null && env.INTRODUCER_INTRODUCER != null, 'the unit sets the grid and the introducer role')
      // a fresh, empty state directory, as systemd creates it; traffic stays on loopback
      // here, so the listen and HTTP addresses are the only values replaced
      const dir = join(await set.dir('state'), value('StateDirectory') ?? 'introducer')
      const node = await set.start('unit', [], dir, {
        ...env,
        INTRODUCER_LISTEN: '/ip4/127.0.0.1/tcp/0',
        INTRODUCER_HTTP_LISTEN: '127.0.0.1:0'
      })
      assert.match(env.INTRODUCER_LISTEN ?? '', /^\/ip4\/0\.0\.0\.0\/tcp\/\d+$/, 'the unit listens on every interface (a routable address)')
      const status = await node.api<StatusJson>()
      assert.equal(status.node.grid, env.INTRODUCER_GRID)
      assert.ok(status.node.roles.includes('introducer'), `roles: ${status.node.roles.join(', ')}`)
      const start = Date.now()
      assert.equal(await node.kill('SIGTERM', timeSpanMs(value('TimeoutStopSec') ?? '0')), 0, node.output.join('\n'))
      assert.ok(Date.now() - start < timeSpanMs(value('TimeoutStopSec') ?? '0'), 'stopped within TimeoutStopSec')
    })
  })

  describe('systemd-analyze', () => {
    const found = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' })
    const skip = found.error != null ? 'systemd-analyze is not installed (Debian package systemd; .ci/run installs it): the unit was not verified by systemd' : false
    let work: string

    /** The unit in a temporary directory, its ExecStart program replaced by a stand-in that exists (verify checks that). */
    async function copy (name: string, edit: (text: string) => string = t => t): Promise<string> {
      work ??= await mkdtemp(join(tmpdir(), 'gi-unit-'))
      const program = (value('ExecStart') ?? '').split(/\s+/)[0]
      const shim = join(work, 'introducer')
      await writeFile(shim, `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`)
      await chmod(shim, 0o755)
      const path = join(work, name)
      await writeFile(path, edit((await readFile(UNIT, 'utf8')).replace(`ExecStart=${program} `, `ExecStart=${shim} `)))
      return path
    }

    after(async () => { if (work != null) await rm(work, { recursive: true, force: true }) })

    it('verify accepts the unit with no warning', { skip }, async () => {
      const result = spawnSync('systemd-analyze', ['verify', await copy('introducer.service')], { encoding: 'utf8', timeout: 60_000 })
      assert.equal(result.status, 0, result.stderr)
      assert.equal(result.stderr.trim(), '', 'no warnings')
    })

    it('verify does warn of a misspelt key (the check above can fail)', { skip }, async () => {
      const path = await copy('misspelt.service', t => t.replace('\nProtectSystem=', '\nProtectSytem='))
      const result = spawnSync('systemd-analyze', ['verify', path], { encoding: 'utf8', timeout: 60_000 })
      assert.match(result.stderr, /Unknown key .*ProtectSytem/)
    })

    it(`security rates the unit's exposure at most ${EXPOSURE_THRESHOLD / 10} of 10`, { skip }, async () => {
      const path = await copy('introducer.service')
      const args = ['security', '--offline=true', `--threshold=${EXPOSURE_THRESHOLD}`, '--no-pager', path]
      const result = spawnSync('systemd-analyze', args, { encoding: 'utf8', timeout: 60_000 })
      const verdict = /Overall exposure level for \S+: ([\d.]+)/.exec(result.stdout)
      assert.ok(verdict != null, result.stdout + result.stderr)
      assert.equal(result.status, 0, `exposure ${verdict[1]}: above ${EXPOSURE_THRESHOLD / 10}`)
      // and the threshold bites: without the hardening the same unit fails it
      const weak = await copy('weak.service', t => t.split('\n# Hardening:')[0] + '\n[Install]\nWantedBy=multi-user.target\n')
      const weakResult = spawnSync('systemd-analyze', [...args.slice(0, -1), weak], { encoding: 'utf8', timeout: 60_000 })
      assert.notEqual(weakResult.status, 0, `an unhardened unit passes the threshold: ${/Overall exposure.*/.exec(weakResult.stdout)?.[0]}`)
    })
  })
})
