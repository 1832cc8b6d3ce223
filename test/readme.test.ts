/** The README's library examples are runnable: run them as written, as a user would. */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { describe, it } from 'node:test'

/** Runs the first js block after `heading`; returns its stdout (fails on a non-zero exit). */
function runExample (heading: string): string {
  const readme = readFileSync('README.md', 'utf8')
  const at = readme.indexOf(`${heading}\n`)
  assert.ok(at >= 0, `README has a section "${heading}"`)
  const code = /```js\n([\s\S]*?)```/.exec(readme.slice(at))?.[1]
  assert.ok(code != null, `README has a js example under "${heading}"`)
  // in the package root, so that `import ... from 'gossip-introducer'` resolves to this package
  const file = `readme-example-${process.pid}.mjs`
  writeFileSync(file, code)
  try {
    const result = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 60_000 })
    assert.equal(result.status, 0, result.stderr)
    return result.stdout
  } finally {
    rmSync(file, { force: true })
  }
}

describe('README', () => {
  it('the library example runs and prints what it says', () => {
    const stdout = runExample('## As a library')
    assert.match(stdout, /storage server: server-1 12D3KooW\w+ 10000000000/)
    assert.match(stdout, /helper in region eu/)
    assert.match(stdout, /permuted: [0-9a-f]{12} server-1 12D3KooW/)
  })

  it('the embedding example runs, and a stopped embedded node is withdrawn at once', () => {
    const stdout = runExample('### Inside your own libp2p node')
    assert.match(stdout, /b sees helper a eu/)
    assert.match(stdout, /withdrawn a left: 0/)
  })
})
