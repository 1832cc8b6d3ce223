// Entry of `npm test`: checks the runtime, then runs Node's own test runner over the
// compiled tests. Plain JavaScript so that it runs (and explains itself) on any Node.
import { spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

const major = Number.parseInt(process.versions.node.split('.')[0], 10)
if (major < 22) {
  console.error(`gossip-introducer's tests need Node 22 or later (libp2p 3 does); this is Node ${process.versions.node}.\n` +
    'Run them as `npm test` after `npm install`: npm puts the Node 22 of devDependencies first on PATH.\n' +
    '(With `npm ci --ignore-scripts` that Node is not installed: run `npm rebuild node` or install without --ignore-scripts.)')
  process.exit(1)
}

function findTests (dir) {
  const out = []
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) {
      out.push(...findTests(path))
    } else if (name.endsWith('.test.js')) {
      out.push(path)
    }
  }
  return out
}

// `npm test -- pattern` runs only the test files whose path contains the pattern.
// Interop tests against real Tahoe (*.interop.test.js) are slow: they run only when a
// pattern names them (`npm run test:tahoe`).
const filters = process.argv.slice(2)
const files = findTests('dist/test')
  .filter(f => filters.length === 0 || filters.some(p => f.includes(p)))
  .filter(f => !f.includes('.interop.') || filters.some(p => p.includes('interop')))
if (files.length === 0) {
  console.error('no test files found under dist/test: run `npm run build` first')
  process.exit(1)
}
const result = spawnSync(process.execPath, [
  '--test',
  '--test-concurrency=2',
  '--test-reporter=spec',
  '--test-timeout=300000',
  ...files
], { stdio: 'inherit' })
process.exit(result.status ?? 1)
