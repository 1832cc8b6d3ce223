import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseServiceTopic, serviceTopic } from '../../src/gossip/topic.js'
import { InvalidGridIdError, InvalidServiceNameError } from '../../src/errors.js'

describe('topics', () => {
  it('builds versioned per-grid per-service names', () => {
    assert.equal(serviceTopic('grid-1', 'upload_storage'), '/gossip-introducer/1/grid-1/svc/upload_storage')
  })

  it('parses what it builds, and nothing else', () => {
    for (const [grid, service] of [['g', 'helper'], ['my.grid', 'custom-svc_2']]) {
      assert.deepEqual(parseServiceTopic(serviceTopic(grid, service)), { grid, service })
    }
    for (const bad of ['', '/gossip-introducer/2/g/svc/helper', '/gossip-introducer/1/g/svc', '/gossip-introducer/1/g/x/helper',
      '/gossip-introducer/1/G/svc/helper', '/gossip-introducer/1/g/svc/helper/extra', 'helper']) {
      assert.equal(parseServiceTopic(bad), undefined, bad)
    }
  })

  it('keeps grids apart', () => {
    assert.notEqual(serviceTopic('a', 'helper'), serviceTopic('b', 'helper'))
  })

  it('names what is wrong with a bad service name or grid id', () => {
    assert.throws(() => serviceTopic('g', 'Upload'), (err: Error) => err.name === InvalidServiceNameError.NAME && err.message.includes('"Upload"'))
    assert.throws(() => serviceTopic('g', 'x'.repeat(65)), { name: InvalidServiceNameError.NAME })
    assert.throws(() => serviceTopic('a/b', 'helper'), { name: InvalidGridIdError.NAME })
  })
})
