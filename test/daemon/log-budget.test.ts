/**
 * The log's bound on lines of one kind: so many per window, then one line saying how
 * many were left out, written when the window ends (by its timer) or at a stop.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { LogBudget } from '../../src/daemon/log-budget.js'
import { waitFor } from '../helpers/wait.js'

describe('LogBudget', () => {
  it('writes the first lines of a window, counts the rest, and sums them up when the window ends', async () => {
    const written: string[] = []
    const summaries: Array<[string, number]> = []
    const budget = new LogBudget({ lines: 3, windowMs: 150, summary: (kind, left) => { summaries.push([kind, left]) } })
    let formatted = 0
    for (let i = 0; i < 10; i++) budget.line('added', () => { formatted++; written.push(`added ${i}`) })
    budget.line('expired', () => { written.push('expired 0') })
    assert.deepEqual(written, ['added 0', 'added 1', 'added 2', 'expired 0'])
    assert.equal(formatted, 3, 'a line left out is never formatted')
    assert.deepEqual(summaries, [], 'nothing is summed up before the window ends')
    await waitFor('the window\'s summary', () => summaries.length > 0, 2000, 10)
    assert.deepEqual(summaries, [['added', 7]])
    // a new window writes again
    budget.line('added', () => { written.push('added again') })
    assert.equal(written.at(-1), 'added again')
  })

  it('a stop writes what is left at once, and only once', () => {
    const summaries: Array<[string, number]> = []
    const budget = new LogBudget({ lines: 1, windowMs: 60_000, summary: (kind, left) => { summaries.push([kind, left]) } })
    for (let i = 0; i < 4; i++) budget.line('withdrawn', () => {})
    budget.flush()
    budget.flush()
    assert.deepEqual(summaries, [['withdrawn', 3]])
  })
})
