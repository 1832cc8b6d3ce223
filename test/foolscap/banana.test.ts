import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { BananaDecoder, type TopMessage } from '../../src/foolscap/banana-decode.js'
import { BananaWriter } from '../../src/foolscap/banana-encode.js'
import { TokenReader } from '../../src/foolscap/banana-tokens.js'
import { BananaError } from '../../src/foolscap/errors.js'
import { failureCopyable } from '../../src/foolscap/failure.js'
import { INITIAL_VOCAB_TABLES, vocabTableHash } from '../../src/foolscap/vocab.js'
import { Copyable, Dict, Float, FSet, Tuple, utf8, type BananaValue, type Referenceable } from '../../src/foolscap/values.js'

// Recorded from Foolscap 21.7.0: each is what a Broker writes for AnswerSlicer(reqID, value)
// (or CallSlicer/ErrorSlicer), on a fresh connection, with vocab table 1 unless named novocab.
const F = JSON.parse(readFileSync('test/fixtures/tahoe/banana.json', 'utf8')) as Record<string, string>
const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'))
const LIMITS = { maxStringBytes: 1000, maxDepth: 8, maxContainerItems: 10, maxMessageBytes: 4000 }

const iface = 'RIIntroducerSubscriberClient_v2.tahoe.allmydata.com'
const REF: Referenceable = { interfaceName: iface, methods: {} }

function decodeAll (bytes: Uint8Array, vocab = 1, limits = LIMITS): { messages: TopMessage[], refs: Array<[number, string | undefined]> } {
  const refs: Array<[number, string | undefined]> = []
  const reader = new TokenReader(limits, INITIAL_VOCAB_TABLES[vocab])
  const decoder = new BananaDecoder(limits, {
    theirs: (clid, iname) => { refs.push([clid, iname]); return { isRemoteReference: true, clid } },
    ours: () => REF
  })
  const messages: TopMessage[] = []
  for (const t of reader.push(bytes)) {
    const m = decoder.push(t)
    if (m !== undefined) messages.push(m)
  }
  return { messages, refs }
}

function answerOf (name: string, vocab = 1): BananaValue {
  const { messages } = decodeAll(hex(F[name]), vocab)
  assert.equal(messages.length, 1)
  const m = messages[0]
  assert.equal(m.kind, 'answer')
  return m.kind === 'answer' ? m.value : null
}

const b = utf8
const ENCODE: Array<[string, BananaValue, number?]> = [
  ['answer-int-0', 0], ['answer-int-127', 127], ['answer-int-128', 128], ['answer-int-max', 2 ** 31 - 1],
  ['answer-int-2^31', 2 ** 31], ['answer-neg-1', -1], ['answer-neg-min', -(2 ** 31)], ['answer-longneg', -(2 ** 31) - 1],
  ['answer-bigint', 2n ** 100n + 7n], ['answer-float', new Float(1.5)], ['answer-bytes', b('hello')],
  ['answer-bytes-vocab-word', b('list')], ['answer-bytes-vocab-word-novocab', b('list'), 0],
  ['answer-unicode', 'h\u00e9llo \u2603'], ['answer-none', null], ['answer-true', true], ['answer-false', false],
  ['answer-list', [1, b('two'), [3]]], ['answer-tuple', new Tuple([b('a'), b('b'), b('c')])],
  ['answer-set', new FSet([new Tuple([b('m'), b('s'), b('k')])])],
  ['answer-dict', new Dict([[b('a'), new Dict([])], [b('b'), 2], [b('u'), [1]]])],
  ['answer-dict-unicode-keys', new Dict([['a', null], ['b', 2]])],
  ['answer-empty-list-novocab', [], 0]
]

