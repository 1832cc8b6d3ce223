/**
 * What a peer sees when it opens more sync streams at once on one connection than a node
 * serves (MAX_INBOUND_SYNC_STREAMS, protocol.md §12.2): libp2p agrees on the protocol,
 * then resets the stream; no sync frame is sent on it. The asker is a bare libp2p node
 * (no sync handler of its own, so the node does not sync with it on identify).
 */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { tcp } from '@libp2p/tcp'
import { createLibp2p, type Libp2p } from 'libp2p'
import { MAX_INBOUND_SYNC_STREAMS } from '../../src/introduction/constants.js'
import { SYNC_PROTOCOL, requestSync } from '../../src/sync/sync-protocol.js'
import { NodeSet, TEST_GRID } from '../helpers/nodes.js'
import type { Stream } from '@libp2p/interface'

/**
 * What reading the stream gives: 'reset' (a yamux RST: libp2p ends the iteration and marks
 * the stream reset), 'ended' (closed cleanly), data, or 'open' (nothing within `ms`).
 */
async function firstEvent (stream: Stream, ms: number): Promise<string> {
  const read = (async () => {
    try {
      for await (const chunk of stream) {
        return `data (${chunk.byteLength} bytes)`
      }
      return stream.status === 'reset' ? 'reset' : 'ended'
    } catch (err) {
      return (err as Error).name === 'StreamResetError' ? 'reset' : `error ${(err as Error).name}`
    }
  })()
  return Promise.race([read, new Promise<string>(resolve => setTimeout(() => { resolve('open') }, ms))])
}

describe('inbound sync streams per connection', { timeout: 60_000 }, () => {
  const set = new NodeSet()
  let asker: Libp2p | undefined
  after(async () => {
    await asker?.stop()
    await set.stopAll()
  })

  it(`the ${MAX_INBOUND_SYNC_STREAMS + 1}th stream open at once is reset after protocol negotiation; a later one is served`, async () => {
    assert.equal(MAX_INBOUND_SYNC_STREAMS, 4)
    const holder = await set.start()
    asker = await createLibp2p({ transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()], connectionMonitor: { enabled: false } })
    const connection = await asker.dial(holder.getMultiaddrs()[0])
    // four streams the holder waits on (no request written yet)
    const open: Stream[] = []
    for (let i = 0; i < MAX_INBOUND_SYNC_STREAMS; i++) {
      open.push(await connection.newStream(SYNC_PROTOCOL))
    }
    // the fifth: negotiation succeeds (multistream-select echoes the protocol), then a reset
    const fifth = await connection.newStream(SYNC_PROTOCOL)
    assert.equal(fifth.protocol, SYNC_PROTOCOL)
    assert.equal(await firstEvent(fifth, 5000), 'reset')
    // the four are still served
    for (const stream of open.slice(0, 1)) {
      assert.equal(await firstEvent(stream, 300), 'open')
    }
    let records = 0
    for (const stream of open) {
      for await (const page of requestSync(stream, { grid: TEST_GRID, services: ['upload_storage'] })) {
        records += page.length
      }
      await stream.close()
    }
    assert.equal(records, 0)
    // with those done, a new stream is served again
    const later = await connection.newStream(SYNC_PROTOCOL)
    const pages = []
    for await (const page of requestSync(later, { grid: TEST_GRID, services: ['upload_storage'] })) {
      pages.push(page)
    }
    assert.equal(pages.length, 1)
  })

  it('a request the holder refuses (another grid) gets a stream reset and no frame', async () => {
    const holder = await set.start()
    const connection = await asker!.dial(holder.getMultiaddrs()[0])
    const stream = await connection.newStream(SYNC_PROTOCOL)
    await assert.rejects(async () => {
      for await (const page of requestSync(stream, { grid: 'another-grid', services: ['upload_storage'] })) {
        assert.fail(`a page of ${page.length} records`)
      }
    })
    assert.equal(stream.status, 'reset')
  })
})
