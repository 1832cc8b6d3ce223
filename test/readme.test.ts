/** The README's library example is runnable: run it as written, as a user would. */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { describe, it } from 'node:test'

describe('README', () => {
  it('the library example runs and prints what it says', () => {
    const readme = readFileSync('README.md', 'utf8')
    const code = /## As a library\n\n```js\n([\s\S]*?)```/.exec(readme)?.[1]
    assert.ok(code != null, 'README has a js example under "As a library"')
    // in the package root, so that `import ... from 'gossip-introducer'` resolves to this package
    const file = `readme-example-${process.pid}.mjs`
    writeFileSync(file, code)
    try {
      const result = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 60_000 })
      assert.equal(result.status, 0, result.stderr)
      assert.match(result.stdout, /storage server: server-1 12D3KooW\w+ 10000000000/)
      assert.match(result.stdout, /helper in region eu/)
      assert.match(result.stdout, /permuted: [0-9a-f]{12} server-1 12D3KooW/)
    } finally {
      rmSync(file, { force: true })
    }
  })
})