describe('banana', () => {
  it('writes values byte for byte as Foolscap does', () => {
    for (const [name, value, vocab] of ENCODE) {
      const w = new BananaWriter(INITIAL_VOCAB_TABLES[vocab ?? 1])
      assert.equal(Buffer.from(w.answer(1, value).take()).toString('hex'), F[name], name)
    }
  })

  it('reads what Foolscap writes', () => {
    for (const [name, value, vocab] of ENCODE) {
      assert.deepEqual(answerOf(name, vocab ?? 1), value, name)
    }
    // a list sent twice in one answer comes as a 'reference' to the first
    const shared = answerOf('answer-shared-ref') as BananaValue[]
    assert.deepEqual(shared, [[1, 2], [1, 2]])
    assert.equal(shared[0], shared[1])
  })

  it('writes calls with keyword arguments and reads Foolscap calls with positional ones', () => {
    const w = new BananaWriter(INITIAL_VOCAB_TABLES[1])
    assert.equal(Buffer.from(w.call(1, 0, 'getReferenceByName', new Map([['name', b('swissnum')]])).take()).toString('hex'), F['call-getReferenceByName'])
    const { messages } = decodeAll(hex(F['call-positional-and-kwarg']))
    assert.deepEqual(messages, [{
      kind: 'call', reqId: 7, clid: 3, method: 'publish_v2',
      positional: [new Tuple([b('msg'), b('sig'), b('key')])], kwargs: new Map([['extra', 5]])
    }])
  })

  it('sends a reference with its interface name the first time only, as Foolscap does', () => {
    let sent = 0
    const w = new BananaWriter(INITIAL_VOCAB_TABLES[1], { mine: () => ({ clid: 1, first: ++sent === 1, interfaceName: iface }) })
    w.answer(2, REF).answer(3, REF)
    assert.equal(Buffer.from(w.take()).toString('hex'), F['answer-my-reference-twice'])
    const { messages, refs } = decodeAll(hex(F['answer-my-reference-twice']))
    assert.equal(messages.length, 2)
    assert.deepEqual(refs, [[1, iface], [1, undefined]])
  })

  it('reads a Foolscap Failure and writes one Foolscap can read', () => {
    const { messages } = decodeAll(hex(F['error-valueerror']), 1, { ...LIMITS, maxStringBytes: 4000 })
    const m = messages[0]
    assert.equal(m.kind, 'error')
    const f = m.kind === 'error' ? m.value : null
    assert.ok(f instanceof Copyable)
    assert.equal(f.className, 'twisted.python.failure.Failure')
    assert.deepEqual(f.state.get('type'), b('builtins.ValueError'))
    assert.deepEqual(f.state.get('value'), b('bad thing'))
    const ours = new BananaWriter(INITIAL_VOCAB_TABLES[1]).error(4, failureCopyable('builtins.KeyError', 'nope')).take()
    const back = decodeAll(ours).messages[0]
    assert.ok(back.kind === 'error' && back.value instanceof Copyable)
  })

  it('has the vocab table hash Foolscap computes', () => {
    assert.equal(vocabTableHash(1), F['vocab-hash-1'])
  })

  it('reads a message split at every byte', () => {
    const bytes = hex(F['answer-version'])
    const reader = new TokenReader(LIMITS, INITIAL_VOCAB_TABLES[1])
    const decoder = new BananaDecoder(LIMITS, { theirs: () => null, ours: () => null })
    const got: TopMessage[] = []
    for (let i = 0; i < bytes.length; i++) {
      for (const t of reader.push(bytes.subarray(i, i + 1))) {
        const m = decoder.push(t)
        if (m !== undefined) got.push(m)
      }
    }
    assert.equal(got.length, 1)
    const v = got[0].kind === 'answer' ? got[0].value : null
    assert.ok(v instanceof Dict)
    assert.deepEqual(v.get('application-version'), b('tahoe-lafs/1.17.1'))
  })

  describe('refuses, with BananaError', () => {
    const refused: Array<[string, string, Partial<typeof LIMITS>?]> = [
      ['a header over 64 digits', '01'.repeat(65) + '81'],
      ['an unknown type byte', '0090'],
      ['an old-banana LIST', '0080'],
      ['a STRING over the limit', 'e90782'],
      ['a VOCAB index outside the table', '0088' + '7f87'],
      ['a token outside any sequence', '0581'],
      ['an unknown top-level type', '00880482' + Buffer.from('list').toString('hex')],
      ['an unknown nested type', '00880d87018101880682' + Buffer.from('thingy').toString('hex')],
      ['a CLOSE that does not match its OPEN', '00880d870181018804870289'],
      ['a dangling reference', '00880d870181018802870581'.slice(0, -4) + '0581' + '0189'],
      ['a sequence inside a leaf', '00880d870181018808870288048702890189'],
      ['nesting too deep', '00880d8701810188048702880487038804870488048705880487', { maxDepth: 4 }],
      ['too many items', '00880d87018101880487' + '0181'.repeat(11)],
      ['a message over the byte limit', '00880d87018101880487' + '0181'.repeat(9), { maxMessageBytes: 20, maxContainerItems: 100 }],
      ['malformed UTF-8 in unicode', '00880d870181018808870182ff0189']
    ]
    for (const [what, bytes, limits] of refused) {
      it(what, () => {
        assert.throws(() => decodeAll(hex(bytes), 1, { ...LIMITS, ...limits }), { name: BananaError.NAME })
      })
    }
  })
})
