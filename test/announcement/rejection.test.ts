/**
 * Rejections are data made thousands of times a second under a flood: no stack trace is
 * captured for them, and every other error keeps its own.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { AnnouncementRejection, ignore, outcomeOf, reject } from '../../src/announcement/rejection.js'

describe('rejections', () => {
  it('carry their action, code and detail, and no stack frames', () => {
    for (const [make, action] of [[ignore, 'ignore'], [reject, 'reject']] as const) {
      const err = make('too-many-new', 'from a peer')
      assert.ok(err instanceof AnnouncementRejection)
      assert.equal(err.action, action)
      assert.equal(err.code, 'too-many-new')
      assert.equal(err.message, `${action}: too-many-new (from a peer)`)
      assert.equal(outcomeOf(err), 'too-many-new')
      assert.doesNotMatch(err.stack ?? '', /\n\s+at /, 'no frames captured')
    }
  })

  it('leave the stack trace limit as it was, so other errors keep their frames', () => {
    const before = Error.stackTraceLimit
    ignore('duplicate')
    assert.equal(Error.stackTraceLimit, before)
    assert.match(new Error('other').stack ?? '', /\n\s+at /)
  })
})
