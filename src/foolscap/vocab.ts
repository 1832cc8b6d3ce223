/**
 * Foolscap's initial vocabulary tables (foolscap/vocab.py): after negotiation both ends
 * abbreviate these strings as `VOCAB(index)` tokens. Table 1 holds the opentypes of 0.0.6.
 */
import { createHash } from 'node:crypto'

const V1 = [
  'none', 'boolean', 'reference',
  'dict', 'list', 'tuple', 'set', 'immutable-set',
  'unicode', 'set-vocab', 'add-vocab',
  'call', 'arguments', 'answer', 'error',
  'my-reference', 'your-reference', 'their-reference', 'copyable',
  'instance', 'module', 'class', 'method', 'function',
  'attrdict'
] as const

export const INITIAL_VOCAB_TABLES: Readonly<Record<number, readonly string[]>> = { 0: [], 1: V1 }

/** The short hash a negotiation decision carries so both ends know they mean the same table. */
export function vocabTableHash (index: number): string {
  const table = INITIAL_VOCAB_TABLES[index]
  if (table === undefined) throw new RangeError(`no initial vocab table ${index}`)
  return createHash('sha1').update(table.join('\x00'), 'latin1').digest('hex').slice(0, 4)
}
