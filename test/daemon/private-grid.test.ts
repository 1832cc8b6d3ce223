/**
 * A private grid run the way an operator would: the CLI makes a grid manager, a
 * certificate and a network key; node processes are configured with them.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { BIN, ProcessSet } from '../helpers/processes.js'
import { waitFor } from '../helpers/wait.js'

function cli (...args: string[]): { status: number | null, stdout: string, stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000 })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

describe('a private grid from the command line', { timeout: 120_000 }, () => {
  const set = new ProcessSet()
  after(async () => { await set.killAll() })

  it('admits certified nodes only, and keeps nodes without the network key out', async () => {
    const gmDir = await set.dir('grid-manager')
    const made = cli('grid-manager', 'create', gmDir)
    assert.equal(made.status, 0, made.stderr)
    const managerId = /grid manager id (\S+)/.exec(made.stdout)?.[1]
    assert.ok(managerId != null)
    const keyFile = join(await set.dir('shared'), 'swarm.key')
    await mkdir(join(keyFile, '..'), { recursive: true })
    assert.equal(cli('network-key', keyFile).status, 0)

    const dirs: Record<string, string> = {}
    const ids: Record<string, string> = {}
    for (const name of ['intro', 'member', 'outsider', 'stranger']) {
      dirs[name] = await set.dir(name)
      const init = cli('init', dirs[name], '--grid', 'private')
      assert.equal(init.status, 0, init.stderr)
      ids[name] = /node id (\S+)/.exec(init.stdout)?.[1] ?? ''
    }
    for (const name of ['intro', 'member']) {
      const signed = cli('grid-manager', 'sign', gmDir, '--grid', 'private', '--node', ids[name], '--out', join(dirs[name], 'cert.bin'))
      assert.equal(signed.status, 0, signed.stderr)
    }
    const config = (withCert: boolean, withKey: boolean): string => [
      ...(withKey ? [`network_key_file = ${JSON.stringify(keyFile)}`] : []),
      ...(withCert ? ['certificate_file = "cert.bin"'] : []),
      '[admission]',
      `grid_managers = [${JSON.stringify(managerId)}]`
    ].join('\n') + '\n'
    await writeFile(join(dirs.intro, 'introducer.toml'), 'grid = "private"\nintroducer = true\n' + config(true, true))
    await writeFile(join(dirs.member, 'introducer.toml'), 'grid = "private"\n' + config(true, true) + '[storage]\nenabled = true\n')
    // has the network key but no certificate
    await writeFile(join(dirs.outsider, 'introducer.toml'), 'grid = "private"\n' + config(false, true) + '[storage]\nenabled = true\n')
    // has neither
    await writeFile(join(dirs.stranger, 'introducer.toml'), 'grid = "private"\n[storage]\nenabled = true\n')

    const intro = await set.start('intro', [], dirs.intro)
    const member = await set.start('member', ['--bootstrap', intro.multiaddr], dirs.member)
    await set.start('outsider', ['--bootstrap', intro.multiaddr], dirs.outsider)
    const stranger = await set.start('stranger', ['--bootstrap', intro.multiaddr], dirs.stranger)
    await waitFor('the introducer to hold the member', async () => (await intro.peers('upload_storage')).includes(member.peerId), 20_000)
    await waitFor('the introducer to refuse the outsider', async () => ((await intro.api()).stats.dropped['not-admitted'] ?? 0) >= 1, 20_000)
    assert.deepEqual(await intro.peers('upload_storage'), [member.peerId])
    assert.deepEqual(await member.peers('upload_storage'), [member.peerId], 'the outsider reached nobody through the introducer')
    // the stranger cannot even connect
    assert.equal((await stranger.api()).node.connections, 0)
    assert.deepEqual(await stranger.peers('upload_storage'), [stranger.peerId])
  })
})
