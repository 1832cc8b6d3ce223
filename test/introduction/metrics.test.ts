/**
 * The service's metrics over a fake libp2p Metrics that keeps what is registered: the
 * peer table's counts per service (live, established, tombstones, evicted, refused),
 * withdrawn keys, dials and auto-followed services, each computed when scraped.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ServiceMetrics } from '../../src/introduction/metrics.js'
import { PeerTable } from '../../src/peer-table.js'
import { fakeRecord } from '../helpers/fake-records.js'
import type { Metrics } from '@libp2p/interface'

type Calculate = () => number | Record<string, number>

function fakeMetrics (): { metrics: Metrics, scrape: (name: string) => number | Record<string, number> } {
  const calculated = new Map<string, Calculate>()
  const register = (name: string, options?: { calculate?: Calculate }): unknown => {
    if (options?.calculate != null) calculated.set(name, options.calculate)
    return { increment () {}, observe () {}, update () {} }
  }
  const metrics = {
    registerMetric: register,
    registerMetricGroup: register,
    registerCounter: register,
    registerCounterGroup: register,
    registerHistogram: register,
    registerHistogramGroup: register,
    registerSummary: register,
    registerSummaryGroup: register
  } as unknown as Metrics
  return {
    metrics,
    scrape: (name) => {
      const calculate = calculated.get(name)
      if (calculate == null) throw new Error(`${name} is not registered`)
      return calculate()
    }
  }
}

describe('service metrics', () => {
  it('export the table counts per service and the withdrawn keys', () => {
    let now = 1_000_000
    const table = new PeerTable({ now: () => now, maxPeersPerService: 2, newcomerShare: 1 })
    table.offer(fakeRecord({ issuedAtMs: now }))
    table.offer(fakeRecord({ issuedAtMs: now }))
    table.offer(fakeRecord({ issuedAtMs: now })) // pushes a newcomer out
    table.offer(fakeRecord({ issuedAtMs: now, service: 'fileshare' }))
    now += 1
    const held = table.getPeers('upload_storage')[0].record.announcement.publicKey
    table.offer(fakeRecord({ issuedAtMs: now, publicKey: held, seqnum: 2n, withdrawn: true }))
    table.offer(fakeRecord({ issuedAtMs: now, withdrawn: true })) // a key never held
    const fake = fakeMetrics()
    const scrape = fake.scrape
    const serviceMetrics = new ServiceMetrics(fake.metrics, {
      tableSizes: () => table.sizes(),
      tableCounts: () => table.counts(),
      connectedIntroducers: () => 0,
      dials: () => ({ confirmed: 1, new: 2, failed: 3, 'over-budget': 4 }),
      autoFollow: () => ({ pending: 5, candidates: 2, followed: 1 }),
      clockSkews: () => 7
    })
    serviceMetrics.outcome('accepted')
    assert.equal(serviceMetrics.snapshot().accepted, 1)
    const counts = table.counts().services.get('upload_storage')
    assert.ok(counts != null)
    assert.deepEqual(scrape('introducer_table_entries'), Object.fromEntries(table.sizes()))
    assert.equal((scrape('introducer_table_tombstones') as Record<string, number>).upload_storage, counts.tombstones)
    assert.equal((scrape('introducer_table_evicted_total') as Record<string, number>).upload_storage, counts.evicted)
    assert.equal(counts.evicted, 1)
    assert.equal(counts.tombstones, 1)
    assert.deepEqual(scrape('introducer_table_refused_total'), { upload_storage: counts.refused, fileshare: 0 })
    assert.deepEqual(scrape('introducer_table_established'), { upload_storage: 0, fileshare: 0 })
    assert.equal(scrape('introducer_withdrawn_keys'), 1)
    assert.deepEqual(scrape('introducer_dials_total'), { confirmed: 1, new: 2, failed: 3, 'over-budget': 4 })
    assert.deepEqual(scrape('introducer_auto_followed_services'), { pending: 5, candidates: 2, followed: 1 })
    assert.equal(scrape('introducer_peer_clock_skew_total'), 7)
  })
})
