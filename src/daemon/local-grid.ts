/**
 * `npm start`: a local grid on loopback, as separate processes — 3 introducers, 3
 * storage servers (one read-only) and a client — joined through bootstrap/local.txt.
 * Prints where the client's welcome page is and stops everything on Ctrl-C.
 *
 * The introducers' keys are derived from fixed, public seeds so that bootstrap/local.txt
 * can name their peer ids: fine for a demo on loopback, never for a real grid.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { generateKeyPairFromSeed, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { readBootstrapFile } from '../bootstrap-file.js'
import { KEY_FILE } from '../store/data-dir.js'
import { assertSupportedRuntime } from '../version.js'
import type { PrivateKey } from '@libp2p/interface'

export const LOCAL_GRID = 'local'
export const LOCAL_BOOTSTRAP_FILE = 'bootstrap/local.txt'
/** Tahoe's default web port, for the client's welcome page. */
export const CLIENT_HTTP_PORT = 3456
export const INTRODUCER_PORTS = [4101, 4102, 4103]

/** The demo introducers' keys: Ed25519 from SHA-256 of a public string. */
export async function localIntroducerKey (index: number): Promise<PrivateKey> {
  const seed = createHash('sha256').update(`gossip-introducer local grid introducer ${index}`).digest()
  return generateKeyPairFromSeed('Ed25519', seed)
}

/** The lines of bootstrap/local.txt, derived from the keys and ports above. */
export async function localBootstrapEntries (): Promise<string[]> {
  return Promise.all(INTRODUCER_PORTS.map(async (port, i) =>
    `/ip4/127.0.0.1/tcp/${port}/p2p/${peerIdFromPrivateKey(await localIntroducerKey(i)).toString()}`))
}

interface Member {
  name: string
  args: string[]
  key?: PrivateKey
}

async function main (): Promise<void> {
  assertSupportedRuntime()
  const root = resolve(fileURLToPath(import.meta.url), '../../../..')
  const bootstrapFile = join(root, LOCAL_BOOTSTRAP_FILE)
  const entries = await readBootstrapFile(bootstrapFile)
  const expected = await localBootstrapEntries()
  if (JSON.stringify(entries) !== JSON.stringify(expected)) {
    throw new Error(`${LOCAL_BOOTSTRAP_FILE} does not match the demo introducers' keys and ports; expected:\n${expected.join('\n')}`)
  }
  const bin = join(root, 'dist/src/daemon/bin.js')
  const base = ['--grid', LOCAL_GRID, '--bootstrap-file', bootstrapFile]
  const members: Member[] = [
    ...await Promise.all(INTRODUCER_PORTS.map(async (port, i) => ({
      name: `introducer-${i}`,
      args: [...base, '--introducer', '--nickname', `introducer-${i}`, '--listen', `/ip4/127.0.0.1/tcp/${port}`],
      key: await localIntroducerKey(i)
    }))),
    { name: 'storage-0', args: [...base, '--storage', '--available-space', '500000000000', '--nickname', 'storage-0'] },
    { name: 'storage-1', args: [...base, '--storage', '--available-space', '250000000000', '--nickname', 'storage-1'] },
    { name: 'storage-2', args: [...base, '--storage', '--readonly', '--nickname', 'storage-2 (read-only)'] },
    { name: 'client', args: [...base, '--nickname', 'client', '--http-listen', `127.0.0.1:${CLIENT_HTTP_PORT}`] }
  ]
  const children: ChildProcess[] = []
  let stopping = false
  const stopAll = (): void => {
    if (stopping) {
      children.forEach(c => c.kill('SIGKILL'))
      process.exit(1)
    }
    stopping = true
    process.stdout.write('\nstopping the local grid...\n')
    children.forEach(c => c.kill('SIGTERM'))
  }
  process.on('SIGINT', stopAll)
  process.on('SIGTERM', stopAll)

  for (const member of members) {
    if (stopping) break // Ctrl-C while the grid was still coming up
    const dir = join(root, '.local-grid', member.name)
    await mkdir(dir, { recursive: true })
    if (member.key != null) {
      await writeFile(join(dir, KEY_FILE), privateKeyToProtobuf(member.key), { mode: 0o600 })
    }
    const child = spawn(process.execPath, [bin, 'run', dir, ...member.args], { stdio: ['ignore', 'pipe', 'pipe'] })
    children.push(child)
    const prefix = member.name.padEnd(12)
    const relay = (chunk: Buffer): void => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        process.stdout.write(`${prefix} ${line}\n`)
        if (member.name === 'client' && line.includes('welcome page')) {
          process.stdout.write(`\n  >>> the client's welcome page: http://127.0.0.1:${CLIENT_HTTP_PORT}/  (Ctrl-C stops the grid)\n\n`)
        }
      }
    }
    child.stdout?.on('data', relay)
    child.stderr?.on('data', relay)
    child.once('exit', (code) => {
      process.stdout.write(`${prefix} exited (${code ?? 'signal'})\n`)
      if (!stopping) {
        stopAll()
      }
    })
  }
  await Promise.all(children.map(async c => new Promise(resolve => { c.once('exit', resolve) })))
}

if (process.argv[1] != null && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`local grid: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exit(1)
  })
}
