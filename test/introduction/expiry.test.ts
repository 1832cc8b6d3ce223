/**
 * Expiry with an injected clock and node:test's mock timers: one timer at the earliest
 * deadline (rounded up to EXPIRY_GRANULARITY_MS), re-armed after each run, none after stop.
 */
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it, mock } from 'node:test'
import { EXPIRY_GRANULARITY_MS, Expiry } from '../../src/introduction/expiry.js'
import { PeerTable, type ServicePeer } from '../../src/peer-table.js'
import { key, signed, T0 } from '../helpers/records.js'

describe('expiry', () => {
  const clock = { now: T0 }
  let table: PeerTable
  let expiry: Expiry
  let expired: ServicePeer[]

  /** Moves the clock and the mocked timers on together. */
  function advance (ms: number): void {
    clock.now += ms
    mock.timers.tick(ms)
  }

  beforeEach(() => {
    mock.timers.enable({ apis: ['setTimeout'] })
    clock.now = T0
    table = new PeerTable({ now: () => clock.now })
    expiry = new Expiry(table, () => clock.now)
    expired = []
    table.addEventListener('peer:expired', (evt) => { expired.push(evt.detail) })
    expiry.start()
  })

  afterEach(() => {
    expiry.stop()
    mock.timers.reset()
  })

  it('drops each entry when its TTL runs out, earliest first, with one timer re-armed', async () => {
    table.offer(await signed(await key(), { ttlMs: 10_000, nickname: 'late' }))
    table.offer(await signed(await key(), { ttlMs: 5_000, nickname: 'early' }))
    advance(5_000 - 1)
    assert.deepEqual(expired.map(p => p.nickname), [])
    advance(EXPIRY_GRANULARITY_MS + 1)
    assert.deepEqual(expired.map(p => p.nickname), ['early'])
    advance(5_000)
    assert.deepEqual(expired.map(p => p.nickname), ['early', 'late'])
    assert.equal(table.getPeers('upload_storage').length, 0)
  })

  it('drops entries that expire close together in one run', async () => {
    for (let i = 0; i < 5; i++) {
      table.offer(await signed(await key(), { ttlMs: 5_000 + i * 10 }))
    }
    advance(5_000 + EXPIRY_GRANULARITY_MS + 1)
    assert.equal(expired.length, 5)
  })

  it('fires nothing after stop', async () => {
    table.offer(await signed(await key(), { ttlMs: 5_000 }))
    expiry.stop()
    advance(60_000)
    assert.equal(expired.length, 0)
  })
})
