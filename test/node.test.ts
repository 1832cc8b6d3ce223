/**
 * createNode: a failed start leaves nothing running. Each case runs in its own OS
 * process, which must end by itself once createNode has rejected: a half-started libp2p
 * node (listeners, timers) would keep it alive.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { after, before, describe, it } from 'node:test'

const NODE_MODULE = pathToFileURL(resolve('dist/src/node.js')).href

/** Runs `body` (an async function body with `createNode` in scope) and reports how the process ended. */
async function runAlone (dir: string, name: string, body: string, timeoutMs = 20_000): Promise<{ code: number | null, output: string, timedOut: boolean }> {
  const file = join(dir, `${name}.mjs`)
  await writeFile(file, `import { createNode } from ${JSON.stringify(NODE_MODULE)}\n` +
    `try {\n${body}\n  console.log('resolved')\n} catch (err) {\n  console.log('rejected', err.name, err.message)\n}\n`)
  const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
  let timedOut = false
  const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL') }, timeoutMs)
  const code = await new Promise<number | null>(resolve => child.once('exit', resolve))
  clearTimeout(timer)
  return { code, output, timedOut }
}

describe('createNode', () => {
  let dir: string
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'gi-node-')) })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  it('refuses an over-long nickname before starting anything, and the process exits', async () => {
    const result = await runAlone(dir, 'nickname', "  await createNode({ introducer: true, nickname: 'x'.repeat(300) })")
    assert.equal(result.timedOut, false, `the process did not exit by itself:\n${result.output}`)
    assert.match(result.output, /rejected InvalidOptionError invalid option "nickname"/)
    assert.equal(result.code, 0)
  })

  it('stops what started when starting fails (its port is taken), and the process exits', async () => {
    const result = await runAlone(dir, 'port', [
      "  const { createServer } = await import('node:net')",
      '  const taken = createServer()',
      "  await new Promise(resolve => taken.listen(0, '127.0.0.1', resolve))",
      '  try {',
      '    await createNode({ introducer: true, listen: [`/ip4/127.0.0.1/tcp/${taken.address().port}`] })',
      '  } finally {',
      '    taken.close()',
      '  }'
    ].join('\n'))
    assert.equal(result.timedOut, false, `the process did not exit by itself:\n${result.output}`)
    assert.match(result.output, /rejected/)
    assert.equal(result.code, 0)
  })

  it('keeps going on a store that fails every operation: publishes, reports it, and exits when stopped', async () => {
    const fail = 'async () => { throw new Error("disk on fire") }'
    const result = await runAlone(dir, 'store', [
      `  const node = await createNode({ introducer: true, store: { loadSeqnum: ${fail}, saveSeqnum: ${fail}, loadCache: ${fail}, saveCache: ${fail} } })`,
      "  console.log('published', node.introducer.getPublished().join(','))",
      "  const status = node.introducer.storeStatus()",
      "  console.log('healthy', status.healthy, status.lastFailure?.message)",
      '  await node.stop()'
    ].join('\n'))
    assert.equal(result.timedOut, false, `the process did not exit by itself:\n${result.output}`)
    assert.match(result.output, /published introducer/)
    assert.match(result.output, /healthy false disk on fire/)
    assert.match(result.output, /resolved/)
  })

  it('refuses bad storage options before starting anything', async () => {
    const result = await runAlone(dir, 'space', '  await createNode({ storage: { enabled: true, availableSpace: -5 } })')
    assert.equal(result.timedOut, false, result.output)
    assert.match(result.output, /rejected InvalidOptionError invalid option "storage.availableSpace"/)
  })

  it('refuses a ping interval or timeout out of range before starting anything', async () => {
    const result = await runAlone(dir, 'ping', '  await createNode({ pingIntervalMs: 0 })')
    assert.equal(result.timedOut, false, result.output)
    assert.match(result.output, /rejected InvalidOptionError invalid option "pingIntervalMs": must be a whole number of ms from 1000 to 3600000, not 0/)
    const timeout = await runAlone(dir, 'ping-timeout', '  await createNode({ pingTimeoutMs: 600001 })')
    assert.equal(timeout.timedOut, false, timeout.output)
    assert.match(timeout.output, /rejected InvalidOptionError invalid option "pingTimeoutMs": must be a whole number of ms from 1000 to 600000, not 600001/)
  })
})
