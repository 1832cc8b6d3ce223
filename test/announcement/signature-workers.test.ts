/**
 * The signature thread starts with a node, so that a late joiner's first records find it
 * loaded, and a node's stop waits for it to load, so that a process exiting right after
 * cannot catch the thread half-loaded (signatures.ts). This file runs in its own process,
 * so no earlier test has started the thread.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { signatureWorkersLoaded } from '../../src/announcement/signatures.js'
import { createNode } from '../../src/index.js'

describe('signature worker thread', () => {
  it('is started by a node and has loaded by the time the node, stopped at once, has stopped', async () => {
    assert.equal(signatureWorkersLoaded(), false, 'no thread before any node')
    const node = await createNode({ grid: 'test-grid', listen: ['/ip4/127.0.0.1/tcp/0'] })
    await node.stop()
    assert.equal(signatureWorkersLoaded(), true)
  })
})
